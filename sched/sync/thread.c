/*
** thread.c -- threads, yield, virtual sleep, choices, assertions, memory.
** Each public call fills an operation and hands it to sched_visible; the
** opclasses below say when it may run and what it does. Spawning runs the
** child to its first visible operation before the parent goes on.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/race.h"
#include "sync/sync.h"

/* ==========================================================================
** Spawn and join
** ========================================================================== */

struct spawn_op {
    struct sched_op op;
    const char *name;
    void (*fn)(void *);
    void *arg;
    bool symmetric;
    bool detached;
    size_t stack_size;                /* asked for it (x->spawn_stack_size), or 0 */
    int child;                        /* its id, or -1 */
};

static void spawn_apply(struct exec *x, struct sched_op *op)
{
    struct spawn_op *s = OP_OF(op, struct spawn_op, op);
    x->spawn_stack_size = s->stack_size;   /* for this child only */
    struct sched_thread *child = sched_spawn(x, s->name ? s->name : "thread", s->fn, s->arg,
                                             op->loc, s->symmetric);
    x->spawn_stack_size = 0;
    s->child = child ? child->id : -1;
    if (child)
        op->obj = &child->obj;
    if (child && s->detached)
        sched_detach(x, child);
}

static const struct sched_opclass spawn_class = { .verb = "spawn", .apply = spawn_apply };
static const struct sched_opclass spawn_symmetric_class = {
    .verb = "spawn (symmetric)", .apply = spawn_apply,
};
static const struct sched_opclass spawn_detached_class = {
    .verb = "spawn (detached)", .apply = spawn_apply,
};

/* The first thread detached changes how the execution ends, as a detach
** step (below) does: a thread not detached that returned before it ended
** within its last step, one that returns after it takes a step of its own
** (sched.c). So that spawn conflicts with every other step, and the
** searches put each return on either side of it. A later detached spawn
** changes nothing more, and only a step ordered with every other (a first
** one, a detach) could have made it the first. */
static const struct sched_opclass spawn_first_detached_class = {
    .verb = "spawn (detached)", .flags = OP_GLOBAL, .apply = spawn_apply,
};

static weft_thread_t spawn(const struct sched_opclass *cls, const char *name,
                           void (*fn)(void *), void *arg, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return (weft_thread_t){ -1 };
    bool detached = cls == &spawn_detached_class;
    if (detached && x->detached_ever == 0)
        cls = &spawn_first_detached_class;
    struct spawn_op s = { .op = { .cls = cls, .loc = { file, line } },
                          .name = name, .fn = fn, .arg = arg,
                          .symmetric = cls == &spawn_symmetric_class,
                          .detached = detached,
                          .stack_size = x->spawn_stack_size };
    if (!detached && x->detached_ever > 0)    /* one more return before the end */
        s.op.obj2 = sched_returns_object(x, s.op.loc);
    x->spawn_stack_size = 0;          /* taken: the spawn's step may come after
                                         other threads' spawns and daemons */
    sched_visible(x, &s.op);
    return (weft_thread_t){ s.child };
}

weft_thread_t weft_spawn_at(const char *name, void (*fn)(void *), void *arg,
                            const char *file, int line)
{
    return spawn(&spawn_class, name, fn, arg, file, line);
}

weft_thread_t weft_spawn_symmetric_at(const char *name, void (*fn)(void *), void *arg,
                                      const char *file, int line)
{
    return spawn(&spawn_symmetric_class, name, fn, arg, file, line);
}

weft_thread_t weft_spawn_detached_at(const char *name, void (*fn)(void *), void *arg,
                                     const char *file, int line)
{
    return spawn(&spawn_detached_class, name, fn, arg, file, line);
}

/* A join's object is the thread it waits for. */
static bool join_enabled(struct exec *x, struct sched_op *op)
{
    return x->threads[op->obj->thread]->state == T_FINISHED;
}

static sched_mask join_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    (void)x;
    *how = WAIT_EXACT;
    return mask_one(&x->masks, op->obj->thread);
}

static void join_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits for thread \"%s\" to return", op->obj->name);
}

static const struct sched_opclass join_class = {
    .verb = "join", .flags = OP_PASSIVE | OP_AFTER_END, .enabled = join_enabled,
    .blockers = join_blockers, .describe_wait = join_describe,
};

/* The thread th names, or the execution fails at `at`: "join of an
** unknown thread". */
static struct sched_thread *thread_named(struct exec *x, weft_thread_t th, const char *verb,
                                         struct sched_loc at)
{
    struct sched_thread *target = sched_thread(x, th.id);
    if (target == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "%s of an unknown thread (id %d)", verb, th.id);
    return target;
}

int weft_join_at(weft_thread_t th, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    struct sched_thread *target = thread_named(x, th, "join", at);
    if (target == x->current)
        sched_fail(x, WEFT_SELF_DEADLOCK, at, "thread \"%s\" joins itself", target->obj.name);
    if (target->detached)             /* at its spawn, or by a detach step before: */
        return WEFT_EINVAL;           /* detach conflicts with every step */
    struct sched_op op = { .cls = &join_class, .obj = &target->obj, .loc = at };
    sched_visible(x, &op);
    target->joined = true;
    return 0;
}

