/*
** itimer.c -- alarm, ualarm, setitimer and getitimer on weft's virtual
** clock: the process's one real-time interval timer (ITIMER_REAL). Its
** expiry sends SIGALRM to the process, as the kernel's it_real_fn does
** (si_code SI_KERNEL), through delivery.c: to a handler, a sigwait or the
** default action, as the masks and dispositions are when it is sent.
**
** The timer is sync/timer.c's signal timer, which races the program's
** threads as every timer does, but fires only while SIGALRM would be
** caught (a handler, or blocked everywhere for a sigwait). An alarm left
** to its default action is a watchdog (alarm(10) before a test): it never
** goes off, so a program that finishes passes, and one that hangs is
** reported as the deadlock it guards against, not as killed by SIGALRM.
**
** POSIX timers (timer_create) are such timers too, on the clock they
** name: SIGEV_SIGNAL and SIGEV_THREAD_ID send their signal (SI_TIMER, with
** its sigev_value) under the same rule; SIGEV_THREAD starts a detached
** thread running the function, as glibc does; SIGEV_NONE only expires.
** An expiry comes when its signal was taken, never while it is pending,
** so none is missed and timer_getoverrun is 0 (Linux counts an overrun
** where the handler ran late). ITIMER_VIRTUAL, ITIMER_PROF and timers on
** the CPU-time clocks count CPU time, which weft does not model: named as
** not supported at their line.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

#define NS_PER_US 1000
#define NS_PER_S 1000000000

struct posix_alarm {
    struct timer_impl *tm;
    struct sched_loc at;              /* the call that armed it last: its SIGALRM's */
};

static void send_alarm(void *arg)
{
    const struct posix_alarm *a = arg;
    posix_signal_from_kernel(sync_exec(), SIGALRM, a->at);
}

static bool alarm_wanted(struct exec *x, void *arg)
{
    (void)arg;
    return posix_signal_caught(x, SIGALRM);
}

