/* clock_reads.c -- time passes only when something waits (tests/programs.sh).
** A helper reads three clocks on one line and is called four times with
** 100 ms sleeps between: weft took the three reads, one line and one time,
** for a loop polling the clock, and moved the clock 1, 2, 4, ... ms at each
** (audit 7: 1 s of sleeps measured 1,024 s, and an absolute sleep returned
** at once). Reads at different places are straight-line code, not a loop.
** Then a wait until the end of time ({INT64_MAX, 999999999}, "for ever")
** never times out: weft timed it out and the clock stayed there.
** CLOCK_TAI and CLOCK_REALTIME_ALARM are dates, as CLOCK_REALTIME is
** (audit 21: they read 1000 s, as CLOCK_MONOTONIC does). */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int64_t ms(const struct timespec *t) { return t->tv_sec * 1000 + t->tv_nsec / 1000000; }

/* Three reads, no wait between them: they see one time. */
static int64_t three_reads(void)
{
    struct timeval tv; struct timespec real, mono;
    gettimeofday(&tv, NULL); clock_gettime(CLOCK_REALTIME, &real); clock_gettime(CLOCK_MONOTONIC, &mono);
    assert(tv.tv_sec * 1000 + tv.tv_usec / 1000 == ms(&real));
    struct timespec tai, alarm_clock;
    clock_gettime(CLOCK_TAI, &tai); clock_gettime(CLOCK_REALTIME_ALARM, &alarm_clock);
    assert(ms(&tai) == ms(&real) && ms(&alarm_clock) == ms(&real));
    return ms(&mono);
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int set;

static void *setter(void *arg)
{
    (void)arg;
    usleep(10000);
    pthread_mutex_lock(&m);
    set = 1;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void wait_for_ever(void)
{
    struct timespec never = { .tv_sec = INT64_MAX, .tv_nsec = 999999999 };
    pthread_t t;
    pthread_create(&t, NULL, setter, NULL);
    pthread_mutex_lock(&m);
    while (!set)
        assert(pthread_cond_timedwait(&c, &m, &never) == 0);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
}

int main(void)
{
    int64_t start = three_reads();
    for (int i = 0; i < 3; i++) {
        usleep(100000);
        three_reads();
    }
    struct timespec now, until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 1;                /* an absolute sleep a second ahead */
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    clock_gettime(CLOCK_MONOTONIC, &now);
    assert(ms(&now) - start >= 1300 && ms(&now) - start < 1310);
    wait_for_ever();
    return 0;
}
