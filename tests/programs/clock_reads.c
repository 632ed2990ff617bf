/* clock_reads.c -- time passes only when something waits (tests/programs.sh).
** A helper reads three clocks on one line and is called four times with
** 100 ms sleeps between: weft took the three reads, one line and one time,
** for a loop polling the clock, and moved the clock 1, 2, 4, ... ms at each
** (audit 7: 1 s of sleeps measured 1,024 s, and an absolute sleep returned
** at once). Reads at different places are straight-line code, not a loop. */
#include <assert.h>
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
    return ms(&mono);
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
    return 0;
}