/* Is a thread waiting to join t? */
static bool joining(struct exec *x, const struct sched_thread *t)
{
    for (int i = 0; i < x->nthreads; i++) {
        const struct sched_thread *u = x->threads[i];
        if (u->state == T_PARKED && u->pending->cls == &join_class && u->pending->obj == &t->obj)
            return true;
    }
    return false;
}

/* Status: 0, WEFT_EINVAL (detached already), or WEFT_EBUSY: another
** thread is waiting to join it (POSIX leaves that undefined; reported). */
static void detach_apply(struct exec *x, struct sched_op *op)
{
    struct sched_thread *t = x->threads[op->obj->thread];
    op->status = t->detached ? WEFT_EINVAL : joining(x, t) ? WEFT_EBUSY : 0;
    op->note = op->status == WEFT_EINVAL ? "already detached: EINVAL" : NULL;
    if (op->status == 0)
        sched_detach(x, t);
}

/* Detaching changes how the execution ends (once every thread not
** detached has returned), which any step may decide: it conflicts with
** every other step, as the end itself does. */
static const struct sched_opclass detach_class = {
    .verb = "detach", .flags = OP_GLOBAL, .apply = detach_apply,
};

int weft_detach_at(weft_thread_t th, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    struct sched_thread *target = thread_named(x, th, "detach", at);
    struct sched_op op = { .cls = &detach_class, .obj = &target->obj, .loc = at };
    sched_visible(x, &op);
    if (op.status == WEFT_EBUSY)
        sched_fail(x, WEFT_ASSERTION, at, "thread \"%s\" detached while another thread joins it",
                   target->obj.name);
    return op.status;
}

weft_thread_t weft_self(void)
{
    struct exec *x = sync_exec();
    return (weft_thread_t){ x ? x->current->id : -1 };
}

/* ==========================================================================
** Yield, sleep, choose
** ========================================================================== */

static const struct sched_opclass yield_class = { .verb = "yield", .flags = OP_LOCAL | OP_YIELD };

void weft_yield_at(const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_op op = { .cls = &yield_class, .loc = { file, line } };
    sched_visible(x, &op);
}

/* A sleep is two steps: "sleep" starts its timer, "wake" is the timer
** firing, which moves the clock to the deadline. */
struct sleep_op {
    struct sched_op op;
    struct sched_timer timer;
    int64_t until;                    /* sleep_until_at: the absolute deadline */
};

static void sleep_apply(struct exec *x, struct sched_op *op)
{
    sched_timer_start(x, op->timer);
}

static bool wake_enabled(struct exec *x, struct sched_op *op)
{
    return sched_timer_due(x, op->timer);
}

static void wake_apply(struct exec *x, struct sched_op *op)
{
    sched_timer_fire(x, op->timer);
}

static void wake_describe(const struct sched_op *op, char *buf, size_t n)
{
    char t[32];
    sched_time_text(op->timer->deadline, t, sizeof t);
    snprintf(buf, n, "sleeps until t=%s", t);
}

static const struct sched_opclass sleep_class = { .verb = "sleep", .apply = sleep_apply };
static const struct sched_opclass wake_class = {
    .verb = "wake", .flags = OP_YIELD, .enabled = wake_enabled, .apply = wake_apply,
    .describe_wait = wake_describe,
};

int64_t sleep_ns_left_at(int64_t ns, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return 0;
    struct sched_loc at = { file, line };
    struct sleep_op s = { .op = { .cls = &sleep_class, .loc = at } };
    if (sched_timer_init(x, &s.op, &s.timer, ns) != 0)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    sched_duration_note(&s.op, s.timer.timeout);
    sched_visible(x, &s.op);
    int64_t deadline = s.timer.deadline;
    s.op.cls = &wake_class;
    s.op.note = NULL;
    sched_visible(x, &s.op);
    return s.op.interrupted && deadline > x->now ? deadline - x->now : 0;
}

void weft_sleep_ns_at(int64_t ns, const char *file, int line)
{
    sleep_ns_left_at(ns, file, line);
}

/* The deadline is absolute: however late the step comes, the wake is at
** it (at once when it has passed). */
static void sleep_until_apply(struct exec *x, struct sched_op *op)
{
    int64_t until = OP_OF(op, struct sleep_op, op)->until;
    sched_timer_start_at(x, op->timer, until > x->now ? until : x->now);
    sched_duration_note(op, until > x->now ? until - x->now : 0);
}

static const struct sched_opclass sleep_until_class = {
    .verb = "sleep", .apply = sleep_until_apply,
};

void sleep_until_at(int64_t deadline, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct sleep_op s = { .op = { .cls = &sleep_until_class, .loc = at }, .until = deadline };
    if (sched_timer_init(x, &s.op, &s.timer, 0) != 0)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    sched_visible(x, &s.op);
    s.op.cls = &wake_class;
    s.op.note = NULL;
    sched_visible(x, &s.op);
}

void weft_sleep_at(int64_t ms, const char *file, int line)
{
    weft_sleep_ns_at(sched_ms_to_ns(ms), file, line);
}

