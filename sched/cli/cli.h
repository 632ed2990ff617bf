/*
** cli.h -- the weft command, and test programs built with weft-main: the
** same options, subcommands and exit codes. The front ends (this folder)
** are the only part of weft that reads the wall clock (--time-limit) or
** the environment.
*/
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "explore/explore.h"
#include "report/report.h"

#define CLI_OK 0          /* every scenario met its expectation */
#define CLI_UNEXPECTED 1  /* one did not */
#define CLI_ERROR 2       /* usage, input or build error */

/* A scenario thread's stack unless --stack-size says otherwise, and the
** bounds --stack-size accepts (weft's own frames run there too). */
#define CLI_DEFAULT_STACK_SIZE ((size_t)256 * 1024)
#define CLI_MIN_STACK_SIZE ((size_t)64 * 1024)
#define CLI_MAX_STACK_SIZE ((size_t)1024 * 1024 * 1024)

struct params;

/* Which program runs: the weft command, or a test program that has its
** scenarios linked in (`run` with no names runs them all). */
struct cli_program {
    const char *name;                 /* as usage and replay commands spell it */
    bool linked_scenarios;
};

/* A regular file opened to read, or NULL (never a FIFO that would block,
** nor a folder): loader.c. */
FILE *cli_open_regular(const char *path);
/* FNV-1a of a source file and of the files it includes with #include
** "..." (beside it, and theirs): what a checkpoint names as its source.
** 0, or -1 when the file cannot be read. */
int cli_source_hash(const char *path, uint64_t *h);

/* The feature-test macros a program's source defines before its first
** system #include, or in local headers it includes before that, as -D
** options for cc (features.c). */
#define PROGRAM_FEATURES_MAX 24
struct program_features {
    int n;
    char define[PROGRAM_FEATURES_MAX][96];
};
void program_features(const char *src, char *const *cflags, struct program_features *out);

/* --memory: how a scenario file is compiled (loader.c). */
enum cli_memory {
    CLI_MEMORY_OFF,                   /* plain code: only WEFT_READ/WEFT_WRITE are checked */
    CLI_MEMORY_ATOMICS,               /* instrumented: C11 atomics are visible operations */
    CLI_MEMORY_ALL                    /* and every load and store is checked for races */
};

/* --isolate: where executions run (supervise.c). */
enum cli_isolate {
    CLI_ISOLATE_PROCESS,              /* a child process this one supervises */
    CLI_ISOLATE_FORK,                 /* and a new child for every execution */
    CLI_ISOLATE_NONE                  /* this process (for debugging weft) */
};

#define CLI_DEFAULT_WATCHDOG 2.0      /* seconds of CPU without a visible operation */
#define CLI_SAMPLED_BUDGET 1000       /* pct, random: executions unless told */

struct cli_opts {
    const struct cli_program *program;
    char *command;                    /* program->name as a replay command's word */
    const char *strategy;             /* a plan's name (explore.h) */
    bool sleep_sets;
    int max_preemptions;
    uint64_t executions;
    double time_limit;
    uint64_t seed;
    int depth;
    int max_steps;
    size_t stack_size;                /* --stack-size: bytes per thread (0: default) */
    bool timers_idle;                 /* --timers idle */
    bool exact_spins;                 /* --spin-order exact */
    bool sc_atomics;                  /* --memory-model sc */
    bool reorder_stores;              /* --memory-model pso */
    enum cli_memory memory;           /* --memory */
    bool memory_given;                /* --memory was named (programs: atomics if not) */
    const char *cflags;               /* --cflags, or $WEFT_CFLAGS: for compiled files */
    bool ignore_exit_status;          /* --exit-status=ignore (programs) */
    bool spurious_wakeups;            /* --spurious-wakeups on (programs) */
    const char **prog_args;           /* a program's arguments (after --, or --arg) */
    int nprog_args;
    enum cli_isolate isolate;         /* --isolate */
    double watchdog;                  /* --watchdog: seconds of CPU, 0: none */
    const char *format;
    const char *schedule;
    const char *classes;              /* --classes FILE */
    const char *checkpoint;           /* --checkpoint FILE */
    const char *output_dir;           /* --output-dir DIR: each failure's files */
    int accept;                       /* --accept: 0 none, else 1 + a weft_accept */
    uint64_t min_executions;          /* --accept sampled:N */
    double checkpoint_every;          /* --checkpoint-every SECONDS */
    const char *resume;               /* --resume FILE */
    const char *trace;                /* --trace FILE: Perfetto trace of the failure */
    const char *dot;                  /* --dot FILE: its wait-for graph */
    const char *html;                 /* --html FILE: its page */
    const struct cli_merged *merged;  /* replay for weft merge: report this coverage */
    uint32_t shard_index, shard_count;   /* --shard K/N (count 0: not sharded) */
    uint32_t jobs;                    /* --jobs N: worker processes (0: not given) */
    bool keep_going;                  /* --keep-going: a failure stops no --jobs worker */
    struct explore_claims *claims;    /* a --jobs worker: where it takes its units */
    const char *jobs_dir;             /* and with --checkpoint: where units are kept */
    bool finish_only;                 /* and with --resume: it searches one unit, */
    uint64_t redo_unit;               /* this one (without o->resume) */
    uint32_t split_for;               /* the automatic split depth is chosen for this
                                         many shards (0: shard_count) */
    int split_depth;                  /* --split-depth D; EXPLORE_SPLIT_AUTO with --shard
                                         alone, 0: no split */
    bool quiet;
    bool shrink;
    int progress;                     /* 1 --progress, 0 --quiet, -1 on a terminal */
    struct params *params;            /* --param values */
    char *param_args;                 /* " --param k=v ..." as given (malloc'd) */
    const char **args;                /* positional arguments (into argv) */
    int nargs;
};

