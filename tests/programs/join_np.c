/*
** join_np.c -- the joins that give up (tests/programs.sh): glibc's
** pthread_tryjoin_np, pthread_timedjoin_np and pthread_clockjoin_np.
** The mode (the first argument) picks the program:
**   try       main polls the worker with tryjoin once, then joins it
**   timed     main waits for the worker until t0 + 100 ms (timedjoin)
**   clock     the same on CLOCK_MONOTONIC (clockjoin)
**   watchdog  a supervisor that gives up on a slow worker at a deadline,
**             then reads the worker's result under its lock, sure that
**             a worker it timed out on never started: the worker may be
**             half done, which only the timeout path shows (-DFIXED:
**             it waits for the worker after the timeout)
**   errors    the error cases, as glibc gives them
**   report    a worker fails while main waits for it with a deadline
**   cancel    a thread cancelled while it waits in pthread_timedjoin_np, a
**             cancellation point (-DNEVER_CANCELLED claims it never is)
** Each -D claims one outcome that some interleaving breaks, so weft must
** find it: -DNEVER_BUSY (try: always joined), -DALWAYS_BUSY (try: never
** joined), -DNEVER_TIMES_OUT, -DALWAYS_TIMES_OUT (timed, clock).
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int stage;                     /* the worker's progress, under mu */

static void *worker(void *arg)
{
    pthread_mutex_lock(&mu);
    stage = 1;
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&mu);
    stage = 2;
    pthread_mutex_unlock(&mu);
    return arg;
}

static void *quick(void *arg)
{
    return arg;
}

static int joining;                   /* main is in its join: the worker's bug */

static void *fails(void *arg)
{
    pthread_mutex_lock(&mu);
    assert(!joining && "the worker fails");
    pthread_mutex_unlock(&mu);
    return arg;
}

static struct timespec after_ms(clockid_t clock, int ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_nsec += (long)ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static void try_once(void)
{
    pthread_t t;
    void *r = NULL;
    pthread_create(&t, NULL, worker, &stage);
    int rc = pthread_tryjoin_np(t, &r);
    assert(rc == 0 || rc == EBUSY);
#ifdef NEVER_BUSY
    assert(rc == 0);
#endif
#ifdef ALWAYS_BUSY
    assert(rc == EBUSY);
#endif
    if (rc == EBUSY) {
        assert(r == NULL);
        assert(pthread_join(t, &r) == 0);
    }
    assert(r == &stage && stage == 2);
}

static void timed(clockid_t clock)
{
    pthread_t t;
    void *r = NULL;
    pthread_create(&t, NULL, worker, &stage);
    struct timespec deadline = after_ms(clock, 100);
    int rc = clock == CLOCK_REALTIME ? pthread_timedjoin_np(t, &r, &deadline)
                                     : pthread_clockjoin_np(t, &r, clock, &deadline);
    assert(rc == 0 || rc == ETIMEDOUT);
#ifdef NEVER_TIMES_OUT
    assert(rc == 0);
#endif
#ifdef ALWAYS_TIMES_OUT
    assert(rc == ETIMEDOUT);
#endif
    struct timespec now;
    clock_gettime(clock, &now);
    if (rc == ETIMEDOUT) {            /* the deadline passed, not a moment before */
        assert(now.tv_sec > deadline.tv_sec ||
               (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec));
        assert(pthread_join(t, &r) == 0);
    }
    assert(r == &stage && stage == 2);
}

static void watchdog(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    struct timespec deadline = after_ms(CLOCK_REALTIME, 50);
    if (pthread_timedjoin_np(t, NULL, &deadline) == ETIMEDOUT) {
#ifdef FIXED
        pthread_join(t, NULL);
#endif
        pthread_mutex_lock(&mu);
        assert(stage != 1 && "the worker timed out on was half done");
        pthread_mutex_unlock(&mu);
    }
}

static void errors(void)
{
    pthread_t t, d;
    void *r = NULL;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &attr, quick, NULL);
    pthread_create(&t, NULL, quick, &r);
    struct timespec bad = after_ms(CLOCK_REALTIME, 10), ok = after_ms(CLOCK_REALTIME, 10);
    bad.tv_nsec = 1000000000;
    assert(pthread_timedjoin_np(t, &r, &bad) == EINVAL);
    assert(pthread_clockjoin_np(t, &r, CLOCK_PROCESS_CPUTIME_ID, &ok) == EINVAL);
    assert(pthread_timedjoin_np(pthread_self(), &r, &ok) == EDEADLK);
    assert(pthread_tryjoin_np(pthread_self(), &r) == EBUSY);
    assert(pthread_tryjoin_np(d, &r) == EINVAL);
    assert(pthread_timedjoin_np(d, &r, &ok) == EINVAL);
    assert(r == NULL);
    assert(pthread_timedjoin_np(t, &r, NULL) == 0 && r == &r);   /* no deadline: a join */
    assert(pthread_tryjoin_np(t, &r) == EINVAL);
    assert(pthread_timedjoin_np(t, &r, &ok) == EINVAL);
    assert(pthread_tryjoin_np((pthread_t)12345, &r) == ESRCH);
}

static void report(void)
{
    pthread_t t;
    pthread_create(&t, NULL, fails, NULL);
    struct timespec deadline = after_ms(CLOCK_MONOTONIC, 100);
    joining = 1;
    if (pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &deadline) == ETIMEDOUT)
        pthread_join(t, NULL);
}

static pthread_t sleeper_thread;

static void *sleeper(void *arg)
{
    struct timespec second = { 1, 0 };
    nanosleep(&second, NULL);
    return arg;
}

static void *joiner(void *arg)
{
    struct timespec deadline = after_ms(CLOCK_REALTIME, 5000);
    int rc = pthread_timedjoin_np(sleeper_thread, NULL, &deadline);
    assert(rc == 0 || rc == ETIMEDOUT);   /* (the sleeper's wake may come late) */
    if (rc == ETIMEDOUT)
        pthread_join(sleeper_thread, NULL);
    return arg;
}

static void cancel(void)
{
    pthread_t j;
    void *r;
    pthread_create(&sleeper_thread, NULL, sleeper, NULL);
    pthread_create(&j, NULL, joiner, NULL);
    pthread_cancel(j);
    assert(pthread_join(j, &r) == 0);
    assert(r == PTHREAD_CANCELED || r == NULL);
#ifdef NEVER_CANCELLED
    assert(r == NULL);
#endif
    if (r == PTHREAD_CANCELED)        /* (or it was joined before the cancel came) */
        pthread_join(sleeper_thread, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "try";
    if (strcmp(mode, "try") == 0)
        try_once();
    else if (strcmp(mode, "timed") == 0)
        timed(CLOCK_REALTIME);
    else if (strcmp(mode, "clock") == 0)
        timed(CLOCK_MONOTONIC);
    else if (strcmp(mode, "watchdog") == 0)
        watchdog();
    else if (strcmp(mode, "errors") == 0)
        errors();
    else if (strcmp(mode, "report") == 0)
        report();
    else if (strcmp(mode, "cancel") == 0)
        cancel();
    else
        return 2;
    return 0;
}
