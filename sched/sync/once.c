/*
** once.c -- Go's sync.Once and pthread_once. The first call's step claims
** the once and its thread runs the function; a "done" step ends it. Later
** calls are enabled only once it is done; such a call changes nothing, so
** it is a read for the searches (two of them commute). Labels must not
** depend on where in an execution a step is moved to: see call_reads_only.
*/
#include <stdio.h>
#include "sync/sync.h"

enum once_state { ONCE_NEW = 0, ONCE_RUNNING, ONCE_DONE };

struct once_impl {
    struct sched_obj obj;
    enum once_state state;
    int runner;                       /* the thread running the function, or -1 */
    struct sched_loc run_at;
};

struct once_op {
    struct sched_op op;
    bool runs;                        /* this call claimed the once */
};

static int once_holder(const struct sched_obj *o, struct sched_loc *at)
{
    const struct once_impl *on = (const struct once_impl *)o;
    *at = on->run_at;
    return on->state == ONCE_RUNNING ? on->runner : -1;
}

static const struct sched_objclass once_objclass = { .name = "once", .holder = once_holder };

void weft_once_init_at(weft_once_t *o, const char *name, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return;
    struct once_impl *on = sync_object_new(x, &once_objclass, sizeof *on, name,
                                           (struct sched_loc){ file, line });
    on->runner = -1;
    sched_handle_bind(x, &o->h_, on);
}

static struct once_impl *once_of(struct exec *x, weft_once_t *o, struct sched_loc at)
{
    if (!sched_handle_live(x, &o->h_))
        weft_once_init_at(o, NULL, at.file, at.line);
    return o->h_.impl_;
}

static struct once_impl *once_at(const struct sched_op *op) { return (struct once_impl *)op->obj; }

static bool call_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return once_at(op)->state != ONCE_RUNNING;
}

static void call_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct once_impl *on = once_at(op);
    if (on->state == ONCE_DONE) {
        op->idle = true;
        op->note = "already done";
        return;
    }
    on->state = ONCE_RUNNING;
    on->runner = op->thread->id;
    on->run_at = op->loc;
    OP_OF(op, struct once_op, op)->runs = true;
    op->note = "runs it";
}

/* A call once it is done changes nothing. A blocked call is not labelled
** so: the searches may move it before the first call, where it would be
** that first call. */
static bool call_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    return once_at(op)->state == ONCE_DONE;
}

static sched_mask call_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    (void)x;
    *how = WAIT_EXACT;
    return mask_one(&x->masks, once_at(op)->runner);
}

static void call_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits for once \"%s\" (another thread runs its function)", op->obj->name);
}

/* A call and the done step are an acquire and a release (op.h): while
** the function runs, no other call is enabled, so DPOR never tries one
** just before the done step that lets it go, only before the first call. */
static const struct sched_opclass call_class = {
    .verb = "once", .flags = OP_ACQUIRE, .enabled = call_enabled, .apply = call_apply, .blockers = call_blockers,
    .describe_wait = call_describe, .reads_only = call_reads_only,
};

static void done_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    once_at(op)->state = ONCE_DONE;
    once_at(op)->runner = -1;
}

static const struct sched_opclass done_class = {
    .verb = "once done", .flags = OP_RELEASE, .apply = done_apply,
};

/* The function was cancelled (pthread_once's cleanup): the once is new
** again, and the next call runs the function, as POSIX asks. */
static void abandon_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    once_at(op)->state = ONCE_NEW;
    once_at(op)->runner = -1;
}

static const struct sched_opclass abandon_class = {
    .verb = "once abandoned", .flags = OP_RELEASE, .apply = abandon_apply,
};

void once_abandon_at(weft_once_t *o, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL || !sched_handle_live(x, &o->h_))
        return;
    struct sched_op a = { .cls = &abandon_class, .obj = o->h_.impl_, .loc = { file, line } };
    sched_visible(x, &a);
}

void weft_once_do_at(weft_once_t *o, void (*fn)(void *), void *arg, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct once_impl *on = once_of(x, o, at);
    struct once_op c = { .op = { .cls = &call_class, .obj = &on->obj, .loc = at } };
    if (on->state == ONCE_RUNNING && on->runner == x->current->id) {
        x->current->pending = &c.op;  /* shown in the report as what it wants */
        sched_fail(x, WEFT_SELF_DEADLOCK, at, "thread \"%s\" calls once \"%s\" from inside "
                   "its own function", x->current->obj.name, on->obj.name);
    }
    sched_visible(x, &c.op);
    if (!c.runs)
        return;
    if (fn)
        fn(arg);
    struct once_op d = { .op = { .cls = &done_class, .obj = &on->obj, .loc = at } };
    sched_visible(x, &d.op);
}