/* A scenario to run and how to name it in a replay command. */
struct cli_target {
    const struct weft_scenario *scenario;
    bool all_memory;                  /* compiled with --memory=all */
    char *spelling;                   /* malloc'd: "abba", or "file.c abba" */
    char *group;                      /* malloc'd: the file it is in, as named; NULL:
                                         built in (the report says its source) */
    int number;                       /* 1, 2, ... in the run (TAP's test number) */
    bool name_repeats;                /* another scenario of the run has its name */
};

/* The rules that change what an execution may do, so a replay repeats
** them (sched_config has each). */
struct cli_rules {
    bool timers_idle;                 /* --timers idle */
    bool exact_spins;                 /* --spin-order exact */
    bool all_memory;                  /* check every load and store (--memory=all) */
    bool sc_atomics;                  /* --memory-model sc */
    bool reorder_stores;              /* --memory-model pso */
};

/* One scenario explored as `weft run` does it: search, shrink, report. */
struct cli_job {
    const struct weft_scenario *scenario;
    struct params *params;
    int max_steps;                    /* 0: the scenario's, or the default */
    size_t stack_size;                /* per thread; 0: CLI_DEFAULT_STACK_SIZE */
    struct cli_rules rules;
    struct explore_config ec;         /* cli_explore sets its clock */
    bool forked;                      /* --isolate fork: said in the summary */
    double started;                   /* cli_seconds() when the search began
                                         (0: now; --isolate fork: the first child's) */
    bool shrink;
    struct report_request req;
    const char *identity;             /* optional: the search's name (rep->identity) */
    struct exec *exec;                /* a context to reuse, or NULL */
};

/* Run job; *out is its report (free with report_free). 0, or WEFT_ENOMEM.
** *unreplayable: the shrunk failure did not replay (nondeterminism). */
int cli_explore(struct cli_job *job, struct report **out, bool *unreplayable);
/* A search of sc with at most max_steps steps per execution (0: the
** scenario's bound, or the default) and stacks of stack_size bytes (0: the
** default), in context x (NULL: its own); NULL without memory. */
struct search *cli_search(const struct weft_scenario *sc, struct params *p, int max_steps,
                          size_t stack_size, struct cli_rules rules, struct exec *x);
/* The step bound a search of sc runs with (cli_search's rule). */
int cli_max_steps(const struct weft_scenario *sc, int max_steps);
/* Seconds on a monotonic clock. */
double cli_seconds(void);

/* v as one shell word: as it is when plain, else in single quotes, so
** that a pasted replay command runs nothing and splits nowhere (malloc'd,
** NULL without memory). */
char *cli_shell_word(const char *v);
/* The compiler flags for scenario files and programs: --cflags, else
** $WEFT_CFLAGS, else NULL. */
const char *cli_cflags(const struct cli_opts *o);

/* The whole command line: argv[1] is the subcommand. */
int cli_main(int argc, char **argv, const struct cli_program *program);

/* Resolve names, .c/.so files and folders into targets (malloc'd array,
** free with cli_targets_free). 0 or CLI_ERROR. */
int cli_resolve(const char *const *args, int nargs, const struct cli_opts *o,
                struct cli_target **out, int *n);
