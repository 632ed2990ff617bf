/*
** waitgroup.c -- Go's sync.WaitGroup, and WaitGroup.Go.
** A wait is enabled when the counter is zero. Threads started with
** weft_waitgroup_go are remembered as tracked, so a report can say which
** threads a waiter still waits for instead of "anyone".
*/
#include <stdio.h>
#include "sync.h"

struct wg_impl {
    struct sched_obj obj;
    int count;
    sched_mask tracked;               /* started by weft_waitgroup_go */
};

void weft_waitgroup_init(weft_waitgroup_t *wg, const char *name)
{
    sched_handle_bind(&wg->h_, sched_object_new(OBJ_WAITGROUP, sizeof(struct wg_impl), name));
}

static struct wg_impl *wg_of(weft_waitgroup_t *wg)
{
    if (!sched_handle_live(&wg->h_))
        weft_waitgroup_init(wg, NULL);
    return wg->h_.impl_;
}

static const struct sched_opclass wait_class;

/* Go releases every waiter when the counter reaches zero, even if an Add
** follows before a waiter runs again: hand them their wake-up now. */
static void release_waiters(struct wg_impl *g)
{
    for (int i = 0; i < sched_nthreads(); i++) {
        struct sched_thread *w = sched_thread(i);
        if (w->state == T_PARKED && w->pending->cls == &wait_class && w->pending->obj == &g->obj)
            w->pending->handed = true;
    }
}

static void add_apply(struct sched_thread *t, struct sched_op *op)
{
    struct wg_impl *g = (struct wg_impl *)op->obj;
    g->count += (int)op->arg;
    if (g->count == 0)
        release_waiters(g);
    op->note = "%+d = %d";
    op->note_a = (int)op->arg;
    op->note_b = g->count;
    if (g->count < 0)
        sched_fail_in_apply(WEFT_ASSERTION, t, op->loc,
                            "wait group \"%s\" counter went negative (%d)", g->obj.name, g->count);
}

static const struct sched_opclass add_class = {
    .verb = "add", .enabled = sync_always, .apply = add_apply,
};
static const struct sched_opclass done_class = {
    .verb = "done", .enabled = sync_always, .apply = add_apply,
};

void weft_waitgroup_add_at(weft_waitgroup_t *wg, int delta, const char *file, int line)
{
    struct wg_impl *g = wg_of(wg);
    struct sched_op op = { .cls = delta == -1 ? &done_class : &add_class, .obj = &g->obj,
                           .deadline = -1, .arg = delta, .loc = { file, line } };
    sched_visible(&op);
}

static bool wait_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    return ((struct wg_impl *)op->obj)->count == 0;
}

static void wait_apply(struct sched_thread *t, struct sched_op *op) { (void)t; (void)op; }

static sched_mask wait_blockers(struct sched_thread *t, struct sched_op *op, enum sched_wait *how)
{
    struct wg_impl *g = (struct wg_impl *)op->obj;
    sched_mask live = 0;
    for (int i = 0; i < sched_nthreads(); i++)
        if ((g->tracked & SCHED_BIT(i)) && sched_thread(i)->state != T_FINISHED)
            live |= SCHED_BIT(i);
    if (live == 0)
        return sync_wakers(t, op->obj, how);
    *how = WAIT_EXACT;
    return live;
}

static void wait_describe(struct sched_op *op, char *buf, size_t n)
{
    struct wg_impl *g = (struct wg_impl *)op->obj;
    snprintf(buf, n, "waits for wait group \"%s\" (count %d)", g->obj.name, g->count);
}

static const struct sched_opclass wait_class = {
    .verb = "wait", .enabled = wait_enabled, .apply = wait_apply,
    .blockers = wait_blockers, .describe_wait = wait_describe,
};

void weft_waitgroup_wait_at(weft_waitgroup_t *wg, const char *file, int line)
{
    struct wg_impl *g = wg_of(wg);
    struct sched_op op = { .cls = &wait_class, .obj = &g->obj, .deadline = -1,
                           .loc = { file, line } };
    sched_visible(&op);
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
    struct wg_job *job = sched_arena_alloc(sizeof *job);
    *job = (struct wg_job){ wg, fn, arg, { file, line } };
    weft_waitgroup_add_at(wg, 1, file, line);
    weft_thread_t t = weft_spawn_at(name, wg_thread, job, file, line);
    if (t.id >= 0)
        wg_of(wg)->tracked |= SCHED_BIT(t.id);
    return t;
}
