/*
** timer.c -- Go's timers: time.NewTimer and time.After (a channel that
** receives once), time.AfterFunc (a function on a new thread), tickers,
** and the deadline of a context (context.c).
**
** Each timer has a thread of its own, a daemon (sched.h), parked on a
** "fire" operation. Firing is that thread's step, so it races every other
** step as a sleep's wake does (weft.h, virtual time): it may come at any
** point once the timer runs, and it moves the clock to the deadline, never
** back. Under --timers=idle it waits until nothing else can run.
** A ticker whose channel is full does not fire (the tick would be
** dropped): when there is room again, it fires once, at the clock's time,
** and its next tick is the first period after that. Extra ticks are
** dropped as Go drops them, and an unread ticker does not tick forever.
** Dependence: firing touches the timer, the clock (every timed step does,
** so firings keep their order against one another and against clock
** reads) and what it wakes (its channel, the context's done channels, the
** new thread). Making, stopping and resetting a timer touch the timer and
** the clock (making and resetting read now; with a stop touching the clock
** too, DPOR ran every class DFS ran on the generated programs, see
** tests/classes.py). Making and resetting also touch its "start" object,
** which is all a fire that cannot run waits on (fire_enablers): a stop,
** which can never let it fire, does not race that fire.
**
** A timerfd's timer (TIMER_COUNTER, posix/io.c) is the kernel's: its
** expirations count by the clock, never late. A read or a poll of its count
** (stream.c) finds those due by now added, and touches the clock, so it is
** ordered with every step that moves it; a timeout that passes an expiry
** finds it counted. Its daemon moves the clock to the next expiry when
** nothing else does: it fires only while the timer runs, and, as the
** kernel's, an expiry stops it until a read or a gettime restarts it, so
** an unread timerfd does not tick forever. Its fire touches the timer and the
** clock, not the count: what reads the count reads the clock, and a close,
** which touches only the count, commutes with it (a fire after the last
** close counts what no one reads, once).
**
** A signal timer (TIMER_SIGNAL, posix/itimer.c: alarm, setitimer) is a
** kernel timer too: its daemon fires at the deadline, then (in the
** daemon, a step of its own) calls its send, which sends the signal to the
** process. It fires only while its wanted() says the signal would do
** something other than end the process or be dropped (a handler, or every
** thread blocks it for a sigwait): an alarm left to its default action is
** a watchdog, and what it guards against (a hang) is reported as itself.
** Whether it is wanted reads the masks and dispositions, which change
** between steps, so its fire depends on every step, as a send does.
**
** While it would fire, a signal timer is never late: its deadline holds
** back every later one (sched_timer_held_back), until its daemon has sent
** the signal. The kernel sends it at the deadline, whatever runs; a
** thread woken late is another matter. Its fire depends on every step,
** so the searches order it with each step it holds back. (A rule that
** fired every timer strictly in deadline order was tried: it made a
** timer's enabledness depend on other timers that steps it commutes with
** change, and DPOR then missed classes that DFS ran. Timers, like sleeps
** and timeouts, may fire late.)
*/
#include <stdio.h>
#include <string.h>
#include "sync/stream.h"
#include "sync/sync.h"

enum timer_kind { TIMER_CHAN, TIMER_TICKER, TIMER_FUNC, TIMER_CONTEXT, TIMER_COUNTER,
                  TIMER_SIGNAL };

struct timer_impl {
    struct sched_obj obj;
    enum timer_kind kind;
    int64_t deadline;                 /* the next firing, virtual ns; -1: stopped or done */
    int64_t period;                   /* a ticker's, ns */
    weft_chan_t *ch;                  /* TIMER_CHAN, TIMER_TICKER */
    void (*fn)(void *);               /* TIMER_FUNC: fn(arg) on a thread called name;
                                         TIMER_SIGNAL: its send, in its daemon */
    void *arg;
    bool (*wanted)(struct exec *x, void *arg);   /* TIMER_SIGNAL: may it fire now? */
    const char *name;
    struct context_impl *ctx;         /* TIMER_CONTEXT: the context it cancels */
    struct stream *counter;           /* TIMER_COUNTER: the count it adds to */
    const struct exec *exec;          /* and whose clock counts its expirations */
    struct sched_thread *thread;      /* its daemon, once made */
    struct sched_timer *armed;        /* its daemon's fire operation's, while it waits */
    struct sched_obj *arming;         /* touched by what may start it again (make,
                                         reset), not by a stop: see fire_enablers */
    struct sched_kernel_timer kernel; /* TIMER_SIGNAL that fires: never late */
    int64_t sending;                  /* TIMER_SIGNAL: the time it fired at, until
                                         its daemon's send step; else -1 */
    struct sched_loc at;              /* where it was made */
};

