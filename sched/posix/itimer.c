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
** ITIMER_VIRTUAL and ITIMER_PROF count CPU time, which weft does not
** model, and POSIX timers (timer_create) are not modelled yet: named as
** not supported at their line.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <errno.h>
#include <signal.h>
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
