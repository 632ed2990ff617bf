/*
** commands.c -- list, run, replay and explain.
** Each resolves its arguments to scenarios, runs one search per scenario
** with the options, and hands a report of it to a format. Exit codes are
** the CLI_* values of cli.h.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/params.h"
#include "core/registry.h"
#include "posix/posix.h"
#include "report/codec.h"
#include "report/report.h"

#define REPLAY_MAX_CHOICES (1u << 20)

static int out_of_memory(const char *what)
{
    fprintf(stderr, "weft: out of memory %s\n", what);
    return CLI_ERROR;
}

/* ==========================================================================
** The live progress line (stderr, a terminal or --progress)
** ========================================================================== */

/* The line tells only what it knows. The estimate of the total (the
** search tree read as a position, dpor and dfs) wanders early on, so it
** is shown as the range of the recent estimates until they agree within
** a quarter; time left is capped by --time-limit, and says when the limit
** or auto's switch to sampling comes first. */
#define PROGRESS_RECENT 12            /* estimates kept: 3 s of them */

struct progress {
    const char *name;
    double start, last;
    double time_limit;                /* --time-limit (0: none) */
    bool auto_plan;                   /* auto: DPOR gets half the limit, then PCT */
    uint64_t max_executions;          /* the execution budget (0: none) */
    bool shown;
    double totals[PROGRESS_RECENT];   /* recent estimates of the total */
    int ntotals;
};

static void format_duration(char *buf, size_t n, double s)
{
    if (s < 90)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 5400)
        snprintf(buf, n, "%.0fmin", s / 60);
    else
        snprintf(buf, n, "%.1fh", s / 3600);
}

/* Keep total among the recent estimates; their range in *lo, *hi. */
static void recent_totals(struct progress *p, double total, double *lo, double *hi)
{
    p->totals[p->ntotals++ % PROGRESS_RECENT] = total;
    int k = p->ntotals < PROGRESS_RECENT ? p->ntotals : PROGRESS_RECENT;
    *lo = *hi = total;
    for (int i = 0; i < k; i++) {
        *lo = p->totals[i] < *lo ? p->totals[i] : *lo;
        *hi = p->totals[i] > *hi ? p->totals[i] : *hi;
    }
}

/* ", ~Ns left", or what ends the search first: the time limit, or auto's
** switch to sampling. left_lo, left_hi: the estimate's range (s). */
static void put_time_left(const struct progress *p, double elapsed, double left_lo,
                          double left_hi)
{
    char a[32], b[32];
    double limit = p->auto_plan ? p->time_limit / 2 : p->time_limit;
    double budget = limit > 0 ? limit - elapsed : -1;
    if (budget >= 0 && left_lo > budget) {
        format_duration(a, sizeof a, budget);
        fprintf(stderr, p->auto_plan ? "; it will not finish: auto samples with PCT in ~%s"
                                     : "; it will not finish: the time limit stops it in ~%s", a);
        return;
    }
    bool capped = budget >= 0 && left_hi > budget;
    format_duration(a, sizeof a, left_lo);
    format_duration(b, sizeof b, capped ? budget : left_hi);
    if (strcmp(a, b) == 0)
        fprintf(stderr, ", ~%s left", a);
    else
        fprintf(stderr, ", %s to %s left", a, b);
    if (capped)
        fprintf(stderr, p->auto_plan ? " (then auto samples with PCT)" : " (the time limit)");
}

/* The estimate of an exhaustive search: covered is the fraction done. */
static void put_estimate(struct progress *p, double n, double elapsed, double covered)
{
    double lo, hi;
    recent_totals(p, n / covered, &lo, &hi);
    lo = lo < n ? n : lo;             /* an older estimate the search has passed */
    hi = hi < n ? n : hi;
    bool settled = p->ntotals >= 4 && hi <= 1.25 * lo;
    double rate = n / elapsed;
    if (settled)
        fprintf(stderr, ", ~%.0f%% of ~%.3g", 200 * n / (lo + hi), (lo + hi) / 2);
    else if (hi < 1.005 * lo)         /* too few estimates yet to agree */
        fprintf(stderr, ", total not settled: ~%.3g so far", hi);
    else
        fprintf(stderr, ", total not settled: ~%.3g to ~%.3g", lo, hi);
    put_time_left(p, elapsed, (lo - n) / rate, (hi - n) / rate);
}

static void show_progress(void *ctx, const struct explore_result *r, double covered)
{
    struct progress *p = ctx;
    double now = cli_seconds(), elapsed = now - p->start;
    if (now - p->last < 0.25 || elapsed <= 0)
        return;
    p->last = now;
    p->shown = true;
    uint64_t n = r->cov.executions + r->cov.pruned;
    fprintf(stderr, "\r\033[K%s: %llu executions, %.0f/s", p->name, (unsigned long long)n,
            (double)n / elapsed);
    if (r->cov.sampled) {
        char left[32];
        format_duration(left, sizeof left, p->time_limit - elapsed);
        fprintf(stderr, ", sampling with PCT (DPOR could not finish in half the time "
                "limit): not exhaustive, %s left", left);
    } else if (covered > 0 && covered < 1 && n > 0) {
        put_estimate(p, (double)n, elapsed, covered);
    } else if (p->max_executions > n) {
        char left[32];
        double by_count = (double)(p->max_executions - n) * elapsed / (double)n;
        bool limited = p->time_limit > 0 && p->time_limit - elapsed < by_count;
        format_duration(left, sizeof left, limited ? p->time_limit - elapsed : by_count);
        fprintf(stderr, ", %llu of %llu, ~%s left%s", (unsigned long long)n,
                (unsigned long long)p->max_executions, left, limited ? " (the time limit)" : "");
    } else if (p->time_limit > 0) {
        char left[32];
        format_duration(left, sizeof left, p->time_limit - elapsed);
        fprintf(stderr, ", at most %s left (the time limit)", left);
    }
    fflush(stderr);
}

static void end_progress(struct progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
}

/* ==========================================================================
** What every command shares
** ========================================================================== */

static const struct report_format *format_for(const struct cli_opts *o)
{
    const struct report_format *f = report_format_named(o->format);
    if (f == NULL)
        fprintf(stderr, "weft: unknown format '%s' (text, json, tap or junit)\n", o->format);
    return f;
}

/* Does --strategy name a plan whose position can be saved (dfs, dpor)? */
static bool plan_saves(const struct cli_opts *o)
{
    return strcmp(o->strategy, "dpor") == 0 || strcmp(o->strategy, "dfs") == 0;
}

/* --isolate fork: each execution's process goes on from the position of
** the one before (dpor, dfs: auto means dpor). */
static bool fork_plan_ok(struct cli_opts *o)
{
    if (o->isolate != CLI_ISOLATE_FORK || plan_saves(o))
        return true;
    if (strcmp(o->strategy, "auto") == 0) {
        o->strategy = "dpor";
        return true;
    }
    fprintf(stderr, "weft: --isolate fork takes --strategy dpor or dfs (a new process goes on "
            "from the search's position after each execution), not '%s'\n", o->strategy);
    return false;
}