struct weft_timer { struct timer_impl impl; };

static const struct sched_objclass timer_objclass = { .name = "timer" };
static const struct sched_objclass arming_objclass = { .name = "timer start" };

static struct timer_impl *timer_at(const struct sched_op *op)
{
    return (struct timer_impl *)op->obj;
}

/* ==========================================================================
** Firing
** ========================================================================== */

/* Running; for a ticker, with room in its channel; for a timerfd, not
** stopped by an expiry (what changes that touches the clock or the timer,
** which its fire touches: the scheduler asks again after it). */
/* A signal timer with no wanted(): it only expires, by the clock (a POSIX
** timer's SIGEV_NONE), and its daemon never fires. */
static bool quiet(const struct timer_impl *tm)
{
    return tm->kind == TIMER_SIGNAL && tm->wanted == NULL;
}

static bool pending(const struct timer_impl *tm)
{
    return tm->deadline >= 0 && !quiet(tm) && !(tm->kind == TIMER_TICKER && chan_full(tm->ch)) &&
           !(tm->kind == TIMER_COUNTER &&
             (stream_counter_expired(tm->counter) || timer_counter_due(tm) > 0));
}

static bool fire_enabled(struct exec *x, struct sched_op *op)
{
    struct timer_impl *tm = timer_at(op);
    return pending(tm) && sched_timer_due(x, op->timer) &&
           (tm->kind != TIMER_SIGNAL || tm->wanted(x, tm->arg));
}

/* A ticker's next tick: the first period after now (missed ones are dropped). */
static int64_t next_tick(const struct exec *x, const struct timer_impl *tm)
{
    int64_t d = tm->deadline, missed = (x->now - d) / tm->period;
    return missed > (INT64_MAX - d) / tm->period - 1 ? INT64_MAX : d + tm->period * (missed + 1);
}

/* A fire, and what it touched (fire_touches). */
struct fire_op {
    struct sched_op op;
    struct sched_timer timer;
    struct chan_seen seen;
};

/* What firing tm touches: the timer, the thread it spawned (obj2), its
** channel or its context's done channels, and the channels of the selects
** that a value or a close there completes; false when they do not fit. */
static bool fire_touches(const struct sched_op *op, struct chan_seen *seen)
{
    struct timer_impl *tm = timer_at(op);
    bool fits = chan_seen_put(seen, &tm->obj);
    if (op->obj2 && fits)
        fits = chan_seen_put(seen, op->obj2);
    if (tm->ch && fits)
        fits = chan_seen_add(seen, tm->ch, true);
    if (tm->ctx && fits)
        fits = context_seen_add(tm->ctx, seen);
    return fits;
}

/* A value or a close that completes a waiting receive hands it over at
** once (chan_offer, context_cancel), as Go's timers do. */
static void fire_apply(struct exec *x, struct sched_op *op)
{
    struct timer_impl *tm = timer_at(op);
    struct chan_seen *seen = &OP_OF(op, struct fire_op, op)->seen;
    seen->applied = true;
    if (!fire_touches(op, seen))
        sched_fail_in_apply(x, WEFT_UNSUPPORTED, op->thread, op->loc,
                            "a timer that completes selects waiting on more than %d channels "
                            "in all (not supported by weft yet)", SCHED_MAX_OBJS - 2);
    tm->armed = NULL;                 /* performed: a cancel it makes stops nothing */
    sched_timer_fire(x, op->timer);
    switch (tm->kind) {
    case TIMER_CHAN:                  /* a stale value left by a reset: dropped, as Go */
        op->note = chan_offer(x, tm->ch, (void *)(intptr_t)x->now, op) ? NULL : "dropped";
        tm->deadline = -1;
        break;
    case TIMER_TICKER:
        chan_offer(x, tm->ch, (void *)(intptr_t)x->now, op);
        tm->deadline = next_tick(x, tm);
        break;
    case TIMER_FUNC: {
        struct sched_thread *t = sched_spawn(x, tm->name, tm->fn, tm->arg, tm->at, false);
        op->obj2 = t ? &t->obj : NULL;
        if (op->obj2)
            chan_seen_put(seen, op->obj2);
        tm->deadline = -1;
        break;
    }
    case TIMER_CONTEXT:
        context_cancel(x, tm->ctx, WEFT_EDEADLINE, op);
        tm->deadline = -1;
        break;
    case TIMER_SIGNAL:                /* timer_thread sends it next */
        tm->deadline = tm->period > 0 ? next_tick(x, tm) : -1;
        break;
    case TIMER_COUNTER: {
        uint64_t n = timer_counter_take(x, tm);
        stream_counter_add(tm->counter, n);
        op->note = n > 1 ? "%d expirations" : NULL;
        op->note_a = n > INT32_MAX ? INT32_MAX : (int)n;
        break;
    }
    }
}

