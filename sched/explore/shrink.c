/*
** shrink.c -- minimises a failing execution before it is shown: first the
** fewest preemptions (a bounded search at 0, 1, ... below the original),
** then the fewest steps at that bound, keeping the failure's class and
** signature (the threads of its wait-for cycle, or the failing thread). The
** result is replayed last, so the scheduler's state is the shrunk one.
*/
#include <stdlib.h>
#include <string.h>
#include "explore.h"

#define SHRINK_EXECUTIONS 20000       /* per bounded search */

struct best {
    enum weft_result result;
    sched_mask signature;
    sched_mask (*signature_of)(const struct sched_outcome *o);
    uint32_t *choices;
    size_t nchoices, cap;
    uint32_t nsteps, preemptions;
    bool found;
    bool fewest_steps;                /* phase 2: keep looking for shorter ones */
};

static void keep(struct best *b, const struct explore_result *r)
{
    if (r->nchoices + 1 > b->cap) {
        b->cap = r->nchoices + 1;     /* never 0: an execution may make no choice */
        b->choices = realloc(b->choices, b->cap * sizeof *b->choices);
        if (b->choices == NULL)
            abort();
    }
    if (r->nchoices)
        memcpy(b->choices, r->choices, r->nchoices * sizeof *r->choices);
    b->nchoices = r->nchoices;
    b->nsteps = r->nsteps;
    b->preemptions = r->preemptions;
    b->found = true;
}

/* The explorer's accept callback: same failure, and smaller than the best? */
static bool same_failure(void *ctx, const struct explore_result *r)
{
    struct best *b = ctx;
    if (r->outcome.result != b->result || b->signature_of(&r->outcome) != b->signature)
        return false;
    bool smaller = r->preemptions < b->preemptions ||
                   (r->preemptions == b->preemptions && r->nsteps < b->nsteps);
    if (smaller)
        keep(b, r);
    return smaller && !b->fewest_steps;   /* phase 2 goes on to the budget */
}

static void bounded_search(const struct sched_config *cfg, const struct explore_config *base,
                           struct best *b, int bound, struct explore_result *scratch)
{
    struct explore_config c = *base;
    c.strategy = "dfs";
    c.sleep_sets = true;
    c.max_preemptions = bound;
    c.max_executions = SHRINK_EXECUTIONS;
    c.accept = same_failure;
    c.accept_ctx = b;
    explore_run(cfg, &c, scratch);
}

int explore_shrink(const struct sched_config *cfg, const struct explore_config *base,
                   struct explore_result *found,
                   sched_mask (*signature_of)(const struct sched_outcome *o))
{
    static struct explore_result scratch;
    struct best b = { .result = found->outcome.result, .signature_of = signature_of,
                      .signature = signature_of(&found->outcome) };
    keep(&b, found);
    uint32_t from_steps = found->nsteps, from_preemptions = found->preemptions;
    b.found = false;
    for (int bound = 0; bound < (int)from_preemptions && !b.found; bound++)
        bounded_search(cfg, base, &b, bound, &scratch);
    b.fewest_steps = true;
    bounded_search(cfg, base, &b, (int)b.preemptions, &scratch);

    struct explore_result kept = *found;  /* the search's coverage stays */
    struct explore_config rc = *base;
    rc.strategy = "replay";
    rc.replay = b.choices;
    rc.nreplay = b.nchoices;
    rc.replay_steps = b.nsteps;
    rc.accept = NULL;
    explore_run(cfg, &rc, found);
    found->executions = kept.executions;
    found->pruned = kept.pruned;
    found->exhaustive = kept.exhaustive;
    found->bound_hit = kept.bound_hit;
    found->bound = kept.bound;
    memcpy(found->plan, kept.plan, sizeof found->plan);
    found->shrunk_from_steps = from_steps;
    found->shrunk_from_preemptions = from_preemptions;
    found->preemptions = b.preemptions;
    free(b.choices);
    return found->failed && found->outcome.result == b.result ? 0 : -1;
}