/* The plan named by --strategy, or NULL after saying which exist. */
static const struct explore_plan *plan_for(const struct cli_opts *o)
{
    const struct explore_plan *p = explore_plan_named(o->strategy);
    if (p && p->sampled && o->split_depth > 0) {
        fprintf(stderr, "weft: --split-depth cuts the tree of --strategy dpor or dfs; %s is "
                "split by execution number (--shard, --jobs alone)\n", o->strategy);
        return NULL;
    }
    if (p && p != &explore_plan_replay && (o->shard_count || o->split_depth || o->jobs) &&
        !plan_saves(o) && !p->sampled) {
        fprintf(stderr, "weft: --jobs, --shard and --split-depth work with --strategy dpor, "
                "dfs, pct or random, not %s\n", o->strategy);
        return NULL;
    }
    if (p && p != &explore_plan_replay && (plan_saves(o) || !(o->checkpoint || o->resume)))
        return p;
    if (p && p != &explore_plan_replay) {
        fprintf(stderr, "weft: --checkpoint and --resume work with --strategy dpor or dfs, "
                "not %s\n", o->strategy);
        return NULL;
    }
    fprintf(stderr, "weft: unknown strategy '%s' (", o->strategy);
    for (int i = 0; explore_plans[i]; i++)
        fprintf(stderr, "%s%s", i == 0 ? "" : explore_plans[i + 1] ? ", " : " or ",
                explore_plans[i]->name);
    fprintf(stderr, ")\n");
    return NULL;
}

/* ==========================================================================
** --trace, --dot, --html: the failure in files a person opens
** ========================================================================== */

static bool views_wanted(const struct cli_opts *o)
{
    return o->trace || o->dot || o->html;
}

/* The report as the text format prints it (for the page); NULL without memory. */
static char *report_as_text(const struct report *rep, int flags)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    report_format_named("text")->print(f, rep, flags & ~REPORT_QUIET);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Write one view to path: 0, or CLI_ERROR after naming the file. */
static int write_view(const char *path, const char *option, const struct report *rep,
                      const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "weft: %s %s: %s\n", option, path, strerror(errno));
        return CLI_ERROR;
    }
    int rc = strcmp(option, "--trace") == 0 ? report_write_trace(f, rep)
           : strcmp(option, "--dot") == 0   ? report_write_dot(f, rep)
                                            : report_write_html(f, rep, text);
    errno = 0;
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "weft: %s %s: write error%s%s\n", option, path, errno ? ": " : "",
                errno ? strerror(errno) : "");
        return CLI_ERROR;
    }
    return 0;
}

/* How a report of t names it and its replay command; view: record every
** thread's state after each step (for --html). */
/* The rules a search of t runs under, from the options. */
static struct cli_rules cli_rules_of(const struct cli_opts *o, const struct cli_target *t)
{
    return (struct cli_rules){ .timers_idle = o->timers_idle, .exact_spins = o->exact_spins,
                               .all_memory = t->all_memory, .sc_atomics = o->sc_atomics,
                               .reorder_stores = o->reorder_stores };
}

static struct report_request request_for(const struct cli_target *t, const struct cli_opts *o,
                                         bool view)
{
    return (struct report_request){ .command = o->command, .target = t->spelling,
                                    .params = o->param_args, .group = t->group,
                                    .number = t->number, .accept = o->accept,
                                    .min_executions = o->min_executions, .view = view,
                                    .program = posix_is_program(t->scenario) };
}

/* ==========================================================================
** --output-dir: what a CI job keeps of each failure
** ========================================================================== */

/* Write rep to path in format f; 0, or CLI_ERROR after saying why. */
static int save_as(const char *path, const struct report *rep, const char *format, int flags)
{
    FILE *f = fopen(path, "w");
    if (f)
        report_format_named(format)->print(f, rep, flags);
    if (f == NULL || ferror(f) | fclose(f)) {
        fprintf(stderr, "weft: cannot write %s: %s\n", path, strerror(errno));
        return CLI_ERROR;
    }
    return 0;
}

/* The files --trace, --dot and --html ask for, of rep's failure: 0, or
** CLI_ERROR when one could not be written. Without a failure to show,
** none is written and stderr says why. */
static int write_views(const struct report *rep, const struct cli_opts *o, int flags)
{
    if (!views_wanted(o))
        return 0;
    if (!rep->failed || rep->died || rep->nthreads == 0) {
        fprintf(stderr, "weft: %s: %s, so no --trace, --dot or --html file was written\n",
                rep->scenario, !rep->failed ? "no failure found"
                : "the process running the execution died, leaving no steps to show");
        return 0;
    }
    char *text = o->html ? report_as_text(rep, flags) : NULL;
    int rc = o->html && text == NULL ? out_of_memory("for the page") : 0;
    if (rc == 0 && o->trace)
        rc = write_view(o->trace, "--trace", rep, NULL);
    if (rc == 0 && o->dot)
        rc = write_view(o->dot, "--dot", rep, NULL);
    if (rc == 0 && o->html)
        rc = write_view(o->html, "--html", rep, text);
    free(text);
    return rc;
}

/* A script that replays rep from the folder weft ran in (WEFT overrides
** the command; its arguments are added to the replay's). */
static int save_replay(const char *path, const struct report *rep)
{
    char *cwd = getcwd(NULL, 0), *here = cwd ? cli_shell_word(cwd) : NULL;
    FILE *f = here ? fopen(path, "w") : NULL;
    if (f)
        fprintf(f, "#!/bin/sh\n# Replays the %s weft found in %s, from the folder weft ran in.\n"
                "# Arguments are added to the replay's (--format json); WEFT names weft.\n"
                "cd %s || exit 2\nexec ${WEFT:-%s} replay %s%s --schedule %s \"$@\"\n",
                weft_result_name(rep->result), rep->scenario, here, rep->command, rep->target,
                rep->params, rep->schedule);
    int rc = f && !ferror(f) && fclose(f) == 0 && chmod(path, 0755) == 0 ? 0 : CLI_ERROR;
    if (rc)
        fprintf(stderr, "weft: cannot write %s: %s\n", path, strerror(errno));
    free(cwd);
    free(here);
    return rc;
}

/* DIR/NAME (NAME-N when two scenarios of the run share a name): the
** report as text and JSON, and replay.sh. 0, or CLI_ERROR. */
static int save_failure(const struct report *rep, const struct cli_opts *o,
                        const struct cli_target *t)
{
    if (o->output_dir == NULL || !rep->failed || rep->schedule == NULL)
        return 0;
    char dir[4096], path[4200];
    if (t->name_repeats)
        snprintf(dir, sizeof dir, "%s/%s-%d", o->output_dir, rep->scenario, t->number);
    else
        snprintf(dir, sizeof dir, "%s/%s", o->output_dir, rep->scenario);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "weft: cannot make %s: %s\n", dir, strerror(errno));
        return CLI_ERROR;
    }
    snprintf(path, sizeof path, "%s/report.txt", dir);
    int rc = save_as(path, rep, "text", 0);
    snprintf(path, sizeof path, "%s/report.json", dir);
    rc = rc ? rc : save_as(path, rep, "json", 0);
    snprintf(path, sizeof path, "%s/replay.sh", dir);
    return rc ? rc : save_replay(path, rep);
}

/* Print rep (writing the files asked for, and keeping it in --output-dir if
** it failed) and free it; CLI_OK, CLI_UNEXPECTED when it was not as
** expected, or CLI_ERROR when a file could not be written. */
static int print_report(struct report *rep, const struct cli_opts *o,
                        const struct cli_target *t, int flags)
{
    int views = write_views(rep, o, flags);
    format_for(o)->print(stdout, rep, flags);
    fflush(stdout);
    int rc = views ? views : rep->as_expected ? CLI_OK : CLI_UNEXPECTED;
    if (!(flags & REPORT_REPLAY) && save_failure(rep, o, t) != 0)
        rc = CLI_ERROR;
    report_free(rep);
    return rc;
}