static int fire_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct chan_seen *seen = &OP_OF(op, const struct fire_op, op)->seen;
    if (seen->applied)
        return chan_seen_objects(seen, objs, max);
    struct chan_seen now;             /* (1.6 KB: not cleared) */
    now.n = 0;
    fire_touches(op, &now);
    return chan_seen_objects(&now, objs, max);
}

/* A fire that cannot run waits for a reset of its timer, or for room in
** a ticker's channel: nothing else it touches lets it run, and a stop,
** which touches the timer too, never does. */
static int fire_enablers(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    struct timer_impl *tm = timer_at(op);
    int n = 0;
    objs[n++] = tm->arming;
    if (tm->kind == TIMER_TICKER && n < max)
        objs[n++] = chan_object(tm->ch);
    if (tm->kind == TIMER_COUNTER && n < max)   /* a read that takes the count */
        objs[n++] = stream_object(tm->counter);
    return n;
}

static const struct sched_opclass fire_class = {
    .verb = "fire", .enabled = fire_enabled, .apply = fire_apply, .objects = fire_objects,
    .enablers = fire_enablers,
};
/* An idle signal timer that is armed: nothing would catch its signal
** (else it would have gone off), so it is a watchdog that weft does not
** let go off. Said in a deadlock's report. */
static void signal_fire_idle(const struct sched_op *op, char *buf, size_t n)
{
    const struct timer_impl *tm = timer_at(op);
    if (tm->deadline < 0 || tm->deadline >= SCHED_TIME_HORIZON || quiet(tm))
        return;
    const char *file = strrchr(tm->at.file, '/');
    char due[32];
    sched_time_text(tm->deadline, due, sizeof due);
    snprintf(buf, n, "The %s made at %s:%d, due at %s, is a watchdog here: no handler or "
             "sigwait would take its signal, so it does not go off (on Linux, it would end "
             "the process then).", tm->name, file ? file + 1 : tm->at.file, tm->at.line, due);
}

static const struct sched_opclass fire_signal_class = {
    .verb = "fire", .flags = OP_GLOBAL, .enabled = fire_enabled, .apply = fire_apply,
    .objects = fire_objects, .enablers = fire_enablers, .describe_wait = signal_fire_idle,
};

/* A waiting timer is not a blocked thread (a report describes no wait for
** it, so it is not counted among the blocked). The daemon: fire whenever
** the timer runs, forever (a stopped or expired timer may be reset). */
static void timer_thread(void *arg)
{
    struct timer_impl *tm = arg;
    struct exec *x = exec_current();
    for (;;) {
        struct fire_op f = { .op = { .cls = tm->kind == TIMER_SIGNAL ? &fire_signal_class
                                                                     : &fire_class,
                                     .obj = &tm->obj, .loc = tm->at } };
        if (sched_timer_init(x, &f.op, &f.timer, 0) != 0)
            sched_fail(x, WEFT_ASSERTION, tm->at, "out of memory for a timer");
        if (tm->deadline >= 0)
            sched_timer_start_at(x, &f.timer, tm->deadline);
        tm->armed = &f.timer;
        sched_visible(x, &f.op);
        tm->armed = NULL;
        if (tm->kind == TIMER_SIGNAL) {
            tm->sending = x->now;
            tm->fn(tm->arg);
            tm->sending = -1;
        }
    }
}

/* (Re)start tm at deadline, or stop it (deadline -1). Scheduler context. */
static void set_deadline(struct exec *x, struct timer_impl *tm, int64_t deadline)
{
    tm->deadline = deadline;
    if (tm->armed == NULL)
        return;                       /* its daemon arms it when it waits next */
    if (deadline >= 0)
        sched_timer_start_at(x, tm->armed, deadline);
    else
        sched_timer_stop(x, tm->armed);
}

