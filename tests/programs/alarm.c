/*
** alarm.c -- alarm, ualarm, setitimer and getitimer on the virtual clock
** (tests/programs.sh): SIGALRM comes when the clock reaches the timer,
** while a handler or a sigwait would take it. The mode picks one:
**   watchdog  alarm(10) guards two workers that share a lock: SIGALRM has
**             its default action, so the alarm never goes off and the
**             program passes; -DHANG makes the workers take two locks in
**             opposite orders: the hang is reported as a deadlock, not as
**             the end by SIGALRM that would follow it
**   suspend   a handler, SIGALRM blocked, alarm(1), sigsuspend with it
**             unblocked: the handler runs 1 s later and sigsuspend fails
**             with EINTR
**   pause     the same with pause and nothing blocked: when SIGALRM comes
**             before pause begins (main late by a second), its handler
**             runs then, and pause waits for ever (the race sigsuspend
**             is for: a deadlock in some interleavings)
**   sigwait   SIGALRM blocked, alarm(1), sigwait takes it
**   timedwait SIGALRM blocked, alarm(1), sigtimedwait for 5 s takes it: a
**             signal sent before the wait's step is taken, even when that
**             step comes past the timeout (the timeout won a coin flip)
**   expires   a handler, setitimer in 300 ms, nanosleep of 100 ms: it
**             returns 0, or fails with EINTR with time left when SIGALRM
**             came after it began (main late); never interrupted with no
**             time left, as it was when its thread ran late after it
**   outruns   a handler, alarm(1), sleep(5): SIGALRM comes at 1 s and ends
**             the sleep early (or, main late by a second, before it
**             begins): no timer fires past the alarm's deadline first
**   periodic  setitimer every 100 ms: three handlers, three pauses, then
**             disarmed (getitimer shows 0)
**   left      what alarm, ualarm, setitimer and getitimer say is left of
**             the timer before, and their errors (no handler: the timer
**             never goes off, so no order of steps changes what is left)
**   unsafe    a handler that takes the lock main holds when SIGALRM comes
**             in its critical section: main waits for itself (a deadlock
**             in some interleavings: the classic async-signal-unsafe one)
** The modes but watchdog -DHANG, pause and unsafe pass natively too.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t alarms;
static int shared;

static void on_alarm(int sig)
{
    assert(sig == SIGALRM);
    alarms++;
}

static void handle(void (*fn)(int))
{
    struct sigaction sa = { .sa_handler = fn };
    sigemptyset(&sa.sa_mask);
    assert(sigaction(SIGALRM, &sa, NULL) == 0);
}

static void *worker(void *arg)
{
    pthread_mutex_t *first = arg ? &a : &b, *second = arg ? &b : &a;
#ifndef HANG
    first = &a, second = &b;
#endif
    pthread_mutex_lock(first);
    pthread_mutex_lock(second);
    shared++;
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    return NULL;
}

static void watchdog(void)
{
    alarm(10);
    pthread_t t, u;
    pthread_create(&t, NULL, worker, (void *)1);
    pthread_create(&u, NULL, worker, NULL);
    pthread_join(t, NULL);
    pthread_join(u, NULL);
    assert(shared == 2);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static sigset_t only_alarm(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    return set;
}

static void suspend(void)
{
    handle(on_alarm);
    sigset_t set = only_alarm(), was;
    assert(pthread_sigmask(SIG_BLOCK, &set, &was) == 0);
    double t0 = now();
    assert(alarm(1) == 0);
    assert(sigsuspend(&was) == -1 && errno == EINTR);
    assert(alarms == 1 && now() - t0 >= 1.0);
}

static void pause_mode(void)
{
    handle(on_alarm);
    alarm(1);
    pause();
}

static void sigwait_mode(void)
{
    sigset_t set = only_alarm();
    assert(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    alarm(1);
    int sig = 0;
    assert(sigwait(&set, &sig) == 0 && sig == SIGALRM);
}

static void timedwait(void)
{
    sigset_t set = only_alarm();
    assert(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    assert(alarm(1) == 0);
    struct timespec five = { .tv_sec = 5 };
    assert(sigtimedwait(&set, NULL, &five) == SIGALRM);
}

static void expires(void)
{
    handle(on_alarm);
    struct itimerval once = { .it_value = { .tv_usec = 300000 } };
    assert(setitimer(ITIMER_REAL, &once, NULL) == 0);
    struct timespec tenth = { .tv_nsec = 100000000 }, left = { 0, 0 };
    int r = nanosleep(&tenth, &left);
    assert(r == 0 || (errno == EINTR && alarms == 1 && (left.tv_sec || left.tv_nsec)));
}

/* weft ended the sleep at 5 s with the alarm still to come, a run no
** kernel makes: a thread's wake may come late, the alarm's signal never. */
static void outruns(void)
{
    handle(on_alarm);
    double t0 = now();
    assert(alarm(1) == 0);
    unsigned left = sleep(5);
    double took = now() - t0;
    assert(alarms == 1);
    assert(left > 0 ? took < 5.0 : took >= 6.0);
}

