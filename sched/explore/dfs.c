/*
** dfs.c -- depth-first search over every choice (sleep sets, preemption
** bound optional), and optimal DPOR: the same search where a node's options
** are the branches of its wakeup tree (wakeup.c), grown from races
** (dpor.c), and each branch is followed step by step. The path is a stack
** of choice nodes; each execution replays its prefix. The running thread
** goes first where nothing else is asked for.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore/dpor.h"
#include "explore/grow.h"
#include "explore/shard.h"
#include "explore/strategy.h"

enum { NODE_THREAD, NODE_VALUE };

/*
** What a race's last reversal changed nothing with, so that the same
** reversal at the end of a later execution is known to change nothing
** either (the races of a replayed prefix are reversed again at the end of
** every execution, and most of them are covered every time): the node's
** sets and wakeup tree as they were, the cutoff, and the last step the
** reversal took. It holds while the tree (its version) and the sets are
** the same, the steps it took are still the execution's (before `from`,
** the earliest step the executions since have replayed up to), and no
** step from `from` on would join it (dpor_unordered_from): the steps
** before `from` were looked at when it was made or last found to hold.
*/
struct memo {
    bool ok;
    uint32_t from, last, cutoff;
    uint64_t tree;
    sched_mask done, fails, sleep;
};

/* A race found while an execution runs, reversed when it has ended: step
** `step` and thread tid's operation `op`, which came with tid's clock. */
struct race {
    uint32_t step;
    int32_t clock_event;              /* tid's clock then: this event's */
    struct wake_op op;
    struct wake_op enabler;           /* op as what may let it run, if it could not */
    bool posted;                      /* op was pending before the step already */
    bool could_run;                   /* op could run when the race was seen */
    uint32_t seen;                    /* the steps then */
    int32_t last_then;                /* tid's last step then (dpor_last_event) */
    struct memo memo;
};

struct node {
    uint8_t kind;
    int32_t prev_tid;                 /* thread that ran before the choice */
    uint32_t chosen;
    uint32_t n;                       /* NODE_VALUE: number of values */
    sched_mask enabled, done, sleep;  /* NODE_THREAD */
    sched_mask runnable;              /* enabled before fairness and symmetry */
    /* Threads whose step from here stops the execution (a failure, the
    ** return that ends it): those run here (learned when the execution
    ** ends) and sleepers carried in. */
    sched_mask fails;
    /* The sleep set after this choice (sleep_after), once worked out: every
    ** replay of the prefix makes the same choice among the same pending
    ** operations, so it is worked out again only when the choice changes. */
    sched_mask sleep_out;
    bool sleep_out_known;
    /* DPOR. A thread node's wakeup tree: the branches still to run from
    ** here; the branch being run (what follows the chosen step), until the
    ** next node takes it over. A value node's: what the branch it came in
    ** on does after each value (wakeup.h, value choices). */
    wake_tree wut, branch;
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
    sched_mask sleep_fails;           /* those of it whose step stops it (node.fails) */
    uint32_t preemptions;             /* so far in the running execution */
    bool blocked;                     /* the running execution was abandoned */
    struct dpor *dpor;                /* NULL: plain DFS */
    uint32_t recorded;                /* DPOR: dpor_steps, which every step asks
                                         (and what the steps recorded so far) */
    struct wake_pool pool;            /* DPOR: every node's wakeup tree */
    wake_tree pending;                /* DPOR: the branch the next new node follows */
    struct wake_seq seq;              /* DPOR: the reversal being inserted */
    struct race *races;               /* DPOR: found on the path (see keep_races) */
    size_t nraces, races_cap;
    bool oom;                         /* DPOR: a race could not be recorded */
    bool refind;                      /* DPOR: the path was loaded from a checkpoint,
                                         so its races are found again (find_races) */
    int32_t *node_of_step;            /* DPOR: choice node before each step, or -1 */
    size_t steps_cap;
    struct exec *x;                   /* the execution searched */
    struct split_walk split;          /* a split search's static top and units */
};

/* A new node at the end of the path, or NULL without memory. */
static struct node *push(struct dfs *d)
{
    if (!explore_grow((void **)&d->path, &d->cap, d->len + 1, sizeof *d->path))
        return NULL;
    struct node *n = &d->path[d->len++];
    memset(n, 0, sizeof *n);
    n->wut = n->branch = WAKE_NONE;
    return n;
}

static int dfs_init(struct explorer *e)
{
    struct dfs *d = calloc(1, sizeof *d);
    if (d == NULL)
        return WEFT_ENOMEM;
    d->x = e->x;
    wake_pool_init(&d->pool);
    wake_seq_init(&d->seq, &d->x->masks);
    d->pending = WAKE_NONE;
    e->state = d;
    split_begin(&d->split, e);
    return 0;
}

