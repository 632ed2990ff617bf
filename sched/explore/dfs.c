/*
** dfs.c -- depth-first search over every choice (sleep sets, preemption
** bound optional), and DPOR: the same search where a node's options are its
** backtrack set, grown from races (dpor.c). The path is a stack of choice
** nodes; each execution replays its prefix. The running thread goes first.
*/
#include <stdlib.h>
#include <string.h>
#include "explore/dpor.h"
#include "explore/strategy.h"

enum { NODE_THREAD, NODE_VALUE };

struct node {
    uint8_t kind;
    int8_t prev_tid;                  /* thread that ran before the choice */
    uint32_t chosen;
    uint32_t n;                       /* NODE_VALUE: number of values */
    sched_mask enabled, done, sleep;  /* NODE_THREAD */
    sched_mask backtrack;             /* DPOR: the options to explore */
    uint32_t preemptions;             /* before this choice */
    /* What the run that made this choice saw, to check every later run of
    ** the same prefix against (nondeterminism): the step it came at and,
    ** once the chosen thread ran from here, the kind and object of its
    ** operation. */
    uint32_t step;
    const struct sched_opclass *op_cls;
    int op_obj;
};

struct dfs {
    struct node *path;
    size_t len, cap, depth;           /* depth: position in the running execution */
    sched_mask sleep;                 /* sleep set carried along the execution */
    uint32_t preemptions;             /* so far in the running execution */
    bool blocked;                     /* the running execution was abandoned */
    struct dpor *dpor;                /* NULL: plain DFS */
    int32_t *node_of_step;            /* DPOR: choice node before each step, or -1 */
    size_t steps_cap;
    struct exec *x;                   /* the execution searched */
};

/* A new node at the end of the path, or NULL without memory. */
static struct node *push(struct dfs *d)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 256;
        struct node *path = realloc(d->path, cap * sizeof *path);
        if (path == NULL)
            return NULL;
        d->path = path;
        d->cap = cap;
    }
    struct node *n = &d->path[d->len++];
    memset(n, 0, sizeof *n);
    return n;
}

static int dfs_init(struct explorer *e)
{
    struct dfs *d = calloc(1, sizeof *d);
    if (d == NULL)
        return WEFT_ENOMEM;
    d->x = e->x;
    e->state = d;
    return 0;
}

static void dfs_fini(struct explorer *e)
{
    struct dfs *d = e->state;
    dpor_free(d->dpor);
    free(d->node_of_step);
    free(d->path);
    free(d);
}

static int dpor_init(struct explorer *e)
{
    if (dfs_init(e) != 0)
        return WEFT_ENOMEM;
    struct dfs *d = e->state;
    if ((d->dpor = dpor_new()) == NULL) {
        dfs_fini(e);
        return WEFT_ENOMEM;
    }
    dpor_begin(d->dpor);
    return 0;
}

/* ==========================================================================
** DPOR: races become backtrack points
** ========================================================================== */

/* Step `step` races with tid's next operation. If one of the threads that
** could begin the reversed order (the initials) is already to be tried at
** the state before that step, or asleep there (covered elsewhere), the race
** is taken care of; otherwise add one (Source-DPOR). If none of them could
** run there, fall back to tid, or to every thread that could run
** (Flanagan-Godefroid). tid itself covers nothing unless it is an initial:
** its operation may have to wait for others' steps in the reversal. */
static void add_backtrack(void *ctx, uint32_t step, int tid)
{
    struct dfs *d = ctx;
    int32_t k = step < d->steps_cap ? d->node_of_step[step] : -1;
    if (k < 0)
        return;                       /* one thread could run: nothing to reverse */
    struct node *n = &d->path[k];
    if ((n->enabled & ~(n->backtrack | n->sleep)) == 0)
        return;                       /* nothing left to add */
    struct sched_op *op = d->x->threads[tid].pending;
    bool reads = op->cls->reads_only && op->cls->reads_only(d->x, op);
    sched_mask initials = dpor_initials(d->dpor, step, tid, op, reads);
    if (initials & (n->backtrack | n->sleep))
        return;
    sched_mask can = initials & n->enabled;
    if (can)
        n->backtrack |= can & -can;   /* the lowest such thread */
    else
        n->backtrack |= (n->enabled & SCHED_BIT(tid)) ? SCHED_BIT(tid) : n->enabled;
}

/*
** Called before every scheduling decision. While an execution replays the
** path's prefix, every state is one an earlier execution saw, with the same
** steps and clocks behind it: the races found there were found then, and
** backtrack sets only grow, so looking again would add nothing.
*/
static void find_races(struct explorer *e)
{
    struct dfs *d = e->state;
    if (d->dpor && d->depth >= d->len && dpor_races(d->dpor, e->x, add_backtrack, d) != 0)
        explore_out_of_memory(e);
}

