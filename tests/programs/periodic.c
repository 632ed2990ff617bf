/*
** periodic.c -- loops whose waits have deadlines (tests/programs.sh), by
** the first argument:
**   ticker     a thread ticks with clock_nanosleep(TIMER_ABSTIME) until
**              main sets an atomic stop flag; its next deadline moves by
**              a period each turn, but it reads no clock in the loop, so
**              its turns repeat and fairness lets main run: exhaustive
**              under the default timers; the errors of clock_nanosleep
**              are checked first;
**   condclock  a waiter computes a fresh deadline from clock_gettime each
**              turn of its pthread_cond_timedwait loop: no two turns read
**              the same time, so they never repeat, and only
**              --timers=idle (a timeout fires when no thread can run)
**              makes the search finish (README, Limits).
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static atomic_int stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void *ticker(void *arg)
{
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!atomic_load(&stop)) {
        next.tv_nsec += 100000000;    /* every 100 ms */
        if (next.tv_nsec >= 1000000000) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000;
        }
        assert(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == 0);
    }
    return arg;
}

static void *setter(void *arg)
{
    pthread_mutex_lock(&mu);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return arg;
}

/* clock_nanosleep returns its errors; a deadline passed returns at once. */
static void sleeps_alone(void)
{
    struct timespec bad = { 0, 1000000000 }, back = { -1, 0 }, start, end;
    assert(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL) == EINVAL);
    assert(clock_nanosleep(CLOCK_MONOTONIC, 0, &back, NULL) == EINVAL);
    assert(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &bad, NULL) == EINVAL);
    clock_gettime(CLOCK_REALTIME, &start);
    struct timespec second = { 1, 0 };
    assert(clock_nanosleep(CLOCK_REALTIME, 0, &second, NULL) == 0);
    assert(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &start, NULL) == 0);   /* passed */
    clock_gettime(CLOCK_REALTIME, &end);
    assert(end.tv_sec == start.tv_sec + 1 && end.tv_nsec == start.tv_nsec);
}

int main(int argc, char **argv)
{
    pthread_t t;
    if (argc > 1 && strcmp(argv[1], "condclock") == 0) {
        pthread_create(&t, NULL, setter, NULL);
        pthread_mutex_lock(&mu);
        while (!ready) {
            struct timespec due;
            clock_gettime(CLOCK_REALTIME, &due);
            due.tv_sec += 1;
            pthread_cond_timedwait(&cv, &mu, &due);
        }
        pthread_mutex_unlock(&mu);
    } else {
        sleeps_alone();
        pthread_create(&t, NULL, ticker, NULL);
        atomic_store(&stop, 1);
    }
    pthread_join(t, NULL);
    return 0;
}
