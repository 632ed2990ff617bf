/*
** report.h -- what a run found, as one value that owns its data: threads,
** waits, holders, the wait-for cycle, the steps, the coverage. report.c
** copies it out of an execution's end state; the formats (text, json) only
** print it, one print function per result class. Building never prints;
** printing never analyses and never looks at an execution.
*/
#ifndef WEFT_REPORT_H
#define WEFT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "explore/explore.h"
#include "report/symbol.h"

struct report_view;

/* A frame of a call chain: where a call was made, and in which function.
** module+offset stand in for the line without debug information. */
struct report_frame {
    char function[64];                /* "" when unknown */
    char file[96];                    /* the file's name, no folder; "" when unknown */
    int line;
    char module[64];
    unsigned long offset;
};

/* A call chain: frames rep->frames[first .. first + n), innermost first:
** the call of weft's operation, then the calls that led to it. */
struct report_chain {
    int first, n;
};
#define REPORT_CHAIN_MAX 6            /* frames a chain keeps */

struct report_thread {
    int id;
    char name[SCHED_NAME_MAX];
    const char *state;                /* "finished", "blocked", "running", "failed" */
    bool cancelled;                   /* finished by acting on a cancellation */
    char wait[200];                   /* what it waits for, "" when not blocked */
    char idle[240];                   /* an idle daemon's word on why (a watchdog
                                         alarm that does not go off), or "" */
    struct sched_loc wait_at;
    sched_mask blockers;              /* threads that must, or could, act */
    enum sched_wait how;              /* how sure blockers is */
    bool only_waits;                  /* joins or waits on a wait group: wakes nobody */
    sched_mask finished_users;        /* threads that used what it waits on, now gone */
    struct sched_loc held_at;         /* waiting for a held object: where the holder took it */
    struct sched_loc spawned_at;
    struct report_chain chain;        /* of what it waits for, or where it failed */
};

struct report_lock {                  /* an object held at the end */
    char name[SCHED_NAME_MAX];
    const char *kind;                 /* its kind: "mutex", "rwlock", ... (static) */
    int holder;                       /* -1: nobody; state says how it stands */
    char how[32];                     /* a shared hold: "for reading"; "" when owned */
    char state[64];                   /* "0 of 2 permits left", "2 of 3 arrived" */
    struct sched_loc at;
};

/* A step as the report shows it: "lock closeMutex (blocks)" is its verb,
** its object's name (report.objects) and its note formatted with two ints.
** Verbs and notes are string literals; names are copied. */
struct report_step {
    int tid;
    const char *verb;
    int obj_id;                       /* -1: none */
    const char *note;
    int note_a, note_b;
    struct sched_loc loc;
    int64_t time;
    const void *kind;                 /* which operation: steps of a loop compare it */
    bool preempts;                    /* the thread of the step before could have gone on */
    int passed_by;                    /* a thread that could have run when this
                                         step's timer fired, or -1 */
    bool passed_spinning;             /* that thread was held back as spinning */
    bool blocks;                      /* not a step: a blocked thread's last attempt */
    int handler;                      /* a program's signal handler took it: its
                                         signal (sched_step) */
    struct report_chain chain;
    int woke_first, nwoke;            /* a signal: the threads it woke, rep->woken[...] */
    char *cases;                      /* a select: every case ("send \"out\", default"),
                                         or NULL; owned */
};