static void dfs_fini(struct explorer *e)
{
    struct dfs *d = e->state;
    dpor_free(d->dpor);
    wake_pool_free(&d->pool);
    wake_seq_free(&d->seq);
    free(d->races);
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

/* The thread of x whose key is `key`, or -1. */
static int thread_named(const struct exec *x, uint64_t key)
{
    for (int i = 0; i < x->nthreads; i++)
        if (x->threads[i]->obj.key == key)
            return i;
    return -1;
}

/* Thread r's next step from the state before step `step`: the one it
** took later in this execution, or its pending operation. false if it
** has none (it cannot be a sleeper then). */
static bool next_step_of(struct dfs *d, uint32_t step, int r, struct wake_op *op)
{
    if (dpor_next_step(d->dpor, step, r, op))
        return true;
    struct sched_thread *t = d->x->threads[r];
    if (r >= d->x->nthreads || t->pending == NULL)
        return false;
    wake_op_of(d->x, t, t->pending, op);
    return true;
}

/* The threads asleep at n that the static top of a split search put to
** sleep (shard.h), none outside a split one: those asleep at the unit's
** first thread node. (The unit may begin with a choice of value, which
** keeps no sleep set of its own: a value changes no one's sleep.) */
static sched_mask static_sleep(struct dfs *d, const struct node *n)
{
    size_t root = d->split.depth;
    if (root == 0)
        return MASK_NONE;
    while (root < d->len && d->path[root].kind != NODE_THREAD)
        root++;
    if (root >= d->len)
        return MASK_NONE;
    return mask_and(&d->x->masks, n->sleep, d->path[root].sleep);
}

/* The threads asleep at n that DPOR may take as covering a reversal: not
** those the static top put to sleep. */
static sched_mask covering_sleep(struct dfs *d, const struct node *n)
{
    return mask_minus(&d->x->masks, n->sleep, static_sleep(d, n));
}

/* The threads asleep at n, or explored there already, that may cover a
** reversal at n (covered_by_sleeper): not the one chosen there, whose step
** the reversal reverses. */
static sched_mask sleepers(struct dfs *d, const struct node *n)
{
    struct mask_table *tab = &d->x->masks;
    sched_mask asleep = mask_minus(tab, mask_or(tab, covering_sleep(d, n), n->done), n->fails);
    return mask_without(tab, asleep, (int)n->chosen);
}

/* Is the reversal in d->seq covered at node n by a thread asleep there
** (or explored there already): could it go first and still lead there?
** Not if its step fails: the execution stops there, and nothing after it
** was explored. And the reversal is followed by the step it reverses
** (`step`, n's choice): a sleeper with no step in the reversal must
** commute with that step too. Else the sleeper's subtree, which runs the
** sleeper before that step, holds the reversal but never the order the
** race asked for after it (a read of what the step writes, which came
** after the step and so is not in the reversal, would come before it). */
static bool covered_by_sleeper(struct dfs *d, const struct node *n, uint32_t step)
{
    sched_mask asleep = sleepers(d, n);
    struct wake_op reversed;
    if (mask_empty(asleep) || !next_step_of(d, step, (int)n->chosen, &reversed))
        return false;
    MASK_FOR(r, asleep) {
        struct wake_op op;
        if (next_step_of(d, step, r, &op) && wake_seq_weak_initial_then(&d->seq, &op, &reversed))
            return true;
    }
    return false;
}

/* A branch at n for thread r's next step from there, unless one begins
** with r already. */
static void add_next_step(struct dfs *d, struct node *n, uint32_t step, int r)
{
    struct wake_op op;
    if (next_step_of(d, step, r, &op) && !wake_tree_add_step(&d->pool, n->wut, &op))
        d->oom = true;
}

/* The reversal cannot begin at n (its first step was not enabled there:
** a dependence the operations do not state). Fall back to Flanagan and
** Godefroid's rule: try tid there, or every thread that could run. */
static void add_fallback(struct dfs *d, struct node *n, uint32_t step, int tid)
{
    struct mask_table *tab = &d->x->masks;
    sched_mask open = mask_minus(tab, n->enabled, mask_or(tab, n->sleep, n->done));
    sched_mask add = mask_has(open, tid) ? mask_one(tab, tid) : open;
    MASK_FOR(r, add)
        add_next_step(d, n, step, r);
}

/* Keep the race of step `step` with tid's next operation for the end of
** the execution (Optimal DPOR reverses races in the whole execution). */
static void note_race(void *ctx, uint32_t step, int tid)
{
    struct dfs *d = ctx;
    if (!explore_grow((void **)&d->races, &d->races_cap, d->nraces + 1, sizeof *d->races)) {
        d->oom = true;
        return;
    }
    struct race *r = &d->races[d->nraces++];
    r->step = step;
    r->posted = d->x->threads[tid]->last_step <= step;
    r->clock_event = dpor_clock_event(d->dpor, tid);
    r->last_then = dpor_last_event(d->dpor, tid);
    r->seen = dpor_steps(d->dpor);
    r->memo = (struct memo){ .ok = false };   /* (keep_races reads its steps too) */
    struct sched_thread *t = d->x->threads[tid];
    r->could_run = sched_thread_enabled(d->x, t);
    wake_op_of(d->x, t, t->pending, &r->op);
    r->enabler = r->op;
    if (t->pending->cls->enablers && !r->could_run)
        wake_op_enablers(t->pending, &r->enabler);
}

/*
** Called before every scheduling decision: the races of every parked
** thread's next operation. While an execution replays the path's prefix,
** every state is one an earlier execution saw, with the same steps behind
** it: its races were found then (and kept, keep_races), unless the path
** came from a checkpoint: then the first execution finds them again.
*/
static inline __attribute__((always_inline)) void find_races(struct explorer *e)
{
    struct dfs *d = e->state;         /* every step asks: inline, so that DFS
                                         and a replayed prefix pay one test */
    if (d->dpor && (d->depth >= d->len || d->refind) &&
        dpor_races(d->dpor, e->x, note_race, d) != 0)
        explore_out_of_memory(e);
}

/* Remember that r's reversal at n, with that cutoff and last step taken,
** changed nothing (struct memo). */
static void remember(struct dfs *d, struct race *r, const struct node *n, sched_mask sleep,
                     uint32_t cutoff, uint32_t last)
{
    r->memo = (struct memo){ .ok = true, .from = d->recorded, .last = last,
                             .cutoff = cutoff, .tree = wake_tree_version(&d->pool, n->wut),
                             .done = n->done, .fails = n->fails, .sleep = sleep };
}

/*
** Remember that r's reversal at n changed nothing, when the threads asleep
** there (sleepers) may have decided it: covered it, or failed to, as the
** insertion found. Their next steps from r's step decide that, so they
** must be steps of this execution (not operations still pending, which
** another continuation changes), and the memo lasts only while those
** steps are replayed (its last step is the latest of them).
*/
static void remember_with_sleepers(struct dfs *d, struct race *r, const struct node *n,
                                   sched_mask sleep, uint32_t cutoff, uint32_t last)
{
    sched_mask asleep = sleepers(d, n);
    MASK_FOR(s, asleep) {
        int32_t next = dpor_next_event(d->dpor, r->step, s);
        if (next < 0)
            return;
        if ((uint32_t)next > last)
            last = (uint32_t)next;
    }
    remember(d, r, n, sleep, cutoff, last);
}

/* Would r's reversal at n, with that cutoff, change nothing again? Then
** no step up to the execution's last joins it: only the steps of the
** executions after this one are to be looked at next time. */
static bool unchanged(struct dfs *d, struct race *r, const struct node *n, sched_mask sleep,
                      uint32_t cutoff)
{
    struct memo *m = &r->memo;
    if (!(m->ok && m->cutoff == cutoff && m->tree == wake_tree_version(&d->pool, n->wut) &&
          mask_eq(m->done, n->done) && mask_eq(m->fails, n->fails) && mask_eq(m->sleep, sleep) &&
          !dpor_unordered_from(d->dpor, r->step, m->from)))
        return false;
    m->from = d->recorded;
    return true;
}

/* The race r, found in the execution that just ended: the reversed order
** (the steps after r's step that do not depend on it, then the racing
** operation) becomes a branch of the wakeup tree of the node before that
** step, unless a sleeping thread or an existing branch already leads to
** it (Optimal DPOR, Algorithm 2). A race whose last reversal changed
** nothing is not reversed again while nothing it depends on has changed
** (struct memo). */
static void reverse(struct dfs *d, struct race *r)
{
    int32_t k = r->step < d->steps_cap ? d->node_of_step[r->step] : -1;
    if (k < 0)
        return;                       /* one thread could run: nothing to reverse */
    if (split_static(&d->split, (size_t)k))
        return;                       /* a static node runs every awake thread anyway */
    struct node *n = &d->path[k];
    int tid = r->op.tid;
    sched_mask sleep = covering_sleep(d, n);
    if (mask_empty(mask_minus(&d->x->masks, n->enabled, mask_or(&d->x->masks, n->done, sleep))))
        return;                       /* its first step has run here, or sleeps: covered */
    bool waits;
    uint32_t last;
    /* An operation that could run when the race was seen, and never ran:
    ** the reversal runs it there, so what came later and conflicts with
    ** it (a stop of the timer that would fire) comes after it. */
    uint32_t cutoff = r->could_run && dpor_last_event(d->dpor, tid) == r->last_then
                          ? r->seen : UINT32_MAX;
    if (unchanged(d, r, n, sleep, cutoff))
        return;
    r->memo.ok = false;
    if (!dpor_reversal(d->dpor, r->step, tid, &r->op, &r->enabler, r->clock_event, cutoff,
                       &d->seq, &waits, &last)) {
        d->oom = true;
        return;
    }
    if (r->posted && !waits && !mask_has(n->runnable, tid)) {
        remember(d, r, n, sleep, cutoff, last);
        return;                       /* r's step enabled the operation: no race */
    }
    int head = wake_seq_head(&d->seq);
    if (head < 0 || !mask_has(n->enabled, head)) {
        add_fallback(d, n, r->step, tid);
        return;
    }
    if (covered_by_sleeper(d, n, r->step)) {
        remember_with_sleepers(d, r, n, sleep, cutoff, last);
        return;
    }
    int inserted = wake_tree_insert(&d->pool, n->wut, &d->seq);
    if (inserted < 0)
        d->oom = true;
    else if (inserted == 0)
        remember_with_sleepers(d, r, n, sleep, cutoff, last);
}

/* The execution stopped at thread tid's last step (a failure, or the
** return that ended it): if a choice of threads came right before it,
** tid's step stops it from there. */
static void note_failing_step(struct dfs *d, const struct exec *x, int tid)
{
    uint32_t last = x->threads[tid]->last_step;
    int32_t k = last > 0 && last - 1 < d->steps_cap ? d->node_of_step[last - 1] : -1;
    if (k >= 0 && d->path[k].chosen == (uint32_t)tid)
        mask_add(&d->x->masks, &d->path[k].fails, tid);
}

/*
** At the end of an execution: the races of the operations still pending
** (a blocked thread's next step races like any other). A failure that
** stopped the execution (an assertion, a crash, a misuse) also stopped
** every other thread: the failing thread's last step conflicts with the
** next step of each of them. So did the return that ended an execution
** with detached threads left (sched.c). A cut at the step bound stopped
** them too: each could have taken the place of the latest step of another
** thread.
** Then every race found is reversed against the whole execution.
*/
static void reverse_races(struct explorer *e)
{
    struct dfs *d = e->state;
    const struct sched_outcome *o = &e->x->outcome;
    if (d->dpor == NULL)
        return;
    if (dpor_races(d->dpor, e->x, note_race, d) != 0)
        d->oom = true;
    bool stopped = o->result != WEFT_PASS && o->result != WEFT_DEADLOCK &&
                   o->result != WEFT_LEAK && o->failing_tid >= 0;
    int ender = stopped ? o->failing_tid : o->ender;
    if (ender >= 0) {
        note_failing_step(d, e->x, ender);
        dpor_races_with_end(d->dpor, e->x, ender, note_race, d);
    }
    else if (o->cut)
        dpor_races_with_cut(d->dpor, e->x, note_race, d);
    for (size_t i = 0; i < d->nraces && !d->oom; i++)
        reverse(d, &d->races[i]);
    if (d->oom)
        explore_out_of_memory(e);
}

/* Remember which node (or none) precedes the step about to run; false
** without memory. A step DPOR recorded already was noted by the execution
** that recorded it, before the same node. */
static inline __attribute__((always_inline)) bool note_step(struct explorer *e, int32_t node)
{
    struct dfs *d = e->state;         /* every step asks: inline, as find_races */
    if (d->dpor == NULL || e->steps < d->recorded)
        return true;
    if (!explore_grow((void **)&d->node_of_step, &d->steps_cap, (size_t)e->steps + 1,
                      sizeof *d->node_of_step))
        return false;
    d->node_of_step[e->steps] = node;
    return true;
}

/* A step the last execution took too, with the same steps before it, was
** recorded then (dfs_advance keeps the replayed prefix). */
static void dpor_after_step(struct explorer *e, const struct sched_step *s)
{
    struct dfs *d = e->state;
    if (e->steps < d->recorded)
        return;
    if (dpor_step(d->dpor, e->x, s, e->x->threads[s->tid]->pending) != 0)
        explore_out_of_memory(e);
    else
        d->recorded++;
}

static uint32_t cost(const struct node *n, int tid)
{
    return n->prev_tid >= 0 && tid != n->prev_tid && mask_has(n->enabled, n->prev_tid);
}

static bool within_bound(struct explorer *e, const struct node *n, int tid)
{
    int bound = e->cfg->max_preemptions;
    return bound < 0 || n->preemptions + cost(n, tid) <= (uint32_t)bound;
}

/* The threads at n not yet taken, asleep, or beyond the preemption bound. */
static sched_mask open_options(struct explorer *e, struct node *n)
{
    struct mask_table *tab = &e->x->masks;
    sched_mask open = mask_minus(tab, n->enabled, mask_or(tab, n->done, n->sleep));
    if (e->cfg->max_preemptions < 0)
        return open;                  /* no bound: every open thread is within it */
    struct mask_builder ok = MASK_BUILDER_INIT;
    MASK_FOR(t, open)
        if (within_bound(e, n, t))
            mask_build_add(&ok, t);
        else
            e->result->cov.bound_hit = true;
    return mask_build_done(tab, &ok);
}

/* Sleep set after n's choice: sleepers and earlier options that commute
** with the chosen thread's operation stay asleep. */
static sched_mask sleep_after(struct explorer *e, const struct node *n)
{
    if (!e->cfg->sleep_sets)
        return MASK_NONE;
    struct mask_table *tab = &e->x->masks;
    sched_mask carry = mask_without(tab, mask_or(tab, n->sleep, n->done), (int)n->chosen);
    if (mask_empty(carry))
        return MASK_NONE;
    struct sched_thread *chosen = e->x->threads[n->chosen];
    struct mask_builder out = MASK_BUILDER_INIT;
    MASK_FOR(t, carry)
        if (!explore_dependent(e->x, chosen, e->x->threads[t]))
            mask_build_add(&out, t);
    return mask_build_done(tab, &out);
}

/* Make tid n's choice. */
static void choose(struct mask_table *tab, struct node *n, int tid)
{
    n->chosen = (uint32_t)tid;
    mask_add(tab, &n->done, tid);
    n->sleep_out_known = false;
}

/* The sleep set after n's choice, worked out on the choice's first run. */
static sched_mask sleep_after_node(struct explorer *e, struct node *n)
{
    if (!n->sleep_out_known) {
        n->sleep_out = sleep_after(e, n);
        n->sleep_out_known = true;
    }
    return n->sleep_out;
}

/*
** A branch that cannot begin here was asked for by a race whose reversal
** depends on something the operations do not state (the fairness filter
** held a spinner back, say). Fall back to Flanagan and Godefroid's rule:
** every thread that can run here gets a branch. What they will do is not
** known once the search has moved on, so their steps depend on all.
*/
static bool branch_per_thread(struct explorer *e, struct node *n)
{
    struct dfs *d = e->state;
    sched_mask open = open_options(e, n);
    MASK_FOR(t, open) {
        struct wake_op op = { .thread = e->x->threads[t]->obj.key, .tid = t,
                              .flags = WAKE_MANY };
        if (!wake_tree_add_step(&d->pool, n->wut, &op)) {
            d->oom = true;
            return false;
        }
    }
    return true;
}

/*
** DPOR: make the first branch of n's wakeup tree that can run n's choice;
** what follows its first step is n->branch. A branch that begins with a
** thread asleep or run here already is covered; one beyond the preemption
** bound is given up; one whose thread cannot run here at all is a
** deviation (a dependence the operations did not state). So is one that
** begins with a thread the static top of a split search put to sleep:
** such a thread never covers a reversal (covering_sleep), so the insertion
** did not stop at it, and other reversals may have been merged into the
** branch behind it (a sequence that the branch's steps cover as weak
** initials); dropping the branch would lose them. false when no branch is
** left.
*/
static bool take_branch(struct explorer *e, struct node *n, bool *deviated)
{
    struct dfs *d = e->state;
    const struct wake_op *first;
    wake_tree_drop(&d->pool, n->branch);
    n->branch = WAKE_NONE;
    while ((first = wake_tree_first(&d->pool, n->wut)) != NULL) {
        int tid = thread_named(e->x, first->thread);
        wake_tree b = wake_tree_take(&d->pool, n->wut, first->thread);
        if (tid >= 0 && mask_has(open_options(e, n), tid)) {
            choose(&e->x->masks, n, tid);
            n->branch = b;
            return true;
        }
        wake_tree_drop(&d->pool, b);
        if (tid < 0 || !mask_has(n->enabled, tid) || mask_has(static_sleep(d, n), tid)) {
            *deviated = true;
            if (!branch_per_thread(e, n))
                return false;
        }
    }
    return false;
}

/* Nothing asks for a thread at n: the running one if it may go on, else
** the lowest open one; -1 if none is open. */
static int free_choice(struct explorer *e, struct node *n, int current)
{
    sched_mask open = open_options(e, n);
    if (mask_empty(open))
        return -1;
    return mask_has(open, current) ? current : mask_first(open);
}

/* DPOR's first pick at a fresh node: the wakeup tree handed down, or a free
** choice made into a branch of its own. */
static bool first_branch(struct explorer *e, struct node *n, int current)
{
    struct dfs *d = e->state;
    bool deviated = false;
    if (wake_tree_first(&d->pool, n->wut) != NULL) {
        if (take_branch(e, n, &deviated))
            return true;
    } else {
        int tid = free_choice(e, n, current);
        struct wake_op op;
        if (tid < 0)
            return false;
        wake_op_of(e->x, e->x->threads[tid], e->x->threads[tid]->pending, &op);
        if (!wake_tree_add_step(&d->pool, n->wut, &op)) {
            d->oom = true;
            return false;
        }
        return take_branch(e, n, &deviated);
    }
    if (deviated) {                   /* the tree led nowhere: go on freely */
        int tid = free_choice(e, n, current);
        if (tid >= 0)
            choose(&e->x->masks, n, tid);
        return tid >= 0;
    }
    return false;
}

/* A fresh thread node for this state: its options, and the first pick.
** false when all are asleep or out of bound: the path repeats an
** explored one. */
static bool new_thread_node(struct explorer *e, struct node *n, sched_mask enabled, int current)
{
    struct dfs *d = e->state;
    n->kind = NODE_THREAD;
    n->step = e->steps;
    n->prev_tid = current;
    n->enabled = enabled;
    n->sleep = mask_and(&d->x->masks, d->sleep, enabled);
    n->fails = mask_and(&d->x->masks, d->sleep_fails, n->sleep);
    n->runnable = e->x->runnable;
    n->preemptions = d->preemptions;
    if (d->dpor && !split_static(&d->split, (size_t)(n - d->path))) {
        const struct wake_op *next = wake_tree_first(&d->pool, d->pending);
        if (next && (next->flags & WAKE_VALUE)) {   /* its step chose no value this time */
            wake_tree_drop(&d->pool, d->pending);
            d->pending = WAKE_NONE;
        }
        n->wut = d->pending >= 0 ? d->pending : wake_tree_new(&d->pool);
        d->pending = WAKE_NONE;
        if (n->wut < 0) {
            d->oom = true;
            return false;
        }
        return first_branch(e, n, current);
    }
    int tid = free_choice(e, n, current);
    if (tid >= 0)
        choose(&e->x->masks, n, tid);
    return tid >= 0;
}

/* Free what node n holds of the wakeup trees. */
static void drop_trees(struct dfs *d, struct node *n)
{
    wake_tree_drop(&d->pool, n->wut);
    wake_tree_drop(&d->pool, n->branch);
    n->wut = n->branch = WAKE_NONE;
}

/* ==========================================================================
** Nondeterminism: a replayed prefix must run as it ran before
** ========================================================================== */

static const char *thread_name(struct explorer *e, int tid)
{
    return tid >= 0 && tid < e->x->nthreads ? e->x->threads[tid]->obj.name : "?";
}

/* Check the replay of thread node n against the run that made it; -1 (after
** explore_parted) when the scenario did something else this time. */
static int check_thread_node(struct explorer *e, struct node *n, sched_mask enabled)
{
    struct sched_thread *t = e->x->threads[n->chosen];
    struct sched_op *op = mask_has(enabled, (int)n->chosen) ? t->pending : NULL;
    if (n->kind != NODE_THREAD || n->step != e->steps)
        return explore_parted(e, (int)n->chosen, op ? op->loc : (struct sched_loc){ 0 },
                              "the same schedule reached a choice of threads at step %u in "
                              "one run and at step %u in another", n->step + 1, e->steps + 1);
    if (op == NULL || !mask_eq(enabled, n->enabled))
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
    if (split_stop_at(&d->split, e, d->depth))
        return -1;                    /* another shard's unit begins here */
    find_races(e);
    struct node *n = node_here(d, &fresh);
    if (n == NULL)
        return explore_out_of_memory(e);
    if (fresh && !new_thread_node(e, n, enabled, current)) {
        drop_trees(d, n);
        d->len--;
        d->blocked = true;
        return d->oom ? explore_out_of_memory(e) : -1;
    }
    if (check_thread_node(e, n, enabled) != 0)
        return -1;
    if (!note_step(e, (int32_t)(n - d->path)))
        return explore_out_of_memory(e);
    d->depth++;
    d->sleep = sleep_after_node(e, n);
    d->sleep_fails = mask_and(&d->x->masks, d->sleep, n->fails);
    d->preemptions = n->preemptions + cost(n, (int)n->chosen);
    if (d->depth == d->len) {         /* past the prefix: follow n's branch */
        d->pending = n->branch;
        n->branch = WAKE_NONE;
    }
    return (int)n->chosen;
}

/* DPOR, past the prefix: only tid can run, so the branch being followed
** goes on with tid's step. If it asked for another thread, it cannot be
** followed (a deviation): what follows is chosen freely. */
static void follow_forced(struct dfs *d, int tid)
{
    if (d->pending < 0)
        return;
    wake_tree next = wake_tree_take(&d->pool, d->pending, d->x->threads[tid]->obj.key);
    wake_tree_drop(&d->pool, d->pending);
    d->pending = next;
}

/* Only tid can run. If it is asleep, this path repeats an explored one. The
** other sleepers are disabled: drop them (keeping them is optional). */
static bool dfs_forced(struct explorer *e, int tid)
{
    struct dfs *d = e->state;
    if (d->depth < d->len && d->path[d->depth].kind == NODE_THREAD &&
        d->path[d->depth].step == e->steps) {
        struct sched_op *op = e->x->threads[tid]->pending;
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
    if (d->depth >= d->len)
        follow_forced(d, tid);
    if (mask_has(d->sleep, tid)) {
        d->blocked = true;
        return false;
    }
    d->sleep = d->sleep_fails = MASK_NONE;
    return true;
}

static int dfs_pick_value(struct explorer *e, int nvalues)
{
    struct dfs *d = e->state;
    bool fresh;
    if (split_stop_at(&d->split, e, d->depth))
        return -1;                    /* another shard's unit begins here */
    struct node *n = node_here(d, &fresh);
    if (n == NULL)
        return explore_out_of_memory(e);
    if (fresh) {
        n->kind = NODE_VALUE;
        n->n = (uint32_t)nvalues;
        n->step = e->steps;
        n->wut = d->pending;          /* the branch's steps after each value */
        d->pending = WAKE_NONE;
    } else if (n->kind != NODE_VALUE || n->n != (uint32_t)nvalues || n->step != e->steps) {
        struct sched_thread *t = e->x->current;
        return explore_parted(e, t ? t->id : -1, t && t->pending ? t->pending->loc
                                                                   : (struct sched_loc){ 0 },
                              "at step %u, the same schedule made a choice among %u values in "
                              "one run and among %d in another", e->steps + 1,
                              n->kind == NODE_VALUE ? n->n : 0, nvalues);
    }
    d->depth++;
    if (d->dpor && e->steps >= dpor_steps(d->dpor) && dpor_value(d->dpor, n->chosen) != 0)
        return explore_out_of_memory(e);
    if (d->dpor && d->depth == d->len)   /* past the prefix: follow this value's branch */
        d->pending = wake_tree_take_value(&d->pool, n->wut, e->x->current->obj.key, n->chosen);
    return (int)n->chosen;
}

/* Move n to its next option: DPOR's next branch, or DFS's next thread. */
static bool next_option(struct explorer *e, struct node *n)
{
    struct dfs *d = e->state;
    bool deviated = false;
    if (d->dpor && !split_static(&d->split, (size_t)(n - d->path)))
        return take_branch(e, n, &deviated);
    sched_mask open = open_options(e, n);
    if (!mask_empty(open))
        choose(&e->x->masks, n, mask_first(open));
    return !mask_empty(open);
}

static void dfs_ended(struct explorer *e)
{
    struct dfs *d = e->state;
    split_end(&d->split, e);
}

/*
** The races found in states the next execution replays (the first `steps`
** steps) are races of that execution too, and they are reversed again at
** its end: a reversal is what came after the race's step in the whole
** execution (Optimal DPOR reverses every race of every execution), and
** a new continuation makes a new reversal. Reversing a race of the prefix
** only once, against the first continuation, lost classes: a race of two
** timer fires, reversed before the locks that followed them were ever
** reordered, never met the deadlock those locks make with the fires in the
** other order (tests/dpor/races_again_after_the_prefix.c).
*/
static void keep_races(struct dfs *d, uint32_t steps)
{
    while (d->nraces > 0 && d->races[d->nraces - 1].seen > steps)
        d->nraces--;
    for (size_t i = 0; i < d->nraces; i++) {
        struct memo *m = &d->races[i].memo;
        if (m->from > steps)
            m->from = steps;          /* the steps from here on will be new */
        if (m->last >= m->from)
            m->ok = false;            /* and its reversal took one of them */
    }
}

/* Move the deepest node with an option left to that option. */
static bool dfs_advance(struct explorer *e)
{
    struct dfs *d = e->state;
    reverse_races(e);
    if (d->dpor) {
        wake_tree_drop(&d->pool, d->pending);
        d->pending = WAKE_NONE;
    }
    while (d->len > 0) {
        struct node *n = &d->path[d->len - 1];
        bool left = e->leave_unit && d->len > d->split.depth;   /* the unit failed */
        if (!left && n->kind == NODE_VALUE && n->chosen + 1 < n->n) {
            n->chosen++;
            break;
        }
        if (!left && n->kind == NODE_THREAD && next_option(e, n)) {
            n->op_cls = NULL;         /* learned on its first run */
            break;
        }
        drop_trees(d, n);
        d->len--;
    }
    if (d->dpor) {                    /* the next execution replays up to the last node */
        uint32_t replayed = d->len > 0 ? d->path[d->len - 1].step : 0;
        dpor_rewind(d->dpor, replayed);
        d->recorded = dpor_steps(d->dpor);
        keep_races(d, replayed);
    }
    d->depth = 0;
    d->sleep = d->sleep_fails = MASK_NONE;
    d->preemptions = 0;
    d->blocked = false;
    d->refind = false;
    split_advance(&d->split, e, d->len, d->len > 0);
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
            bool tree = d->dpor && !split_static(&d->split, i);
            sched_mask all = tree ? n->done : mask_minus(&d->x->masks, n->enabled, n->sleep);
            total = mask_count(mask_or(&d->x->masks, all, n->done)) +
                    (tree ? wake_tree_branches(&d->pool, n->wut) : 0);
            before = mask_count(n->done) - 1;
        }
        if (total < 1)
            break;
        covered += share * before / total;
        share /= total;
    }
    return covered;
}

