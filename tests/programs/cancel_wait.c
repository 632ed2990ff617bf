/*
** cancel_wait.c -- a cancel that ends a condition variable's wait: the
** waiter retakes the mutex, then ends holding it (no cleanup handler).
** POSIX leaves the mutex locked (PTHREAD_MUTEX_STALLED), so main's lock
** after the join waits forever: a deadlock whose report shows the wait
** "interrupted" and the mutex retaken (tests/programs.sh).
*/
#include <pthread.h>
#include <sched.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int waiting;

static void *waiter(void *arg)
{
    pthread_mutex_lock(&m);
    waiting = 1;
    for (;;)
        pthread_cond_wait(&ready, &m);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    for (int seen = 0; !seen; sched_yield()) {    /* until it waits */
        pthread_mutex_lock(&m);
        seen = waiting;
        pthread_mutex_unlock(&m);
    }
    pthread_cancel(t);
    pthread_join(t, NULL);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return 0;
}