/* ==========================================================================
** list
** ========================================================================== */

/* With no names: every scenario this program has (built in, or linked). */
static int all_scenarios(struct cli_target **out, int *n)
{
    *n = registry_count();
    *out = calloc((size_t)*n + 1, sizeof **out);
    if (*out == NULL)
        return out_of_memory("for the scenario list");
    for (int i = 0; i < *n; i++) {
        (*out)[i].scenario = registry_get(i);
        if (((*out)[i].spelling = strdup(registry_get(i)->name)) == NULL)
            return out_of_memory("for the scenario list");
    }
    return 0;
}

int cli_list(struct cli_opts *o)
{
    struct cli_target *t = NULL;
    int n = 0;
    int rc = o->nargs ? cli_resolve(o->args, o->nargs, o, &t, &n) : all_scenarios(&t, &n);
    for (int i = 0; i < n; i++)
        printf("%-32s %-14s %s\n", t[i].scenario->name, weft_result_name(t[i].scenario->expect),
               t[i].scenario->summary ? t[i].scenario->summary : "");
    cli_targets_free(t, n);
    return rc;
}

/* ==========================================================================
** run
** ========================================================================== */

/* --classes: every complete execution's class, one a line; never stop. */
struct class_file {
    FILE *f;
    const char *scenario;
};

static void write_class(void *ctx, uint64_t hash, bool stopped, enum weft_result result,
                        const uint32_t *choices, size_t n, uint32_t nsteps)
{
    struct class_file *cf = ctx;
    char small[256], *token = small;
    size_t len = codec_encode(choices, n, nsteps, (int)result, small, sizeof small);
    if (len >= sizeof small && (token = malloc(len + 1)) != NULL)
        codec_encode(choices, n, nsteps, (int)result, token, len + 1);
    fprintf(cf->f, "%s %016llx %s%s\n", cf->scenario, (unsigned long long)hash,
            token ? token : "-", stopped ? " stopped" : "");   /* "-": no memory for it */
    if (token != small)
        free(token);
}

static bool search_on(void *ctx, const struct explore_result *r)
{
    (void)ctx;
    (void)r;
    return false;
}

static bool progress_wanted(const struct cli_opts *o)
{
    return o->progress > 0 || (o->progress < 0 && !o->quiet && isatty(2));
}

/* Search one scenario here and print its report; c: the child a
** supervisor watches (NULL without one), stop: a signal handler's flag (or
** NULL). A search that goes on past failures (--classes) goes on past the
** death of a child too, where its position can be saved. */
static int run_here(const struct cli_target *t, const struct cli_opts *o,
                    const struct explore_plan *plan, struct exec *x, FILE *classes,
                    struct cli_child *c, const volatile sig_atomic_t *stop)
{
    struct explore_window *w = cli_child_window(c);
    double start = cli_seconds();
    struct progress prog = { .name = t->scenario->name, .start = start, .last = start,
                             .time_limit = o->time_limit,
                             .auto_plan = strcmp(plan->name, "auto") == 0,
                             .max_executions = o->executions ? o->executions
                                             : plan->sampled ? CLI_SAMPLED_BUDGET : 0 };
    struct cli_job job = {
        .scenario = t->scenario, .params = o->params, .max_steps = o->max_steps,
        .stack_size = o->stack_size,
        .rules = cli_rules_of(o, t), .shrink = o->shrink,
        .ec = { .plan = plan, .sleep_sets = o->sleep_sets, .max_preemptions = o->max_preemptions,
                .max_executions = o->executions, .seed = o->seed, .depth = o->depth,
                .time_limit = o->time_limit, .window = w, .stop = stop },
        .req = request_for(t, o, o->html != NULL), .exec = x,
    };
    job.ec.split = (struct explore_split){ .depth = o->split_depth, .index = o->shard_index,
                                          .count = o->shard_count, .depth_for = o->split_for,
                                          .claims = o->claims,
                                          .unit_done = o->jobs_dir ? cli_jobs_unit_done : NULL,
                                          .unit_ctx = (void *)o->jobs_dir,
                                          .finish_only = o->finish_only,
                                          .redo_unit = o->redo_unit };
    char *identity = o->split_depth ? cli_search_identity(o, t, false) : NULL;
    if (o->split_depth && identity == NULL)
        return out_of_memory("for the search's name");
    job.identity = identity;
    if (progress_wanted(o)) {
        job.ec.progress = show_progress;
        job.ec.progress_ctx = &prog;
    }
    struct class_file cf = { classes, t->scenario->name };
    if (classes) {
        job.ec.on_class = write_class;
        job.ec.class_ctx = &cf;
        job.ec.accept = search_on;
    }
    struct cli_checkpoint cp;
    if (cli_checkpoint_begin(&cp, o, t, &job.ec) != 0) {
        free(identity);
        return CLI_ERROR;
    }
    struct report *rep;
    bool unreplayable;
    bool forks = o->isolate == CLI_ISOLATE_FORK && c != NULL;
    job.started = cli_child_started(c);
    job.forked = forks;
    int rc = (classes || forks) && plan_saves(o) ? cli_child_go_on(c, &job.ec, classes) : 0;
    if (rc == CLI_ERROR) {
        cli_checkpoint_end(&cp);
        free(identity);
        return CLI_ERROR;
    }
    if (rc == 0)
        rc = cli_explore(&job, &rep, &unreplayable);
    cli_checkpoint_end(&cp);
    free(identity);
    end_progress(&prog);
    if (rc)
        return out_of_memory("while exploring");
    return print_report(rep, o, t, o->quiet ? REPORT_QUIET : 0);
}

/* A search in a child process (supervise.c): what it runs. */
struct run_args {
    const struct cli_target *t;
    const struct cli_opts *o;
    const struct explore_plan *plan;
    FILE *classes;
    unsigned char *read;              /* shared: which --param the child read */
    size_t nparams;
};

static int run_child(void *ctx, struct cli_child *c)
{
    struct run_args *a = ctx;
    int rc = run_here(a->t, a->o, a->plan, NULL, a->classes, c, NULL);
    params_read_get(a->o->params, a->read, a->nparams);
    if (a->classes && fflush(a->classes) != 0) {
        perror(a->o->classes);
        rc = CLI_ERROR;
    }
    return rc;
}

/* The room a window needs for the choices of t's executions (as many as
** the search records: explore.c). */
static size_t window_room(const struct cli_target *t, const struct cli_opts *o)
{
    return 2 * (size_t)cli_max_steps(t->scenario, o->max_steps) + 16;
}

/* A shard's child that did not report before its search showed its split
** (shard.c) still gives a shard's result, which the merge takes. A --jobs
** worker's stopped at the time limit did nothing: the split every worker
** shares, once one counted. One that died while the search was counting
** its units, as every shard's does there: a split of depth 0, the same in
** all of them, whose failure the merge replays. */
static void supervised_split(const struct cli_opts *o, struct explore_result *found)
{
    const struct explore_claims *c = o->claims;
    if (o->split_depth == 0 || found->cov.split.depth != 0 || found->cov.split.block != 0)
        return;
    if (c && !found->failed && __atomic_load_n(&c->depth, __ATOMIC_ACQUIRE) != 0) {
        found->cov.split = (struct coverage_split){
            .depth = c->depth, .units = c->units, .live_units = c->live_units,
            .unit_hash = c->unit_hash, .failed_unit = EXPLORE_NO_UNIT,
        };
    } else if (found->failed) {       /* before any unit: the search's first */
        found->cov.split.failed_unit = 0;
    }
    found->cov.split.index = o->shard_index;
    found->cov.split.count = o->shard_count;
}

