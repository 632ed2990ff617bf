/*
** report.h -- what a run found, as one struct that every output format reads.
** report_build turns the scheduler's end state into threads, waits, holders
** and the wait-for cycle; the formats (text, json) only print it, one print
** function per result class. Building never prints; printing never analyses.
*/
#ifndef WEFT_REPORT_H
#define WEFT_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "sched.h"
#include "explore.h"

struct report_thread {
    int id;
    const char *name;
    const char *state;                /* "finished", "blocked", "running", "failed" */
    char wait[200];                   /* what it waits for, "" when not blocked */
    struct sched_loc wait_at;
    sched_mask blockers;              /* threads that must, or could, act */
    enum sched_wait how;              /* how sure blockers is */
    bool only_waits;                  /* joins or waits on a wait group: wakes nobody */
    sched_mask finished_users;        /* threads that used what it waits on, now gone */
    struct sched_loc held_at;         /* mutex wait: where the holder took it */
    struct sched_loc spawned_at;
};

struct report_lock {                  /* a mutex held at the end */
    const char *name;
    int holder;
    struct sched_loc at;
};

struct report {
    const struct weft_scenario *scenario;
    const char *target;               /* how the command line named it */
    const char *strategy;
    enum weft_result result;
    bool as_expected;
    const struct explore_result *search;
    double elapsed_s;                 /* 0 in replays: reports stay byte-stable */
    char params[256];                 /* " --param k=v" for the replay command */
    const char *schedule;             /* the token, "" when nothing failed */
    /* failure details, valid when search->failed */
    const char *message;
    char failing_op[128];             /* self-deadlock: the relock, as a step reads */
    int failing_tid;
    struct sched_loc where;
    struct report_thread threads[SCHED_MAX_THREADS];
    int nthreads;
    int cycle[SCHED_MAX_THREADS + 1]; /* thread ids, first repeated at the end */
    int ncycle;
    struct report_lock locks[32];
    int nlocks;
    const struct sched_step *steps;
    uint32_t nsteps;
};

/* Fill rep from the scheduler's state after explore_run. */
void report_build(struct report *rep, const struct weft_scenario *s, const char *target,
                  const char *strategy, const struct explore_result *search);

/* What identifies a failure beyond its class, from the scheduler's state:
** the threads of the wait-for cycle (or every blocked thread), the spinning
** threads, or the failing thread. Shrinking keeps it unchanged. */
sched_mask report_signature(const struct sched_outcome *o);

/* "file.c:12" with the directory dropped, into a static rotating buffer. */
const char *report_loc(struct sched_loc loc);
/* The phrase for a step, e.g. "lock closeMutex". */
void report_step_text(const struct sched_step *s, char *buf, size_t n);

/* weft explain: the step just taken (if any) and every thread's state now. */
void report_explain_state(FILE *f);

/* Output formats (report_text.c, report_json.c). */
#define REPORT_REPLAY 1   /* leave out timing and coverage: byte-stable output */
#define REPORT_QUIET  2   /* text: the summary line only */
struct report_format {
    const char *name;
    void (*print)(FILE *out, const struct report *rep, int flags);
};
const struct report_format *report_format_named(const char *name);

#endif