struct report {
    /* what ran */
    char *scenario;                   /* its name */
    char *summary;                    /* may be NULL */
    enum weft_result expect;
    char *command;                    /* the replay command: "weft", or a test program */
    char *target;                     /* how the command line named it */
    char *params;                     /* " --param k=v" for the replay command */
    char *group;                      /* the file it is in, "" when unknown */
    int number;                       /* its place in the run, from 1 (0: none) */
    struct split_mark *marks;         /* a shard's units, where they began (owned) */
    size_t nmarks;
    bool marks_lost;                  /* resumed: the marks before it are not known */
    char *identity;                   /* what names the search (a split one's shards
                                         must agree on it); NULL: not given */
    /* what was found */
    enum weft_result result;
    bool as_expected;
    bool unmarked;                    /* a program, not --memory=all: no plain
                                         memory was checked (request.program) */
    bool failed;
    bool accept_sampled;              /* a sample passes (WEFT_ACCEPT_SAMPLED) ... */
    uint64_t min_executions;          /* ... of at least this many executions */
    bool sample_accepted;             /* a pass on a sample that met it */
    struct coverage cov;
    double elapsed_s;                 /* 0 in replays: reports stay byte-stable */
    char divergence[256];
    uint32_t nsteps, preemptions;     /* of the failing execution */
    uint32_t shrunk_from_steps, shrunk_from_preemptions;
    bool shrink_stopped;              /* the time limit ended the shrinking */
    bool shrink_failed;               /* shrinking could not reproduce the failure */
    bool died;                        /* the process running the failing execution
                                         died in it or was stopped (report_of_death) */
    char died_name[SCHED_NAME_MAX];   /* then its thread's name ("": unknown) */
    /* the failure, when failed */
    char *schedule;                   /* the token, "" when nothing failed */
    char message[256];
    char failing_op[128];             /* self-deadlock: the relock, as a step reads */
    char failing_kind[16];            /* self-deadlock: what it waits on ("mutex") */
    int failing_tid;
    struct sched_loc where;
    char *where_file;                 /* where.file when the debug information
                                         named the place (outcome.where_pc; owned) */
    struct report_race {              /* a data race: the earlier access */
        int tid;
        struct sched_loc at;
        bool write, now_write;        /* the earlier and the failing access */
        bool atomic, now_atomic;      /* made by an atomic operation */
        bool now_free;                /* the failing access is a free */
        bool weak_atomics;            /* atomics weaker than seq_cst ran */
        char name[64];                /* what was accessed, "" when unnamed */
        /* Instrumented accesses (--memory=all): the code of the earlier
        ** and of the failing access; .known is false for WEFT_READ's. */
        struct symbol code, now_code;
    } race;
    struct report_thread *threads;
    int nthreads;
    int *cycle;                       /* thread ids, first repeated at the end */
    int ncycle;
    struct report_lock *locks;
    int nlocks;
    struct report_step *steps;        /* nsteps of them, then nblocked attempts
                                         that block (blocks set) */
    uint32_t nblocked;
    struct report_frame *frames;      /* of every chain (report_chain) */
    int nframes;
    int *woken;                       /* thread ids the signals woke */
    char (*objects)[SCHED_NAME_MAX];  /* the names of the objects, by id */
    int nobjects;
    struct mask_table masks;          /* the threads' sets past 62 threads: a
                                         report outlives its execution */
    struct report_view *view;         /* every thread's state after each step, for
                                         the page (view.c); NULL unless asked for */
    struct report_output {            /* what the failing execution wrote to
                                         standard output, then error */
        char *text;                   /* len bytes, NULL when none */
        size_t len;
        uint64_t more;                /* bytes past the first SCHED_OUTPUT_MAX */
    } output[2];
};

/* How the user asked for a run, so that a report can say how to replay it. */
struct report_request {
    const char *command;              /* "weft", or the test program's path */
    const char *target;               /* "abba", or "file.c abba" */
    const char *params;               /* " --param k=v ..." or "" */
    const char *group;                /* the file it is in (JUnit's suite), or NULL */
    int number;                       /* its place in the run (TAP), from 1; 0 none */
    int accept;                       /* --accept: 0 the scenario's, else 1 + a weft_accept */
    uint64_t min_executions;          /* --accept sampled:N (0: the scenario's) */
    bool view;                        /* record each step's thread states (--html) */
    bool program;                     /* a pthread program: it has no marks, so
                                         without --memory=all no plain memory
                                         is checked */
};

/* A report of search result r, whose last execution is x's, for scenario s
** asked for as req says. NULL without memory. */
struct report *report_snapshot(struct exec *x, const struct weft_scenario *s,
                               const struct report_request *req, const struct explore_result *r);
/* The same without call chains and preemption marks, which cost a re-run:
** for a report that is likely dropped (the failure before shrinking). */
struct report *report_snapshot_unchained(struct exec *x, const struct weft_scenario *s,
                                         const struct report_request *req,
                                         const struct explore_result *r);
void report_free(struct report *rep);
/* A report of the failure r->outcome says (class, message, thread, place),
** found by a supervisor whose searching process died in the execution of
** r's choices: nothing of that execution's state is left to show. NULL
** without memory. */
struct report *report_of_death(const struct weft_scenario *s, const struct report_request *req,
                               const struct explore_result *r);

/* What identifies a failure beyond its class, from x's end state: the
** threads of the wait-for cycle (or every blocked thread), the spinning
** threads, or the failing thread. Shrinking keeps it unchanged. */
sched_mask report_signature(struct exec *x, const struct sched_outcome *o);