/*
** At the end of an execution: its final state may be new. A failure that
** stopped the execution (an assertion, a crash, a misuse) also stopped
** every other thread: the failing thread's last step conflicts with the
** next step of each of them. A cut at the step bound stopped them too:
** each could have taken the place of the latest step of another thread.
** Each race is reversed like any other, and what those threads would have
** done first is explored too.
*/
static void find_final_races(struct explorer *e)
{
    struct dfs *d = e->state;
    const struct sched_outcome *o = &e->x->outcome;
    if (d->dpor == NULL)
        return;
    if (dpor_races(d->dpor, e->x, add_backtrack, d) != 0)
        explore_out_of_memory(e);
    bool stopped = o->result != WEFT_PASS && o->result != WEFT_DEADLOCK &&
                   o->result != WEFT_LEAK && o->failing_tid >= 0;
    if (stopped)
        dpor_races_with_end(d->dpor, e->x, o->failing_tid, add_backtrack, d);
    else if (o->cut)
        dpor_races_with_cut(d->dpor, e->x, add_backtrack, d);
}

/* Remember which node (or none) precedes the step about to run; false
** without memory. */
static bool note_step(struct explorer *e, int32_t node)
{
    struct dfs *d = e->state;
    if (d->dpor == NULL)
        return true;
    if (e->steps >= d->steps_cap) {
        size_t cap = d->steps_cap ? 2 * d->steps_cap : 1024;
        int32_t *bigger = realloc(d->node_of_step, cap * sizeof *bigger);
        if (bigger == NULL)
            return false;
        d->node_of_step = bigger;
        d->steps_cap = cap;
    }
    d->node_of_step[e->steps] = node;
    return true;
}

static void dpor_after_step(struct explorer *e, const struct sched_step *s)
{
    struct dfs *d = e->state;
    if (dpor_step(d->dpor, e->x, s, e->x->threads[s->tid].pending) != 0)
        explore_out_of_memory(e);
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
    struct dfs *d = e->state;
    sched_mask options = d->dpor ? n->backtrack & n->enabled : n->enabled;
    sched_mask open = options & ~n->done & ~n->sleep, ok = 0;
    for (int t = 0; t < SCHED_MAX_THREADS && open >> t; t++)
        if ((open & SCHED_BIT(t)) && within_bound(e, n, t))
            ok |= SCHED_BIT(t);
        else if (open & SCHED_BIT(t))
            e->result->cov.bound_hit = true;
    return ok;
}

/* Sleep set after n's choice: sleepers and earlier options that commute
** with the chosen thread's operation stay asleep. */
static sched_mask sleep_after(struct explorer *e, const struct node *n)
{
    if (!e->cfg->sleep_sets)
        return 0;
    sched_mask carry = (n->sleep | n->done) & ~SCHED_BIT(n->chosen), out = 0;
    struct sched_thread *chosen = &e->x->threads[n->chosen];
    for (int t = 0; carry >> t; t++)
        if ((carry & SCHED_BIT(t)) && !explore_dependent(e->x, chosen, &e->x->threads[t]))
            out |= SCHED_BIT(t);
    return out;
}

/* A fresh thread node for this state: its options, and the first pick
** (the running thread, if it may go on). false when all are asleep or out
** of bound: the path repeats an explored one. */
static bool new_thread_node(struct explorer *e, struct node *n, sched_mask enabled, int current)
{
    struct dfs *d = e->state;
    n->kind = NODE_THREAD;
    n->step = e->steps;
    n->prev_tid = (int8_t)current;
    n->enabled = enabled;
    n->sleep = d->sleep & enabled;
    n->preemptions = d->preemptions;
    n->backtrack = enabled & ~n->sleep;   /* narrowed to the first pick below */
    sched_mask open = open_options(e, n);
    if (open == 0)
        return false;
    n->chosen = (current >= 0 && (open & SCHED_BIT(current))) ? (uint32_t)current
                                                              : (uint32_t)__builtin_ctzll(open);
    n->done |= SCHED_BIT(n->chosen);
    n->backtrack = SCHED_BIT(n->chosen);
    return true;
}

/* ==========================================================================
** Nondeterminism: a replayed prefix must run as it ran before
** ========================================================================== */

static const char *thread_name(struct explorer *e, int tid)
{
    return tid >= 0 && tid < e->x->nthreads ? e->x->threads[tid].obj.name : "?";
}

