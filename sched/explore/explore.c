/*
** explore.c -- the driver: runs executions for a strategy, records choices.
** Strategies are tables (explore.h); adding one is a new file plus a line
** in `strategies` below. Nothing here reads the wall clock: time limits
** arrive through the elapsed callback.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore.h"

static const struct strategy *const strategies[] = {
    &explore_dpor, &explore_dfs, &explore_random, &explore_pct, &explore_replay, NULL,
};

/* ==========================================================================
** Dependence
** ========================================================================== */

static bool shares_object(const struct sched_op *a, const struct sched_op *b)
{
    const struct sched_obj *x[SCHED_MAX_OBJS], *y[SCHED_MAX_OBJS];
    int nx = sched_op_objects(a, x), ny = sched_op_objects(b, y);
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            if (x[i] == y[j])
                return true;
    return false;
}

static bool reads_only(struct sched_thread *t)
{
    return t->pending->cls->reads_only && t->pending->cls->reads_only(t, t->pending);
}

bool explore_dependent(struct sched_thread *ta, struct sched_thread *tb)
{
    const struct sched_op *a = ta->pending, *b = tb->pending;
    if (a->cls->commutes_with_everything || b->cls->commutes_with_everything)
        return false;
    if (sched_op_global(a) || sched_op_global(b))
        return true;
    if (!shares_object(a, b))
        return false;
    return !(reads_only(ta) && reads_only(tb));
}

/* ==========================================================================
** The chooser handed to sched_run
** ========================================================================== */

static void record(struct explorer *e, uint32_t v)
{
    if (e->nrec < e->rec_cap)
        e->rec[e->nrec++] = v;
}

static int pick_thread(void *self, sched_mask enabled, int current)
{
    struct explorer *e = self;
    if (e->cfg->observe)
        e->cfg->observe(e->cfg->observe_ctx);
    int tid = e->strategy->pick_thread(e, enabled, current);
    if (tid >= 0)
        record(e, (uint32_t)tid);
    if (tid >= 0 && current >= 0 && tid != current && (enabled & SCHED_BIT(current)))
        e->preemptions++;
    return tid;
}

static bool forced(void *self, int tid)
{
    struct explorer *e = self;
    if (e->cfg->observe)
        e->cfg->observe(e->cfg->observe_ctx);
    return e->strategy->forced == NULL || e->strategy->forced(e, tid);
}

static int pick_value(void *self, int n)
{
    struct explorer *e = self;
    int v = e->strategy->pick_value(e, n);
    if (v >= 0)
        record(e, (uint32_t)v);
    return v;
}

static void after_step(void *self, const struct sched_step *s)
{
    struct explorer *e = self;
    if (e->strategy->after_step)
        e->strategy->after_step(e, s);
    e->steps++;
}

/* ==========================================================================
** The driver
** ========================================================================== */

static const struct strategy *strategy_named(const char *name)
{
    for (int i = 0; strategies[i]; i++)
        if (strcmp(strategies[i]->name, name) == 0)
            return strategies[i];
    return NULL;
}

/* Checked after every execution; the clock is read every 64th time. */
static bool out_of_time(const struct explore_config *ec, double limit, uint64_t n)
{
    return limit > 0 && ec->elapsed && (n & 63) == 0 && ec->elapsed(ec->clock_ctx) >= limit;
}

static uint32_t *choice_buffer(const struct sched_config *cfg, size_t *cap)
{
    static uint32_t *rec;
    static size_t rec_cap;
    size_t need = 2 * (size_t)cfg->max_steps + 16;
    if (rec_cap < need) {
        free(rec);
        rec = malloc(need * sizeof *rec);
        if (rec == NULL) {
            fprintf(stderr, "weft: out of memory for the choice record\n");
            exit(2);
        }
        rec_cap = need;
    }
    *cap = rec_cap;
    return rec;
}

/*
** One search with one strategy, adding its counts to r. Stops at an
** accepted failure, a divergence, max_exec executions (0: no bound) or the
** time limit. Returns true when the strategy covered its whole space.
*/
static bool search(const struct sched_config *cfg, const struct explore_config *ec,
                   const struct strategy *s, struct explore_result *r,
                   uint64_t max_exec, double time_limit)
{
    size_t cap;
    uint32_t *rec = choice_buffer(cfg, &cap);
    struct explorer e = { .strategy = s, .cfg = ec, .result = r, .rec = rec,
                          .rec_cap = cap, .divergence = r->divergence };
    struct sched_chooser ch = { pick_thread, forced, pick_value, after_step, &e };
    bool covered = false;
    s->init(&e);
    for (uint64_t n = 1;; n++) {
        e.nrec = 0;
        e.steps = e.preemptions = 0;
        sched_run(cfg, &ch, &r->outcome);
        if (ec->observe)
            ec->observe(ec->observe_ctx);
        if (r->outcome.abandoned)
            r->pruned++;
        else
            r->executions++;
        r->cut += r->outcome.cut;
        r->timed |= r->outcome.timed;
        bool more = s->advance(&e);
        r->choices = rec;
        r->nchoices = e.nrec;
        r->nsteps = e.steps;
        r->preemptions = e.preemptions;
        if (r->outcome.result != WEFT_PASS && !r->outcome.abandoned &&
            (ec->accept == NULL || ec->accept(ec->accept_ctx, r))) {
            r->failed = true;
            break;
        }
        if (r->divergence[0])
            break;
        if (!more) {
            covered = true;
            break;
        }
        if ((max_exec && n >= max_exec) || out_of_time(ec, time_limit, n))
            break;
        if (ec->progress && (n & 255) == 0)
            ec->progress(ec->progress_ctx, r, s->covered ? s->covered(&e) : -1);
    }
    s->fini(&e);
    return covered;
}

