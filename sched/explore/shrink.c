/*
** shrink.c -- minimises a failing execution before it is shown: first the
** fewest preemptions (a bounded search at 0, 1, ... below the original),
** then the fewest steps at that bound, keeping the failure's class and
** signature (the threads of its wait-for cycle, or the failing thread). The
** result is replayed last, so the execution's state is the shrunk one.
*/
#include <stdlib.h>
#include <string.h>
#include "explore/strategy.h"

#define SHRINK_EXECUTIONS 20000       /* per bounded search */

struct best {
    struct exec *x;
    enum weft_result result;
    sched_mask signature;
    sched_mask (*signature_of)(struct exec *x, const struct sched_outcome *o);
    uint32_t *choices;
    size_t nchoices, cap;
    uint32_t nsteps, preemptions;
    bool found;
    bool fewest_steps;                /* phase 2: keep looking for shorter ones */
    bool out_of_memory;
};

static void keep(struct best *b, const struct explore_result *r)
{
    if (r->nchoices + 1 > b->cap) {
        size_t cap = r->nchoices + 1; /* never 0: an execution may make no choice */
        uint32_t *bigger = realloc(b->choices, cap * sizeof *bigger);
        if (bigger == NULL) {
            b->out_of_memory = true;
            return;
        }
        b->choices = bigger;
        b->cap = cap;
    }
    if (r->nchoices)
        memcpy(b->choices, r->choices, r->nchoices * sizeof *r->choices);
    b->nchoices = r->nchoices;
    b->nsteps = r->nsteps;
    b->preemptions = r->preemptions;
    b->found = true;
}

/* The search's accept callback: same failure, and smaller than the best? */
static bool same_failure(void *ctx, const struct explore_result *r)
{
    struct best *b = ctx;
    if (r->outcome.result != b->result ||
        !mask_eq(b->signature_of(b->x, &r->outcome), b->signature))
        return false;
    bool smaller = r->preemptions < b->preemptions ||
                   (r->preemptions == b->preemptions && r->nsteps < b->nsteps);
    if (smaller)
        keep(b, r);
    return smaller && !b->fewest_steps;   /* phase 2 goes on to the budget */
}

static int bounded_search(struct search *s, const struct explore_config *base, struct best *b,
                          int bound, struct explore_result *scratch)
{
    struct explore_config c = *base;
    c.plan = &explore_plan_dfs;
    c.sleep_sets = true;
    c.max_preemptions = bound;
    c.max_executions = SHRINK_EXECUTIONS;
    c.accept = same_failure;
    c.accept_ctx = b;
    c.abandon_on_stop = true;
    int rc = explore_run(s, &c, scratch);
    return rc ? rc : b->out_of_memory ? WEFT_ENOMEM : 0;
}

/* Replay the best schedule into found, keeping the search's coverage
** (but the cut and timed flags, which describe the shown execution). */
static int replay_best(struct search *s, const struct explore_config *base, struct best *b,
                       struct explore_result *found)
{
    struct explore_result kept = *found;
    struct explore_config rc = *base;
    rc.plan = &explore_plan_replay;
    rc.replay = b->choices;
    rc.nreplay = b->nchoices;
    rc.replay_steps = b->nsteps;
    rc.accept = NULL;
    int err = explore_run(s, &rc, found);
    struct coverage shown = found->cov;
    found->cov = kept.cov;
    found->cov.cut = shown.cut;
    found->cov.timed = shown.timed;
    found->shrunk_from_steps = kept.nsteps;
    found->shrunk_from_preemptions = kept.preemptions;
    found->preemptions = b->preemptions;
    return err;
}

/* The bounds to try, fewest preemptions first: each up to 8, then twice
** the last, so a failure with thousands of preemptions (a livelock's
** spinners) is not searched again at every count below its own. */
static int next_bound(int bound)
{
    return bound < 8 ? bound + 1 : 2 * bound;
}

int explore_shrink(struct search *s, const struct explore_config *base,
                   struct explore_result *found,
                   sched_mask (*signature_of)(struct exec *x, const struct sched_outcome *o))
{
    struct explore_result *scratch = malloc(sizeof *scratch);
    struct best b = { .x = s->x, .result = found->outcome.result, .signature_of = signature_of,
                      .signature = signature_of(s->x, &found->outcome) };
    int rc = scratch ? 0 : WEFT_ENOMEM;
    keep(&b, found);
    uint32_t from_preemptions = found->preemptions;
    b.found = false;
    bool stopped = false;             /* a search was skipped, or cut, for time */
    for (int bound = 0; rc == 0 && bound < (int)from_preemptions && !b.found &&
                        !(stopped = explore_time_is_up(base));
         bound = next_bound(bound))
        rc = bounded_search(s, base, &b, bound, scratch);
    b.fewest_steps = true;
    if (rc == 0 && !stopped && !(stopped = explore_time_is_up(base))) {
        rc = bounded_search(s, base, &b, (int)b.preemptions, scratch);
        stopped = !scratch->cov.exhaustive && explore_time_is_up(base) &&
                  scratch->cov.executions + scratch->cov.pruned < SHRINK_EXECUTIONS;
    }
    if (rc == 0 && b.out_of_memory)
        rc = WEFT_ENOMEM;
    if (rc == 0)
        rc = replay_best(s, base, &b, found);
    found->shrink_stopped = stopped;
    free(b.choices);
    free(scratch);
    if (rc)
        return rc;
    return found->failed && found->outcome.result == b.result ? 0 : 1;
}