static void periodic(void)
{
    handle(on_alarm);
    sigset_t set = only_alarm(), was;
    assert(pthread_sigmask(SIG_BLOCK, &set, &was) == 0);
    struct itimerval every = { .it_interval = { 0, 100000 }, .it_value = { 0, 100000 } };
    assert(setitimer(ITIMER_REAL, &every, NULL) == 0);
    while (alarms < 3)
        sigsuspend(&was);
    struct itimerval off = { { 0, 0 }, { 0, 0 } }, left;
    assert(setitimer(ITIMER_REAL, &off, NULL) == 0);
    assert(getitimer(ITIMER_REAL, &left) == 0);
    assert(left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0);
    assert(alarms == 3);
}

static void left(void)
{
    assert(alarm(10) == 0);
    sleep(3);
    assert(alarm(5) == 7);                        /* 7 s were left */
    struct itimerval cur;
    assert(getitimer(ITIMER_REAL, &cur) == 0);
    assert(cur.it_value.tv_sec == 4 || cur.it_value.tv_sec == 5);
    assert(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 0);
    assert(alarm(0) == 5);
    assert(alarm(0) == 0);
    struct itimerval half = { .it_value = { 0, 500000 } }, old;
    assert(setitimer(ITIMER_REAL, &half, NULL) == 0);
    assert(ualarm(0, 0) > 0 && ualarm(0, 0) == 0);   /* 0.5 s left, then none */
    struct itimerval bad = { .it_value = { 0, 1000000 } };
    assert(setitimer(ITIMER_REAL, &bad, &old) == -1 && errno == EINVAL);
    assert(setitimer(42, &half, NULL) == -1 && errno == EINVAL);
    assert(ualarm(1000000, 0) == (useconds_t)-1 && errno == EINVAL);
    assert(getitimer(ITIMER_REAL, NULL) == -1 && errno == EFAULT);
    struct itimerval far = { .it_value = { 1L << 40, 0 } };   /* saturates: never */
    assert(setitimer(ITIMER_REAL, &far, NULL) == 0 && getitimer(ITIMER_REAL, &cur) == 0);
    assert(cur.it_value.tv_sec > 1000000000);
    alarm(0);
}

static void *bump(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&a);
    shared++;
    pthread_mutex_unlock(&a);
    return NULL;
}

static void unsafe_handler(int sig)
{
    (void)sig;
    bump(NULL);                       /* not async-signal-safe */
}

static void unsafe(void)
{
    handle(unsafe_handler);
    alarm(1);
    for (int i = 0; i < 2; i++)
        bump(NULL);
    alarm(0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "watchdog";
    if (strcmp(mode, "watchdog") == 0)
        watchdog();
    else if (strcmp(mode, "suspend") == 0)
        suspend();
    else if (strcmp(mode, "pause") == 0)
        pause_mode();
    else if (strcmp(mode, "sigwait") == 0)
        sigwait_mode();
    else if (strcmp(mode, "timedwait") == 0)
        timedwait();
    else if (strcmp(mode, "expires") == 0)
        expires();
    else if (strcmp(mode, "outruns") == 0)
        outruns();
    else if (strcmp(mode, "periodic") == 0)
        periodic();
    else if (strcmp(mode, "left") == 0)
        left();
    else if (strcmp(mode, "unsafe") == 0)
        unsafe();
    else
        return 2;
    return 0;
}
