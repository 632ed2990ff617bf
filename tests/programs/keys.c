/*
** keys.c -- thread-specific data (tests/programs.sh): each thread's own
** value per key, NULL in a new thread and after a key is made again;
** destructors run as a thread returns or calls pthread_exit, with the
** value, and again while they set values, at most
** PTHREAD_DESTRUCTOR_ITERATIONS rounds; never for a NULL value.
*/
#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static pthread_key_t owned, stubborn;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int freed;                     /* owned values freed by the destructor */
static int stubborn_calls[3];         /* by thread */

static void free_owned(void *value)
{
    pthread_mutex_lock(&lock);
    freed += *(int *)value;
    pthread_mutex_unlock(&lock);
    free(value);
}

/* Sets its value again every time: runs once per round. */
static void sets_again(void *value)
{
    int me = (int)(intptr_t)value;
    stubborn_calls[me]++;
    pthread_setspecific(stubborn, value);
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    assert(pthread_getspecific(owned) == NULL && pthread_getspecific(stubborn) == NULL);
    int *mine = malloc(sizeof *mine);
    *mine = me * 10;
    pthread_setspecific(owned, mine);
    pthread_setspecific(stubborn, (void *)(intptr_t)me);
    pthread_mutex_lock(&lock);        /* the other thread may run here */
    pthread_mutex_unlock(&lock);
    assert(pthread_getspecific(owned) == mine);
    assert(pthread_getspecific(stubborn) == (void *)(intptr_t)me);
    if (me == 2)
        pthread_exit(NULL);           /* destructors run on this path too */
    return NULL;
}

int main(void)
{
    assert(pthread_key_create(&owned, free_owned) == 0);
    assert(pthread_key_create(&stubborn, sets_again) == 0);
    assert(owned != stubborn);
    pthread_setspecific(owned, NULL); /* NULL: no destructor for main */

    /* A key deleted and made again reads NULL. */
    pthread_key_t k;
    assert(pthread_key_create(&k, NULL) == 0);
    assert(pthread_setspecific(k, &k) == 0 && pthread_getspecific(k) == &k);
    assert(pthread_key_delete(k) == 0);
    assert(pthread_setspecific(k, &k) == EINVAL);
    pthread_key_t again;
    assert(pthread_key_create(&again, NULL) == 0 && again == k);
    assert(pthread_getspecific(again) == NULL);

    pthread_t t[2];
    for (intptr_t i = 1; i <= 2; i++)
        pthread_create(&t[i - 1], NULL, worker, (void *)i);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    assert(freed == 30);
    assert(stubborn_calls[1] == PTHREAD_DESTRUCTOR_ITERATIONS);
    assert(stubborn_calls[2] == PTHREAD_DESTRUCTOR_ITERATIONS);
    return 0;
}