/* Fill in each step's call chain and preemption mark, and each waiting
** thread's chain, by running x's failing schedule once more with capture
** on (chain.c). Leaves them empty when that is not possible (the re-run
** went otherwise); never changes x. */
int report_chains(struct report *rep, struct exec *x, const struct explore_result *r);

/* Does the result claim every behaviour while caveat (explore_caveat)
** applies? Said of an exhaustive pass only: a failure found stands, and a
** search that stopped early claims nothing. */
static inline bool report_caveat(const struct report *rep, enum explore_caveat caveat)
{
    return (rep->cov.caveats & caveat) && rep->cov.exhaustive && !rep->failed;
}

/* A step in words: "lock closeMutex (blocks)". */
void report_step_text(const struct report *rep, const struct report_step *s, char *buf, size_t n);

/* "file.c:12" with the directory dropped. */
struct report_loc_text { char s[96]; };
struct report_loc_text report_loc(struct sched_loc loc);
/* The plan that ran, as the summary names it: "dpor", "pct depth 3, seed 1". */
void report_plan(const struct coverage *cov, char *buf, size_t n);

/* weft explain: the steps of x not shown yet (*shown of them were) and
** every thread's state now. */
void report_explain_state(FILE *f, struct exec *x, uint32_t *shown);

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when s[0]
** does not start one: overlong, surrogate, cut short or a stray byte. */
size_t report_utf8_len(const unsigned char *s);
/* s as a JSON string: quotes, backslashes and control characters escaped,
** a byte that is not valid UTF-8 as \ufffd. Every string of the JSON
** output is written by it. */
void report_json_string(FILE *f, const char *s);
/* The same with < escaped too, for a string inside an HTML <script> (and
** the trace, which the page embeds). */
void report_json_string_in_html(FILE *f, const char *s);

/* A thread's state now, as weft explain shows it: its state word and
** what it waits for or will do next ("next: lock m at x.c:12"; "" for a
** finished or running thread). */
void report_thread_now(struct exec *x, int tid, const char **state, char *detail, size_t n);

/* ---- What a person looks at (view.c, trace_*.c) ---- */

/* Every thread's state after each step, as weft explain prints it. */
struct report_view_state {
    const char *state;                /* "runnable", "blocked", ..., "not started" */
    char detail[240];
};
struct report_view {
    uint32_t nsteps;                  /* of rows: the state after step i is row i */
    int nthreads;
    struct report_view_state *rows;   /* nsteps * nthreads */
};
/* Record rep->view by running r's failing schedule once more (chain.c's
** way); leaves it NULL when that is not possible. 0 or WEFT_ENOMEM. */
int report_view_capture(struct report *rep, struct exec *x, const struct explore_result *r);
void report_view_free(struct report_view *v);

/* The failing execution for a person: Chrome/Perfetto trace-event JSON
** (trace_perfetto.c), the wait-for graph for Graphviz (trace_dot.c), one
** self-contained page (trace_html.c; text: the report as printed). Each
** writes the whole file to f; 0, or -1 when writing failed. */
int report_write_trace(FILE *f, const struct report *rep);
int report_write_dot(FILE *f, const struct report *rep);
int report_write_html(FILE *f, const struct report *rep, const char *text);

/* Output formats (report_text.c, report_json.c, report_ci.c). */
#define REPORT_REPLAY 1   /* leave out timing and coverage: byte-stable output */
#define REPORT_QUIET  2   /* a result as expected in a summary line only */
#define REPORT_STEPS_SHOWN 4   /* weft explain printed the steps just before */

/* What a run of several scenarios came to, for a format's last words. */
struct report_totals {
    int scenarios;                    /* named to run */
    int as_expected, unexpected, errors;
    int not_run;                      /* left after an error or a stop signal */
    double seconds;                   /* wall time */
};

struct report_format {
    const char *name;
    void (*print)(FILE *out, const struct report *rep, int flags);
    /* Optional, for `run`: before the first report, given how many
    ** scenarios will run; after the last; and in place of the report of a
    ** scenario weft could not run (its error went to stderr). */
    void (*begin)(FILE *out, int nscenarios);
    void (*end)(FILE *out, const struct report_totals *t);
    void (*error)(FILE *out, int number, const char *scenario, const char *group);
    /* Optional: reports come in groups, a file's scenarios together: body
    ** is what print and error wrote for the group's scenarios. */
    void (*group)(FILE *out, const char *name, const struct report_totals *t,
                  const char *body, size_t len);
};
const struct report_format *report_format_named(const char *name);

#endif
