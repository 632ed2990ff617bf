/*
** strategy.h -- inside the search: what a strategy implements (one file
** each: dfs.c, pct.c, random.c, replay.c) and the driver that runs it
** (explore.c). Plans (plan.c) combine searches with strategies.
*/
#ifndef WEFT_STRATEGY_H
#define WEFT_STRATEGY_H

#include "explore/classes.h"
#include "explore/explore.h"
#include "explore/pack.h"

struct search {
    struct sched_config sc;
    struct exec *x;
    bool owns_exec;
    uint32_t *rec;                    /* choices of the running execution */
    size_t rec_cap;
    bool rec_in_window;               /* rec is a supervisor's window's, not malloc'd */
    struct split_mark *marks;         /* a split search's units (explore_result) */
    size_t nmarks, marks_cap;
    struct pack mark;                 /* the last mark's bytes (explore_config.mark) */
    /* --jobs (split.claims): the unit this process took last; kept when a
    ** search starts again to check memory (the counter has moved on). */
    uint64_t claimed;                 /* EXPLORE_NO_UNIT: none yet */
    uint64_t claimed_at[3];           /* the counts when it was taken (split.unit_done) */
    uint32_t *kept;                   /* --keep-going: the first failure's choices
                                         (keep_failure), or NULL */
};

struct explorer;
struct strategy {
    const char *name;
    /* Set up e->state: 0, or WEFT_ENOMEM. */
    int (*init)(struct explorer *e);
    /* Optional: an execution begins (e->sample is its number). */
    void (*begin)(struct explorer *e);
    int (*pick_thread)(struct explorer *e, sched_mask enabled, int current);
    bool (*forced)(struct explorer *e, int tid);  /* optional: see sched_chooser */
    void (*after_step)(struct explorer *e, const struct sched_step *s);  /* optional */
    /* Optional: the execution has ended, before it is counted. */
    void (*ended)(struct explorer *e);
    int (*pick_value)(struct explorer *e, int n);
    /* After an execution: prepare the next one; false when done. */
    bool (*advance)(struct explorer *e);
    void (*fini)(struct explorer *e);
    /* Optional: the estimated fraction of the space already covered. */
    double (*covered)(struct explorer *e);
    /* Optional (checkpoints): between executions, the search position as
    ** text (malloc'd; NULL without memory); and, right after init, going
    ** on from such a position: 0, or -1 if the text is not one. */
    char *(*save)(struct explorer *e);
    int (*load)(struct explorer *e, const char *text);
    /* Optional (marks, explore_config.mark): the same position in binary
    ** (pack.h), appended to *out: false without memory; and going on from
    ** it: 0, or -1 if the bytes are not one. */
    bool (*pack)(struct explorer *e, struct pack *out);
    int (*unpack)(struct explorer *e, const void *bytes, size_t len);
};

struct explorer {
    const struct strategy *strategy;
    const struct explore_config *cfg;
    struct explore_result *result;
    struct exec *x;
    struct explore_window *window;    /* cfg->window: a supervisor reads along */
    uint32_t *rec;                    /* choices of the running execution */
    size_t nrec, rec_cap;
    uint32_t steps;                   /* steps taken in the running execution */
    uint32_t preemptions;             /* in the running execution */
    void *state;                      /* the strategy's own */
    int error;                        /* WEFT_ENOMEM: a strategy ran out of memory */
    double saved_at;                  /* when the last checkpoint was taken */
    /* A split search (shard.c): the unit the running execution is in, and
    ** whether it is another shard's (then it is not counted, classed or
    ** reported: the strategy only walks through it). */
    uint64_t unit;
    bool skip;
    bool split_over;                  /* split.claims: no unit is left to take */
    bool leave_unit;                  /* --jobs --keep-going: the running execution
                                         failed, the rest of its unit is left
                                         (the strategy's advance goes to the next) */
    /* The running execution's number in its search (0: the first), which
    ** seeds a sampling strategy's stream (rng.h); and with split.block,
    ** the end of the unit of executions it is in (shard.c). */
    uint64_t sample, sample_end;
    /* A split search's checkpoints (not --jobs: its workers redo a unit
    ** whole): the position and counts where the unit of the next
    ** execution began, saved instead of the position inside it (shard.c,
    ** split_advance); NULL before the first unit boundary. */
    char *unit_start;
    struct coverage unit_start_cov;
    struct search *search;
    bool dying;                       /* the running execution is resume.died's */
    struct classes classes;           /* with cfg->on_class: the running execution's */
    /* Set by a strategy whose stored choices no longer fit the scenario: the
    ** execution ends as WEFT_NONDETERMINISM (explore_parted). */
    struct { bool yes; int tid; struct sched_loc at; char what[200]; } parted;
};

