/*
** cond.c -- condition variables with FIFO wake-up, optionally timed.
** A wait is two visible steps: "wait" releases the mutex and joins the
** queue; "wake" retakes the mutex once signalled (or timed out) and the
** mutex is free. A signal marks the oldest unsignalled waiter.
*/
#include <stdio.h>
#include "sync.h"

struct cond_impl {
    struct sched_obj obj;
    intptr_t tickets;                 /* wait order, for FIFO signalling */
};

void weft_cond_init(weft_cond_t *c, const char *name)
{
    sched_handle_bind(&c->h_, sched_object_new(OBJ_COND, sizeof(struct cond_impl), name));
}

static struct cond_impl *cond_of(weft_cond_t *c)
{
    if (!sched_handle_live(&c->h_))
        weft_cond_init(c, NULL);
    return c->h_.impl_;
}

/* ==========================================================================
** Wait: release and queue, then wake and retake
** ========================================================================== */

static void wait_apply(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    struct cond_impl *cv = (struct cond_impl *)op->obj;
    mutex_drop((struct mutex_impl *)op->obj2);
    op->result = ++cv->tickets;
}

static const struct sched_opclass wait_class = {
    .verb = "wait", .enabled = sync_always, .apply = wait_apply,
};

/* A waiter's wake op: arg is its ticket, result becomes 1 when signalled. */
static bool wake_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    struct mutex_impl *mx = (struct mutex_impl *)op->obj2;
    return (op->result || sched_deadline_passed(op)) && mx->holder < 0;
}

static void wake_apply(struct sched_thread *t, struct sched_op *op)
{
    mutex_take((struct mutex_impl *)op->obj2, t->id, op->loc);
    op->status = op->result ? WEFT_OK : WEFT_ETIMEDOUT;
    if (!op->result)
        op->note = "timed out";
}

static sched_mask wake_blockers(struct sched_thread *t, struct sched_op *op, enum sched_wait *how)
{
    struct mutex_impl *mx = (struct mutex_impl *)op->obj2;
    if (op->result && mx->holder >= 0) {
        *how = WAIT_EXACT;
        return SCHED_BIT(mx->holder);
    }
    return sync_wakers(t, op->obj, how);
}

static void wake_describe(struct sched_op *op, char *buf, size_t n)
{
    if (op->result)
        snprintf(buf, n, "was signalled on \"%s\", wants mutex \"%s\" back",
                 op->obj->name, op->obj2->name);
    else
        snprintf(buf, n, "waits on condition \"%s\" (released mutex \"%s\")",
                 op->obj->name, op->obj2->name);
}

static const struct sched_opclass wake_class = {
    .verb = "wake", .enabled = wake_enabled, .apply = wake_apply,
    .blockers = wake_blockers, .describe_wait = wake_describe,
};

int weft_cond_timedwait_at(weft_cond_t *c, weft_mutex_t *m, int64_t ms,
                           const char *file, int line)
{
    struct cond_impl *cv = cond_of(c);
    struct mutex_impl *mx = mutex_of(m);
    struct sched_thread *self = sched_current();
    struct sched_loc at = { file, line };
    if (mx->holder != self->id)
        sched_fail(WEFT_ASSERTION, at, "wait on condition \"%s\" without holding mutex \"%s\"",
                   cv->obj.name, mx->obj.name);
    if (mx->depth > 1)
        sched_fail(WEFT_ASSERTION, at, "wait on condition \"%s\" with recursive mutex \"%s\" "
                   "locked %d times", cv->obj.name, mx->obj.name, mx->depth);
    struct sched_op wait = { .cls = &wait_class, .obj = &cv->obj, .obj2 = &mx->obj,
                             .deadline = -1, .loc = at };
    sched_visible(&wait);
    struct sched_op wake = { .cls = &wake_class, .obj = &cv->obj, .obj2 = &mx->obj,
                             .deadline = ms >= 0 ? sched_now() + ms : -1,
                             .arg = wait.result, .loc = at };
    sched_visible(&wake);
    return wake.status;
}

/* ==========================================================================
** Signal and broadcast
** ========================================================================== */

static struct sched_op *oldest_waiter(struct cond_impl *cv)
{
    struct sched_op *best = NULL;
    for (int i = 0; i < sched_nthreads(); i++) {
        struct sched_thread *t = sched_thread(i);
        struct sched_op *op = t->pending;
        if (t->state != T_PARKED || op->cls != &wake_class || op->obj != &cv->obj ||
            op->result || sched_deadline_passed(op))
            continue;
        if (best == NULL || op->arg < best->arg)
            best = op;
    }
    return best;
}

static void signal_apply(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    struct cond_impl *cv = (struct cond_impl *)op->obj;
    int woken = 0;
    struct sched_op *w;
    while ((w = oldest_waiter(cv)) != NULL) {
        w->result = 1;
        woken++;
        if (!op->arg)
            break;
    }
    op->note = woken ? "woke %d" : "no waiter";
    op->note_a = woken;
}

static const struct sched_opclass signal_class = {
    .verb = "signal", .enabled = sync_always, .apply = signal_apply,
};
static const struct sched_opclass broadcast_class = {
    .verb = "broadcast", .enabled = sync_always, .apply = signal_apply,
};

void weft_cond_signal_at(weft_cond_t *c, int all, const char *file, int line)
{
    struct cond_impl *cv = cond_of(c);
    struct sched_op op = { .cls = all ? &broadcast_class : &signal_class, .obj = &cv->obj,
                           .deadline = -1, .arg = all, .loc = { file, line } };
    sched_visible(&op);
}
