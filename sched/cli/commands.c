/*
** commands.c -- weft list, run and replay.
** Each resolves its arguments to scenarios, drives explore_run with the
** options, and hands the result to a report format. Exit codes are the
** CLI_* values of cli.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "codec.h"
#include "explore.h"
#include "registry.h"
#include "report.h"

#define STACK_SIZE (256 * 1024)

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds since the search of one scenario began (--time-limit). */
static double since(void *ctx)
{
    return wall_seconds() - *(const double *)ctx;
}

/* ==========================================================================
** The live progress line (stderr, a terminal or --progress)
** ========================================================================== */

struct progress {
    const char *name;
    double start, last;
    bool shown;
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

static void show_progress(void *ctx, const struct explore_result *r, double covered)
{
    struct progress *p = ctx;
    double now = wall_seconds(), elapsed = now - p->start;
    if (now - p->last < 0.25)
        return;
    p->last = now;
    p->shown = true;
    uint64_t n = r->executions + r->pruned;
    fprintf(stderr, "\r\033[K%s: %llu executions, %.0f/s", p->name, (unsigned long long)n,
            elapsed > 0 ? (double)n / elapsed : 0);
    if (covered > 0 && covered < 1) {
        char left[32];
        format_duration(left, sizeof left, elapsed * (1 - covered) / covered);
        fprintf(stderr, ", ~%.1f%% of ~%.3g, ~%s left", 100 * covered, (double)n / covered, left);
    }
    fflush(stderr);
}

static void end_progress(struct progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
}

static struct sched_config sched_config_for(const struct weft_scenario *s,
                                            const struct cli_opts *o)
{
    int steps = o->max_steps;
    if (steps == SCHED_DEFAULT_MAX_STEPS && s->max_steps > 0)
        steps = s->max_steps;
    return (struct sched_config){ .scenario = s, .max_steps = steps, .stack_size = STACK_SIZE };
}

static const struct report_format *format_for(const struct cli_opts *o)
{
    const struct report_format *f = report_format_named(o->format);
    if (f == NULL)
        fprintf(stderr, "weft: unknown format '%s' (text or json)\n", o->format);
    return f;
}

/* ==========================================================================
** list
** ========================================================================== */

int cli_list(struct cli_opts *o)
{
    struct cli_target *t = NULL;
    int n = 0, rc = 0;
    if (o->nargs) {
        rc = cli_resolve(o->args, o->nargs, &t, &n);
    } else {
        n = registry_count();
        t = calloc((size_t)(n ? n : 1), sizeof *t);
        for (int i = 0; t && i < n; i++)
            t[i].scenario = registry_get(i);
    }
    for (int i = 0; i < n; i++)
        printf("%-32s %-14s %s\n", t[i].scenario->name, weft_result_name(t[i].scenario->expect),
               t[i].scenario->summary ? t[i].scenario->summary : "");
    free(t);
    return rc;
}

/* ==========================================================================
** run
** ========================================================================== */

static bool run_one(const struct cli_target *t, const struct cli_opts *o,
                    const struct report_format *fmt)
{
    struct sched_config sc = sched_config_for(t->scenario, o);
    uint64_t budget = o->executions;
    if (budget == 0 && (strcmp(o->strategy, "random") == 0 || strcmp(o->strategy, "pct") == 0))
        budget = 1000;
    double start = wall_seconds();
    struct explore_config ec = {
        .strategy = o->strategy, .sleep_sets = o->sleep_sets,
        .max_preemptions = o->max_preemptions, .max_executions = budget,
        .seed = o->seed, .depth = o->depth,
        .elapsed = since, .clock_ctx = &start, .time_limit = o->time_limit,
    };
    struct progress prog = { .name = t->scenario->name, .start = start, .last = start };
    if (o->progress > 0 || (o->progress < 0 && !o->quiet && isatty(2))) {
        ec.progress = show_progress;
        ec.progress_ctx = &prog;
    }
    struct explore_result res;
    static struct report rep;
    explore_run(&sc, &ec, &res);
    if (res.failed && o->shrink && explore_shrink(&sc, &ec, &res, report_signature) != 0)
        fprintf(stderr, "weft: %s: the shrunk failure did not replay; is the scenario "
                "deterministic?\n", t->scenario->name);
    end_progress(&prog);
    report_build(&rep, t->scenario, t->spelling, res.plan, &res);
    rep.elapsed_s = wall_seconds() - start;
    snprintf(rep.params, sizeof rep.params, "%s", o->params);
    fmt->print(stdout, &rep, o->quiet ? REPORT_QUIET : 0);
    fflush(stdout);
    return rep.as_expected;
}

static void warn_unread(const char *key, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "weft: warning: no scenario read --param %s (misspelled?)\n", key);
}

