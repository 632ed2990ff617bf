/*
** sem_value.c -- sem_getvalue reads the count in a step of its own, so
** both orders of the read and another thread's sem_wait or sem_post are
** explored (tests/programs.sh): -DEXACT claims the count is 2 at the read,
** which the order where the waiter took a permit first breaks.
*/
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

static sem_t s;

static void *waiter(void *arg)
{
    (void)arg;
    sem_wait(&s);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int v;
    sem_init(&s, 0, 2);
    pthread_create(&t, NULL, waiter, NULL);
    sem_getvalue(&s, &v);
    assert(v == 1 || v == 2);
#ifdef EXACT
    assert(v == 2);
#endif
    pthread_join(t, NULL);
    sem_getvalue(&s, &v);
    assert(v == 1);
    return 0;
}
