/*
** context.c -- Go's context.Context: cancellation that flows from a parent
** to its children. A context has a done channel, closed when it is
** cancelled (a cancel, its deadline's timer, or a parent's cancellation),
** and an error saying why. A deadline is a timer (timer.c) that cancels the
** context when it fires; a child's deadline is the earlier of its parent's
** and its own, and a child whose parent's deadline comes first gets no
** timer of its own (the parent's cancels it), as in Go.
** Dependence: a cancel touches the done channel of every context it may
** close (the context and its descendants); so does the firing of a
** deadline, which also touches the clock. Making a child touches its
** parent's done channel (the parent's cancel reaches the child only once
** it is linked), and the clock when it has a timeout (it reads now).
*/
#include <stdio.h>
#include "sync/sync.h"

/* A tree of contexts is at most this big: a cancel lists every object it
** touches (op.h, SCHED_MAX_OBJS). */
#define CONTEXT_TREE_MAX 30

struct context_impl {
    struct sched_obj obj;
    struct context_impl *parent, *children, *sibling;
    weft_chan_t *done;
    int err;                          /* 0, WEFT_ECANCELED or WEFT_EDEADLINE */
    int64_t deadline;                 /* virtual ns, or -1 */
    struct timer_impl *timer;         /* its own deadline's, or NULL */
    struct sched_obj *clock;          /* set when it has a timeout: making it reads now */
    int tree;                         /* a root: contexts in its tree */
};

struct weft_context { struct context_impl impl; };

static const struct sched_objclass context_objclass = { .name = "context" };

static struct context_impl *context_at(const struct sched_op *op)
{
    return (struct context_impl *)op->obj;
}

bool context_seen_add(const struct context_impl *ctx, struct chan_seen *seen)
{
    bool fits = chan_seen_add(seen, ctx->done, false);
    for (const struct context_impl *c = ctx->children; c && fits; c = c->sibling)
        fits = context_seen_add(c, seen);
    return fits;
}

/* As Go's, closing a done channel completes the receives and selects
** waiting on it (chan_close_by). */
void context_cancel(struct exec *x, struct context_impl *ctx, int err, struct sched_op *by_op)
{
    if (ctx->err)
        return;
    ctx->err = err;
    chan_close_by(x, ctx->done, by_op);
    if (ctx->timer)
        timer_halt(x, ctx->timer);
    for (struct context_impl *c = ctx->children; c; c = c->sibling)
        context_cancel(x, c, err, by_op);
}

/* ==========================================================================
** Making a context
** ========================================================================== */

struct make_op {
    struct sched_op op;
    int64_t timeout;                  /* ns, or -1: none */
};

/* Link ctx under its parent; cancelled at once if the parent is. Its
** deadline: the parent's if that comes first, else now + timeout. */
static void make_apply(struct exec *x, struct sched_op *op)
{
    struct context_impl *ctx = context_at(op), *parent = ctx->parent;
    int64_t timeout = OP_OF(op, struct make_op, op)->timeout;
    int64_t own = timeout < 0 ? -1 : timeout > INT64_MAX - x->now ? INT64_MAX : x->now + timeout;
    if (parent) {
        ctx->sibling = parent->children;
        parent->children = ctx;
    }
    ctx->deadline = own;
    if (parent && parent->deadline >= 0 && (own < 0 || parent->deadline <= own))
        ctx->deadline = parent->deadline;
    if (parent && parent->err) {
        context_cancel(x, ctx, parent->err, op);   /* (nothing waits on it yet) */
        op->note = "parent done";
    } else if (timeout == 0) {
        context_cancel(x, ctx, WEFT_EDEADLINE, op);   /* Go: a deadline already past */
        op->note = "deadline exceeded";
    } else if (ctx->timer && ctx->deadline == own) {
        op->obj2 = timer_start_context(x, ctx->timer, own);
    }
}

/* The parent's done channel, its own, the clock, and its timer's thread. */
static int make_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct context_impl *ctx = context_at(op);
    int n = 0;
    if (ctx->parent)
        objs[n++] = chan_object(ctx->parent->done);
    objs[n++] = chan_object(ctx->done);
    if (ctx->clock)
        objs[n++] = ctx->clock;
    if (op->obj2 && n < max)
        objs[n++] = op->obj2;
    return n;
}

static const struct sched_opclass make_class = {
    .verb = "context", .apply = make_apply, .objects = make_objects,
};

/* The root of ctx's tree counts its contexts; past the limit, fail at `at`. */
static void count_in_tree(struct exec *x, struct context_impl *parent, struct sched_loc at)
{
    struct context_impl *root = parent;
    while (root->parent)
        root = root->parent;
    if (++root->tree >= CONTEXT_TREE_MAX)
        sched_fail(x, WEFT_UNSUPPORTED, at, "more than %d contexts under context \"%s\" "
                   "(not supported by weft yet)",
                   CONTEXT_TREE_MAX, root->obj.name);
}

