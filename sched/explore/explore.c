/*
** explore.c -- the driver: runs executions for a strategy, records choices.
** Strategies are tables (explore.h); adding one is a new file plus a line
** in `strategies` below. Nothing here reads the wall clock: time limits
** arrive through the should_stop callback.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore.h"

static const struct strategy *const strategies[] = {
    &explore_dpor, &explore_dfs, &explore_random, &explore_replay, NULL,
};

/* ==========================================================================
** Dependence
** ========================================================================== */

#define MAX_TOUCHED 66

static int touched(const struct sched_op *op, const struct sched_obj **objs)
{
    if (op->cls->touches)
        return op->cls->touches(op, objs, MAX_TOUCHED);
    int n = 0;
    if (op->obj)
        objs[n++] = op->obj;
    if (op->obj2)
        objs[n++] = op->obj2;
    return n;
}

static bool shares_object(const struct sched_op *a, const struct sched_op *b)
{
    const struct sched_obj *x[MAX_TOUCHED], *y[MAX_TOUCHED];
    int nx = touched(a, x), ny = touched(b, y);
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
    if (a->deadline >= 0 || b->deadline >= 0)  /* timeouts depend on who moves time */
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
    int tid = e->strategy->pick_thread(e, enabled, current);
    if (tid >= 0)
        record(e, (uint32_t)tid);
    return tid;
}

static bool forced(void *self, int tid)
{
    struct explorer *e = self;
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

static bool out_of_budget(const struct explore_config *ec, const struct explore_result *r)
{
    if (ec->max_executions && r->executions + r->pruned >= ec->max_executions)
        return true;
    return ec->should_stop && ec->should_stop(ec->stop_ctx);
}

int explore_run(const struct sched_config *cfg, const struct explore_config *ec,
                struct explore_result *r)
{
    static uint32_t *rec;
    static size_t rec_cap;
    const struct strategy *s = strategy_named(ec->strategy);
    if (s == NULL)
        return -1;
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
    memset(r, 0, sizeof *r);
    struct explorer e = { .strategy = s, .cfg = ec, .result = r, .rec = rec,
                          .rec_cap = rec_cap, .divergence = r->divergence };
    struct sched_chooser ch = { pick_thread, forced, pick_value, after_step, &e };
    s->init(&e);
    for (;;) {
        e.nrec = 0;
        e.steps = 0;
        sched_run(cfg, &ch, &r->outcome);
        if (r->outcome.abandoned)
            r->pruned++;
        else
            r->executions++;
        bool more = s->advance(&e);
        if (r->outcome.result != WEFT_PASS && !r->outcome.abandoned) {
            r->failed = true;
            break;
        }
        if (r->divergence[0])
            break;
        if (!more) {
            r->exhaustive = true;
            break;
        }
        if (out_of_budget(ec, r))
            break;
    }
    r->choices = rec;
    r->nchoices = e.nrec;
    r->nsteps = e.steps;
    s->fini(&e);
    return 0;
}
