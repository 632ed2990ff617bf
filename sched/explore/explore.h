/*
** explore.h -- the search over executions: one struct search per scenario
** explored, the plans a user can ask for, and what a search found. A
** search owns its execution context, its buffers and its strategies'
** state; nothing is shared with another search.
*/
#ifndef WEFT_EXPLORE_H
#define WEFT_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include "core/sched.h"

struct explore_result;
struct explore_plan;

struct explore_window;

/*
** A split search (--shard K/N, --split-depth D; shard.c). The first depth
** choice nodes of the tree are static: they branch on every thread that is
** awake there (sleep-set search, no DPOR backtracking), so that every
** subtree below them, a unit, is a search of its own. Units are numbered
** in depth-first order; this process explores unit u when u % count ==
** index. depth 0: no split; EXPLORE_SPLIT_AUTO: the smallest depth that
** gives every shard EXPLORE_SPLIT_UNITS live units or more (a depth-first
** tree's subtrees differ widely in size: with 4 units a shard, lock_family
** 4x3 split 4 ways gave one shard everything; with 32, 1.25x; 64, 1.05x).
*/
#define EXPLORE_SPLIT_AUTO (-1)
#define EXPLORE_SPLIT_UNITS 64        /* live units per shard the automatic depth aims at */
#define EXPLORE_SPLIT_MAX_DEPTH 64
#define EXPLORE_NO_UNIT UINT64_MAX
/*
** A sampled search (pct, random) is split by execution number instead:
** each execution draws from a stream of its own (rng.h), so a unit is a
** block of consecutive executions, a whole number of epochs (the
** executions over which pct learns how long an execution is), and any
** process can run any unit. block: executions a unit (0: a tree's units).
*/
#define EXPLORE_SAMPLE_EPOCH 64
/*
** --jobs: the units of a split search taken in turn by the processes that
** share this (mapped shared before they fork) instead of dealt out by
** number: a process takes the next unit once it is done with its own, so
** a slow unit leaves no process idle. Every process walks the same static
** top, so the numbers agree. A failure lowers lowest_failed to its unit;
** unless keep_going, units above it are left and the ones below it are
** finished, so the lowest failing unit is found whatever the timing.
** taken[u] (room for cap units) marks units that are not to be taken
** (--resume: finished, or resumed where they were). With keep_going,
** failed[u] (room for failed_cap units, mapped shared by the parent) is
** the result of unit u's first failure plus one, 0 while none: whichever
** process found it, and whether that process lived to report it.
*/
struct explore_claims {
    uint64_t next;                    /* the next unit to take (atomic) */
    uint64_t lowest_failed;           /* EXPLORE_NO_UNIT, or the lowest failing unit */
    uint64_t units;                   /* in the search (the first process to count says) */
    uint64_t live_units, unit_hash;   /* and the rest of its count, */
    int depth;                        /* at this depth (0: not counted yet; set last) */
    uint64_t limit;                   /* units to take: the shard's (or all of them) */
    uint32_t shard_index, shard_count;   /* --shard K/N with --jobs (count 0: none): the
                                         shard's units are taken, numbered 0, 1, ... */
    bool keep_going;
    uint64_t cap;
    unsigned char *taken;             /* NULL: none */
    uint64_t failed_cap;
    unsigned char *failed;            /* NULL: none kept */
    uint64_t failed_past_cap;         /* failing units at or past failed_cap (atomic) */
};

/* A failure (result) in unit `unit`, by any worker: lowest_failed falls to
** it, and failed[] keeps it. */
void explore_claims_failed(struct explore_claims *c, uint64_t unit, enum weft_result result);

struct explore_split {
    int depth;
    uint64_t block;                   /* a sampled search: executions a unit (shard.c) */
    uint32_t index, count;            /* count 0: not sharded (as index 0 of 1) */
    uint32_t depth_for;               /* EXPLORE_SPLIT_AUTO picks the depth for this
                                         many shards (0: count): --jobs keeps it fixed */
    bool count_only;                  /* shard.c: walk through every unit, run none */
    struct explore_claims *claims;    /* --jobs: units are taken from here (index,
                                         count then only name the process) */
    /* --jobs --checkpoint: told each unit this process finished, with what
    ** it ran of it (the counts of a unit's executions, pruned and cut ones). */
    void (*unit_done)(void *ctx, uint64_t unit, const uint64_t counts[3]);
    void *unit_ctx;
    /* --jobs --resume: this process searches one unit and takes no other:
    ** redo_unit from its beginning or, with resume.position, the unit that
    ** position took from where it was (counting from the unit's beginning). */
    bool finish_only;
    uint64_t redo_unit;
};

