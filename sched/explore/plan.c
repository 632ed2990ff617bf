/*
** plan.c -- the one table of what a user can ask for: each plan's name,
** its help text and how it runs (one strategy, or searches made of
** searches: bounded, auto). The command line validates, prints help and
** builds `auto` from this table alone.
*/
#include <string.h>
#include "explore/strategy.h"

/* A plan that runs one strategy: exhaustive when the strategy covered its
** space with no failure, divergence or cut execution. */
static int run_one(struct search *s, const struct explore_config *ec, struct explore_result *r)
{
    bool covered;
    if (ec->split.depth != 0)
        return explore_run_split(s, ec, ec->plan->strategy, r);
    int rc = explore_search(s, ec, ec->plan->strategy, r, ec->max_executions, ec->time_limit,
                            &covered);
    r->cov.exhaustive = covered && !r->failed && !r->divergence[0] && r->cov.cut == 0;
    r->cov.seed = ec->seed;
    r->cov.depth = ec->depth;
    return rc;
}

static uint64_t budget_left(const struct explore_config *ec, const struct explore_result *r)
{
    uint64_t used = r->cov.executions + r->cov.pruned;
    if (ec->max_executions == 0)
        return 0;                     /* no bound */
    return used < ec->max_executions ? ec->max_executions - used : 1;
}

bool explore_time_is_up(const struct explore_config *ec)
{
    return explore_stop_asked(ec) ||
           (ec->time_limit > 0 && ec->elapsed && ec->elapsed(ec->clock_ctx) >= ec->time_limit);
}

/*
** Iterative preemption bounding (CHESS): every execution with at most 0,
** then 1, 2, ... preemptions, until a bug shows, the bound cuts nothing
** (the space is covered), or --max-preemptions is reached. Plain DFS: sleep
** sets are not complete under a preemption bound.
*/
static int run_bounded(struct search *s, const struct explore_config *ec,
                       struct explore_result *r)
{
    struct explore_config c = *ec;
    c.sleep_sets = false;
    for (int b = 0;; b++) {
        bool covered;
        c.max_preemptions = b;
        r->cov.bound_hit = false;
        r->cov.bound = b;
        int rc = explore_search(s, &c, &explore_dfs, r, budget_left(ec, r), ec->time_limit,
                                &covered);
        if (rc)
            return rc;
        if (r->failed || r->divergence[0] || !covered || explore_time_is_up(ec))
            return 0;
        if (!r->cov.bound_hit || (ec->max_preemptions >= 0 && b >= ec->max_preemptions)) {
            r->cov.exhaustive = r->cov.cut == 0;
            return 0;
        }
        if (ec->max_executions && budget_left(ec, r) <= 1)
            return 0;
    }
}

/*
** The default: DPOR with half the time limit; if that does not cover the
** space, PCT with depth 1, 2, 3, ... (1000 executions each, new seeds each
** round) until the limit. A sampled result never claims to be exhaustive.
*/
#define PCT_ROUND 1000
#define PCT_MAX_AUTO_DEPTH 5

static const struct explore_plan plan_dpor;

static int run_auto(struct search *s, const struct explore_config *ec, struct explore_result *r)
{
    struct explore_config c = *ec;
    double first = ec->time_limit > 0 ? ec->time_limit / 2 : 0;
    bool covered;
    int rc = explore_search(s, &c, &explore_dpor, r, budget_left(ec, r), first, &covered);
    r->cov.exhaustive = covered && r->cov.cut == 0;
    r->cov.plan = &plan_dpor;         /* what ran, unless it falls back below */
    if (rc || r->cov.exhaustive || r->failed || r->divergence[0] || first == 0 ||
        explore_stop_asked(ec))
        return rc;
    r->cov.plan = ec->plan;
    r->cov.sampled = true;
    r->cov.seed = ec->seed;
    for (int round = 0; !r->failed && !explore_time_is_up(ec); round++) {
        if (ec->max_executions && r->cov.executions + r->cov.pruned >= ec->max_executions)
            break;
        c.depth = r->cov.depth = 1 + round % PCT_MAX_AUTO_DEPTH;
        c.seed = ec->seed + (uint64_t)round;
        uint64_t n = budget_left(ec, r);
        rc = explore_search(s, &c, &explore_pct, r, n && n < PCT_ROUND ? n : PCT_ROUND,
                            ec->time_limit, &covered);
        if (rc)
            return rc;
    }
    return 0;
}

/* ==========================================================================
** The table
** ========================================================================== */

static const struct explore_plan plan_auto = {
    .name = "auto", .run = run_auto,
    .help = "dpor; if it cannot finish in half the time limit, pct with\n"
            "depth 1, 2, 3, ... for the rest (reported as sampled)",
};
static const struct explore_plan plan_dpor = {
    .name = "dpor", .run = run_one, .strategy = &explore_dpor,
    .help = "exhaustive, one execution per class of equivalent interleavings",
};
const struct explore_plan explore_plan_dfs = {
    .name = "dfs", .run = run_one, .strategy = &explore_dfs,
    .help = "exhaustive, every interleaving (sleep sets prune repeats)",
};
static const struct explore_plan plan_bounded = {
    .name = "bounded", .run = run_bounded, .raises_bound = true,
    .help = "every execution with 0, then 1, 2, ... preemptions",
};
static const struct explore_plan plan_pct = {
    .name = "pct", .run = run_one, .strategy = &explore_pct, .sampled = true, .has_depth = true,
    .help = "probabilistic concurrency testing with --depth (seeded)",
};
static const struct explore_plan plan_random = {
    .name = "random", .run = run_one, .strategy = &explore_random, .sampled = true,
    .help = "seeded random walk",
};
const struct explore_plan explore_plan_replay = {
    .name = "replay", .run = run_one, .strategy = &explore_replay,
    .help = "one execution, as a schedule token gives it",
};

const struct explore_plan *const explore_plans[] = {
    &plan_auto, &plan_dpor, &explore_plan_dfs, &plan_bounded, &plan_pct, &plan_random, NULL,
};

const struct explore_plan *explore_plan_named(const char *name)
{
    for (int i = 0; explore_plans[i]; i++)
        if (strcmp(explore_plans[i]->name, name) == 0)
            return explore_plans[i];
    return strcmp(name, explore_plan_replay.name) == 0 ? &explore_plan_replay : NULL;
}