weft_context_t *weft_context_make_at(weft_context_t *parent, const char *name, int64_t timeout_ms,
                                     const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return NULL;
    if (timeout_ms < -1)
        sched_fail(x, WEFT_ASSERTION, at, "context \"%s\" made with a timeout of %lld ms",
                   name ? name : "?", (long long)timeout_ms);
    if (parent && parent->impl.obj.cls != &context_objclass)
        sched_fail(x, WEFT_ASSERTION, at, "context \"%s\": its parent is not a context",
                   name ? name : "?");
    struct context_impl *ctx = sync_object_new(x, &context_objclass, sizeof(struct weft_context),
                                               name, at);
    ctx->parent = parent ? &parent->impl : NULL;
    ctx->deadline = -1;
    if (ctx->parent)
        count_in_tree(x, ctx->parent, at);
    char dname[SCHED_NAME_MAX + 8];
    snprintf(dname, sizeof dname, "%s.Done", ctx->obj.name);
    ctx->done = weft_chan_make_at(dname, 0, file, line);
    if (timeout_ms > 0) {
        ctx->timer = timer_for_context(x, ctx, ctx->obj.name, at);
        ctx->clock = sched_clock(x);
    }
    struct make_op m = { .op = { .cls = &make_class, .obj = &ctx->obj, .loc = at },
                         .timeout = sched_ms_to_ns(timeout_ms) };
    if (timeout_ms >= 0)
        sched_duration_note(&m.op, m.timeout);
    sched_visible(x, &m.op);
    return (weft_context_t *)ctx;
}

/* ==========================================================================
** Cancel, done, err, deadline
** ========================================================================== */

/* A cancel, and what it touched: the done channels of the context's tree
** and the channels of the selects it committed (chan_seen). */
struct cancel_op {
    struct sched_op op;
    struct chan_seen seen;
};

static void cancel_apply(struct exec *x, struct sched_op *op)
{
    struct context_impl *ctx = context_at(op);
    struct chan_seen *seen = &OP_OF(op, struct cancel_op, op)->seen;
    seen->applied = true;
    if (!context_seen_add(ctx, seen))
        sched_fail_in_apply(x, WEFT_UNSUPPORTED, op->thread, op->loc,
                            "a cancel that completes selects waiting on more than %d channels "
                            "in all (not supported by weft yet)", SCHED_MAX_OBJS - 2);
    if (ctx->err)
        op->note = "already done";
    context_cancel(x, ctx, WEFT_ECANCELED, op);
}

static int cancel_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct chan_seen *seen = &OP_OF(op, const struct cancel_op, op)->seen;
    if (seen->applied)
        return chan_seen_objects(seen, objs, max);
    struct chan_seen now;             /* (1.6 KB: not cleared) */
    now.n = 0;
    context_seen_add(context_at(op), &now);
    return chan_seen_objects(&now, objs, max);
}

static const struct sched_opclass cancel_class = {
    .verb = "cancel", .apply = cancel_apply, .objects = cancel_objects,
};

static struct context_impl *context_checked(struct exec *x, weft_context_t *c, const char *what,
                                            struct sched_loc at)
{
    if (c == NULL || c->impl.obj.cls != &context_objclass)
        sched_fail(x, WEFT_ASSERTION, at, "%s of a context that is not one", what);
    return &c->impl;
}

void weft_context_cancel_at(weft_context_t *c, const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return;
    struct context_impl *ctx = context_checked(x, c, "cancel", at);
    struct cancel_op op = { .op = { .cls = &cancel_class, .obj = &ctx->obj, .loc = at } };
    sched_visible(x, &op.op);
}

weft_chan_t *weft_context_done(weft_context_t *c)
{
    return c ? c->impl.done : NULL;
}

/* Err reads what a cancel writes: the done channel's state. */
static void err_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    int err = context_at(op)->err;
    op->status = err;
    op->idle = true;
    op->note = err == WEFT_ECANCELED ? "canceled" : err ? "deadline exceeded" : "nil";
}

static int err_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    (void)max;
    objs[0] = chan_object(context_at(op)->done);
    return 1;
}

static bool err_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    (void)op;
    return true;
}

static const struct sched_opclass err_class = {
    .verb = "err", .apply = err_apply, .objects = err_objects, .reads_only = err_reads_only,
};

int weft_context_err_at(weft_context_t *c, const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return WEFT_EINVAL;
    struct context_impl *ctx = context_checked(x, c, "err", at);
    struct sched_op op = { .cls = &err_class, .obj = &ctx->obj, .loc = at };
    sched_visible(x, &op);
    return op.status;
}

int64_t weft_context_deadline(weft_context_t *c)
{
    struct exec *x = sync_exec();
    if (x == NULL || c == NULL)
        return -1;
    int64_t d = c->impl.deadline;
    return d < 0 ? -1 : d / 1000000;
}