struct explore_config {
    const struct explore_plan *plan;  /* what to run (explore_plan_named) */
    bool sleep_sets;                  /* dfs: prune with sleep sets */
    int max_preemptions;              /* dfs: -1 for no bound */
    uint64_t max_executions;          /* 0: no bound */
    uint64_t seed;                    /* random, pct */
    int depth;                        /* pct: the bug depth d */
    const uint32_t *replay;           /* replay: the token's choices */
    size_t nreplay;
    uint32_t replay_steps;
    /* Seconds since the search began, from the caller (the search reads no
    ** clock); with time_limit > 0 the search stops once it is reached. */
    double (*elapsed)(void *ctx);
    void *clock_ctx;
    double time_limit;
    /* Optional: on a failing execution, whether it counts; false goes on
    ** searching (shrinking looks for a smaller failure of the same kind). */
    bool (*accept)(void *ctx, const struct explore_result *r);
    void *accept_ctx;
    /* Give up the execution in progress at its next choice once a stop is
    ** asked (shrinking: a stop then keeps the failure found so far, which
    ** an execution of thousands of steps would otherwise hold back). */
    bool abandon_on_stop;
    /* Optional: told every 256 executions how far the search is; covered is
    ** the estimated fraction of an exhaustive search's space, or -1. */
    void (*progress)(void *ctx, const struct explore_result *r, double covered);
    void *progress_ctx;
    /* Optional: called at every state, before each scheduling decision and
    ** once at the end (weft explain prints the state there). */
    void (*observe)(void *ctx, struct exec *x);
    void *observe_ctx;
    /* Optional: told the class of every execution run to its end (the
    ** hash of its trace up to commuting operations, classes.c), with the
    ** execution's result, choices and step count (a schedule token's
    ** contents). stopped: a failure or the step bound stopped it (then the
    ** class is the failure's). */
    void (*on_class)(void *ctx, uint64_t hash, bool stopped, enum weft_result result,
                     const uint32_t *choices, size_t nchoices, uint32_t nsteps);
    void *class_ctx;
    /* Optional, for the dfs and dpor plans: checkpoints. Between
    ** executions, at most every checkpoint_every seconds and once more if
    ** the search stops with work left, checkpoint() is given the search's
    ** position (text), its counts so far, whether it checks memory and
    ** whether the position names objects by keys of this process only (a
    ** handle weft keyed by its address, sched_handle_key: another process
    ** cannot go on from it). With resume.position, the search goes on from
    ** such a checkpoint. */
    void (*checkpoint)(void *ctx, const char *position, const struct explore_result *r,
                       bool check_memory, bool local_keys);
    void *checkpoint_ctx;
    double checkpoint_every;
    struct explore_resume {
        const char *position;         /* NULL: start afresh */
        size_t packed;                /* 0: position is a checkpoint's text; else
                                         the length of a mark's bytes there */
        uint64_t executions, pruned, cut, failing;
        int failing_result;
        bool timed, bound_hit, check_memory;
        unsigned caveats;
        /* After a process died in an execution (supervise.c): the one
        ** numbered died_index (1: the search's first, pruned ones counted)
        ** ends as *died right where the dead process was, after its step
        ** died_steps and its choice died_choices, instead of running on
        ** into what killed it; so it counts as an ordinary failure. */
        uint64_t died_index;          /* 0: none */
        uint32_t died_steps, died_choices;
        const struct sched_outcome *died;
    } resume;
    /* Optional, for the dfs and dpor plans: marks for a supervisor that
    ** replaces a process that died (supervise.c). mark() is given the
    ** search's position in binary, len bytes (NULL: before its first
    ** execution; resume.packed takes it back), its counts and whether it
    ** checks memory when the search starts (unless it goes on from such a
    ** mark), and before every mark_every-th execution after that. */
    void (*mark)(void *ctx, const void *position, size_t len, const struct explore_result *r,
                 bool check_memory);
    void *mark_ctx;
    uint32_t mark_every;
    /* Optional: a supervisor's view of the search (see above); its stop
    ** flag ends the search. stop alone (no window): a flag a signal
    ** handler sets to the signal's number (interrupted) ends it likewise. */
    struct explore_window *window;
    const volatile sig_atomic_t *stop;
    /* Optional, for the dfs, dpor, pct and random plans: a split search
    ** (shard.c; pct and random split by execution number, block). */
    struct explore_split split;
};