uint64_t timer_counter_due(const struct timer_impl *tm)
{
    const struct exec *x = tm->exec;
    if (tm->deadline < 0 || tm->deadline > x->now)
        return 0;
    return tm->period > 0 ? 1 + (uint64_t)((x->now - tm->deadline) / tm->period) : 1;
}

bool timer_counter_armed(const struct timer_impl *tm)
{
    return tm->deadline >= 0;
}

uint64_t timer_counter_take(struct exec *x, struct timer_impl *tm)
{
    uint64_t n = timer_counter_due(tm);
    if (n > 0)
        set_deadline(x, tm, tm->period > 0 ? next_tick(x, tm) : -1);
    return n;
}

static int64_t after_now(const struct exec *x, int64_t ns)
{
    return ns > INT64_MAX - x->now ? INT64_MAX : x->now + ns;
}

/* ==========================================================================
** Making a timer
** ========================================================================== */

/* A timer object, not yet started (from a scenario thread). */
static struct timer_impl *timer_new(struct exec *x, enum timer_kind kind, const char *name,
                                    struct sched_loc at)
{
    struct timer_impl *tm = sync_object_new(x, &timer_objclass, sizeof(struct weft_timer), name, at);
    tm->kind = kind;
    tm->deadline = -1;
    tm->at = at;
    tm->name = name ? name : "AfterFunc";
    char aname[SCHED_NAME_MAX + 8];
    snprintf(aname, sizeof aname, "%s start", tm->obj.name);
    tm->arming = sync_object_new(x, &arming_objclass, sizeof *tm->arming, aname, at);
    if (sched_clock(x) == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for the clock");
    return tm;
}

/* Spawn tm's daemon and start it at deadline (scheduler context). */
static void timer_start(struct exec *x, struct timer_impl *tm, int64_t deadline)
{
    char name[SCHED_NAME_MAX + 8];
    snprintf(name, sizeof name, "timer %s", tm->obj.name);
    tm->thread = sched_spawn(x, name, timer_thread, tm, tm->at, false);
    if (tm->thread == NULL)
        return;                       /* the failure is recorded */
    sched_thread_daemon(x, tm->thread);
    tm->deadline = deadline;
}

struct make_op {
    struct sched_op op;
    int64_t timeout;                  /* ns */
};

static void make_apply(struct exec *x, struct sched_op *op)
{
    struct timer_impl *tm = timer_at(op);
    timer_start(x, tm, after_now(x, OP_OF(op, struct make_op, op)->timeout));
}

/* The timer and the clock (obj2); making a timer also touches its
** daemon's thread, as a spawn does (its child's steps come after). */
static int timer_op_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    (void)max;
    objs[0] = &timer_at(op)->obj;
    if (op->obj2)
        objs[1] = op->obj2;
    return op->obj2 ? 2 : 1;
}

static int make_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    struct timer_impl *tm = timer_at(op);
    int n = timer_op_objects(op, objs, max);
    objs[n++] = tm->arming;
    if (tm->thread)
        objs[n++] = &tm->thread->obj;
    return n;
}

/* A reset may start the timer again: it touches what its fire waits on. */
static int reset_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    int n = timer_op_objects(op, objs, max);
    objs[n++] = timer_at(op)->arming;
    return n;
}

static const struct sched_opclass make_class = {
    .verb = "timer", .apply = make_apply, .objects = make_objects,
};

weft_timer_t *weft_timer_make_at(const char *name, int64_t ms, int ticker, void (*fn)(void *),
                                 void *arg, const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return NULL;
    if (ms < 0 || (ticker && (ms == 0 || fn)))
        sched_fail(x, WEFT_ASSERTION, at, "%s \"%s\" made with %lld ms (a timer needs >= 0, "
                   "a ticker > 0 and no function)", ticker ? "ticker" : "timer",
                   name ? name : "?", (long long)ms);
    enum timer_kind kind = fn ? TIMER_FUNC : ticker ? TIMER_TICKER : TIMER_CHAN;
    struct timer_impl *tm = timer_new(x, kind, name, at);
    tm->fn = fn;
    tm->arg = arg;
    tm->period = sched_ms_to_ns(ms);
    if (!fn) {
        char cname[SCHED_NAME_MAX + 4];
        snprintf(cname, sizeof cname, "%s.C", tm->obj.name);
        tm->ch = chan_make_timer(cname, at);
    }
    struct make_op m = { .op = { .cls = &make_class, .obj = &tm->obj, .obj2 = x->clock,
                                 .loc = at },
                         .timeout = tm->period };
    sched_duration_note(&m.op, m.timeout);
    sched_visible(x, &m.op);
    return (weft_timer_t *)tm;
}