/* ==========================================================================
** Checkpoints: the path between executions, as text
** ==========================================================================
** One line per node: "T prev chosen enabled done sleep runnable fails
** preemptions step" or "V chosen values step", and for DPOR each node's
** wakeup tree and the branch it runs. What a node learns on its
** first run (the operation, for the nondeterminism check) is learned again.
*/

/* m as checkpoint text (mask_write), then `after`; false without memory. */
static bool append_mask(char **buf, size_t *len, size_t *cap, sched_mask m, const char *after)
{
    char small[64], *text = small;
    int n = mask_write(m, small, sizeof small);
    if (n < 0)
        return false;
    if ((size_t)n >= sizeof small) {  /* threads past 64 */
        if ((text = malloc((size_t)n + 1)) == NULL)
            return false;
        mask_write(m, text, (size_t)n + 1);
    }
    bool ok = wake_text_append(buf, len, cap, text) && wake_text_append(buf, len, cap, after);
    if (text != small)
        free(text);
    return ok;
}

/* A thread node's line. */
static bool append_thread_node(char **buf, size_t *len, size_t *cap, const struct node *n)
{
    char head[64], tail[64];
    snprintf(head, sizeof head, "T %d %u ", n->prev_tid, n->chosen);
    snprintf(tail, sizeof tail, "%u %u\n", n->preemptions, n->step);
    return wake_text_append(buf, len, cap, head) &&
           append_mask(buf, len, cap, n->enabled, " ") &&
           append_mask(buf, len, cap, n->done, " ") && append_mask(buf, len, cap, n->sleep, " ") &&
           append_mask(buf, len, cap, n->runnable, " ") && append_mask(buf, len, cap, n->fails, " ") &&
           wake_text_append(buf, len, cap, tail);
}