/* A --jobs worker's search died: it failed in the unit it died in, and no
** worker takes a unit above that one (as after any failure); none takes
** one at all when it died counting the units, where each would die again.
** (With --keep-going, one that had kept a failure reports that one: the
** death is only said to the others.) */
static void worker_died(const struct cli_opts *o, const struct cli_supervised *sv)
{
    struct explore_claims *c = o->claims;
    const struct explore_result *found = &sv->found;
    if (c == NULL || !found->failed)
        return;
    if (found->cov.split.depth == 0 && found->cov.split.block == 0)
        __atomic_store_n(&c->limit, 0, __ATOMIC_SEQ_CST);
    else if (sv->died_unit != EXPLORE_NO_UNIT)
        explore_claims_failed(c, sv->died_unit, sv->died_result);
    else
        explore_claims_failed(c, found->cov.split.failed_unit, found->outcome.result);
}

static int merged_report(struct report *rep, const struct cli_merged *m,
                         const struct cli_opts *o);

/* The child did not report: the supervisor does, from what it saw. */
static int report_supervised(const struct cli_target *t, const struct cli_opts *o,
                             const struct explore_plan *plan, struct cli_supervised *sv,
                             double start, int flags, struct report **kept)
{
    struct report_request req = request_for(t, o, false);
    if (sv->found.cov.plan == NULL)   /* died before its first execution ended: */
        sv->found.cov.plan = strcmp(plan->name, "auto") == 0 ? explore_plan_named("dpor")
                                                             : plan;   /* auto's first */
    sv->found.cov.executions += sv->found.failed;   /* the one it died in */
    sv->found.cov.seed = o->seed;     /* as the search's result says them (plan.c) */
    sv->found.cov.depth = o->depth;
    supervised_split(o, &sv->found);
    worker_died(o, sv);
    struct report *rep = sv->found.failed ? report_of_death(t->scenario, &req, &sv->found)
                                          : report_snapshot(NULL, t->scenario, &req, &sv->found);
    if (rep == NULL)
        return out_of_memory("for a report");
    if (o->split_depth && (rep->identity = cli_search_identity(o, t, false)) == NULL) {
        report_free(rep);             /* a shard's: the search the merge checks */
        return out_of_memory("for a report");
    }
    rep->elapsed_s = flags & REPORT_REPLAY ? 0 : cli_seconds() - start;
    if ((flags & REPORT_REPLAY) && o->merged)   /* weft merge's replay of a death */
        flags = merged_report(rep, o->merged, o);
    if (kept)
        *kept = rep;
    int views = write_views(rep, o, flags);
    format_for(o)->print(stdout, rep, flags);
    fflush(stdout);
    int rc = views ? views : rep->as_expected ? CLI_OK : CLI_UNEXPECTED;
    if (!(flags & REPORT_REPLAY) && save_failure(rep, o, t) != 0)
        rc = CLI_ERROR;
    if (kept == NULL)
        report_free(rep);
    return rc;
}

/* A death the search goes on after: reported as it happened. */
struct deaths {
    const struct cli_target *t;
    const struct cli_opts *o;
    const struct explore_plan *plan;
    double start;
    int rc;                           /* the worst of their reports */
    bool any;
};

static void report_death(void *ctx, struct cli_supervised *sv)
{
    struct deaths *d = ctx;
    d->any = true;
    if (progress_wanted(d->o))
        fprintf(stderr, "\r\033[K");  /* the child's progress line, left behind */
    int rc = report_supervised(d->t, d->o, d->plan, sv, d->start,
                               d->o->quiet ? REPORT_QUIET : 0, NULL);
    if (rc > d->rc)
        d->rc = rc;
}

static int run_one(const struct cli_target *t, const struct cli_opts *o,
                   const struct explore_plan *plan, struct exec *x, FILE *classes)
{
    if (o->isolate == CLI_ISOLATE_NONE)
        return run_here(t, o, plan, x, classes, NULL, cli_catch_stops());
    struct run_args a = { t, o, plan, classes, NULL, params_count(o->params) };
    double start = cli_seconds();
    struct deaths deaths = { t, o, plan, start, CLI_OK, false };
    struct cli_watch watch = { o->time_limit, o->watchdog, report_death, &deaths,
                               o->isolate == CLI_ISOLATE_FORK };
    struct cli_supervised sv;
    if (a.nparams && (a.read = mmap(NULL, a.nparams, PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
        return out_of_memory("for the supervisor");
    int rc = cli_supervise(run_child, &a, window_room(t, o), &watch, &sv);
    if (a.nparams) {
        if (rc == 0 && (!sv.finished || deaths.any))
            memset(a.read, 1, a.nparams);   /* a child that died said nothing: no warning */
        params_read_add(o->params, a.read, a.nparams);
        munmap(a.read, a.nparams);
    }
    if (rc == 0 && !sv.finished && progress_wanted(o))
        fprintf(stderr, "\r\033[K");  /* the child's progress line, left behind */
    if (rc == 0)
        rc = sv.finished ? sv.rc
                         : report_supervised(t, o, plan, &sv, start,
                                             o->quiet ? REPORT_QUIET : 0, NULL);
    if (rc == CLI_OK || rc == CLI_UNEXPECTED)
        rc = rc > deaths.rc ? rc : deaths.rc;
    cli_supervised_free(&sv);
    return rc == WEFT_ENOMEM ? out_of_memory("for the supervisor") : rc;
}

/* ==========================================================================
** --jobs: the units of one search taken by worker processes, merged
** ==========================================================================
** Each worker runs the split search as `run --format json` would, into a
** file of its own, but takes its units from a counter the workers share
** (struct explore_claims, mapped before they fork): the next unit once it
** is done with its own, so that one slow unit leaves no core idle. Once
** all have ended, the files are merged (cli_merge_jobs) and printed as
** asked. The split depth is chosen for JOBS_SPLIT_FOR shards whatever N
** is, so that --jobs 1 and --jobs 8 cut the same tree and print the same
** result (timing aside).
**
** A failure in unit u stops the workers on units above u (explore.c,
** split_past_failure), but those below it finish theirs: every unit below
** u was taken before u was, so the lowest failing unit is found whatever
** the timing, with the counts one run has there. --keep-going stops none:
** a worker ends at its own first failure, and a new one takes its place
** while units are left, so every unit is searched to its first failure.
*/
#define JOBS_SPLIT_FOR 16

/* The workers of one search. */
struct workers {
    char dir[32];                     /* their result files' folder */
    char **paths;                     /* result files, one per worker started */
    uint32_t started, cap;
    pid_t *pids;                      /* of the running ones (0: a free slot) */
    uint32_t slots;                   /* --jobs */
    struct explore_claims *claims;    /* shared with them */
    double start;
    int rc;                           /* CLI_ERROR once one failed to report */
    const char *ckdir;                /* --checkpoint/--resume DIR, or NULL */
    struct cli_jobs_state st;         /* what it held */
    int resumed;                      /* of st.resume, started so far */
};

/* A worker: the search, its output in path. Never returns. */
static void run_worker(const struct cli_target *t, const struct cli_opts *o,
                       const struct explore_plan *plan, const struct workers *ws,
                       uint32_t k, const char *path, const char *resume)
{
    char ck[4200];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        perror(path);
        _exit(CLI_ERROR);
    }
    close(fd);
    struct cli_opts w = *o;
    w.jobs = 0;
    if (o->shard_count == 0) {        /* names the worker; the units are taken */
        w.shard_index = k;
        w.shard_count = o->jobs;
    }
    w.claims = ws->claims;
    w.format = "json";
    w.progress = 0;
    w.output_dir = NULL;              /* written once, of the failure reported (merge.c) */
    w.trace = w.dot = w.html = NULL;
    w.checkpoint = w.resume = NULL;
    if (ws->ckdir) {                  /* its own checkpoint, and the units it finishes */
        snprintf(ck, sizeof ck, "%s/worker-%llu.ck", ws->ckdir,
                 (unsigned long long)(ws->st.next_serial + k));
        w.checkpoint = resume ? resume : ck;   /* (overwritten once it saves) */
        w.resume = resume;            /* inside its unit; from the unit's beginning
                                         if the position cannot move (checkpoint.c) */
        w.finish_only = resume != NULL;
        w.redo_unit = resume ? ws->st.resume_unit[ws->resumed] : 0;
        w.jobs_dir = ws->ckdir;
    }
    if (o->time_limit > 0) {          /* one that takes a failed one's place: what is left */
        w.time_limit = o->time_limit - (cli_seconds() - ws->start);
        w.time_limit = w.time_limit > 0.001 ? w.time_limit : 0.001;
    }
    int rc = run_one(t, &w, plan, NULL, NULL);
    _exit(fflush(stdout) != 0 ? CLI_ERROR : rc);
}

/* Start one more worker in slot; 0, or CLI_ERROR. */
static int start_worker(const struct cli_target *t, const struct cli_opts *o,
                        const struct explore_plan *plan, struct workers *ws, uint32_t slot)
{
    if (ws->started == ws->cap) {
        uint32_t cap = ws->cap ? 2 * ws->cap : ws->slots;
        char **paths = realloc(ws->paths, cap * sizeof *paths);
        if (paths == NULL)
            return out_of_memory("for the workers");
        ws->paths = paths;
        ws->cap = cap;
    }
    size_t n = sizeof ws->dir + 32;
    char *path = malloc(n);
    if (path == NULL)
        return out_of_memory("for the workers");
    snprintf(path, n, "%s/worker-%u.json", ws->dir, ws->started);
    ws->paths[ws->started++] = path;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "weft: cannot start a worker: %s\n", strerror(errno));
        ws->started--;
        free(path);
        return CLI_ERROR;
    }
    if (pid == 0)
        run_worker(t, o, plan, ws, ws->started - 1, path,
                   ws->resumed < ws->st.nresume ? ws->st.resume[ws->resumed] : NULL);
    ws->resumed += ws->resumed < ws->st.nresume;
    ws->pids[slot] = pid;
    return 0;
}

