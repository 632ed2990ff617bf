/*
** waitgroup.c -- Go's sync.WaitGroup, and WaitGroup.Go.
** A wait is enabled when the counter is zero. Threads started with
** weft_waitgroup_go are remembered as tracked, so a report can say which
** threads a waiter still waits for instead of "anyone".
*/
#include <stdio.h>
#include "sync/sync.h"

struct waitgroup_impl {
    struct sched_obj obj;
    int count;
    sched_mask tracked;               /* started by weft_waitgroup_go */
};

struct add_op {
    struct sched_op op;
    int delta;
};

struct wait_op {
    struct sched_op op;
    struct waiter place;              /* in the wait group's queue, once it waits */
    bool must_wait;                   /* the first step found the counter above 0 */
};

static const struct sched_objclass waitgroup_objclass = { .name = "waitgroup" };

void weft_waitgroup_init_at(weft_waitgroup_t *wg, const char *name, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x)
        sched_handle_bind(x, &wg->h_,
                          sync_object_new(x, &waitgroup_objclass, sizeof(struct waitgroup_impl),
                                          name, (struct sched_loc){ file, line }));
}

static struct waitgroup_impl *waitgroup_of(struct exec *x, weft_waitgroup_t *wg,
                                           struct sched_loc at)
{
    if (!sched_handle_live(x, &wg->h_))
        weft_waitgroup_init_at(wg, NULL, at.file, at.line);
    return wg->h_.impl_;
}

static struct waitgroup_impl *group_at(const struct sched_op *op)
{
    return (struct waitgroup_impl *)op->obj;
}

/* ==========================================================================
** Add and done
** ========================================================================== */

/* Go releases every waiter when the counter reaches zero, even if an Add
** follows before a waiter runs again: complete their waits now. */
static void release_waiters(struct exec *x, struct waitgroup_impl *g)
{
    for (struct waiter *w = sched_waiters_of(&g->obj), *next; w; w = next) {
        next = w->next;
        sched_complete(x, w->op);
    }
}

static void add_apply(struct exec *x, struct sched_op *op)
{
    struct waitgroup_impl *g = group_at(op);
    int delta = OP_OF(op, struct add_op, op)->delta;
    g->count += delta;
    if (g->count == 0)
        release_waiters(x, g);
    op->note = "%+d = %d";
    op->note_a = delta;
    op->note_b = g->count;
    if (g->count < 0)
        sched_fail_in_apply(x, WEFT_ASSERTION, op->thread, op->loc,
                            "wait group \"%s\" counter went negative (%d)", g->obj.name, g->count);
}

/* Not a release (op.h): a released wait may still be waiting to run when
** an add raises the count again, so a decrement and that wait can be
** enabled together; and with the decrements releases, DPOR lost the orders
** in which a wait's look comes between another thread's add and done
** (audit 8: 32 classes of plain DFS's 34 for two threads that add and
** finish while main waits; tests/dpor/waitgroup_looks.c). */
static const struct sched_opclass add_class = { .verb = "add", .apply = add_apply };
static const struct sched_opclass done_class = { .verb = "done", .apply = add_apply };

void weft_waitgroup_add_at(weft_waitgroup_t *wg, int delta, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    const struct sched_opclass *cls = delta == -1 ? &done_class : &add_class;
    struct add_op a = { .op = { .cls = cls,
                                .obj = &waitgroup_of(x, wg, at)->obj, .loc = at },
                        .delta = delta };
    sched_visible(x, &a.op);
}

/* ==========================================================================
** Wait
** ========================================================================== */

/*
** A wait takes a step to look at the counter: at zero it returns; above,
** it joins the queue, and a second step waits there until the counter
** reaches zero, which releases it even if an add comes before it runs
** again (Go's). A thread about to call Wait is not in the queue: a count
** that reaches zero before its call does not release a call that then
** finds it above zero (it did, and a Wait after a re-Add returned).
*/
static void wait_look_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    if (group_at(op)->count == 0) {
        op->idle = true;              /* a read of the counter */
        return;
    }
    OP_OF(op, struct wait_op, op)->must_wait = true;
    op->note = "blocks";
}

/* Would the look, taken now, change nothing (the counter at zero)? Two
** such looks commute. */
static bool wait_look_reads(struct exec *x, struct sched_op *op)
{
    (void)x;
    return group_at(op)->count == 0;
}

/* The look and an add or done may be enabled together: no OP_ACQUIRE, so
** DPOR tries the call before the done and after it. */
static const struct sched_opclass wait_look_class = {
    .verb = "wait", .flags = OP_PASSIVE, .apply = wait_look_apply, .reads_only = wait_look_reads,
};

static bool wait_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return group_at(op)->count == 0;
}

static sched_mask wait_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    struct waitgroup_impl *g = group_at(op);
    struct mask_builder b = MASK_BUILDER_INIT;
    MASK_FOR(i, g->tracked)
        if (x->threads[i]->state != T_FINISHED)
            mask_build_add(&b, i);
    sched_mask live = mask_build_done(&x->masks, &b);
    if (mask_empty(live))
        return sync_wakers(x, op->thread, op->obj, how);
    *how = WAIT_EXACT;
    return live;
}

static void wait_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits for wait group \"%s\" (count %d)", op->obj->name,
             group_at(op)->count);
}

static const struct sched_opclass wait_class = {
    .verb = "wait (wait)", .flags = OP_PASSIVE | OP_ACQUIRE, .enabled = wait_enabled,
    .blockers = wait_blockers, .describe_wait = wait_describe,
};

void weft_waitgroup_wait_at(weft_waitgroup_t *wg, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct waitgroup_impl *g = waitgroup_of(x, wg, at);
    struct wait_op w = { .op = { .cls = &wait_look_class, .obj = &g->obj, .loc = at },
                         .place = { .obj = &g->obj } };
    sched_visible(x, &w.op);
    if (!w.must_wait)
        return;
    w.op.cls = &wait_class;
    w.op.note = NULL;
    w.op.waits = &w.place;
    w.op.nwaits = 1;
    sched_visible(x, &w.op);
}

/* ==========================================================================
** WaitGroup.Go
** ========================================================================== */

struct wg_job {
    weft_waitgroup_t *wg;
    void (*fn)(void *);
    void *arg;
    struct sched_loc at;
};

static void wg_thread(void *arg)
{
    struct wg_job *job = arg;
    job->fn(job->arg);
    weft_waitgroup_add_at(job->wg, -1, job->at.file, job->at.line);
}

weft_thread_t weft_waitgroup_go_at(weft_waitgroup_t *wg, const char *name,
                                   void (*fn)(void *), void *arg, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return (weft_thread_t){ -1 };
    struct sched_loc at = { file, line };
    struct wg_job *job = arena_alloc(&x->arena, sizeof *job);
    if (job == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a wait group's thread");
    *job = (struct wg_job){ wg, fn, arg, at };
    weft_waitgroup_add_at(wg, 1, file, line);
    weft_thread_t t = weft_spawn_at(name, wg_thread, job, file, line);
    if (t.id >= 0) {
        struct waitgroup_impl *g = waitgroup_of(x, wg, at);
        mask_add(&x->masks, &g->tracked, t.id);
    }
    return t;
}
