/* once_reused.c -- a pthread_once_t in memory freed and taken again is a
** new once when the program sets it to PTHREAD_ONCE_INIT (tests/programs.sh):
** weft found its once by address, took the second object's for done and
** never ran its routine (audit 7). The once is named as spelled. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

struct lazy {
    pthread_once_t once;
    int ready;
};

static int runs;

static void init(void)
{
    runs++;
}

int main(void)
{
    void *first = NULL;
    for (int round = 0; round < 2; round++) {
        struct lazy *o = malloc(sizeof *o);
        assert(o != NULL && (first == NULL || o == first));   /* the same block again */
        first = o;
        o->once = (pthread_once_t)PTHREAD_ONCE_INIT;
        pthread_once(&o->once, init);
        pthread_once(&o->once, init);
        assert(runs == round + 1);
        free(o);
    }
    return 0;
}