/* Does a worker that ended leave work for a new one: units no one took
** (it failed, with --keep-going; or it was resumed to finish one unit), or
** checkpoints of --resume not yet gone on from? */
static bool units_left(const struct cli_opts *o, const struct workers *ws)
{
    const struct explore_claims *c = ws->claims;
    bool stopped = !o->keep_going &&
                   __atomic_load_n(&c->lowest_failed, __ATOMIC_SEQ_CST) != EXPLORE_NO_UNIT;
    return !stopped && !cli_pending_stop() &&
           (o->time_limit <= 0 || cli_seconds() - ws->start < o->time_limit) &&
           (ws->resumed < ws->st.nresume ||
            __atomic_load_n(&c->next, __ATOMIC_SEQ_CST) <
                __atomic_load_n(&c->limit, __ATOMIC_SEQ_CST));
}

/* Wait for a worker to end; its slot, or -1 when none is running. */
static int reap_worker(struct workers *ws)
{
    for (;;) {
        bool any = false;
        for (uint32_t k = 0; k < ws->slots; k++)
            any |= ws->pids[k] != 0;
        if (!any)
            return -1;
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0 || (pid < 0 && errno == EINTR)) {
            int sig = cli_wait_child_or_stop();
            for (uint32_t k = 0; sig && k < ws->slots; k++)
                if (ws->pids[k])      /* each stops as a search alone does */
                    kill(ws->pids[k], sig);
            continue;
        }
        for (uint32_t k = 0; k < ws->slots; k++)
            if (pid < 0 || ws->pids[k] == pid) {
                if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > CLI_UNEXPECTED)
                    ws->rc = CLI_ERROR;
                ws->pids[k] = 0;
                if (pid > 0)
                    return (int)k;
            }
    }
}

/* Run the workers until none is left running: in every slot one, and
** with --keep-going a new one in the slot of one that ended while units
** are left. 0, or CLI_ERROR. */
static int run_workers(const struct cli_target *t, const struct cli_opts *o,
                       const struct explore_plan *plan, struct workers *ws)
{
    int rc = 0;
    for (uint32_t k = 0; rc == 0 && k < ws->slots; k++)
        rc = start_worker(t, o, plan, ws, k);
    for (int k; (k = reap_worker(ws)) >= 0;)
        if (rc == 0 && ws->rc == 0 && units_left(o, ws))
            rc = start_worker(t, o, plan, ws, (uint32_t)k);
    return rc ? rc : ws->rc;
}

static void mark_params_read(struct params *p)
{
    size_t n = params_count(p);
    unsigned char *all = n ? malloc(n) : NULL;
    if (all) {
        memset(all, 1, n);
        params_read_add(p, all, n);
    }
    free(all);
}

static void workers_free(struct workers *ws)
{
    for (uint32_t k = 0; k < ws->started; k++) {
        unlink(ws->paths[k]);
        free(ws->paths[k]);
    }
    if (ws->dir[0] && ws->dir[strlen(ws->dir) - 1] != 'X')
        rmdir(ws->dir);
    free(ws->paths);
    free(ws->pids);
    if (ws->claims && ws->claims->failed)
        munmap(ws->claims->failed, ws->claims->failed_cap);
    if (ws->claims)
        munmap(ws->claims, sizeof *ws->claims);
    cli_jobs_state_free(&ws->st);
}

/* --keep-going: a byte for each unit's first failure, shared with the
** workers (explore_claims.failed). The pages are taken only as units fail,
** so room for millions costs nothing. 0, or -1. */
#define JOBS_FAILED_UNITS (1u << 24)