/* What "exhaustive" leaves out, when it happened (coverage.caveats; the
** summary names each). */
enum explore_caveat {
    /* sleep sets or DPOR pruned where fairness held a spinning thread back
    ** (without --spin-order exact): orders around a spin may be missed */
    CAVEAT_SPINS_MERGED = 1,
    /* fairness held back a loop whose values still changed after
    ** SCHED_MOVING_TURNS turns (core/sched.c, would_spin): what it does
    ** after more turns while others wait is not explored */
    CAVEAT_LOOPS_HELD = 2,
    /* a program's atomic store weaker than seq_cst ran as seq_cst
    ** (--memory-model sc): store buffering was not explored */
    CAVEAT_ATOMICS_SC = 4,
    /* a relaxed atomic ran: reordered only as x86 reorders it, not as C11
    ** allows (sync/atomic.c) */
    CAVEAT_RELAXED_X86 = 8,
    /* a relaxed atomic ran under --memory-model pso: its stores were
    ** reordered as C11 allows, its loads kept in program order */
    CAVEAT_RELAXED_LOADS = 16,
    CAVEAT_ALL = 31,
};

/*
** What a search covered, as data: the formats say it in words. The plan
** is what ran: `auto` that found its answer with DPOR says dpor; sampled
** says that DPOR did not finish in its share of the time and PCT sampled
** the rest, up to depth `depth`.
*/
struct coverage {
    const struct explore_plan *plan;
    uint64_t executions;              /* executions run to their end */
    uint64_t pruned;                  /* abandoned: sleep-set or bound blocked */
    uint64_t cut;                     /* stopped at the step bound (not spinning) */
    uint64_t failing;                 /* a search that goes on past failures
                                         (on_class): the failing executions */
    int failing_result;               /* the first one's result (weft_result) */
    bool timed;                       /* some execution waited on virtual time */
    unsigned caveats;                 /* what an exhaustive search may have
                                         missed (explore_caveat) */
    bool exhaustive;                  /* the whole space within the bounds */
    bool bound_hit;                   /* the preemption bound cut something */
    int bound;                        /* bounded: the bound searched last */
    bool sampled;                     /* auto: fell back to PCT */
    int depth;                        /* pct: the depth; auto: the deepest round */
    uint64_t seed;                    /* pct, random, auto's PCT rounds */
    bool all_memory;                  /* every load and store was checked */
    bool interrupted;                 /* stopped by SIGINT or SIGTERM */
    bool forked;                      /* each execution in a new process
                                         (--isolate fork, the command line's) */
    /* A split search (explore_split): what it was cut into. units and
    ** unit_hash describe the whole search, whichever shard ran; a shard
    ** that stopped early still names them all. */
    struct coverage_split {
        int depth;                    /* 0: not split (or by executions: block) */
        uint64_t block;               /* a sampled search: executions a unit; 0: a tree */
        uint32_t index, count;        /* count 0: not sharded */
        uint64_t units;               /* in the whole search */
        uint64_t live_units;          /* of them, those that reach the depth */
        uint64_t unit_hash;           /* of every unit's choices, in order */
        uint64_t failed_unit;         /* of the failure; EXPLORE_NO_UNIT: none */
        bool deeper;                  /* count_only: some unit reached the depth */
    } split;
};

/*
** What a supervising process reads of a search in progress (supervise.c
** maps it shared before it forks the searching process): the execution
** running now, so that it can be reported when the process dies in it or
** stops making progress, and how far the search got. The search writes it
** with plain stores, a few per step and per execution: no system call.
** The reader reads it while the writer runs; a torn value is at worst one
** sample late. stop is the reader's: once set, the search ends after the
** execution in progress, as at its time limit.
*/
enum { EXPLORE_SEARCHING, EXPLORE_SHRINKING, EXPLORE_REPORTING,
       EXPLORE_DOOMED };                 /* the supervisor kills it: report nothing */
enum { EXPLORE_GO, EXPLORE_STOP_TIME,
       EXPLORE_STOP_INTERRUPT };         /* and above: a signal's number, interrupted */

