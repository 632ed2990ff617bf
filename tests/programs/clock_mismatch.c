/* clock_mismatch.c -- a condition on CLOCK_MONOTONIC waited on with a
** deadline read from CLOCK_REALTIME (tests/programs.sh): seconds since
** 1970 on a clock that counts from boot are decades away, so the wait for
** a reply nobody sends never times out (Linux hangs). The report says so
** ("no timer is pending" was all it said). -DFIXED reads the condition's
** own clock: the wait times out after 1 s, a pass. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t replied;
static int reply;

int main(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&replied, &attr);
    struct timespec deadline;
#ifdef FIXED
    clock_gettime(CLOCK_MONOTONIC, &deadline);
#else
    clock_gettime(CLOCK_REALTIME, &deadline);
#endif
    deadline.tv_sec += 1;
    int rc = 0;
    pthread_mutex_lock(&mu);
    while (!reply && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&replied, &mu, &deadline);
    pthread_mutex_unlock(&mu);
    return reply == 0 && rc != ETIMEDOUT;
}
