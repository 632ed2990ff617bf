/* unsupported.c -- a pthread call weft does not model yet fails the
** execution at its line, naming the call (tests/programs.sh). */
#include <pthread.h>

static void *worker(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_kill(t, 0);
    pthread_join(t, NULL);
    return 0;
}
