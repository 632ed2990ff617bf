/*
** sem.c -- counting semaphores: acquire, try-acquire, timed acquire, release.
** An acquire is enabled while a permit is left. Two plain acquires commute
** unless both would take the last permit: one that leaves a permit is a
** read for the searches (OP_SHARED, op.h), and sched_conflict lets it
** commute with the one that takes the last, in whichever order they come.
** So N threads that each take one of N permits are one class. Releases,
** try-acquires and timed acquires are writes.
*/
#include <limits.h>
#include <stdio.h>
#include "sync/sync.h"

struct sem_impl {
    struct sched_obj obj;
    int permits;
    int initial;                      /* as made: for reports */
};

struct sem_op {
    struct sched_op op;
    bool must_wait;                   /* a timed acquire found no permit */
    bool poll;                        /* a try-acquire */
    struct sched_timer timer;
    int64_t until;                    /* a timed one's absolute deadline, or -1 */
};

/* "0 of 2 permits left": what a report says of a semaphore at the end,
** when some of its permits are taken. */
static void sem_state(const struct sched_obj *o, char *buf, size_t n)
{
    const struct sem_impl *sem = (const struct sem_impl *)o;
    if (sem->permits < sem->initial)
        snprintf(buf, n, "%d of %d permit%s left", sem->permits, sem->initial,
                 sem->initial == 1 ? "" : "s");
    else
        buf[0] = 0;
}

static const struct sched_objclass sem_objclass = { .name = "semaphore", .state = sem_state };

void weft_sem_init_at(weft_sem_t *s, const char *name, int permits, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct sem_impl *sem = sync_object_new(x, &sem_objclass, sizeof *sem, name, at);
    sched_handle_bind(x, &s->h_, sem);
    if (permits < 0)
        sched_fail(x, WEFT_ASSERTION, at, "semaphore \"%s\" given %d permits", sem->obj.name,
                   permits);
    sem->permits = sem->initial = permits > 0 ? permits : 0;
}

static struct sem_impl *sem_of(struct exec *x, weft_sem_t *s, struct sched_loc at)
{
    if (!sched_handle_live(x, &s->h_))
        weft_sem_init_at(s, NULL, 0, at.file, at.line);
    return s->h_.impl_;
}

static struct sem_impl *sem_at(const struct sched_op *op) { return (struct sem_impl *)op->obj; }
static struct sem_op *sem_op(struct sched_op *op) { return OP_OF(op, struct sem_op, op); }

/* ==========================================================================
** Acquire
** ========================================================================== */

static void take(struct sched_op *op)
{
    sem_at(op)->permits--;
    op->status = WEFT_OK;
}

/* Plain: enabled only with a permit. Try: fails. Timed: starts its timer
** and waits in a second step. */
static void acquire_apply(struct exec *x, struct sched_op *op)
{
    struct sem_op *s = sem_op(op);
    if (sem_at(op)->permits > 0) {
        op->idle = (op->cls->flags & OP_SHARED) && sem_at(op)->permits >= 2;
        take(op);
        return;
    }
    if (s->poll) {
        op->status = WEFT_EBUSY;
        op->note = "busy";
        return;
    }
    if (sync_deadline_passed(x, s->until)) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "past deadline";
        return;
    }
    sync_timer_begin(x, op->timer, s->until);
    s->must_wait = true;
    op->note = "blocks";
}

static bool acquire_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct sem_op *s = sem_op(op);
    return s->poll || op->timer || sem_at(op)->permits > 0;
}

static sched_mask acquire_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return sync_wakers(x, op->thread, op->obj, how);
}

static void acquire_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct sem_impl *sem = sem_at(op);
    snprintf(buf, n, "waits for a permit of semaphore \"%s\" (%d of %d left%s)", op->obj->name,
             sem->permits, sem->initial, op->timer ? "; with timeout" : "");
}

/* A plain acquire is enabled only with a permit: an acquire (op.h), never
** enabled together with a release that refills an empty semaphore. A timed
** one is always enabled (it starts its timer), so it is not one. */
static bool leaves_a_permit(struct exec *x, struct sched_op *op)
{
    (void)x;
    return sem_at(op)->permits >= 2;
}