static struct posix_alarm *alarm_of(struct exec *x, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    struct posix_alarm *a = st ? st->alarm : NULL;
    if (a)
        return a;
    if (st == NULL || (a = arena_alloc(&x->arena, sizeof *a)) == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for the alarm");
    a->tm = timer_for_signal(x, "alarm", send_alarm, alarm_wanted, a, at);
    a->at = at;
    st->alarm = a;
    return a;
}

/* Arm the timer first ns from now (0: disarm it), then every interval ns;
** what it had left in *was_first and *was_interval. */
static void itimer_set(struct exec *x, int64_t first, int64_t interval, int64_t *was_first,
                       int64_t *was_interval, struct sched_loc at)
{
    struct posix_alarm *a = alarm_of(x, at);
    if (first > 0)
        a->at = at;
    timer_set(x, a->tm, first > 0 ? first : -1, false, first > 0 ? interval : 0, was_first,
              was_interval, at);
}

/* A valid timeval as ns, saturated as the kernel's are (past the clock's
** horizon it never expires). */
static int64_t ns_of_timeval(const struct timeval *tv)
{
    if (tv->tv_sec >= INT64_MAX / NS_PER_S - 1)
        return INT64_MAX;
    return (int64_t)tv->tv_sec * NS_PER_S + (int64_t)tv->tv_usec * NS_PER_US;
}

/* A time left as a timeval in whole microseconds, as the kernel gives it
** (a timer that runs shows at least 1). */
static struct timeval timeval_of_ns(int64_t ns)
{
    int64_t us = ns > 0 && ns < NS_PER_US ? 1 : ns / NS_PER_US;
    return (struct timeval){ .tv_sec = (time_t)(us / 1000000), .tv_usec = (suseconds_t)(us % 1000000) };
}

/* The times setitimer takes (Linux's timeval_valid). */
static bool timeval_ok(const struct timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

/* ITIMER_REAL; 1 for the CPU-time timers, not modelled; -1 (EINVAL) else. */
static int which_timer(int which)
{
    if (which == ITIMER_REAL)
        return 0;
    if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
        return 1;
    errno = EINVAL;
    return -1;
}

int weft_setitimer_at(int which, const struct itimerval *set, struct itimerval *old,
                      const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return setitimer(which, set, old);
    int kind = which_timer(which);
    if (kind != 0)
        return kind < 0 ? -1 : weft_program_unsupported_at(
            which == ITIMER_VIRTUAL ? "setitimer(ITIMER_VIRTUAL)" : "setitimer(ITIMER_PROF)",
            file, line);
    struct itimerval none = { { 0, 0 }, { 0, 0 } };
    if (set == NULL)                  /* Linux: disarms it */
        set = &none;
    if (!timeval_ok(&set->it_value) || !timeval_ok(&set->it_interval)) {
        errno = EINVAL;
        return -1;
    }
    int64_t was_first, was_interval;
    itimer_set(x, ns_of_timeval(&set->it_value), ns_of_timeval(&set->it_interval), &was_first,
               &was_interval, posix_loc(file, line));
    if (old)
        *old = (struct itimerval){ .it_interval = timeval_of_ns(was_interval),
                                   .it_value = timeval_of_ns(was_first) };
    return 0;
}

int weft_getitimer_at(int which, struct itimerval *cur, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return getitimer(which, cur);
    int kind = which_timer(which);
    if (kind != 0)
        return kind < 0 ? -1 : weft_program_unsupported_at(
            which == ITIMER_VIRTUAL ? "getitimer(ITIMER_VIRTUAL)" : "getitimer(ITIMER_PROF)",
            file, line);
    if (cur == NULL) {
        errno = EFAULT;
        return -1;
    }
    struct sched_loc at = posix_loc(file, line);
    int64_t first, interval;
    timer_get(x, alarm_of(x, at)->tm, &first, &interval, at);
    *cur = (struct itimerval){ .it_interval = timeval_of_ns(interval),
                               .it_value = timeval_of_ns(first) };
    return 0;
}

/* alarm: the seconds the last one had left, as glibc rounds them (to the
** nearest, and 1 while any time is left). */
unsigned weft_alarm_at(unsigned seconds, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return alarm(seconds);
    int64_t was, every;
    itimer_set(x, (int64_t)seconds * NS_PER_S, 0, &was, &every, posix_loc(file, line));
    struct timeval left = timeval_of_ns(was);
    if (left.tv_usec >= 500000 || (left.tv_sec == 0 && left.tv_usec > 0))
        left.tv_sec++;
    return (unsigned)left.tv_sec;
}

/* ualarm: microseconds, each below a second (glibc passes them as a
** timeval's tv_usec); what the last one had left. */
useconds_t weft_ualarm_at(useconds_t value, useconds_t interval, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return ualarm(value, interval);
    if (value >= 1000000 || interval >= 1000000) {
        errno = EINVAL;
        return (useconds_t)-1;
    }
    int64_t was, every;
    itimer_set(x, (int64_t)value * NS_PER_US, (int64_t)interval * NS_PER_US, &was, &every,
               posix_loc(file, line));
    struct timeval left = timeval_of_ns(was);
    return (useconds_t)(left.tv_sec * 1000000 + left.tv_usec);
}

/* ==========================================================================
** POSIX timers: timer_create, timer_settime, timer_gettime,
** timer_getoverrun, timer_delete
** ========================================================================== */

/* One of timer_create's: a signal timer (sync/timer.c) whose expiry does
** what its sigevent says, on the virtual clock its clock names. */
struct posix_timer {
    struct timer_impl *tm;
    int running;                      /* SIGEV_THREAD's threads not yet returned */
    clockid_t clock;
    int notify;                       /* SIGEV_SIGNAL, _NONE, _THREAD, _THREAD_ID */
    int signo;
    int tid;                          /* SIGEV_THREAD_ID's thread, else -1 */
    union sigval value;
    void (*fn)(union sigval);         /* SIGEV_THREAD's */
    struct sched_loc at;              /* the call that armed it last */
    bool deleted;
};

/* SIGEV_THREAD's thread: fn(value), detached, as glibc starts it. */
struct timer_call {
    struct posix_timer *p;
};

static void *timer_call_start(void *arg)
{
    struct posix_timer *p = ((const struct timer_call *)arg)->p;
    p->fn(p->value);
    p->running--;
    return NULL;
}

/* At expiry (in its daemon, a step of its own): the signal, or a new
** thread. */
static void expire(void *arg)
{
    struct posix_timer *p = arg;
    struct exec *x = sync_exec();
    if (p->notify == SIGEV_SIGNAL || p->notify == SIGEV_THREAD_ID) {
        posix_signal_from_timer(x, p->signo, p->tid, p->value, p->at);
    } else {
        struct timer_call *c = arena_alloc(&x->arena, sizeof *c);
        pthread_attr_t detached;
        pthread_attr_init(&detached);
        pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
        pthread_t th;
        if (c == NULL)
            sched_fail(x, WEFT_ASSERTION, p->at, "out of memory for a timer's thread");
        *c = (struct timer_call){ p };
        p->running++;
        weft_pthread_create_at(&th, &detached, timer_call_start, c, "timer thread", p->at.file,
                               p->at.line);
        pthread_attr_destroy(&detached);
    }
}

/* A signal goes off only where it would be taken (as alarm's); a thread
** once the last one returned: a periodic timer's expiries would otherwise
** start threads without end while the program's own wait their turn (the
** clock is virtual). SIGEV_NONE's timer has no wanted(): it never goes off. */
static bool expiry_wanted(struct exec *x, void *arg)
{
    const struct posix_timer *p = arg;
    if (p->notify == SIGEV_SIGNAL || p->notify == SIGEV_THREAD_ID)
        return posix_signal_caught(x, p->signo);
    return p->running == 0;
}

/* The timer that id names, or NULL with errno EINVAL. */
static struct posix_timer *timer_named(struct exec *x, timer_t id)
{
    struct posix_exec *st = posix_state(x);
    intptr_t i = (intptr_t)id - 1;
    if (st == NULL || i < 0 || i >= st->ntimers || st->timers[i]->deleted) {
        errno = EINVAL;
        return NULL;
    }
    return st->timers[i];
}

/* Clocks whose time weft keeps (the CPU-time clocks it does not); -1
** with errno EINVAL for a clock Linux has no timers for. */
static int timer_clock_kind(clockid_t clock)
{
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME:
    case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM:
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        return 1;
    default:
        if (clock < 0)                /* pthread_getcpuclockid's */
            return 1;
        errno = EINVAL;
        return -1;
    }
}

/* The sigevent's notification, checked as Linux checks it (0, or -1 with
** errno EINVAL). sev NULL: SIGALRM, with the timer's id as its value. */
static int take_sigevent(struct exec *x, struct posix_timer *p, const struct sigevent *sev,
                         int id)
{
    if (sev == NULL) {
        p->notify = SIGEV_SIGNAL;
        p->signo = SIGALRM;
        p->value.sival_int = id;
        return 0;
    }
    p->notify = sev->sigev_notify;
    p->signo = sev->sigev_signo;
    p->value = sev->sigev_value;
    if (p->notify == SIGEV_THREAD_ID) {
        p->tid = sev->_sigev_un._tid - getpid();     /* gettid's, posix/process.c */
        if (p->tid < 0 || p->tid >= x->nthreads || x->threads[p->tid]->state == T_FINISHED) {
            errno = EINVAL;
            return -1;
        }
    }
    if ((p->notify == SIGEV_SIGNAL || p->notify == SIGEV_THREAD_ID) &&
        (p->signo <= 0 || p->signo > POSIX_SIGNALS)) {
        errno = EINVAL;
        return -1;
    }
    if (p->notify == SIGEV_THREAD)
        p->fn = sev->sigev_notify_function;
    if ((p->notify == SIGEV_THREAD && p->fn == NULL) ||
        (p->notify != SIGEV_NONE && p->notify != SIGEV_SIGNAL && p->notify != SIGEV_THREAD &&
         p->notify != SIGEV_THREAD_ID)) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* A place for one more timer in the execution's table (NULL without memory). */
static struct posix_timer **timer_slot(struct exec *x)
{
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        return NULL;
    if (st->ntimers == st->timers_cap) {
        int cap = st->timers_cap ? 2 * st->timers_cap : 8;
        struct posix_timer **t = arena_alloc(&x->arena, (size_t)cap * sizeof *t);
        if (t == NULL)
            return NULL;
        if (st->ntimers)
            memcpy(t, st->timers, (size_t)st->ntimers * sizeof *t);
        st->timers = t;
        st->timers_cap = cap;
    }
    return &st->timers[st->ntimers];
}

int weft_timer_create_at(clockid_t clock, struct sigevent *sev, timer_t *id, const char *name,
                         const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timer_create(clock, sev, id);
    int kind = timer_clock_kind(clock);
    if (kind != 0)
        return kind < 0 ? -1 : weft_program_unsupported_at("timer_create on a CPU-time clock",
                                                           file, line);
    struct sched_loc at = posix_loc(file, line);
    struct posix_timer **slot = timer_slot(x);
    struct posix_timer *p = slot ? arena_alloc(&x->arena, sizeof *p) : NULL;
    if (p == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    *p = (struct posix_timer){ .clock = clock, .tid = -1, .at = at };
    int number = posix_state(x)->ntimers + 1;
    if (take_sigevent(x, p, sev, number) != 0)
        return -1;
    p->tm = timer_for_signal(x, name && name[0] == '&' ? name + 1 : name ? name : "timer",
                             expire, p->notify == SIGEV_NONE ? NULL : expiry_wanted, p, at);
    *slot = p;
    posix_state(x)->ntimers++;
    *id = (timer_t)(intptr_t)number;
    return 0;
}

/* A valid it_value or it_interval as ns (Linux's timespec64_valid). */
static int64_t ns_of_timespec(const struct timespec *ts)
{
    if (ts->tv_sec >= INT64_MAX / NS_PER_S - 1)
        return INT64_MAX;
    return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static bool timespec_ok(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NS_PER_S;
}

static struct timespec timespec_of_ns(int64_t ns)
{
    return (struct timespec){ .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
}

int weft_timer_settime_at(timer_t id, int flags, const struct itimerspec *set,
                          struct itimerspec *old, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timer_settime(id, flags, set, old);
    struct posix_timer *p = timer_named(x, id);
    if (p == NULL)
        return -1;
    if (set == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (!timespec_ok(&set->it_value) || !timespec_ok(&set->it_interval)) {
        errno = EINVAL;
        return -1;
    }
    struct sched_loc at = posix_loc(file, line);
    bool absolute = (flags & TIMER_ABSTIME) != 0;
    bool arms = set->it_value.tv_sec || set->it_value.tv_nsec;
    int64_t first = !arms ? -1 : absolute ? posix_virtual_deadline(p->clock, &set->it_value)
                  : ns_of_timespec(&set->it_value);
    if (arms)
        p->at = at;
    int64_t was_first, was_interval;
    timer_set(x, p->tm, first, absolute, arms ? ns_of_timespec(&set->it_interval) : 0,
              &was_first, &was_interval, at);
    if (old)
        *old = (struct itimerspec){ .it_interval = timespec_of_ns(was_interval),
                                    .it_value = timespec_of_ns(was_first) };
    return 0;
}

int weft_timer_gettime_at(timer_t id, struct itimerspec *cur, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timer_gettime(id, cur);
    struct posix_timer *p = timer_named(x, id);
    if (p == NULL)
        return -1;
    if (cur == NULL) {
        errno = EFAULT;
        return -1;
    }
    int64_t first, interval;
    timer_get(x, p->tm, &first, &interval, posix_loc(file, line));
    *cur = (struct itimerspec){ .it_interval = timespec_of_ns(interval),
                                .it_value = timespec_of_ns(first) };
    return 0;
}

/* Expiries are never late on the virtual clock, and a signal timer fires
** only once its last signal was taken: none is ever missed. */
int weft_timer_getoverrun_at(timer_t id, const char *file, int line)
{
    (void)file;
    (void)line;
    struct exec *x = sync_exec();
    if (x == NULL)
        return timer_getoverrun(id);
    return timer_named(x, id) ? 0 : -1;
}

int weft_timer_delete_at(timer_t id, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timer_delete(id);
    struct posix_timer *p = timer_named(x, id);
    if (p == NULL)
        return -1;
    int64_t was_first, was_interval;
    timer_set(x, p->tm, -1, false, 0, &was_first, &was_interval, posix_loc(file, line));
    p->deleted = true;
    return 0;
}
