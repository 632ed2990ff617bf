/*
** dfs.c -- exhaustive depth-first search over every choice, with optional
** sleep sets and an optional preemption bound.
** The path is a stack of choice nodes; each execution replays the prefix
** and extends it, and `advance` moves the deepest node to its next option.
** Continuing the running thread is tried first, so early executions have
** few preemptions.
*/
#include <stdlib.h>
#include <string.h>
#include "explore.h"

enum { NODE_THREAD, NODE_VALUE };

struct node {
    uint8_t kind;
    int8_t prev_tid;                  /* thread that ran before the choice */
    uint32_t chosen;
    uint32_t n;                       /* NODE_VALUE: number of values */
    sched_mask enabled, done, sleep;  /* NODE_THREAD */
    uint32_t preemptions;             /* before this choice */
};

struct dfs {
    struct node *path;
    size_t len, cap, depth;           /* depth: position in the running execution */
    sched_mask sleep;                 /* sleep set carried along the execution */
    uint32_t preemptions;             /* so far in the running execution */
    bool blocked;                     /* the running execution was abandoned */
};

static struct node *push(struct dfs *d)
{
    if (d->len == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 256;
        d->path = realloc(d->path, d->cap * sizeof *d->path);
        if (d->path == NULL)
            abort();
    }
    struct node *n = &d->path[d->len++];
    memset(n, 0, sizeof *n);
    return n;
}

static void dfs_init(struct explorer *e)
{
    e->state = calloc(1, sizeof(struct dfs));
    if (e->state == NULL)
        abort();
}

static void dfs_fini(struct explorer *e)
{
    struct dfs *d = e->state;
    free(d->path);
    free(d);
}

static uint32_t cost(const struct node *n, int tid)
{
    return n->prev_tid >= 0 && tid != n->prev_tid && (n->enabled & SCHED_BIT(n->prev_tid));
}

static bool within_bound(struct explorer *e, const struct node *n, int tid)
{
    int bound = e->cfg->max_preemptions;
    return bound < 0 || n->preemptions + cost(n, tid) <= (uint32_t)bound;
}

/* The options at n not yet taken, asleep, or beyond the preemption bound. */
static sched_mask open_options(struct explorer *e, struct node *n)
{
    sched_mask open = n->enabled & ~n->done & ~n->sleep, ok = 0;
    for (int t = 0; t < SCHED_MAX_THREADS && open >> t; t++)
        if ((open & SCHED_BIT(t)) && within_bound(e, n, t))
            ok |= SCHED_BIT(t);
        else if (open & SCHED_BIT(t))
            e->result->bound_hit = true;
    return ok;
}

/* Sleep set after n's choice: sleepers and earlier options that commute
** with the chosen thread's operation stay asleep. */
static sched_mask sleep_after(struct explorer *e, const struct node *n)
{
    if (!e->cfg->sleep_sets)
        return 0;
    sched_mask carry = (n->sleep | n->done) & ~SCHED_BIT(n->chosen), out = 0;
    struct sched_thread *chosen = sched_thread((int)n->chosen);
    for (int t = 0; carry >> t; t++)
        if ((carry & SCHED_BIT(t)) && !explore_dependent(chosen, sched_thread(t)))
            out |= SCHED_BIT(t);
    return out;
}

static int dfs_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    struct dfs *d = e->state;
    struct node *n;
    if (d->depth < d->len) {
        n = &d->path[d->depth];
    } else {
        n = push(d);
        n->kind = NODE_THREAD;
        n->prev_tid = (int8_t)current;
        n->enabled = enabled;
        n->sleep = d->sleep & enabled;
        n->preemptions = d->preemptions;
        sched_mask open = open_options(e, n);
        if (open == 0) {              /* everything here is asleep or out of bound */
            d->len--;
            d->blocked = true;
            return -1;
        }
        n->chosen = (current >= 0 && (open & SCHED_BIT(current))) ? (uint32_t)current
                                                                  : (uint32_t)__builtin_ctzll(open);
        n->done |= SCHED_BIT(n->chosen);
    }
    d->depth++;
    d->sleep = sleep_after(e, n);
    d->preemptions = n->preemptions + cost(n, (int)n->chosen);
    return (int)n->chosen;
}

/* Only tid can run. If it is asleep, this path repeats an explored one. The
** other sleepers are disabled: drop them (keeping them is optional). */
static bool dfs_forced(struct explorer *e, int tid)
{
    struct dfs *d = e->state;
    if (d->sleep & SCHED_BIT(tid)) {
        d->blocked = true;
        return false;
    }
    d->sleep = 0;
    return true;
}

static int dfs_pick_value(struct explorer *e, int nvalues)
{
    struct dfs *d = e->state;
    struct node *n;
    if (d->depth < d->len) {
        n = &d->path[d->depth];
    } else {
        n = push(d);
        n->kind = NODE_VALUE;
        n->n = (uint32_t)nvalues;
    }
    d->depth++;
    return (int)n->chosen;
}

/* Move the deepest node with an option left to that option. */
static bool dfs_advance(struct explorer *e)
{
    struct dfs *d = e->state;
    while (d->len > 0) {
        struct node *n = &d->path[d->len - 1];
        if (n->kind == NODE_VALUE && n->chosen + 1 < n->n) {
            n->chosen++;
            break;
        }
        if (n->kind == NODE_THREAD) {
            sched_mask open = open_options(e, n);
            if (open) {
                n->chosen = (uint32_t)__builtin_ctzll(open);
                n->done |= SCHED_BIT(n->chosen);
                break;
            }
        }
        d->len--;
    }
    d->depth = 0;
    d->sleep = 0;
    d->preemptions = 0;
    d->blocked = false;
    return d->len > 0;
}

const struct strategy explore_dfs = {
    .name = "dfs", .init = dfs_init, .pick_thread = dfs_pick_thread, .forced = dfs_forced,
    .pick_value = dfs_pick_value, .advance = dfs_advance, .fini = dfs_fini,
};