/* May the pending operations of two threads fail to commute? */
bool explore_dependent(struct exec *x, struct sched_thread *ta, struct sched_thread *tb);

/* One search with strategy st, adding its counts to r; stops at an
** accepted failure, a divergence, max_exec executions (0: no bound) or
** the time limit. *covered: the strategy covered its whole space.
** Returns 0, or WEFT_ENOMEM. */
int explore_search(struct search *s, const struct explore_config *ec,
                   const struct strategy *st, struct explore_result *r, uint64_t max_exec,
                   double time_limit, bool *covered);

/* A split search: this shard's unit e->unit begins now (its counts so
** far are where). false without memory. */
bool explore_mark_unit(struct explorer *e);

/* split.claims (shard.c): a failure in unit `unit` was accepted; and
** must the search stop before unit `unit` (a lower unit failed, and not
** keep_going)? */
void split_failed(const struct explore_config *ec, uint64_t unit, enum weft_result result);
/* split.claims with keep_going: does this process go on past a failure,
** to its next unit (where no checkpoint records the units it finishes)? */
bool split_goes_past_failures(const struct explore_config *ec);
bool split_past_failure(const struct explore_config *ec, uint64_t unit);
/* A sampled search split into blocks of executions (split.block): take
** the first unit this process runs, or the next once e->sample has passed
** the end of its unit; e->sample, e->unit, e->sample_end set. false: no
** unit is left for it (or, without memory, e->error). */
bool split_sample_first(struct explorer *e);
bool split_sample_next(struct explorer *e);
/* A split search resumed from a checkpoint (a unit's beginning, shard.c):
** its checkpoints save that position until the next unit begins. */
void split_resumed_at(struct explorer *e, const char *position);
/* split.finish_only, resumed: r counts from the taken unit's beginning. */
void split_resumed(struct search *s, const struct explore_config *ec, struct explore_result *r);

/* Why the search must end now, though its strategy is not done: the time
** limit, or a supervisor or a signal asked it to stop (EXPLORE_STOP_*). */
int explore_stop_asked(const struct explore_config *ec);
/* The same, or the search's time limit reached (plan.c). */
bool explore_time_is_up(const struct explore_config *ec);

/* The scenario did something else than in an earlier run of the same
** choices, at the step about to run: say what (a printf message), by which
** thread and where, and end the execution. Returns -1 (abandon). */
int explore_parted(struct explorer *e, int tid, struct sched_loc at, const char *fmt, ...)
    WEFT_PRINTF(4, 5);

/* Stop the running execution and the search: a strategy without memory. */
static inline int explore_out_of_memory(struct explorer *e)
{
    e->error = WEFT_ENOMEM;
    return -1;
}

/* A split search of ec (explore_split): count its units, then run the
** units of this shard with strategy st; r as run_one fills it (plan.c). */
int explore_run_split(struct search *s, const struct explore_config *ec,
                      const struct strategy *st, struct explore_result *r);

extern const struct strategy explore_dpor, explore_dfs, explore_random, explore_pct,
    explore_replay;

#endif
