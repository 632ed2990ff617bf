/*
** posix_timers.c -- timer_create and its calls on the virtual clock
** (tests/programs.sh; posix/itimer.c). The mode is the first argument:
**
**   signal    a one-shot SIGEV_SIGNAL timer with SIGRTMIN and a value: the
**             handler (SA_SIGINFO) sees SI_TIMER and the value; a pass
**   sigwait   a periodic timer whose signal every thread blocks: three
**             sigwaitinfo calls take three expiries, 50 ms apart; a pass
**   thread    SIGEV_THREAD: each expiry runs the function on a new
**             thread, which posts a semaphore main waits on; a pass
**   lost      SIGEV_THREAD's function sets a flag and signals without the
**             mutex, and main tests the flag once (if, not while): a lost
**             wake-up, a deadlock
**   gettime   what timer_gettime and the old value of timer_settime say,
**             TIMER_ABSTIME, a disarm, a deleted timer, bad arguments
**   none      SIGEV_NONE: the timer only expires, seen by timer_gettime
**   watchdog  SIGALRM by default (no sigevent), its default action left:
**             the program ends first, a pass (as alarm's watchdog)
**
** (A timer on a CPU-time clock is not supported: blocking_calls.c.)
** The single-thread modes pass natively on Linux too.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int fired, code, value;

static void on_timer(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    atomic_store(&code, info->si_code);
    atomic_store(&value, info->si_value.sival_int);
    atomic_fetch_add(&fired, 1);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void arm(timer_t t, long first_ms, long every_ms)
{
    struct itimerspec s = { .it_value = { first_ms / 1000, first_ms % 1000 * 1000000 },
                            .it_interval = { every_ms / 1000, every_ms % 1000 * 1000000 } };
    assert(timer_settime(t, 0, &s, NULL) == 0);
}

static void signal_mode(void)
{
    struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    assert(sigaction(SIGRTMIN, &sa, NULL) == 0);
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN,
                            .sigev_value.sival_int = 42 };
    timer_t t;
    assert(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    sigset_t set, was;                /* (a check then pause() would miss it) */
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    assert(sigprocmask(SIG_BLOCK, &set, &was) == 0);
    arm(t, 100, 0);
    while (atomic_load(&fired) == 0)
        sigsuspend(&was);
    assert(atomic_load(&code) == SI_TIMER && atomic_load(&value) == 42);
    assert(timer_delete(t) == 0);
}

static void sigwait_mode(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    assert(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 1,
                            .sigev_value.sival_int = 7 };
    timer_t t;
    assert(timer_create(CLOCK_REALTIME, &sev, &t) == 0);
    int64_t start = now_ms();
    arm(t, 50, 50);
    for (int i = 1; i <= 3; i++) {
        siginfo_t info;
        assert(sigwaitinfo(&set, &info) == SIGRTMIN + 1);
        assert(info.si_code == SI_TIMER && info.si_value.sival_int == 7);
        assert(now_ms() - start >= 50 * i);
    }
    assert(timer_getoverrun(t) == 0);
    assert(timer_delete(t) == 0);
}

static sem_t ticks;

static void tick(union sigval v)
{
    assert(v.sival_int == 5);
    sem_post(&ticks);
}

static void thread_mode(void)
{
    sem_init(&ticks, 0, 0);
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = tick,
                            .sigev_value.sival_int = 5 };
    timer_t t;
    assert(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    arm(t, 10, 10);
    for (int i = 0; i < 3; i++)
        sem_wait(&ticks);
    assert(timer_delete(t) == 0);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int done;

static void finish(union sigval v)
{
    (void)v;
    done = 1;                         /* the bug: without the mutex */
    pthread_cond_signal(&changed);
}

static void lost_mode(void)
{
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = finish };
    timer_t t;
    assert(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    arm(t, 10, 0);
    pthread_mutex_lock(&mu);
    if (!done)
        pthread_cond_wait(&changed, &mu);
    pthread_mutex_unlock(&mu);
}

static void gettime_mode(void)
{
    /* (a signal's: Linux keeps showing a disarmed SIGEV_NONE timer's time) */
    struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    assert(sigaction(SIGRTMIN + 2, &sa, NULL) == 0);
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2 };
    timer_t t;
    struct itimerspec cur, old;
    assert(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    assert(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    arm(t, 1000, 250);
    usleep(300 * 1000);
    assert(timer_gettime(t, &cur) == 0);
    assert(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 700000000 &&
           cur.it_value.tv_nsec > 600000000 && cur.it_interval.tv_nsec == 250000000);
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    assert(timer_settime(t, 0, &off, &old) == 0);   /* disarmed: what was left */
    assert(old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 &&
           old.it_interval.tv_nsec == 250000000);
    assert(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    struct timespec now;                              /* an absolute deadline 2 s on */
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec at = { .it_value = { now.tv_sec + 2, now.tv_nsec } };
    assert(timer_settime(t, TIMER_ABSTIME, &at, NULL) == 0);
    assert(timer_gettime(t, &cur) == 0 &&
           (cur.it_value.tv_sec == 2 ? cur.it_value.tv_nsec == 0 : cur.it_value.tv_sec == 1 &&
                                                                   cur.it_value.tv_nsec > 900000000));
    struct itimerspec bad = { .it_value = { 0, 1000000000 } };
    assert(timer_settime(t, 0, &bad, NULL) == -1 && errno == EINVAL);
    assert(timer_delete(t) == 0);
    assert(timer_gettime(t, &cur) == -1 && errno == EINVAL);
    assert(atomic_load(&fired) == 0);
    assert(timer_create((clockid_t)12345, &sev, &t) == -1 && errno == EINVAL);
    struct sigevent badsig = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
    assert(timer_create(CLOCK_MONOTONIC, &badsig, &t) == -1 && errno == EINVAL);
}

static void none_mode(void)
{
    struct sigevent sev = { .sigev_notify = SIGEV_NONE };
    timer_t t;
    struct itimerspec cur;
    assert(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    arm(t, 100, 0);
    usleep(150 * 1000);                               /* expired: nothing left */
    assert(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    assert(timer_delete(t) == 0);
}

static void watchdog_mode(void)
{
    timer_t t;
    assert(timer_create(CLOCK_MONOTONIC, NULL, &t) == 0);
    arm(t, 10000, 0);
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*run)(void); } modes[] = {
        { "signal", signal_mode }, { "sigwait", sigwait_mode }, { "thread", thread_mode },
        { "lost", lost_mode }, { "gettime", gettime_mode }, { "none", none_mode },
        { "watchdog", watchdog_mode },
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (argc > 1 && strcmp(argv[1], modes[i].name) == 0) {
            modes[i].run();
            return 0;
        }
    return 2;
}