static int map_failed_units(struct explore_claims *c)
{
    void *p = mmap(NULL, JOBS_FAILED_UNITS, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    c->failed = p;
    c->failed_cap = JOBS_FAILED_UNITS;
    return 0;
}

/* --checkpoint DIR, --resume DIR: the folder's units and checkpoints, the
** finished units marked taken. 0, or CLI_ERROR. */
static int jobs_state(const struct cli_target *t, const struct cli_opts *o, struct workers *ws)
{
    if (o->checkpoint && o->resume && strcmp(o->checkpoint, o->resume) != 0) {
        fprintf(stderr, "weft: with --jobs, --checkpoint and --resume name one folder (the "
                "resumed search goes on saving there), not %s and %s\n", o->checkpoint,
                o->resume);
        return CLI_ERROR;
    }
    ws->ckdir = o->resume ? o->resume : o->checkpoint;
    if (ws->ckdir == NULL)
        return 0;
    char *identity = cli_search_identity(o, t, true);
    int rc = identity ? cli_jobs_state_read(ws->ckdir, identity, o->resume != NULL, &ws->st)
                      : out_of_memory("for the search's name");
    free(identity);
    ws->claims->taken = ws->st.taken;
    ws->claims->cap = ws->st.cap;
    return rc;
}

static int run_jobs(const struct cli_target *t, const struct cli_opts *o,
                    const struct explore_plan *plan)
{
    struct workers ws = { .dir = "/tmp/weft-jobs.XXXXXX", .slots = o->jobs,
                          .start = cli_seconds() };
    ws.pids = calloc(o->jobs, sizeof *ws.pids);
    ws.claims = mmap(NULL, sizeof *ws.claims, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ws.claims == MAP_FAILED)
        ws.claims = NULL;
    int rc = ws.pids && ws.claims ? 0 : out_of_memory("for the workers");
    if (rc == 0) {
        *ws.claims = (struct explore_claims){ .lowest_failed = EXPLORE_NO_UNIT,
                                              .units = EXPLORE_NO_UNIT,
                                              .limit = EXPLORE_NO_UNIT,
                                              .shard_index = o->shard_index,
                                              .shard_count = o->shard_count,
                                              .keep_going = o->keep_going };
        if (o->keep_going && map_failed_units(ws.claims) != 0)
            rc = out_of_memory("for the failing units");
        else if (mkdtemp(ws.dir) == NULL) {
            perror("weft: a folder for the workers' results");
            rc = CLI_ERROR;
        }
    }
    if (rc == 0)
        rc = jobs_state(t, o, &ws);
    if (rc == 0)
        rc = run_workers(t, o, plan, &ws);
    if (rc == 0)
        rc = cli_merge_jobs(o, (const char *const *)ws.paths, (int)ws.started, ws.st.base,
                            ws.claims);
    mark_params_read(o->params);      /* the workers read them: no warning here */
    workers_free(&ws);
    return rc;
}

static void warn_unread(const char *key, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "weft: warning: no scenario read --param %s (misspelled?)\n", key);
}

static int usage_error(const char *fmt, int n)
{
    fprintf(stderr, "weft: ");
    fprintf(stderr, fmt, n);
    fprintf(stderr, "\n");
    return CLI_ERROR;
}

/* ---- the scenarios of a run, one after another ---- */

/* A file's scenarios, for a format that groups them (JUnit): their
** reports are caught from standard output, where a child process writes
** them, and written out wrapped when the next file begins. */
struct grouping {
    const char *name;                 /* the file of the group so far, or NULL */
    struct report_totals t;
    FILE *body;                       /* a memory stream */
    char *text;
    size_t len;
};

/* The file a target's report names (report.c falls back the same way). */
static const char *group_of(const struct cli_target *t)
{
    return t->group ? t->group : t->scenario->file ? t->scenario->file : "";
}

static void count(struct report_totals *t, int rc)
{
    t->as_expected += rc == CLI_OK;
    t->unexpected += rc == CLI_UNEXPECTED;
    t->errors += rc != CLI_OK && rc != CLI_UNEXPECTED;
}

/* Write the group so far, if any, and forget it; 0 or CLI_ERROR. */
static int group_end(struct grouping *g, const struct report_format *f)
{
    if (g->name == NULL)
        return 0;
    int rc = fclose(g->body) == 0 ? 0 : out_of_memory("for a group of reports");
    if (rc == 0)
        f->group(stdout, g->name, &g->t, g->text, g->len);
    free(g->text);
    *g = (struct grouping){ 0 };
    return rc;
}

/* Copy what stdout got since capture_begin (in tmp) into g's body, and
** give stdout back (saved). */
static void capture_end(FILE *tmp, int saved, struct grouping *g)
{
    char buf[4096];
    size_t n;
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
        fwrite(buf, 1, n, g->body);
    fclose(tmp);
}

/* One target: in this process, or dealt to --jobs worker processes. */
static int run_target(struct cli_target *t, const struct cli_opts *o,
                      const struct explore_plan *plan, struct exec *x, FILE *classes)
{
    return o->jobs ? run_jobs(t, o, plan) : run_one(t, o, plan, x, classes);
}

/* Run t as run_target does, its report caught into its file's group. */
static int run_grouped(struct grouping *g, struct cli_target *t, const struct cli_opts *o,
                       const struct explore_plan *plan, struct exec *x, FILE *classes,
                       const struct report_format *f)
{
    if (g->name && strcmp(g->name, group_of(t)) != 0 && group_end(g, f) != 0)
        return CLI_ERROR;
    if (g->name == NULL && (g->body = open_memstream(&g->text, &g->len)) == NULL)
        return out_of_memory("for a group of reports");
    g->name = group_of(t);
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = tmp ? dup(STDOUT_FILENO) : -1;
    if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
        perror("weft: cannot keep a report in a temporary file");
        if (tmp)
            fclose(tmp);
        if (saved >= 0)
            close(saved);
        return CLI_ERROR;
    }
    double start = cli_seconds();
    int rc = run_target(t, o, plan, x, classes);
    capture_end(tmp, saved, g);
    if (rc == CLI_ERROR)
        f->error(g->body, t->number, t->scenario->name, group_of(t));
    g->t.scenarios++;
    g->t.seconds += cli_seconds() - start;
    count(&g->t, rc);
    return rc;
}