/* ==========================================================================
** Plans: searches made of searches
** ========================================================================== */

static uint64_t budget_left(const struct explore_config *ec, const struct explore_result *r)
{
    uint64_t used = r->executions + r->pruned;
    if (ec->max_executions == 0)
        return 0;                     /* no bound */
    return used < ec->max_executions ? ec->max_executions - used : 1;
}

static bool time_is_up(const struct explore_config *ec)
{
    return ec->time_limit > 0 && ec->elapsed && ec->elapsed(ec->clock_ctx) >= ec->time_limit;
}

/*
** Iterative preemption bounding (CHESS): every execution with at most 0,
** then 1, 2, ... preemptions, until a bug shows, the bound cuts nothing
** (the space is covered), or --max-preemptions is reached. Plain DFS: sleep
** sets are not complete under a preemption bound.
*/
static void plan_bounded(const struct sched_config *cfg, const struct explore_config *ec,
                         struct explore_result *r)
{
    struct explore_config c = *ec;
    c.sleep_sets = false;
    for (int b = 0;; b++) {
        c.max_preemptions = b;
        r->bound_hit = false;
        r->bound = b;
        bool covered = search(cfg, &c, &explore_dfs, r, budget_left(ec, r), ec->time_limit);
        if (r->failed || r->divergence[0] || !covered || time_is_up(ec))
            break;
        if (!r->bound_hit || (ec->max_preemptions >= 0 && b >= ec->max_preemptions)) {
            r->exhaustive = r->cut == 0;
            break;
        }
        if (ec->max_executions && budget_left(ec, r) <= 1)
            break;
    }
    snprintf(r->plan, sizeof r->plan, "bounded, %d preemption%s", r->bound,
             r->bound == 1 ? "" : "s");
}

/*
** The default: DPOR with half the time limit; if that does not cover the
** space, PCT with depth 1, 2, 3, ... (1000 executions each, new seeds each
** round) until the limit. A sampled result never claims to be exhaustive.
*/
#define PCT_ROUND 1000
#define PCT_MAX_AUTO_DEPTH 5

static void plan_auto(const struct sched_config *cfg, const struct explore_config *ec,
                      struct explore_result *r)
{
    struct explore_config c = *ec;
    double first = ec->time_limit > 0 ? ec->time_limit / 2 : 0;
    r->exhaustive = search(cfg, &c, &explore_dpor, r, budget_left(ec, r), first) && r->cut == 0;
    snprintf(r->plan, sizeof r->plan, "dpor");
    if (r->exhaustive || r->failed || r->divergence[0] || first == 0)
        return;
    int depth = 0;
    for (int round = 0; !r->failed && !time_is_up(ec); round++) {
        if (ec->max_executions && r->executions + r->pruned >= ec->max_executions)
            break;
        depth = 1 + round % PCT_MAX_AUTO_DEPTH;
        c.depth = depth;
        c.seed = ec->seed + (uint64_t)round;
        uint64_t n = budget_left(ec, r);
        search(cfg, &c, &explore_pct, r, n && n < PCT_ROUND ? n : PCT_ROUND, ec->time_limit);
    }
    snprintf(r->plan, sizeof r->plan, "dpor (unfinished), then pct depth 1..%d, seed %llu", depth,
             (unsigned long long)ec->seed);
}

int explore_run(const struct sched_config *cfg, const struct explore_config *ec,
                struct explore_result *r)
{
    memset(r, 0, sizeof *r);
    if (strcmp(ec->strategy, "bounded") == 0) {
        plan_bounded(cfg, ec, r);
        return 0;
    }
    if (strcmp(ec->strategy, "auto") == 0) {
        plan_auto(cfg, ec, r);
        return 0;
    }
    const struct strategy *s = strategy_named(ec->strategy);
    if (s == NULL)
        return -1;
    bool covered = search(cfg, ec, s, r, ec->max_executions, ec->time_limit);
    r->exhaustive = covered && !r->failed && !r->divergence[0] && r->cut == 0;
    snprintf(r->plan, sizeof r->plan, "%s", s->name);
    if (s == &explore_pct)          /* a sampled run names what reproduces it */
        snprintf(r->plan, sizeof r->plan, "pct depth %d, seed %llu", ec->depth,
                 (unsigned long long)ec->seed);
    else if (s == &explore_random)
        snprintf(r->plan, sizeof r->plan, "random, seed %llu", (unsigned long long)ec->seed);
    return 0;
}