static const struct sched_opclass acquire_class = {
    .verb = "acquire", .flags = OP_ACQUIRE | OP_SHARED, .enabled = acquire_enabled,
    .apply = acquire_apply, .blockers = acquire_blockers, .describe_wait = acquire_describe,
    .reads_only = leaves_a_permit,
};
static const struct sched_opclass timed_start_class = {
    .verb = "acquire", .enabled = acquire_enabled, .apply = acquire_apply,
    .blockers = acquire_blockers, .describe_wait = acquire_describe,
};
static const struct sched_opclass tryacquire_class = {
    .verb = "tryacquire", .apply = acquire_apply,
};

/* A timed acquire, waiting: a permit and the timer may both be ready, and
** which comes first is explored (under --timers=idle a permit wins). */
static bool timed_enabled(struct exec *x, struct sched_op *op)
{
    return sem_at(op)->permits > 0 || sched_timer_due(x, op->timer);
}

static void timed_apply(struct exec *x, struct sched_op *op)
{
    if (sched_timer_wins(x, op, sem_at(op)->permits > 0)) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "timed out";
        return;
    }
    take(op);
}

static const struct sched_opclass timed_class = {
    .verb = "acquire (wait)", .enabled = timed_enabled, .apply = timed_apply,
    .blockers = acquire_blockers, .describe_wait = acquire_describe,
};

/* An acquire: plain (ms < 0, no deadline), a try (ms 0), or timed, ms
** from its first step or until the absolute deadline (>= 0). */
static int acquire(weft_sem_t *s, int64_t ms, int64_t until, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    bool timed = ms > 0 || until >= 0;
    struct sem_op a = { .op = { .obj = &sem_of(x, s, at)->obj, .loc = at }, .poll = ms == 0,
                        .until = until };
    a.op.cls = a.poll ? &tryacquire_class : timed ? &timed_start_class : &acquire_class;
    if (timed && sched_timer_init(x, &a.op, &a.timer, ms > 0 ? sched_ms_to_ns(ms) : 0) != 0)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    sched_visible(x, &a.op);
    if (!a.must_wait)
        return a.op.status;
    a.op.cls = &timed_class;
    a.op.note = NULL;
    sched_visible(x, &a.op);
    return a.op.status;
}

int weft_sem_acquire_at(weft_sem_t *s, int64_t ms, const char *file, int line)
{
    return acquire(s, ms, -1, file, line);
}

int sem_acquire_until_at(weft_sem_t *s, int64_t deadline, const char *file, int line)
{
    return acquire(s, -1, deadline > 0 ? deadline : 0, file, line);
}

/* ==========================================================================
** Release
** ========================================================================== */

/* At INT_MAX permits (SEM_VALUE_MAX) the count stays: sem_post's EOVERFLOW. */
static void release_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct sem_impl *sem = sem_at(op);
    op->held = sem->permits == 0;     /* no acquire could run before it */
    if (sem->permits == INT_MAX) {
        op->status = WEFT_EINVAL;
        op->note = "at its maximum";
        return;
    }
    op->note = "%d permits";
    op->note_a = ++sem->permits;
}

static const struct sched_opclass release_class = { .verb = "release", .apply = release_apply };

bool sem_post_at(weft_sem_t *s, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return false;
    struct sched_loc at = { file, line };
    struct sem_op r = { .op = { .cls = &release_class, .obj = &sem_of(x, s, at)->obj, .loc = at } };
    sched_visible(x, &r.op);
    return r.op.status == WEFT_OK;
}

void weft_sem_release_at(weft_sem_t *s, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x && !sem_post_at(s, file, line))
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line },
                   "semaphore \"%s\" released with %d permits already: one more overflows",
                   ((struct sem_impl *)s->h_.impl_)->obj.name, INT_MAX);
}

/* ==========================================================================
** The count (sem_getvalue)
** ========================================================================== */

struct value_op {
    struct sched_op op;
    int value;
};

static void value_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    OP_OF(op, struct value_op, op)->value = sem_at(op)->permits;
    op->note = "%d";
    op->note_a = sem_at(op)->permits;
}

/* A write for the searches, though it changes nothing: an acquire that
** leaves a permit is a read (it commutes with the other acquires), yet
** it changes what this step sees. */
static const struct sched_opclass value_class = { .verb = "getvalue", .apply = value_apply };

int sem_value_at(weft_sem_t *s, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return 0;
    struct sched_loc at = { file, line };
    struct value_op v = { .op = { .cls = &value_class, .obj = &sem_of(x, s, at)->obj, .loc = at } };
    sched_visible(x, &v.op);
    return v.value;
}
