/*
** timed_wait_held.c -- a timed wait can time out while another thread
** holds the mutex: the waiter leaves the condition's queue at its
** deadline, so the signal that thread sends then finds no waiter, and the
** wait returns ETIMEDOUT once the mutex is free (tests/programs.sh). The
** buggy caller trusts ETIMEDOUT and computes the result again; with
** -DFIXED it checks the flag.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int done, computed;

static void *helper(void *arg)
{
    (void)arg;
    usleep(1000);
    pthread_mutex_lock(&mu);
    if (!done) {
        done = 1;
        computed++;
    }
    pthread_cond_signal(&ready);
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(void)
{
    pthread_t t;
    struct timespec deadline;
    pthread_create(&t, NULL, helper, NULL);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    pthread_mutex_lock(&mu);
    int rc = 0;
    while (!done && rc == 0)
        rc = pthread_cond_timedwait(&ready, &mu, &deadline);
#ifdef FIXED
    if (!done) {
#else
    if (rc == ETIMEDOUT) {
#endif
        done = 1;
        computed++;
    }
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    assert(computed == 1);
    return 0;
}
