/*
** thread.c -- threads, yield, virtual sleep, choices and assertions.
** Each public call fills a sched_op and hands it to sched_visible; the
** opclasses below say when it may run and what it does. Spawning runs the
** child to its first visible operation before the parent goes on.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "sched.h"
#include "sync.h"

/* ==========================================================================
** Spawn and join
** ========================================================================== */

static const struct sched_opclass spawn_symmetric_class;

static void spawn_apply(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    struct sched_thread *child = sched_spawn(op->ptr ? (const char *)op->ptr : "thread",
                                             (void (*)(void *))op->arg, op->ptr2, op->loc,
                                             op->cls == &spawn_symmetric_class);
    op->result = child ? child->id : -1;
    if (child)
        op->obj = &child->obj;
}

static const struct sched_opclass spawn_class = {
    .verb = "spawn", .enabled = sync_always, .apply = spawn_apply,
};
static const struct sched_opclass spawn_symmetric_class = {
    .verb = "spawn (symmetric)", .enabled = sync_always, .apply = spawn_apply,
};

static weft_thread_t spawn(const struct sched_opclass *cls, const char *name,
                           void (*fn)(void *), void *arg, const char *file, int line)
{
    struct sched_op op = { .cls = cls, .deadline = -1, .arg = (intptr_t)fn,
                           .ptr = (void *)name, .ptr2 = arg, .loc = { file, line } };
    sched_visible(&op);
    return (weft_thread_t){ (int)op.result };
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

static bool join_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    return sched_thread((int)op->arg)->state == T_FINISHED;
}

static void join_apply(struct sched_thread *t, struct sched_op *op) { (void)t; (void)op; }

static sched_mask join_blockers(struct sched_thread *t, struct sched_op *op, enum sched_wait *how)
{
    (void)t;
    *how = WAIT_EXACT;
    return SCHED_BIT(op->arg);
}

static void join_describe(struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits for thread \"%s\" to return", op->obj->name);
}

static const struct sched_opclass join_class = {
    .verb = "join", .enabled = join_enabled, .apply = join_apply,
    .blockers = join_blockers, .describe_wait = join_describe,
};

void weft_join_at(weft_thread_t th, const char *file, int line)
{
    struct sched_thread *target = sched_thread(th.id);
    struct sched_loc at = { file, line };
    if (target == NULL)
        sched_fail(WEFT_ASSERTION, at, "join of an unknown thread (id %d)", th.id);
    if (target == sched_current())
        sched_fail(WEFT_SELF_DEADLOCK, at, "thread \"%s\" joins itself", target->obj.name);
    struct sched_op op = { .cls = &join_class, .obj = &target->obj, .deadline = -1,
                           .arg = th.id, .loc = at };
    sched_visible(&op);
}

weft_thread_t weft_self(void)
{
    struct sched_thread *t = sched_current();
    return (weft_thread_t){ t ? t->id : -1 };
}

/* ==========================================================================
** Yield, sleep, choose
** ========================================================================== */

static void nothing(struct sched_thread *t, struct sched_op *op) { (void)t; (void)op; }

const struct sched_opclass sched_yield_class = {
    .verb = "yield", .enabled = sync_always, .apply = nothing, .commutes_with_everything = true,
};

void weft_yield_at(const char *file, int line)
{
    struct sched_op op = { .cls = &sched_yield_class, .deadline = -1, .loc = { file, line } };
    sched_visible(&op);
}

static bool sleep_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    return sched_deadline_passed(op);
}

static void sleep_describe(struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "sleeps until t=%lldms", (long long)op->deadline);
}

static const struct sched_opclass sleep_class = {
    .verb = "sleep", .enabled = sleep_enabled, .apply = nothing,
    .describe_wait = sleep_describe, .commutes_with_everything = true,
};

void weft_sleep_at(int64_t ms, const char *file, int line)
{
    struct sched_op op = { .cls = &sleep_class, .deadline = sched_now() + (ms > 0 ? ms : 0),
                           .loc = { file, line } };
    op.note = "%dms";
    op.note_a = (int)ms;
    sched_visible(&op);
}

int64_t weft_now(void) { return sched_now(); }

static void choose_apply(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    op->result = sched_choose_value((int)op->arg);
    op->note = "%d of %d";
    op->note_a = (int)op->result;
    op->note_b = (int)op->arg;
}

static const struct sched_opclass choose_class = {
    .verb = "choose", .enabled = sync_always, .apply = choose_apply,
    .commutes_with_everything = true,
};

int weft_choose_at(int n, const char *file, int line)
{
    struct sched_loc at = { file, line };
    if (n < 1)
        sched_fail(WEFT_ASSERTION, at, "weft_choose(%d): n must be at least 1", n);
    struct sched_op op = { .cls = &choose_class, .deadline = -1, .arg = n, .loc = at };
    sched_visible(&op);
    return (int)op.result;
}

/* ==========================================================================
** Assertions and names
** ========================================================================== */

/* weft_assert passes " " before the caller's format (so that a message may
** be left out without an empty format string): skip it. */
void weft_fail_at(const char *expr, const char *file, int line, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *m = msg[0] == ' ' ? msg + 1 : msg;
    if (m[0])
        sched_fail(WEFT_ASSERTION, (struct sched_loc){ file, line }, "%s (%s)", m, expr);
    sched_fail(WEFT_ASSERTION, (struct sched_loc){ file, line }, "assertion %s failed", expr);
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
    default:             return "unknown weft error";
    }
}

const char *weft_result_name(enum weft_result r)
{
    static const char *const names[] = {
        [WEFT_PASS] = "pass", [WEFT_DEADLOCK] = "deadlock",
        [WEFT_SELF_DEADLOCK] = "self-deadlock", [WEFT_LEAK] = "leak",
        [WEFT_LIVELOCK] = "livelock", [WEFT_ASSERTION] = "assertion",
        [WEFT_CRASH] = "crash",
    };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}
