/* past_deadline_loop.c -- a loop of pthread_cond_timedwait calls whose
** deadline has passed (tests/programs.sh). glibc releases the mutex and
** takes it again in each, even when it times out at once, so the worker
** that sets the condition gets in; weft returned ETIMEDOUT without
** releasing it, and reported a livelock of a correct program (found by
** an audit). Without -DSIGNAL the worker only sets the flag, which the
** loop sees on its next turn; with it, it signals as well. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, timeouts;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    ready = 1;
#ifdef SIGNAL
    pthread_cond_signal(&cv);
#endif
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(void)
{
    struct timespec past;
    clock_gettime(CLOCK_REALTIME, &past);
    past.tv_sec -= 1;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&mu);
    while (!ready)
        if (pthread_cond_timedwait(&cv, &mu, &past) == ETIMEDOUT)
            timeouts++;
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    return 0;
}