/* Reading the clock is a step: a timer firing in another thread moves it. */
static bool clock_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    (void)op;
    return true;
}

static void now_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;
}

static const struct sched_opclass now_class = {
    .verb = "now", .apply = now_apply, .reads_only = clock_reads_only,
};

int64_t sync_now_ns(struct exec *x, struct sched_loc at, uintptr_t site)
{
    struct sched_op op = { .cls = &now_class, .obj = sched_clock(x), .loc = at, .site = site };
    if (op.obj == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for the clock");
    sched_visible(x, &op);
    return x->now;
}

int64_t weft_now_ns_at(const char *file, int line)
{
    struct exec *x = sync_exec();
    return x ? sync_now_ns(x, (struct sched_loc){ file, line }, 0) : 0;
}

int64_t weft_now_at(const char *file, int line)
{
    return weft_now_ns_at(file, line) / 1000000;
}

struct choose_op {
    struct sched_op op;
    int n;
    int value;
};

static void choose_apply(struct exec *x, struct sched_op *op)
{
    struct choose_op *c = OP_OF(op, struct choose_op, op);
    c->value = sched_choose_value(x, c->n);
    op->note = "value %d of 0..%d";   /* (select cases count from 1: "case 1 of 2") */
    op->note_a = c->value;
    op->note_b = c->n - 1;
}

static const struct sched_opclass choose_class = {
    .verb = "choose", .flags = OP_LOCAL, .apply = choose_apply,
};

int weft_choose_at(int n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return 0;
    struct sched_loc at = { file, line };
    if (n < 1)
        sched_fail(x, WEFT_ASSERTION, at, "weft_choose(%d): n must be at least 1", n);
    struct choose_op c = { .op = { .cls = &choose_class, .loc = at }, .n = n };
    sched_visible(x, &c.op);
    return c.value;
}

/* ==========================================================================
** Assertions, memory, names
** ========================================================================== */

/* weft_assert passes " " before the caller's format (so that a message may
** be left out without an empty format string): skip it. Outside any
** execution there is nothing to report the failure to but stderr. */
void weft_fail_at(const char *expr, const char *file, int line, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *m = msg[0] == ' ' ? msg + 1 : msg;
    struct exec *x = exec_current();
    if (x == NULL) {
        fprintf(stderr, "weft: %s:%d: assertion %s failed outside any exploration%s%s\n",
                file, line, expr, m[0] ? ": " : "", m);
        abort();
    }
    if (m[0])
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line }, "%s (%s)", m, expr);
    sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line }, "assertion %s failed", expr);
}

void *weft_alloc_at(size_t size, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return NULL;
    if (size > PTRDIFF_MAX)           /* a size computed from a negative or wrapped number */
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line },
                   "weft_alloc(%zu): no object can be that large (the most is %td bytes)",
                   size, PTRDIFF_MAX);
    void *p = arena_alloc_named(&x->arena, size, object_next_key(x));
    if (p == NULL)
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line },
                   "weft_alloc(%zu): out of memory", size);
    return p;
}

void *weft_calloc_at(size_t count, size_t size, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x && size && count > SIZE_MAX / size)
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line },
                   "weft_calloc(%zu, %zu): the size does not fit in a size_t", count, size);
    return weft_alloc_at(count * size, file, line);
}

void weft_access_at(const volatile void *addr, size_t size, int write, const char *name,
                    const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x)
        race_access(x, (const void *)addr, size, write != 0, name, (struct sched_loc){ file, line });
}

const char *weft_strerror(int code)
{
    switch (code) {
    case WEFT_OK:        return "WEFT_OK: success";
    case WEFT_ETIMEDOUT: return "WEFT_ETIMEDOUT: timed out";
    case WEFT_EBUSY:     return "WEFT_EBUSY: mutex is held";
    case WEFT_EDEADLK:   return "WEFT_EDEADLK: mutex already held by the caller";
    case WEFT_EPERM:     return "WEFT_EPERM: mutex not held by the caller";
    case WEFT_ECLOSED:   return "WEFT_ECLOSED: channel closed";
    case WEFT_EINVAL:    return "WEFT_EINVAL: invalid argument";
    case WEFT_ENOMEM:    return "WEFT_ENOMEM: out of memory";
    case WEFT_ECANCELED: return "WEFT_ECANCELED: context canceled";
    case WEFT_EDEADLINE: return "WEFT_EDEADLINE: context deadline exceeded";
    default:             return "unknown weft error";
    }
}

const char *weft_result_name(enum weft_result r)
{
    static const char *const names[] = {
        [WEFT_PASS] = "pass", [WEFT_DEADLOCK] = "deadlock",
        [WEFT_SELF_DEADLOCK] = "self-deadlock", [WEFT_LEAK] = "leak",
        [WEFT_LIVELOCK] = "livelock", [WEFT_ASSERTION] = "assertion",
        [WEFT_CRASH] = "crash", [WEFT_NONDETERMINISM] = "nondeterminism",
        [WEFT_DATA_RACE] = "data-race", [WEFT_STUCK] = "stuck",
        [WEFT_UNSUPPORTED] = "unsupported",
    };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}