weft_chan_t *weft_timer_chan(weft_timer_t *t)
{
    return t ? t->impl.ch : NULL;
}

/* ==========================================================================
** Stop and reset
** ========================================================================== */

struct control_op {
    struct sched_op op;
    int64_t timeout;                  /* reset: ns; stop: -1 */
    int was_active;
};

static void control_apply(struct exec *x, struct sched_op *op)
{
    struct control_op *c = OP_OF(op, struct control_op, op);
    struct timer_impl *tm = timer_at(op);
    c->was_active = tm->deadline >= 0;
    if (c->timeout >= 0 && tm->kind == TIMER_TICKER)
        tm->period = c->timeout;
    set_deadline(x, tm, c->timeout >= 0 ? after_now(x, c->timeout) : -1);
    if (c->timeout < 0)
        op->note = c->was_active ? "stopped it" : "not running";
}

static const struct sched_opclass stop_class = {
    .verb = "stop", .apply = control_apply, .objects = timer_op_objects,
};
static const struct sched_opclass reset_class = {
    .verb = "reset", .apply = control_apply, .objects = reset_objects,
};

int weft_timer_control_at(weft_timer_t *t, int64_t ms, const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return WEFT_EINVAL;
    if (t == NULL || t->impl.obj.cls != &timer_objclass)
        sched_fail(x, WEFT_ASSERTION, at, "%s of a timer that is not one", ms < 0 ? "stop" : "reset");
    struct timer_impl *tm = &t->impl;
    if (ms == 0 && tm->kind == TIMER_TICKER)
        sched_fail(x, WEFT_ASSERTION, at, "reset of ticker \"%s\" to 0 ms", tm->obj.name);
    struct control_op c = { .op = { .cls = ms < 0 ? &stop_class : &reset_class, .obj = &tm->obj,
                                    .obj2 = x->clock, .loc = at },
                            .timeout = ms < 0 ? -1 : sched_ms_to_ns(ms) };
    if (ms >= 0)
        sched_duration_note(&c.op, c.timeout);
    sched_visible(x, &c.op);
    return c.was_active;
}

/* ==========================================================================
** Deadlines of contexts (context.c)
** ========================================================================== */

struct timer_impl *timer_for_context(struct exec *x, struct context_impl *ctx, const char *name,
                                     struct sched_loc at)
{
    struct timer_impl *tm = timer_new(x, TIMER_CONTEXT, name, at);
    tm->ctx = ctx;
    return tm;
}

struct sched_obj *timer_start_context(struct exec *x, struct timer_impl *tm, int64_t deadline)
{
    timer_start(x, tm, deadline);
    return tm->thread ? &tm->thread->obj : NULL;
}

void timer_halt(struct exec *x, struct timer_impl *tm)
{
    set_deadline(x, tm, -1);
}

/* ==========================================================================
** timerfd (posix/io.c)
** ========================================================================== */

struct timer_impl *timer_for_counter(struct exec *x, struct stream *counter, const char *name,
                                     struct sched_loc at)
{
    struct timer_impl *tm = timer_new(x, TIMER_COUNTER, name, at);
    tm->counter = counter;
    tm->exec = x;
    stream_set_timer(counter, tm, sched_clock(x));
    return tm;
}

/* A kernel timer's deadline while it would go off: running, its signal
** taken, its daemon yet to start or waiting to fire (not t's own). */
static int64_t kernel_due(struct exec *x, void *arg, const struct sched_timer *t)
{
    struct timer_impl *tm = arg;
    if (tm->sending >= 0)             /* fired: its signal is sent at once */
        return tm->sending;
    if (t == tm->armed || !pending(tm) || !tm->wanted(x, tm->arg))
        return -1;
    return tm->deadline;
}