/* Check the replay of thread node n against the run that made it; -1 (after
** explore_parted) when the scenario did something else this time. */
static int check_thread_node(struct explorer *e, struct node *n, sched_mask enabled)
{
    struct sched_thread *t = &e->x->threads[n->chosen];
    struct sched_op *op = (enabled & SCHED_BIT(n->chosen)) ? t->pending : NULL;
    if (n->kind != NODE_THREAD || n->step != e->steps)
        return explore_parted(e, (int)n->chosen, op ? op->loc : (struct sched_loc){ 0 },
                              "the same schedule reached a choice of threads at step %u in "
                              "one run and at step %u in another", n->step + 1, e->steps + 1);
    if (op == NULL || enabled != n->enabled)
        return explore_parted(e, (int)n->chosen, op ? op->loc : (struct sched_loc){ 0 },
                              "at step %u, thread \"%s\" %s in one run of the same schedule "
                              "and %s in another", e->steps + 1, thread_name(e, (int)n->chosen),
                              "could run", op ? "other threads could run with it" : "could not");
    if (n->op_cls == NULL) {          /* the first run with this choice */
        n->op_cls = op->cls;
        n->op_obj = op->obj ? op->obj->id : -1;
    } else if (n->op_cls != op->cls || n->op_obj != (op->obj ? op->obj->id : -1)) {
        return explore_parted(e, (int)n->chosen, op->loc,
                              "at step %u, thread \"%s\" was about to %s (object %d) in one "
                              "run of the same schedule, and to %s (object %d) in another",
                              e->steps + 1, thread_name(e, (int)n->chosen), n->op_cls->verb,
                              n->op_obj, op->cls->verb, op->obj ? op->obj->id : -1);
    }
    return 0;
}

/* The node at the running execution's depth: the path's, while it replays
** the prefix, or a new one at its end (NULL without memory). */
static struct node *node_here(struct dfs *d, bool *fresh)
{
    *fresh = d->depth >= d->len;
    return *fresh ? push(d) : &d->path[d->depth];
}

static int dfs_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    struct dfs *d = e->state;
    bool fresh;
    find_races(e);
    struct node *n = node_here(d, &fresh);
    if (n == NULL)
        return explore_out_of_memory(e);
    if (fresh && !new_thread_node(e, n, enabled, current)) {
        d->len--;
        d->blocked = true;
        return -1;
    }
    if (check_thread_node(e, n, enabled) != 0)
        return -1;
    if (!note_step(e, (int32_t)(n - d->path)))
        return explore_out_of_memory(e);
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
    if (d->depth < d->len && d->path[d->depth].kind == NODE_THREAD &&
        d->path[d->depth].step == e->steps) {
        struct sched_op *op = e->x->threads[tid].pending;
        explore_parted(e, tid, op->loc, "at step %u, only thread \"%s\" could run in one run "
                       "of the same schedule, and several in another", e->steps + 1,
                       thread_name(e, tid));
        return false;
    }
    find_races(e);
    if (!note_step(e, -1)) {
        explore_out_of_memory(e);
        return false;
    }
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
    bool fresh;
    struct node *n = node_here(d, &fresh);
    if (n == NULL)
        return explore_out_of_memory(e);
    if (fresh) {
        n->kind = NODE_VALUE;
        n->n = (uint32_t)nvalues;
        n->step = e->steps;
    } else if (n->kind != NODE_VALUE || n->n != (uint32_t)nvalues || n->step != e->steps) {
        struct sched_thread *t = e->x->current;
        return explore_parted(e, t ? t->id : -1, t && t->pending ? t->pending->loc
                                                                   : (struct sched_loc){ 0 },
                              "at step %u, the same schedule made a choice among %u values in "
                              "one run and among %d in another", e->steps + 1,
                              n->kind == NODE_VALUE ? n->n : 0, nvalues);
    }
    d->depth++;
    return (int)n->chosen;
}

/* Move the deepest node with an option left to that option. */
static bool dfs_advance(struct explorer *e)
{
    struct dfs *d = e->state;
    find_final_races(e);              /* the final state's blocked threads too */
    if (d->dpor)
        dpor_begin(d->dpor);
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
                n->op_cls = NULL;     /* learned on its first run */
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

/*
** How much of the tree the search has covered, reading the path as a
** mixed-radix number: at each node, the options finished before the current
** one, out of all it has (DPOR's grow as races appear, so the estimate can
** move back). Knuth's estimate of a backtrack tree, cheaply.
*/
static double dfs_covered(struct explorer *e)
{
    struct dfs *d = e->state;
    double covered = 0, share = 1;
    for (size_t i = 0; i < d->len; i++) {
        const struct node *n = &d->path[i];
        double total, before;
        if (n->kind == NODE_VALUE) {
            total = n->n;
            before = n->chosen;
        } else {
            sched_mask all = d->dpor ? (n->backtrack | n->done) & n->enabled
                                     : n->enabled & ~n->sleep;
            total = __builtin_popcountll(all | n->done);
            before = __builtin_popcountll(n->done) - 1;
        }
        if (total < 1)
            break;
        covered += share * before / total;
        share /= total;
    }
    return covered;
}

const struct strategy explore_dpor = {
    .name = "dpor", .init = dpor_init, .pick_thread = dfs_pick_thread, .forced = dfs_forced,
    .after_step = dpor_after_step, .pick_value = dfs_pick_value, .advance = dfs_advance,
    .fini = dfs_fini, .covered = dfs_covered,
};

const struct strategy explore_dfs = {
    .name = "dfs", .init = dfs_init, .pick_thread = dfs_pick_thread, .forced = dfs_forced,
    .pick_value = dfs_pick_value, .advance = dfs_advance, .fini = dfs_fini,
    .covered = dfs_covered,
};