/* Run every target in order, as format f frames them, until one cannot
** run or a stop signal arrives; the totals at the end. CLI_OK,
** CLI_UNEXPECTED, or CLI_ERROR. */
static int run_all(struct cli_target *t, int n, const struct cli_opts *o,
                   const struct explore_plan *plan, struct exec *x, FILE *classes)
{
    const struct report_format *f = format_for(o);
    struct report_totals all = { .scenarios = n };
    struct grouping g = { 0 };
    double start = cli_seconds();
    int i, rc = CLI_OK;
    for (i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            t[i].name_repeats |= j != i && strcmp(t[i].scenario->name, t[j].scenario->name) == 0;
    if (f->begin)
        f->begin(stdout, n);
    for (i = 0; i < n && rc != CLI_ERROR && !cli_pending_stop(); i++) {
        t[i].number = i + 1;
        rc = f->group ? run_grouped(&g, &t[i], o, plan, x, classes, f)
                      : run_target(&t[i], o, plan, x, classes);
        if (rc == CLI_ERROR && f->error && !f->group)
            f->error(stdout, t[i].number, t[i].scenario->name, group_of(&t[i]));
        count(&all, rc);
    }
    if (group_end(&g, f) != 0)
        all.errors++;
    all.not_run = n - i;
    all.seconds = cli_seconds() - start;
    if (f->end)
        f->end(stdout, &all);
    fflush(stdout);
    return all.errors ? CLI_ERROR : all.unexpected ? CLI_UNEXPECTED : CLI_OK;
}

/* The formats that frame a run need one report per scenario. */
static int check_format(const struct cli_opts *o)
{
    const struct report_format *f = format_for(o);
    if (f == NULL)
        return CLI_ERROR;
    if (o->classes && f->begin) {
        fprintf(stderr, "weft: --classes goes on past failures, with a report for each: use "
                "--format text or json with it, not %s\n", f->name);
        return CLI_ERROR;
    }
    return 0;
}

/* What --jobs does not combine with; true after saying so. */
static bool jobs_refused(const struct cli_opts *o)
{
    /* --isolate fork: a new process for each execution keeps no unit marks,
    ** without which a failing search's counts are not one run's. */
    const char *with = o->classes ? "--classes"
                     : o->isolate == CLI_ISOLATE_NONE ? "--isolate none"
                     : o->isolate == CLI_ISOLATE_FORK ? "--isolate fork" : NULL;
    if (with)
        fprintf(stderr, "weft: --jobs does not combine with %s (yet)\n", with);
    return with != NULL;
}

int cli_run(struct cli_opts *o)
{
    if (check_format(o) != 0 || !fork_plan_ok(o))
        return CLI_ERROR;
    if (o->keep_going && !o->jobs) {
        fprintf(stderr, "weft: --keep-going goes with --jobs N (a failure stops a single "
                "search)\n");
        return CLI_ERROR;
    }
    if (o->jobs && jobs_refused(o))
        return CLI_ERROR;
    if ((o->jobs || o->shard_count || o->split_depth) && strcmp(o->strategy, "auto") == 0)
        o->strategy = "dpor";         /* auto's search; its PCT rounds split by number apart */
    if (o->jobs)
        o->split_for = o->shard_count ? 0 : JOBS_SPLIT_FOR;   /* a shard: cut as its peers */
    if ((o->shard_count || o->jobs) && o->split_depth == 0)
        o->split_depth = EXPLORE_SPLIT_AUTO;
    const struct explore_plan *plan = plan_for(o);
    if (plan == NULL)
        return CLI_ERROR;
    if (o->nargs == 0 && !o->program->linked_scenarios) {
        fprintf(stderr, "%s run: name a scenario, a file or a folder (see '%s run --help')\n",
                o->program->name, o->program->name);
        return CLI_ERROR;
    }
    struct cli_target *t = NULL;
    int n = 0;
    int rc = o->nargs ? cli_resolve(o->args, o->nargs, o, &t, &n) : all_scenarios(&t, &n);
    bool isolated = o->isolate != CLI_ISOLATE_NONE;
    struct exec *x = rc ? NULL : sched_new();   /* stacks and memory kept between scenarios */
    FILE *classes = rc == 0 && o->classes ? fopen(o->classes, "w") : NULL;
    if (rc == 0 && x == NULL)
        rc = out_of_memory("for an execution");
    if (rc == 0 && o->classes && classes == NULL) {
        perror(o->classes);
        rc = CLI_ERROR;
    }
    if (rc == 0 && o->output_dir && mkdir(o->output_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "weft: cannot make the --output-dir %s: %s\n", o->output_dir,
                strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc == 0 && (o->checkpoint || o->resume) && n != 1)
        rc = usage_error("--checkpoint and --resume need exactly one scenario (a file "
                         "here defines %d)", n);
    if (rc == 0 && views_wanted(o) && n != 1)
        rc = usage_error("--trace, --dot and --html need exactly one scenario (%d named "
                         "here)", n);
    if (isolated)
        cli_hold_signals();
    int outcome = rc == 0 ? run_all(t, n, o, plan, x, classes) : CLI_ERROR;
    int stopped_by = cli_pending_stop();
    if (isolated)
        cli_release_signals();
    if (classes && fclose(classes) != 0 && rc == 0) {
        perror(o->classes);
        rc = CLI_ERROR;
    }
    sched_free(x);
    cli_targets_free(t, n);
    rc = rc ? rc : outcome == CLI_ERROR ? CLI_ERROR : 0;
    if (rc == 0)                      /* after an error no scenario may have run */
        params_unread(o->params, warn_unread, NULL);
    if (stopped_by && rc == 0)
        return 128 + stopped_by;      /* as a shell reports a process a signal ended */
    return rc ? rc : outcome;
}

/* ==========================================================================
** replay
** ========================================================================== */

/* `weft replay prog.c [more.c ...] [NAME]`: the program those sources
** make (NAME, as a folder's run spells it, is the program's own). */
static int replay_program(const struct cli_opts *o, struct cli_target *out)
{
    struct cli_target *t;
    int n, nsources = o->nargs;
    if (nsources > 1 && !cli_is_source(o->args[nsources - 1]))
        nsources--;
    for (int i = 0; i < nsources; i++)
        if (!cli_is_program_part(o->args[i])) {
            fprintf(stderr, "weft replay: %s is not a source of the program %s (a .c file "
                    "with a main and no WEFT_SCENARIO)\n", o->args[i], o->args[0]);
            return CLI_ERROR;
        }
    if (cli_resolve(o->args, nsources, o, &t, &n) != 0) {
        cli_targets_free(t, n);
        return CLI_ERROR;
    }
    if (nsources < o->nargs && strcmp(t[0].scenario->name, o->args[nsources]) != 0) {
        fprintf(stderr, "weft replay: the program %s is called %s, not '%s'\n", o->args[0],
                t[0].scenario->name, o->args[nsources]);
        cli_targets_free(t, n);
        return CLI_ERROR;
    }
    if (nsources == 1 && nsources < o->nargs) {   /* spelled as the run spelled it */
        free(t[0].spelling);
        if ((t[0].spelling = cli_file_spelling(o->args[0], o->args[1])) == NULL) {
            cli_targets_free(t, n);
            return out_of_memory("for the replay command");
        }
    }
    *out = t[0];
    for (int i = 1; i < n; i++) {
        free(t[i].spelling);
        free(t[i].group);
    }
    free(t);
    return 0;
}

/* The one scenario that `weft replay ARGS` names. */
static int replay_target(const struct cli_opts *o, struct cli_target *out)
{
    if (o->nargs >= 1 && cli_is_program(o->args[0]))
        return replay_program(o, out);
    if (o->nargs < 1 || o->nargs > 2) {
        fprintf(stderr, "weft replay: name one scenario (NAME, FILE [NAME], or a program's "
                "SOURCES.c)\n");
        return CLI_ERROR;
    }
    const struct weft_scenario *s = NULL;
    int from = 0, to = registry_count();
    struct stat st;
    bool probe = stat(o->args[0], &st) == 0;     /* a file (cli_load_file checks which) */
    if (probe) {
        if (cli_load_file(o->args[0], o, &from, &to))
            return CLI_ERROR;
        if (o->nargs == 1 && to - from == 1)
            s = registry_get(from);
    }
    const char *name = o->nargs == 2 ? o->args[1] : probe ? NULL : o->args[0];
    if (name)
        s = registry_find(name, from, to);
    if (s == NULL) {
        fprintf(stderr, "weft replay: no scenario '%s'%s%s; choose one of:\n",
                name ? name : "", probe ? " in " : "", probe ? o->args[0] : "");
        for (int i = from; i < to; i++)
            fprintf(stderr, "  %s\n", registry_get(i)->name);
        return CLI_ERROR;
    }
    out->scenario = s;
    out->all_memory = probe &&
                      (cli_is_source(o->args[0]) || cli_is_program_object(o->args[0])) &&
                      cli_memory_for(o, o->args[0]) == CLI_MEMORY_ALL;
    out->spelling = probe ? cli_file_spelling(o->args[0], s->name) : strdup(s->name);
    if (out->spelling == NULL)
        return out_of_memory("for the replay command");
    return 0;
}

/* The choices of --schedule, in a buffer of their size, and the result the
** token recorded (CODEC_NO_RESULT in a version-1 token); NULL after saying why. */
static uint32_t *decode_schedule(const char *token, size_t *n, uint32_t *nsteps, int *result)
{
    char err[256];
    if (codec_decode(token, NULL, REPLAY_MAX_CHOICES, n, nsteps, result, err,
                     sizeof err) != 0) {
        fprintf(stderr, "weft replay: bad schedule token: %s\n", err);
        return NULL;
    }
    uint32_t *choices = malloc((*n + 1) * sizeof *choices);
    if (choices == NULL) {
        out_of_memory("for the schedule");
        return NULL;
    }
    codec_decode(token, choices, REPLAY_MAX_CHOICES, n, nsteps, result, NULL, 0);
    if (*result > (int)WEFT_RESULT_LAST) {
        fprintf(stderr, "weft replay: the schedule token records result %d, which this "
                "weft does not know (was it made by a newer weft?)\n", *result);
        free(choices);
        return NULL;
    }
    return choices;
}

static void explain(void *ctx, struct exec *x)
{
    report_explain_state(stdout, x, ctx);
}

/* Run the replay; CLI_OK, or CLI_ERROR when the token does not fit. */
static int replay_run(struct search *s, const struct cli_target *t, struct explore_config *ec,
                      struct explore_result *res)
{
    if (explore_run(s, ec, res) != 0)
        return out_of_memory("while replaying");
    if (res->divergence[0]) {
        fprintf(stderr, "weft replay: %s: %s\n(was the token made for this scenario, "
                "with the same --param values? If it was, the scenario does not run the "
                "same way twice: see \"Determinism\" in the README)\n",
                t->scenario->name, res->divergence);
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* A token records how its execution ended; a replay that ends otherwise says
** so (CLI_UNEXPECTED): the scenario changed, or does not run the same way twice. */
static int check_replayed_result(const struct cli_target *t, int recorded,
                                 enum weft_result replayed)
{
    if (recorded == CODEC_NO_RESULT || recorded == (int)replayed)
        return CLI_OK;
    fprintf(stderr, "weft replay: %s: the schedule token recorded %s, but this replay "
            "ended in %s (has the scenario changed since, or does it not run the same "
            "way twice?)\n", t->scenario->name, weft_result_name((enum weft_result)recorded),
            weft_result_name(replayed));
    return CLI_UNEXPECTED;
}

/* weft merge: the replayed failure is reported with the shards' joined
** coverage, as the run that found it prints it; the print flags. */
static int merged_report(struct report *rep, const struct cli_merged *m, const struct cli_opts *o)
{
    rep->cov = m->cov;
    rep->elapsed_s = m->elapsed_s;
    rep->shrunk_from_steps = m->shrunk_from_steps;
    rep->shrunk_from_preemptions = m->shrunk_from_preemptions;
    rep->shrink_failed = m->shrink_failed;
    cli_merged_split(rep, m);
    return o->quiet ? REPORT_QUIET : 0;
}

/* One replay, as replay() asked for it. */
struct replay_args {
    const struct cli_opts *o;
    const struct cli_target *t;
    const uint32_t *choices;
    size_t n;
    uint32_t nsteps;
    int recorded;
    bool step_by_step;
};

/* Replay here and print the report; c: the child a supervisor watches, or NULL. */
static int replay_here(void *ctx, struct cli_child *c)
{
    struct explore_window *w = cli_child_window(c);
    const struct replay_args *a = ctx;
    const struct cli_opts *o = a->o;
    uint32_t shown = 0;
    struct search *s = cli_search(a->t->scenario, o->params, o->max_steps, o->stack_size,
                                  cli_rules_of(o, a->t), NULL);
    int rc = s ? CLI_OK : CLI_ERROR;
    struct explore_config ec = { .plan = &explore_plan_replay, .replay = a->choices,
                                 .nreplay = a->n, .replay_steps = a->nsteps, .window = w };
    if (s && a->step_by_step) {
        if (w)                        /* each line out before the process may die */
            setvbuf(stdout, NULL, _IOLBF, 0);
        ec.observe = explain;
        ec.observe_ctx = &shown;
        printf("%s, step by step: each step, then every thread's state after it\n\n",
               a->t->scenario->name);
    }
    struct explore_result res;
    if (rc == CLI_OK)
        rc = replay_run(s, a->t, &ec, &res);
    cli_window_enter(w, EXPLORE_REPORTING);
    if (rc == CLI_OK && a->step_by_step)
        printf("\n");
    if (rc == CLI_OK) {
        struct report_request req = request_for(a->t, o, o->html != NULL);
        struct report *rep = report_snapshot(search_exec(s), a->t->scenario, &req, &res);
        rc = rep ? CLI_OK : out_of_memory("for a report");
        if (rep) {
            enum weft_result replayed = rep->result;
            uint32_t steps = rep->nsteps;
            int printed = print_report(rep, o, a->t, o->merged ? merged_report(rep, o->merged, o)
                                                              : REPORT_REPLAY);
            /* A passing execution has no report: say it passed, and how to see it. */
            if (printed != CLI_ERROR && replayed == WEFT_PASS && !a->step_by_step &&
                strcmp(format_for(o)->name, "text") == 0)
                printf("%s: the execution passes, in %u steps (weft explain shows them)\n",
                       a->t->scenario->name, steps);
            rc = printed == CLI_ERROR ? CLI_ERROR
                                      : check_replayed_result(a->t, a->recorded, replayed);
            if (o->merged && rc == CLI_OK)
                rc = replayed == a->t->scenario->expect ? CLI_OK : CLI_UNEXPECTED;
        }
    }
    search_free(s);
    return rc;
}

/* The replay in a child process: a token that ends in exit or a spin
** replays as it ran. */
static int replay_supervised(struct replay_args *a)
{
    struct cli_watch watch = { .watchdog = a->o->watchdog };
    struct cli_supervised sv;
    cli_hold_signals();
    int rc = cli_supervise(replay_here, a, window_room(a->t, a->o), &watch, &sv);
    if (rc == 0 && sv.finished)
        rc = sv.rc;
    else if (rc == 0 && sv.found.failed) {
        if (a->step_by_step)
            printf("\n");
        struct report *rep = NULL;
        rc = report_supervised(a->t, a->o, &explore_plan_replay, &sv, 0,
                               REPORT_REPLAY | (a->step_by_step ? REPORT_STEPS_SHOWN : 0), &rep);
        if (rep && rc != CLI_ERROR)
            rc = check_replayed_result(a->t, a->recorded, rep->result);
        if (rep && a->o->merged && rc == CLI_OK)   /* as replay_here */
            rc = rep->result == a->t->scenario->expect ? CLI_OK : CLI_UNEXPECTED;
        report_free(rep);
    }
    int stopped_by = cli_pending_stop();
    cli_release_signals();
    cli_supervised_free(&sv);
    if (rc == WEFT_ENOMEM)
        return out_of_memory("for the supervisor");
    return stopped_by ? 128 + stopped_by : rc;
}

/* weft replay, and weft explain (the same, printing each state first). */
static int replay(struct cli_opts *o, bool step_by_step)
{
    struct cli_target t = { 0 };
    struct replay_args a = { .o = o, .t = &t, .step_by_step = step_by_step };
    uint32_t *choices;
    const struct report_format *f = format_for(o);
    if (f == NULL)
        return CLI_ERROR;
    if (f->begin) {
        fprintf(stderr, "weft replay: --format %s is for run; replay prints text or json\n",
                f->name);
        return CLI_ERROR;
    }
    if (o->schedule == NULL) {
        fprintf(stderr, "weft replay: --schedule TOKEN is required\n");
        return CLI_ERROR;
    }
    if ((choices = decode_schedule(o->schedule, &a.n, &a.nsteps, &a.recorded)) == NULL)
        return CLI_ERROR;
    a.choices = choices;
    int rc = replay_target(o, &t);
    if (rc == 0)
        rc = o->isolate == CLI_ISOLATE_NONE ? replay_here(&a, NULL) : replay_supervised(&a);
    free(choices);
    free(t.spelling);
    free(t.group);
    return rc;
}

int cli_replay(struct cli_opts *o) { return replay(o, false); }
int cli_explain(struct cli_opts *o) { return replay(o, true); }