void cli_targets_free(struct cli_target *t, int n);
/* "file.c name" as a replay command names scenario name of file path ("./"
** before a path that would read as an option); malloc'd, NULL without memory. */
char *cli_file_spelling(const char *path, const char *name);
/* Load one .c (compiled, cached) or .so file; its scenarios are the
** registry entries [*from, *to). 0 or CLI_ERROR. */
int cli_load_file(const char *path, const struct cli_opts *o, int *from, int *to);
/* Load the pthread program made of sources (their main, no WEFT_SCENARIO):
** compiled with weft_pthread.h, cached, registered as one scenario named
** after the first source. 0 or CLI_ERROR. */
int cli_load_program(const char *const *sources, int n, const struct cli_opts *o, int *from,
                     int *to);
/* Is path a .c file of a program with its main (no WEFT_SCENARIO)? */
bool cli_is_program(const char *path);
/* Is path a .c file that can be part of a program (no WEFT_SCENARIO)? */
bool cli_is_program_part(const char *path);
/* The --memory a file is compiled with: a program's default is atomics. */
enum cli_memory cli_memory_for(const struct cli_opts *o, const char *path);
/* Is path a program object that weft cc built (loaded already)? */
bool cli_is_program_object(const char *path);
/* weft cc [--memory=M] [cc options] -o PROG.weft.so SOURCE.c...: the
** arguments after "cc". 0 or CLI_ERROR. */
int cli_cc(int argc, char **argv);
/* Is path a scenario source file (.c) that weft compiles itself? */
bool cli_is_source(const char *path);

/* ---- supervise.c: a search in a child process ---- */

struct cli_supervised;

struct cli_watch {
    double time_limit;                /* the search's (0: none): stopped then */
    double watchdog;                  /* CPU seconds without a step (0: none) */
    /* Optional: the search goes on after a death, if the child asked to
    ** (cli_child_go_on); on_death is told of each first, to report it. */
    void (*on_death)(void *ctx, struct cli_supervised *death);
    void *death_ctx;
    /* --isolate fork: each child runs one execution and hands the search
    ** on at its mark (cli_child_go_on) to a new child, forked from this
    ** process, which never runs one: every execution starts from the
    ** process as it was once the program was loaded. */
    bool fork_each;
};

enum cli_stopped {
    CLI_STOPPED_NOT,                  /* the child ended by itself */
    CLI_STOPPED_SPINNING,             /* a thread spun without a visible operation */
    CLI_STOPPED_STUCK,                /* no progress and no CPU: blocked outside weft */
    CLI_STOPPED_EARLY                 /* mid-execution at the time limit, or a stop
                                         signal's grace ran out: the coverage so far */
};

/* How a supervised search ended. finished: the child reported and exited
** with rc. Otherwise found is what the supervisor saw: the coverage so far
** and, when found.failed, the execution the child died or was stopped in
** (its choices, steps, thread, place) and how. */
struct cli_supervised {
    bool finished;
    int rc;
    int interrupted;                  /* SIGINT or SIGTERM arrived: which */
    enum cli_stopped stopped;
    double spun, watch_seconds;
    struct explore_result found;
    uint32_t *choices;                /* found.choices (malloc'd) */
    /* --jobs --keep-going: the child died in this unit, after it had kept a
    ** failure of a lower one, which found is (EXPLORE_NO_UNIT: no such) */
    uint64_t died_unit;
    enum weft_result died_result;
};

/* The child's side: its window, marks and where it goes on from. */
struct cli_child;
typedef int (*cli_supervised_fn)(void *ctx, struct cli_child *c);

/* Run fn(ctx, child) in a child process with room for cap choices in the
** window, watched as watch says; call with the signals held. 0, WEFT_ENOMEM
** or CLI_ERROR (no process). Free out with cli_supervised_free. With
** watch->on_death, a child that dies in a search that goes on is reported
** to it and replaced; out is then how the last child ended. */
int cli_supervise(cli_supervised_fn fn, void *ctx, size_t cap, const struct cli_watch *watch,
                  struct cli_supervised *out);
