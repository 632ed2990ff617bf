/*
** barrier.c -- reusable barriers of N parties (pthread_barrier_t). An
** arrival counts itself; the one that completes the round starts the next
** and returns at once, and the others pass in a step of their own once
** their round is over. Arrivals are writes for the searches: which one
** completes a round is seen by the program (the return value), and a
** label that depended on the count would move with reordered steps.
** Passing changes nothing, so passes are reads and commute.
*/
#include <stdio.h>
#include "sync/sync.h"

struct barrier_impl {
    struct sched_obj obj;
    int parties;
    int arrived;                      /* in the current round */
    uint32_t round;
};

struct barrier_op {
    struct sched_op op;
    uint32_t round;                   /* the round it arrived in */
    bool last;                        /* its arrival completed the round */
};

/* "2 of 3 arrived": what a report says of a barrier whose round is open. */
static void barrier_state(const struct sched_obj *o, char *buf, size_t n)
{
    const struct barrier_impl *bar = (const struct barrier_impl *)o;
    if (bar->arrived > 0)
        snprintf(buf, n, "%d of %d arrived", bar->arrived, bar->parties);
    else
        buf[0] = 0;
}

static const struct sched_objclass barrier_objclass = { .name = "barrier",
                                                        .state = barrier_state };

void weft_barrier_init_at(weft_barrier_t *b, const char *name, int parties, const char *file,
                          int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct barrier_impl *bar = sync_object_new(x, &barrier_objclass, sizeof *bar, name, at);
    sched_handle_bind(x, &b->h_, bar);
    if (parties < 1)
        sched_fail(x, WEFT_ASSERTION, at, "barrier \"%s\" given %d parties (at least 1)",
                   bar->obj.name, parties);
    bar->parties = parties;
}

static struct barrier_impl *barrier_at(const struct sched_op *op)
{
    return (struct barrier_impl *)op->obj;
}
static struct barrier_op *barrier_op(struct sched_op *op)
{
    return OP_OF(op, struct barrier_op, op);
}

static void arrive_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct barrier_impl *bar = barrier_at(op);
    struct barrier_op *b = barrier_op(op);
    b->round = bar->round;
    if (++bar->arrived < bar->parties)
        return;
    op->note = "completes round %d";
    op->note_a = (int)bar->round + 1;
    b->last = true;
    bar->arrived = 0;
    bar->round++;
}

static const struct sched_opclass arrive_class = { .verb = "arrive", .apply = arrive_apply };

static bool pass_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return barrier_at(op)->round != barrier_op(op)->round;
}

static void pass_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;                  /* the completing arrival changed the state */
}

static bool pass_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    (void)op;
    return true;
}

static sched_mask pass_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return sync_wakers(x, op->thread, op->obj, how);
}

static void pass_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct barrier_impl *bar = barrier_at(op);
    snprintf(buf, n, "waits at barrier \"%s\" (%d of %d arrived)", op->obj->name, bar->arrived,
             bar->parties);
}

static const struct sched_opclass pass_class = {
    .verb = "pass", .flags = OP_PASSIVE, .enabled = pass_enabled,
    .apply = pass_apply, .blockers = pass_blockers, .describe_wait = pass_describe,
    .reads_only = pass_reads_only,
};

int weft_barrier_wait_at(weft_barrier_t *b, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    if (!sched_handle_live(x, &b->h_))
        sched_fail(x, WEFT_ASSERTION, at, "barrier used before weft_barrier_init");
    struct barrier_impl *bar = b->h_.impl_;
    struct barrier_op a = { .op = { .cls = &arrive_class, .obj = &bar->obj, .loc = at } };
    sched_visible(x, &a.op);
    if (a.last)
        return 1;
    a.op.cls = &pass_class;
    a.op.note = NULL;
    sched_visible(x, &a.op);
    return 0;
}