struct timer_impl *timer_for_signal(struct exec *x, const char *name, void (*send)(void *),
                                    bool (*wanted)(struct exec *, void *), void *arg,
                                    struct sched_loc at)
{
    struct timer_impl *tm = timer_new(x, TIMER_SIGNAL, name, at);
    tm->fn = send;
    tm->wanted = wanted;
    tm->arg = arg;
    tm->exec = x;
    tm->sending = -1;
    if (wanted) {
        tm->kernel = (struct sched_kernel_timer){ .due = kernel_due, .arg = tm };
        sched_kernel_timer_add(x, &tm->kernel);
    }
    return tm;
}

/* A set or a collect, and what it read. */
struct counter_op {
    struct sched_op op;
    int64_t first, interval;          /* set: the new ones (first < 0: disarm) */
    bool absolute;
    int64_t was_first, was_interval;  /* what was left before */
    struct sched_obj *spawned;        /* a set that made the daemon: its thread */
};

/* A timerfd's expirations due added to its count; the next expiry from
** now (0: disarmed) and the period. (A timerfd's deadline is past now
** only before it is collected.) */
static void collect(struct exec *x, struct timer_impl *tm, struct counter_op *c)
{
    if (tm->counter) {
        stream_counter_add(tm->counter, timer_counter_take(x, tm));
        stream_counter_restart(tm->counter);   /* as do_timerfd_gettime and settime */
    }
    if (quiet(tm) && tm->deadline >= 0 && tm->deadline <= x->now)   /* expired by now */
        tm->deadline = tm->period > 0 ? next_tick(x, tm) : -1;
    c->was_first = tm->deadline < 0 ? 0 : tm->deadline > x->now ? tm->deadline - x->now
                 : 1;                 /* a signal timer's fire to come: not disarmed */
    c->was_interval = tm->period;
}

static void collect_apply(struct exec *x, struct sched_op *op)
{
    collect(x, timer_at(op), OP_OF(op, struct counter_op, op));
}

static void set_apply(struct exec *x, struct sched_op *op)
{
    struct counter_op *c = OP_OF(op, struct counter_op, op);
    struct timer_impl *tm = timer_at(op);
    collect(x, tm, c);
    if (tm->counter)
        stream_counter_clear(tm->counter);
    tm->period = c->interval;
    int64_t deadline = c->first < 0 ? -1 : !c->absolute ? after_now(x, c->first)
                     : c->first > x->now ? c->first : x->now;
    if (deadline >= 0 && tm->thread == NULL && !quiet(tm)) {
        timer_start(x, tm, deadline);
        c->spawned = tm->thread ? &tm->thread->obj : NULL;
    } else
        set_deadline(x, tm, deadline);
    op->note = c->first < 0 ? "disarmed" : NULL;
}

/* The timer, the clock (obj2) and the count; a set also what its fire
** waits on, and the daemon if it spawned it (as making a timer does: the
** daemon's steps come after; a later set is not ordered before them). */
static int collect_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    int n = timer_op_objects(op, objs, max);
    if (timer_at(op)->counter)
        objs[n++] = stream_object(timer_at(op)->counter);
    return n;
}

static int set_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct counter_op *c = OP_OF(op, const struct counter_op, op);
    int n = collect_objects(op, objs, max);
    objs[n++] = timer_at(op)->arming;
    if (c->spawned)
        objs[n++] = c->spawned;
    return n;
}

static const struct sched_opclass collect_class = {
    .verb = "timer", .apply = collect_apply, .objects = collect_objects,
};
static const struct sched_opclass set_class = {
    .verb = "arm", .apply = set_apply, .objects = set_objects,
};

void timer_set(struct exec *x, struct timer_impl *tm, int64_t first, bool absolute,
               int64_t interval, int64_t *was_first, int64_t *was_interval, struct sched_loc at)
{
    struct counter_op c = { .op = { .cls = &set_class, .obj = &tm->obj, .obj2 = x->clock,
                                    .loc = at },
                            .first = first, .interval = interval, .absolute = absolute };
    if (first >= 0 && !absolute)
        sched_duration_note(&c.op, first);
    sched_visible(x, &c.op);
    *was_first = c.was_first;
    *was_interval = c.was_interval;
}

void timer_get(struct exec *x, struct timer_impl *tm, int64_t *first, int64_t *interval,
               struct sched_loc at)
{
    struct counter_op c = { .op = { .cls = &collect_class, .obj = &tm->obj, .obj2 = x->clock,
                                    .loc = at } };
    sched_visible(x, &c.op);
    *first = c.was_first;
    *interval = c.was_interval;
}
