/*
** cancel.c -- deferred cancellation (tests/programs.sh), by the first
** argument; each passes in every interleaving unless said:
**   cond       a thread waiting on a condition variable is cancelled: its
**              cleanup handler, run with the mutex retaken, unlocks it;
**              the join sees PTHREAD_CANCELED and main can lock the mutex;
**   nocleanup  the same without the cleanup handler: the cancelled thread
**              ends holding the mutex (a failure, found);
**   testcancel a thread spinning on pthread_testcancel is cancelled;
**   disabled   a request waits while cancellation is disabled, and is
**              acted on at the first cancellation point after;
**   sleep      a thread sleeping in a loop is cancelled;
**   join       a thread waiting in pthread_join is cancelled, the thread
**              it waited for is joined by main afterwards;
**   sem        a thread blocked in sem_wait is cancelled;
**   cleanup    pthread_exit runs the handlers, last pushed first;
**              pthread_cleanup_pop(1) runs one, pop(0) does not.
*/
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static sem_t empty;
static int reached, order[4], norder;

static void unlock_it(void *arg)
{
    pthread_mutex_unlock(arg);
}

static void note(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
}

static void *waits(void *arg)
{
    pthread_mutex_lock(&lock);
    pthread_cleanup_push(unlock_it, &lock);
    for (;;)
        pthread_cond_wait(&never, &lock);
    pthread_cleanup_pop(1);
    return arg;
}

static void *waits_without_cleanup(void *arg)
{
    pthread_mutex_lock(&lock);
    for (;;)
        pthread_cond_wait(&never, &lock);
    return arg;
}

static void *spins(void *arg)
{
    for (;;)
        pthread_testcancel();
    return arg;
}

static void *disables(void *arg)
{
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    assert(old == PTHREAD_CANCEL_ENABLE);
    sched_yield();                    /* the request may come here: it waits */
    reached = 1;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    for (;;)
        pthread_testcancel();
    return arg;
}

static void *sleeps(void *arg)
{
    for (;;)
        sleep(10);
    return arg;
}

static void *waits_for_sem(void *arg)
{
    sem_wait(&empty);
    return arg;
}

static void *joins(void *arg)
{
    pthread_join(*(pthread_t *)arg, NULL);
    reached = 1;                      /* never: the join is cancelled first */
    return arg;
}

static void *exits(void *arg)
{
    pthread_cleanup_push(note, (void *)1);
    pthread_cleanup_push(note, (void *)2);
    pthread_cleanup_push(note, (void *)3);
    pthread_cleanup_pop(1);           /* runs 3 */
    pthread_cleanup_push(note, (void *)4);
    pthread_cleanup_pop(0);           /* 4 does not run */
    pthread_exit(arg);                /* runs 2, then 1 */
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return NULL;
}

/* Start fn, cancel it, join it: it was cancelled. */
static void cancel_one(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    void *result;
    pthread_create(&t, NULL, fn, arg);
    assert(pthread_cancel(t) == 0);
    assert(pthread_join(t, &result) == 0);
    assert(result == PTHREAD_CANCELED);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "cond";
    if (strcmp(mode, "cond") == 0 || strcmp(mode, "nocleanup") == 0) {
        cancel_one(strcmp(mode, "cond") == 0 ? waits : waits_without_cleanup, NULL);
        pthread_mutex_lock(&lock);
        pthread_mutex_unlock(&lock);
    } else if (strcmp(mode, "testcancel") == 0) {
        cancel_one(spins, NULL);
    } else if (strcmp(mode, "disabled") == 0) {
        cancel_one(disables, NULL);
        assert(reached == 1);
    } else if (strcmp(mode, "sleep") == 0) {
        cancel_one(sleeps, NULL);
    } else if (strcmp(mode, "sem") == 0) {
        sem_init(&empty, 0, 0);
        cancel_one(waits_for_sem, NULL);
    } else if (strcmp(mode, "join") == 0) {
        pthread_t waited;
        sem_init(&empty, 0, 0);
        pthread_create(&waited, NULL, waits_for_sem, NULL);
        cancel_one(joins, &waited);
        assert(reached == 0);
        sem_post(&empty);
        assert(pthread_join(waited, NULL) == 0);
    } else {
        pthread_t t;
        void *result;
        pthread_create(&t, NULL, exits, &reached);
        pthread_join(t, &result);
        assert(result == &reached);
        assert(norder == 3 && order[0] == 3 && order[1] == 2 && order[2] == 1);
    }
    return 0;
}