int cli_run(struct cli_opts *o)
{
    const struct report_format *fmt = format_for(o);
    if (fmt == NULL)
        return CLI_ERROR;
    static const char *const known[] = { "auto", "dpor", "dfs", "bounded", "pct", "random" };
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= strcmp(o->strategy, known[i]) == 0;
    if (!ok) {
        fprintf(stderr, "weft: unknown strategy '%s' (auto, dpor, dfs, bounded, pct or random)\n",
                o->strategy);
        return CLI_ERROR;
    }
    if (o->nargs == 0) {
        fprintf(stderr, "weft run: name a scenario, a file or a folder (see 'weft run --help')\n");
        return CLI_ERROR;
    }
    struct cli_target *t;
    int n, rc = cli_resolve(o->args, o->nargs, &t, &n);
    if (rc) {
        free(t);
        return rc;
    }
    int unexpected = 0;
    for (int i = 0; i < n; i++)
        unexpected += !run_one(&t[i], o, fmt);
    free(t);
    sched_params_unread(warn_unread, NULL);
    sched_shutdown();
    return unexpected ? CLI_UNEXPECTED : CLI_OK;
}

/* ==========================================================================
** replay
** ========================================================================== */

/* The one scenario that `weft replay ARGS` names. */
static int replay_target(const struct cli_opts *o, struct cli_target *out)
{
    if (o->nargs < 1 || o->nargs > 2) {
        fprintf(stderr, "weft replay: name one scenario (NAME, or FILE [NAME])\n");
        return CLI_ERROR;
    }
    const struct weft_scenario *s = NULL;
    int from = 0, to = registry_count();
    FILE *probe = fopen(o->args[0], "r");
    if (probe) {
        fclose(probe);
        if (cli_load_file(o->args[0], &from, &to))
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
    if (probe)
        snprintf(out->spelling, sizeof out->spelling, "%s %s", o->args[0], s->name);
    else
        snprintf(out->spelling, sizeof out->spelling, "%s", s->name);
    return 0;
}

static void explain(void *ctx)
{
    (void)ctx;
    report_explain_state(stdout);
}

/* weft replay, and weft explain (the same, printing each state first). */
static int replay(struct cli_opts *o, bool step_by_step)
{
    static uint32_t choices[1 << 20];
    static struct report rep;
    const struct report_format *fmt = format_for(o);
    struct cli_target t;
    size_t n;
    uint32_t nsteps;
    char err[256];
    if (fmt == NULL)
        return CLI_ERROR;
    if (o->schedule == NULL) {
        fprintf(stderr, "weft replay: --schedule TOKEN is required\n");
        return CLI_ERROR;
    }
    if (codec_decode(o->schedule, choices, sizeof choices / sizeof choices[0], &n, &nsteps,
                     err, sizeof err) != 0) {
        fprintf(stderr, "weft replay: bad schedule token: %s\n", err);
        return CLI_ERROR;
    }
    if (replay_target(o, &t))
        return CLI_ERROR;
    struct sched_config sc = sched_config_for(t.scenario, o);
    struct explore_config ec = { .strategy = "replay", .replay = choices, .nreplay = n,
                                 .replay_steps = nsteps };
    if (step_by_step) {
        ec.observe = explain;
        printf("%s, step by step: each step, then every thread's state after it\n\n",
               t.scenario->name);
    }
    struct explore_result res;
    explore_run(&sc, &ec, &res);
    if (res.divergence[0]) {
        fprintf(stderr, "weft replay: %s: %s\n(was the token made for this scenario, "
                "with the same --param values?)\n", t.scenario->name, res.divergence);
        return CLI_ERROR;
    }
    if (step_by_step)
        printf("\n");
    report_build(&rep, t.scenario, t.spelling, "replay", &res);
    snprintf(rep.params, sizeof rep.params, "%s", o->params);
    fmt->print(stdout, &rep, REPORT_REPLAY);
    sched_shutdown();
    return CLI_OK;
}

int cli_replay(struct cli_opts *o) { return replay(o, false); }
int cli_explain(struct cli_opts *o) { return replay(o, true); }