struct explore_window {
    int phase;                        /* EXPLORE_SEARCHING, ... (changed atomically) */
    volatile sig_atomic_t stop;       /* EXPLORE_GO, ... (the reader's) */
    struct coverage cov;              /* so far (while searching) */
    volatile uint32_t nchoices, nsteps;   /* of the execution in progress */
    volatile int tid;                 /* the thread picked last */
    char tname[SCHED_NAME_MAX];       /* and its name (copied when it changes) */
    volatile int between;             /* the search's own work between two
                                         executions, which no watchdog counts */
    volatile uint64_t unit;           /* a split search: the execution's unit */
    const char *volatile file;        /* where the last step was (static text) */
    volatile int line;
    size_t cap;                       /* choices[] holds this many */
    uint32_t *choices;                /* of the execution in progress (in the mapping) */
    /* --jobs --keep-going: the failure the search keeps as its result while
    ** it goes on (explore.c, keep_failure), which a death after it must not
    ** replace as the result: the lowest unit's failure is the one reported.
    ** kept_unit EXPLORE_NO_UNIT: none; kept_choices has room for cap. */
    volatile uint64_t kept_unit;
    uint32_t kept_nchoices, kept_nsteps;
    struct sched_outcome kept_outcome;
    uint32_t *kept_choices;
};

/* Where one of a shard's units began: after this many of the shard's
** executions, pruned and cut ones. With them weft merge counts what one
** run would have counted up to a failure (the lowest failing unit's). */
struct split_mark {
    uint64_t unit, executions, pruned, cut;
};

struct explore_result {
    struct coverage cov;
    /* A split search's units, in order, where they began (shard.c); owned
    ** by the search, valid until its next run. Not kept across --resume:
    ** marks_lost then. */
    const struct split_mark *marks;
    size_t nmarks;
    bool marks_lost;
    bool failed;                      /* outcome is a failure */
    char died_name[SCHED_NAME_MAX];   /* a death's thread, by name ("": unknown) */
    bool went_on;                     /* --keep-going: the search went on past it
                                         (the last execution is another one) */
    struct sched_outcome outcome;     /* of the last execution */
    const uint32_t *choices;          /* of the last execution (the search's) */
    size_t nchoices;
    uint32_t nsteps;
    uint32_t preemptions;             /* of the last execution */
    uint32_t shrunk_from_steps;       /* explore_shrink: the original's size, */
    uint32_t shrunk_from_preemptions; /* 0 when not shrunk */
    bool shrink_stopped;              /* explore_shrink ran out of the search's
                                         time before it was done */
    char divergence[256];             /* replay: where it diverged, or "" */
};

/* ---- one search ---- */

struct search;

/* A search as sc says (its scenario, step bound, stack size and --param
** values, which the caller keeps). It runs in execution context x, which
** keeps stacks and memory from one search to the next; NULL: a context of
** its own. NULL without memory. */
struct search *search_new(const struct sched_config *sc, struct exec *x);
void search_free(struct search *s);
/* The execution context: after a run, the last execution's state. */
struct exec *search_exec(struct search *s);

/* Explore with ec. The last execution's state stays readable through
** search_exec until the next call. Returns 0, or WEFT_ENOMEM. */
int explore_run(struct search *s, const struct explore_config *ec, struct explore_result *r);

/* Minimise the failure in `found` (fewest preemptions, then fewest steps)
** keeping its class and signature_of(outcome); found is replaced by the
** shrunk execution, replayed, with the original search's coverage. 0, 1
** if the replay did not reproduce it (a nondeterministic scenario), or
** WEFT_ENOMEM. */
int explore_shrink(struct search *s, const struct explore_config *base,
                   struct explore_result *found,
                   sched_mask (*signature_of)(struct exec *x, const struct sched_outcome *o));

/* ---- plans: what a user can ask for (plan.c) ---- */

struct explore_plan {
    const char *name;                 /* "auto", "dpor", ... */
    const char *help;                 /* for --help: lines joined by '\n' */
    bool sampled;                     /* draws random executions: needs a budget, a seed */
    bool has_depth;                   /* a bug depth (pct) */
    bool raises_bound;                /* searches with 0, 1, 2, ... preemptions */
    /* Run the plan, filling r's coverage. */
    int (*run)(struct search *s, const struct explore_config *ec, struct explore_result *r);
    const struct strategy *strategy;  /* the strategy a one-strategy plan runs */
};

/* The plans in the order --help lists them, ending with NULL. */
extern const struct explore_plan *const explore_plans[];
/* A plan by name, or NULL; the replay plan is not listed but found. */
const struct explore_plan *explore_plan_named(const char *name);
extern const struct explore_plan explore_plan_dfs, explore_plan_replay;

#endif