void cli_supervised_free(struct cli_supervised *out);
/* In the child: the window a supervisor reads (NULL for c NULL: none). */
struct explore_window *cli_child_window(struct cli_child *c);
/* In the child, for a search that goes on past failures (dfs, dpor):
** leave marks in ec so that a child that dies is replaced, and if this one
** replaces one, go on from its last mark (classes: the --classes file, or
** NULL, cut back to the mark). 0, WEFT_ENOMEM, or CLI_ERROR after saying
** why; 0 and nothing done for c NULL. */
int cli_child_go_on(struct cli_child *c, struct explore_config *ec, FILE *classes);
/* In the child: when the supervisor started the search (cli_seconds()). */
double cli_child_started(const struct cli_child *c);
/* In the child: move its window to phase; never returns when the
** supervisor has doomed it (it is about to be killed and reported). */
bool cli_window_enter(struct explore_window *w, int phase);
/* Hold SIGINT, SIGTERM and SIGCHLD for the supervisor (and release them);
** a held SIGINT or SIGTERM not yet taken (0: none). */
void cli_hold_signals(void);
void cli_release_signals(void);
int cli_pending_stop(void);
/* Wait a little for a child process to end or a stop signal (held): the
** stop signal taken, or 0. */
int cli_wait_child_or_stop(void);
/* --isolate=none: catch SIGINT and SIGTERM; the flag for explore_config.stop. */
const volatile sig_atomic_t *cli_catch_stops(void);
/* The SIGINT or SIGTERM that stopped the search, or 0. */
int cli_stop_signal(void);

/* weft merge (merge.c): a split search's shards joined. A merged failure
** is replayed with this coverage instead of the replay's. */
struct cli_merged {
    struct coverage cov;
    double elapsed_s;                 /* the slowest shard's */
    uint32_t shrunk_from_steps, shrunk_from_preemptions;
    bool shrink_failed;
    /* --jobs --shard: the merged result is the shard's, for weft merge */
    const char *identity;             /* the search's name (NULL: not a shard) */
    struct split_mark *marks;         /* the shard's units, where they began */
    size_t nmarks;
    bool marks_lost;
};
/* Give rep m's shard: its name and unit marks (copies); without memory,
** the marks are said lost. */
void cli_merged_split(struct report *rep, const struct cli_merged *m);
int cli_merge(struct cli_opts *o);
/* Merge the n result files as weft merge does, printing as o says. */
int cli_merge_files(const struct cli_opts *o, const char *const *files, int n);
/* Merge the results of --jobs workers (one search, units taken in turn, so
** no shard numbers to check); with o->keep_going, stderr lists every
** failing unit (claims->failed). */
int cli_merge_jobs(const struct cli_opts *o, const char *const *files, int n,
                   const uint64_t base[3], const struct explore_claims *claims);

/* --jobs --checkpoint DIR (checkpoint.c): what the folder holds. */
struct cli_jobs_state {
    uint64_t base[3];                 /* counts of the units finished before */
    uint64_t done;                    /* how many */
    unsigned char *taken;             /* shared, cap bytes: units not to be taken */
    uint64_t cap;
    char **resume;                    /* checkpoints of workers inside a unit */
    uint64_t *resume_unit;            /* and those units, to be searched again */
    int nresume;
    uint64_t next_serial;             /* the number of the next worker's checkpoint */
};
/* Read dir (resume) or set it up afresh, for the search named identity:
** 0, or CLI_ERROR after saying why. */
int cli_jobs_state_read(const char *dir, const char *identity, bool resume,
                        struct cli_jobs_state *st);
void cli_jobs_state_free(struct cli_jobs_state *st);
/* A worker finished unit `unit` (explore_split.unit_done; ctx: the folder). */
void cli_jobs_unit_done(void *ctx, uint64_t unit, const uint64_t counts[3]);
/* A command line (argv[1]: the subcommand) with merged set in its options. */
int cli_command(int argc, char **argv, const struct cli_program *program,
                const struct cli_merged *merged);

int cli_list(struct cli_opts *o);
int cli_run(struct cli_opts *o);
int cli_replay(struct cli_opts *o);
int cli_explain(struct cli_opts *o);

/* --checkpoint and --resume for one scenario's search (checkpoint.c). */
struct cli_checkpoint {
    const char *path;                 /* where to save, or NULL */
    char *identity;                   /* the lines naming the search */
    char *text;                       /* the file resumed from, whole */
};
/* Set ec up to save checkpoints and to go on from --resume's file (after
** checking that it belongs to this search): 0, or CLI_ERROR after saying
** why. cli_checkpoint_end frees what it holds, after the search. */
int cli_checkpoint_begin(struct cli_checkpoint *cp, const struct cli_opts *o,
                         const struct cli_target *t, struct explore_config *ec);
void cli_checkpoint_end(struct cli_checkpoint *cp);
/* The lines naming the search: "scenario", "source" (a hash of the
** scenario's file) and "options" (all that shapes its tree; with shard,
** which shard too). malloc'd; NULL without memory. */
char *cli_search_identity(const struct cli_opts *o, const struct cli_target *t, bool shard);
/* The first line of a (such lines) that differs from b's, into buf: from
** the word that differs on, after the line's first word and "...". */
const char *cli_first_difference(const char *a, const char *b, char *buf, size_t n);

#endif
