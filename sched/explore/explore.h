/*
** explore.h -- the search over executions: strategies and their driver.
** The driver re-runs the scenario (sched_run) until the strategy has nothing
** left, a bound is hit, or an execution fails; every choice made is recorded
** so that a failure can be printed as a schedule token and replayed.
*/
#ifndef WEFT_EXPLORE_H
#define WEFT_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sched.h"

struct explore_result;

struct explore_config {
    /* "dpor", "dfs", "random", "pct", "replay", or a plan: "bounded"
    ** (iterative preemption bounding) or "auto" (dpor, then pct when the
    ** space is too large for the time limit). */
    const char *strategy;
    bool sleep_sets;                  /* dfs: prune with sleep sets */
    int max_preemptions;              /* dfs: -1 for no bound */
    uint64_t max_executions;          /* 0: no bound */
    uint64_t seed;                    /* random, pct */
    int depth;                        /* pct: the bug depth d */
    const uint32_t *replay;           /* replay: the token's choices */
    size_t nreplay;
    uint32_t replay_steps;
    /* Seconds since the search began, from the caller (sched/ reads no
    ** clock); with time_limit > 0 the search stops once it is reached. */
    double (*elapsed)(void *ctx);
    void *clock_ctx;
    double time_limit;
    /* Optional: on a failing execution, whether it counts; false goes on
    ** searching (shrinking looks for a smaller failure of the same kind). */
    bool (*accept)(void *ctx, const struct explore_result *r);
    void *accept_ctx;
    /* Optional: told every 256 executions how far the search is; covered is
    ** the estimated fraction of an exhaustive search's space, or -1. */
    void (*progress)(void *ctx, const struct explore_result *r, double covered);
    void *progress_ctx;
    /* Optional: called at every state, before each scheduling decision and
    ** once at the end (weft explain prints the state there). */
    void (*observe)(void *ctx);
    void *observe_ctx;
};

struct explore_result {
    uint64_t executions;              /* executions run to their end */
    uint64_t pruned;                  /* abandoned: sleep-set or bound blocked */
    uint64_t cut;                     /* stopped at the step bound (not spinning) */
    bool timed;                       /* some execution waited on virtual time */
    bool exhaustive;                  /* the whole space within the bounds */
    bool bound_hit;                   /* the preemption bound cut something */
    bool failed;                      /* outcome is a failure */
    struct sched_outcome outcome;     /* of the last execution */
    const uint32_t *choices;          /* of the last execution (owned here) */
    size_t nchoices;
    uint32_t nsteps;
    uint32_t preemptions;             /* of the last execution */
    uint32_t shrunk_from_steps;       /* explore_shrink: the original's size, */
    uint32_t shrunk_from_preemptions; /* 0 when not shrunk */
    int bound;                        /* bounded: the bound searched last */
    char plan[96];                    /* what ran, e.g. "dpor, then pct d=1..3" */
    char divergence[256];             /* replay: where it diverged, or "" */
};

/* Explore cfg->scenario. The last execution's state stays readable through
** sched.h until the next call. Returns 0, or -1 for an unknown strategy. */
int explore_run(const struct sched_config *cfg, const struct explore_config *ec,
                struct explore_result *r);

/* Minimise the failure in `found` (fewest preemptions, then fewest steps)
** keeping its class and signature_of(outcome); found is replaced by the
** shrunk execution, replayed, with the original search's coverage. 0, or -1
** if the replay did not reproduce it (a nondeterministic scenario). */
int explore_shrink(const struct sched_config *cfg, const struct explore_config *base,
                   struct explore_result *found,
                   sched_mask (*signature_of)(const struct sched_outcome *o));

/* ---- what strategies implement (one file each, listed in explore.c) ---- */

struct explorer;
struct strategy {
    const char *name;
    void (*init)(struct explorer *e);
    int (*pick_thread)(struct explorer *e, sched_mask enabled, int current);
    bool (*forced)(struct explorer *e, int tid);  /* optional: see sched_chooser */
    void (*after_step)(struct explorer *e, const struct sched_step *s);  /* optional */
    int (*pick_value)(struct explorer *e, int n);
    /* After an execution: prepare the next one; false when done. */
    bool (*advance)(struct explorer *e);
    void (*fini)(struct explorer *e);
    /* Optional: the estimated fraction of the space already covered. */
    double (*covered)(struct explorer *e);
};

struct explorer {
    const struct strategy *strategy;
    const struct explore_config *cfg;
    struct explore_result *result;
    uint32_t *rec;                    /* choices of the running execution */
    size_t nrec, rec_cap;
    uint32_t steps;                   /* steps taken in the running execution */
    uint32_t preemptions;             /* in the running execution */
    void *state;                      /* the strategy's own */
    char *divergence;                 /* where a strategy reports divergence */
};

/* May the pending operations of two threads fail to commute? */
bool explore_dependent(struct sched_thread *ta, struct sched_thread *tb);

extern const struct strategy explore_dpor, explore_dfs, explore_random, explore_pct,
    explore_replay;

#endif
