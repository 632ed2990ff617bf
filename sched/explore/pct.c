/*
** pct.c -- probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010).
** Each execution gives every thread a random priority and picks d-1 random
** change points among the steps; the highest-priority enabled thread always
** runs, and at the i-th change point the running thread drops to priority
** i. A bug of depth d is found with probability at least 1/(n k^(d-1)).
** Seeded: the same seed gives the same executions. Each execution draws
** from its own stream (rng.h), and k, the longest execution seen, is
** learnt afresh every EXPLORE_SAMPLE_EPOCH executions, so that what an
** execution does depends on the seed and its number alone (with the
** executions of its epoch before it): a sharded search (shard.c) runs the
** executions one process would.
*/
#include <stdlib.h>
#include <string.h>
#include "explore/grow.h"
#include "explore/rng.h"
#include "explore/strategy.h"

#define PCT_MAX_DEPTH 16

struct pct {
    struct rng rng;
    int depth;
    uint32_t kmax;                    /* longest execution seen: the k of PCT */
    uint64_t *prio;                   /* per thread, nprio of them; 0: not seen
                                         yet this execution */
    size_t nprio;
    uint32_t change[PCT_MAX_DEPTH];   /* step numbers of the change points */
    int nchange;
    int seen;                         /* threads given a priority so far */
};

#define PCT_FIRST_K 64                /* k before an epoch's first execution ends */

/* A fresh execution, number n: forget priorities, draw d-1 change points
** in [1, k] from its stream. */
static void new_execution(struct pct *p, uint64_t seed, uint64_t n)
{
    rng_seed_execution(&p->rng, seed, n);
    if (n % EXPLORE_SAMPLE_EPOCH == 0)
        p->kmax = PCT_FIRST_K;
    if (p->nprio)
        memset(p->prio, 0, p->nprio * sizeof *p->prio);
    p->seen = 0;
    p->nchange = p->depth - 1;
    for (int i = 0; i < p->nchange; i++)
        p->change[i] = 1 + rng_below(&p->rng, p->kmax);
}

static int pct_init(struct explorer *e)
{
    struct pct *p = calloc(1, sizeof *p);
    if (p == NULL)
        return WEFT_ENOMEM;
    p->depth = e->cfg->depth < 1 ? 1 : e->cfg->depth > PCT_MAX_DEPTH ? PCT_MAX_DEPTH : e->cfg->depth;
    p->kmax = PCT_FIRST_K;
    e->state = p;
    return 0;
}

static void pct_begin(struct explorer *e)
{
    new_execution(e->state, e->cfg->seed, e->sample);
}

static void pct_fini(struct explorer *e)
{
    struct pct *p = e->state;
    free(p->prio);
    free(p);
}

/* Room for the priorities of threads [0, n); false without memory. */
static bool prio_room(struct pct *p, size_t n)
{
    size_t had = p->nprio;
    if (!explore_grow((void **)&p->prio, &p->nprio, n, sizeof *p->prio))
        return false;
    memset(p->prio + had, 0, (p->nprio - had) * sizeof *p->prio);
    return true;
}

/* Threads get their random initial priority when first seen; all initial
** priorities lie above the change-point priorities 1..d-1. */
static void give_priorities(struct pct *p, sched_mask enabled)
{
    MASK_FOR(t, enabled)
        if (p->prio[t] == 0)
            p->prio[t] = ((uint64_t)PCT_MAX_DEPTH + 1) << 32 | (rng_next(&p->rng) >> 32);
}

static int highest(const struct pct *p, sched_mask enabled)
{
    int best = -1;
    MASK_FOR(t, enabled)
        if (best < 0 || p->prio[t] > p->prio[best])
            best = t;
    return best;
}

/* At a change point the thread about to run drops to a low priority. */
static int pick(struct explorer *e, sched_mask enabled)
{
    struct pct *p = e->state;
    int top = -1;
    MASK_FOR(t, enabled)
        top = t;
    if (!prio_room(p, (size_t)top + 1))
        return explore_out_of_memory(e);
    give_priorities(p, enabled);
    int t = highest(p, enabled);
    for (int i = 0; i < p->nchange; i++)
        if (p->change[i] == e->steps + 1) {
            p->prio[t] = (uint64_t)(i + 1);
            t = highest(p, enabled);
        }
    return t;
}

static int pct_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    (void)current;
    return pick(e, enabled);
}

static bool pct_forced(struct explorer *e, int tid)
{
    return pick(e, mask_one(&e->x->masks, tid)) >= 0;   /* change points may fall on forced steps */
}

static int pct_pick_value(struct explorer *e, int n)
{
    return (int)rng_below(&((struct pct *)e->state)->rng, (uint32_t)n);
}

static bool pct_advance(struct explorer *e)
{
    struct pct *p = e->state;
    if (e->steps > p->kmax)
        p->kmax = e->steps;
    return true;                      /* the execution budget ends the search */
}

const struct strategy explore_pct = {
    .name = "pct", .init = pct_init, .begin = pct_begin, .pick_thread = pct_pick_thread,
    .forced = pct_forced,
    .pick_value = pct_pick_value, .advance = pct_advance, .fini = pct_fini,
};