static char *dfs_save(struct explorer *e)
{
    struct dfs *d = e->state;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool ok = true;
    char line[256];
    snprintf(line, sizeof line, "dfs %d %zu\n", d->dpor != NULL, d->len);
    ok = wake_text_append(&buf, &len, &cap, line);
    split_save(&d->split, e, line, sizeof line);   /* a split search's unit */
    ok = ok && wake_text_append(&buf, &len, &cap, line);
    for (size_t i = 0; ok && i < d->len; i++) {
        const struct node *n = &d->path[i];
        if (n->kind == NODE_VALUE) {
            snprintf(line, sizeof line, "V %u %u %u\n", n->chosen, n->n, n->step);
            ok = wake_text_append(&buf, &len, &cap, line);
        } else {
            ok = append_thread_node(&buf, &len, &cap, n);
        }
        if (ok && d->dpor)
            ok = wake_tree_write(&d->pool, n->wut, &buf, &len, &cap) &&
                 wake_tree_write(&d->pool, n->branch, &buf, &len, &cap);
    }
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* One node's line; false if it is not one. */
static bool read_node(struct mask_table *tab, const char **text, struct node *n)
{
    int used = 0, prev;
    if (sscanf(*text, "V %u %u %u\n%n", &n->chosen, &n->n, &n->step, &used) == 3 && used) {
        n->kind = NODE_VALUE;
        *text += used;
        return n->n > 1 && n->chosen < n->n;
    }
    used = 0;
    if (sscanf(*text, "T %d %u %n", &prev, &n->chosen, &used) != 2 || !used || prev < -1 ||
        n->chosen > INT32_MAX)
        return false;
    const char *s = *text + used;
    sched_mask *masks[] = { &n->enabled, &n->done, &n->sleep, &n->runnable, &n->fails };
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        if (!mask_read(tab, &s, masks[i]) || *s++ != ' ')
            return false;
    used = 0;
    if (sscanf(s, "%u %u\n%n", &n->preemptions, &n->step, &used) != 2 || !used ||
        !mask_has(n->enabled, (int)n->chosen))
        return false;
    n->kind = NODE_THREAD;
    n->prev_tid = prev;
    *text = s + used;
    return true;
}

static int dfs_load(struct explorer *e, const char *text)
{
    struct dfs *d = e->state;
    int dpor, used = 0;
    size_t len;
    if (d->len != 0 || sscanf(text, "dfs %d %zu\n%n", &dpor, &len, &used) != 2 ||
        !used || dpor != (d->dpor != NULL))
        return -1;
    text += used;
    if (!split_load(&d->split, e, &text))
        return -1;
    for (size_t i = 0; i < len; i++) {
        struct node *n = push(d);
        if (n == NULL || !read_node(&e->x->masks, &text, n))
            return -1;
        if (d->dpor &&
            ((n->wut = wake_tree_read(&d->pool, &text)) < 0 ||
             (n->branch = wake_tree_read(&d->pool, &text)) < 0))
            return -1;
    }
    d->refind = d->dpor != NULL;
    return *text == '\0' && d->len > 0 ? 0 : -1;
}

/* ==========================================================================
** Marks: the same in binary (pack.h), between the processes of one weft
** ==========================================================================
** The split line as text (shard.c keeps it so), then per node its kind
** and fields, the masks as words, and for DPOR its two trees.
*/

static void pack_node(struct pack *k, const struct node *n)
{
    pack_u64(k, n->kind);
    pack_u64(k, n->chosen);
    pack_u64(k, n->step);
    if (n->kind == NODE_VALUE) {
        pack_u64(k, n->n);
        return;
    }
    pack_u64(k, (uint64_t)((int64_t)n->prev_tid + 1));
    pack_u64(k, n->preemptions);
    const sched_mask masks[] = { n->enabled, n->done, n->sleep, n->runnable, n->fails };
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        pack_mask(k, masks[i]);
}

static bool dfs_pack(struct explorer *e, struct pack *k)
{
    struct dfs *d = e->state;
    char line[256];
    int split = split_save(&d->split, e, line, sizeof line);
    if (split < 0 || (size_t)split >= sizeof line)
        return false;
    pack_bytes(k, line, (size_t)split);
    pack_u64(k, d->len);
    for (size_t i = 0; i < d->len && !k->oom; i++) {
        pack_node(k, &d->path[i]);
        if (d->dpor && !(wake_tree_pack(&d->pool, d->path[i].wut, k) &&
                         wake_tree_pack(&d->pool, d->path[i].branch, k)))
            return false;
    }
    return !k->oom;
}

/* A node as pack_node packed it; false if the bytes are not one. */
static bool unpack_node(struct unpack *u, struct mask_table *tab, struct node *n)
{
    n->kind = (uint8_t)unpack_max(u, NODE_VALUE);
    n->chosen = (uint32_t)unpack_max(u, INT32_MAX);
    n->step = (uint32_t)unpack_max(u, UINT32_MAX);
    if (n->kind == NODE_VALUE) {
        n->n = (uint32_t)unpack_max(u, UINT32_MAX);
        return !u->bad && n->n > 1 && n->chosen < n->n;
    }
    n->prev_tid = (int32_t)((int64_t)unpack_max(u, (uint64_t)INT32_MAX + 1) - 1);
    n->preemptions = (uint32_t)unpack_max(u, UINT32_MAX);
    sched_mask *masks[] = { &n->enabled, &n->done, &n->sleep, &n->runnable, &n->fails };
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        if (!unpack_mask(u, tab, masks[i]))
            return false;
    return !u->bad && mask_has(n->enabled, (int)n->chosen);
}

/* The split line, made a string again for split_load. */
static bool unpack_split(struct explorer *e, struct unpack *u)
{
    struct dfs *d = e->state;
    char line[256];
    size_t n;
    const unsigned char *bytes = unpack_bytes(u, &n);
    if (bytes == NULL || n >= sizeof line)
        return false;
    memcpy(line, bytes, n);
    line[n] = '\0';
    const char *text = line;
    return split_load(&d->split, e, &text) && *text == '\0';
}

static int dfs_unpack(struct explorer *e, const void *bytes, size_t size)
{
    struct dfs *d = e->state;
    struct unpack u = { bytes, (const unsigned char *)bytes + size, false };
    if (d->len != 0 || !unpack_split(e, &u))
        return -1;
    size_t len = (size_t)unpack_max(&u, size);   /* a byte a node at least */
    for (size_t i = 0; i < len && !u.bad; i++) {
        struct node *n = push(d);
        if (n == NULL || !unpack_node(&u, &e->x->masks, n))
            return -1;
        if (d->dpor && ((n->wut = wake_tree_unpack(&d->pool, &u)) < 0 ||
                        (n->branch = wake_tree_unpack(&d->pool, &u)) < 0))
            return -1;
    }
    d->refind = d->dpor != NULL;
    return !u.bad && u.at == u.end && d->len > 0 ? 0 : -1;
}

const struct strategy explore_dpor = {
    .name = "dpor", .init = dpor_init, .pick_thread = dfs_pick_thread, .forced = dfs_forced,
    .after_step = dpor_after_step, .ended = dfs_ended, .pick_value = dfs_pick_value,
    .advance = dfs_advance,
    .fini = dfs_fini, .covered = dfs_covered, .save = dfs_save, .load = dfs_load,
    .pack = dfs_pack, .unpack = dfs_unpack,
};

const struct strategy explore_dfs = {
    .name = "dfs", .init = dfs_init, .pick_thread = dfs_pick_thread, .forced = dfs_forced,
    .ended = dfs_ended, .pick_value = dfs_pick_value, .advance = dfs_advance, .fini = dfs_fini,
    .covered = dfs_covered, .save = dfs_save, .load = dfs_load,
    .pack = dfs_pack, .unpack = dfs_unpack,
};
