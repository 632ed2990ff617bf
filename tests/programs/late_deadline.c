/*
** late_deadline.c -- a timed wait's absolute deadline holds however late
** the call's step comes (tests/programs.sh). main takes the time t0 and
** gives the waiter the deadline t0 + 100 ms; the waiter waits where
** nothing will wake it, while a mover sleeps until t0 + 200 ms. When the
** mover's sleep ends before the waiter's step, the clock is past the
** deadline already and the wait times out at once, at 200 ms, never
** 100 ms after its step (300). So the waiter reads 100 or 200 after its
** wait, nothing else, and 200 when the clock read 200 as it called. The mode names the wait: cond
** (pthread_cond_timedwait), clockwait (pthread_cond_clockwait,
** CLOCK_MONOTONIC), mutex (pthread_mutex_timedlock), clocklock
** (pthread_mutex_clocklock, CLOCK_MONOTONIC), sem (sem_timedwait),
** semclock (sem_clockwait, CLOCK_MONOTONIC). -DAT_DEADLINE claims the
** wait always ends at 100 ms: the late step breaks it at its line.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t none;                    /* no permit, nobody posts */
static const char *mode;

static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static struct timespec at_ns(int64_t ns)
{
    return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return ns_of(t);
}

static clockid_t clock_of_mode(void)
{
    return strcmp(mode, "cond") == 0 || strcmp(mode, "mutex") == 0 || strcmp(mode, "sem") == 0
         ? CLOCK_REALTIME : CLOCK_MONOTONIC;
}

static int64_t t0;                    /* main's time at its start, on the mode's clock */

static void *mover(void *arg)
{
    (void)arg;
    struct timespec until = at_ns(t0 + 200 * 1000000);
    clock_nanosleep(clock_of_mode(), TIMER_ABSTIME, &until, NULL);   /* the clock to 200 ms */
    return NULL;
}

/* The wait the mode names, until deadline on clock: its result. */
static int timed_wait(clockid_t clock, const struct timespec *deadline)
{
    if (strcmp(mode, "cond") == 0 || strcmp(mode, "clockwait") == 0) {
        pthread_mutex_lock(&mu);
        int rc = clock == CLOCK_REALTIME ? pthread_cond_timedwait(&cv, &mu, deadline)
                                         : pthread_cond_clockwait(&cv, &mu, clock, deadline);
        pthread_mutex_unlock(&mu);
        return rc;
    }
    if (strcmp(mode, "mutex") == 0)
        return pthread_mutex_timedlock(&mu, deadline);   /* main holds it */
    if (strcmp(mode, "clocklock") == 0)
        return pthread_mutex_clocklock(&mu, clock, deadline);
    int rc = clock == CLOCK_REALTIME ? sem_timedwait(&none, deadline)
                                     : sem_clockwait(&none, clock, deadline);
    return rc == -1 ? errno : 0;
}

static void *waiter(void *arg)
{
    (void)arg;
    clockid_t clock = clock_of_mode();
    struct timespec deadline = at_ns(t0 + 100 * 1000000);
    int64_t called_ms = (now_ns(clock) - t0) / 1000000;
    int rc = timed_wait(clock, &deadline);
    int64_t ended_ms = (now_ns(clock) - t0) / 1000000;
    assert(rc == ETIMEDOUT);
    assert(ended_ms == 100 || ended_ms == 200);
    if (called_ms == 200)             /* called past its deadline: at once */
        assert(ended_ms == 200);
#ifdef AT_DEADLINE
    assert(ended_ms == 100);
#endif
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "cond";
    sem_init(&none, 0, 0);
    t0 = now_ns(clock_of_mode());
    struct timespec soon = at_ns(t0 + 1000000);
    errno = 0;
    assert(sem_clockwait(&none, CLOCK_PROCESS_CPUTIME_ID, &soon) == -1 && errno == EINVAL);
    bool holds = strcmp(mode, "mutex") == 0 || strcmp(mode, "clocklock") == 0;
    if (holds)
        pthread_mutex_lock(&mu);
    pthread_t w, m;
    pthread_create(&w, NULL, waiter, NULL);
    pthread_create(&m, NULL, mover, NULL);
    pthread_join(w, NULL);
    pthread_join(m, NULL);
    if (holds)
        pthread_mutex_unlock(&mu);
    return 0;
}
