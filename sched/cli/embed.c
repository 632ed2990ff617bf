/*
** embed.c -- exploring one scenario as `weft run` does, for the command
** line and for programs that embed weft (weft_explore in weft.h). Every
** call owns its search, parameters and report, so calls from several OS
** threads do not meet.
*/
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "core/params.h"
#include "core/registry.h"


double cli_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double since(void *ctx)
{
    return cli_seconds() - *(const double *)ctx;
}

int cli_max_steps(const struct weft_scenario *sc, int max_steps)
{
    int steps = max_steps ? max_steps : SCHED_DEFAULT_MAX_STEPS;
    if (steps == SCHED_DEFAULT_MAX_STEPS && sc->max_steps > 0)
        steps = sc->max_steps;       /* the scenario's own bound, unless told */
    return steps;
}

struct search *cli_search(const struct weft_scenario *sc, struct params *p, int max_steps,
                          size_t stack_size, struct cli_rules rules, struct exec *x)
{
    int steps = cli_max_steps(sc, max_steps);
    struct sched_config cfg = { .scenario = sc, .max_steps = steps,
                                .stack_size = stack_size ? stack_size : CLI_DEFAULT_STACK_SIZE,
                                .params = p, .timers_idle = rules.timers_idle,
                                .exact_spins = rules.exact_spins,
                                .check_all_memory = rules.all_memory,
                                .sc_atomics = rules.sc_atomics,
                                .reorder_stores = rules.reorder_stores };
    return search_new(&cfg, x);
}

bool cli_window_enter(struct explore_window *w, int phase)
{
    if (w == NULL)
        return true;
    int from = w->phase;
    while (from != EXPLORE_DOOMED &&
           !__atomic_compare_exchange_n(&w->phase, &from, phase, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
        ;
    if (from != EXPLORE_DOOMED)
        return true;
    for (;;)                          /* the supervisor reports it: its SIGKILL is coming */
        pause();
}

/* A --keep-going search went on past the failure it keeps as its result:
** run that one again, so that the execution's state, which the report and
** shrinking read, is the failure's; what the search counted stays. */
static int replay_kept(struct search *s, const struct explore_config *ec,
                       struct explore_result *res)
{
    struct explore_result kept = *res;
    struct explore_config again = *ec;
    again.plan = &explore_plan_replay;
    again.replay = kept.choices;
    again.nreplay = kept.nchoices;
    again.replay_steps = kept.nsteps;
    again.accept = NULL;
    again.split = (struct explore_split){ 0 };
    again.resume = (struct explore_resume){ 0 };
    again.checkpoint = NULL;
    again.mark = NULL;
    again.on_class = NULL;
    int rc = explore_run(s, &again, res);
    struct explore_result replayed = *res;
    *res = kept;
    res->choices = replayed.choices;  /* the same, in the search's record */
    res->went_on = false;
    if (rc == 0 && (!replayed.failed || replayed.outcome.result != kept.outcome.result))
        snprintf(res->divergence, sizeof res->divergence, "%s", replayed.divergence[0]
                 ? replayed.divergence : "the failure did not come again when it was run again");
    return rc;
}

/* Shrink the failure in res. If shrinking cannot reproduce it (the scenario
** is not deterministic), *out is the failure as found, never dropped. */
static int shrink(struct search *s, const struct weft_scenario *sc, struct cli_job *job,
                  struct explore_result *res, struct report **out, bool *unreplayable)
{
    /* The shrinking searches are searches of their own: they start afresh,
    ** and neither save checkpoints nor leave marks of theirs. */
    struct explore_config base = job->ec;
    base.resume = (struct explore_resume){ 0 };
    base.split = (struct explore_split){ 0 };   /* the failure is found: search it whole */
    base.checkpoint = NULL;
    base.mark = NULL;
    struct report *found = report_snapshot_unchained(search_exec(s), sc, &job->req, res);
    int rc = found ? explore_shrink(s, &base, res, report_signature) : WEFT_ENOMEM;
    if (rc == 1) {
        *unreplayable = found->shrink_failed = true;
        *out = found;
        return 0;
    }
    report_free(found);
    return rc;
}

/* --jobs: another worker failed in a lower unit, so this failure is not
** the one reported (the lowest unit's is): not worth shrinking. */
static bool beaten(const struct explore_config *ec, const struct explore_result *res)
{
    const struct explore_claims *c = ec->split.claims;
    return c && res->cov.split.failed_unit >
                    __atomic_load_n(&c->lowest_failed, __ATOMIC_SEQ_CST);
}

int cli_explore(struct cli_job *job, struct report **out, bool *unreplayable)
{
    const struct weft_scenario *sc = job->scenario;
    struct search *s = cli_search(sc, job->params, job->max_steps, job->stack_size, job->rules,
                                  job->exec);
    double start = job->started > 0 ? job->started : cli_seconds();
    struct explore_config *ec = &job->ec;
    struct explore_result res;
    *out = NULL;
    *unreplayable = false;
    if (s == NULL)
        return WEFT_ENOMEM;
    if (ec->plan->sampled && ec->max_executions == 0)
        ec->max_executions = CLI_SAMPLED_BUDGET;
    ec->elapsed = since;
    ec->clock_ctx = &start;
    int rc = explore_run(s, ec, &res);
    res.cov.forked = job->forked;
    /* A split search's unit marks, kept before shrinking runs searches of
    ** its own in s. */
    size_t nmarks = rc == 0 ? res.nmarks : 0;
    bool marks_lost = res.marks_lost;
    struct split_mark *marks = nmarks ? malloc(nmarks * sizeof *marks) : NULL;
    if (nmarks && marks == NULL)
        rc = WEFT_ENOMEM;
    else if (nmarks)
        memcpy(marks, res.marks, nmarks * sizeof *marks);
    if (rc == 0 && res.failed && res.went_on)
        rc = replay_kept(s, ec, &res);
    if (rc == 0 && res.failed && job->shrink && res.outcome.result != WEFT_NONDETERMINISM &&
        !beaten(ec, &res) &&
        cli_window_enter(ec->window, EXPLORE_SHRINKING)) {
        if (ec->window && ec->window->stop == EXPLORE_STOP_TIME)
            ec->window->stop = EXPLORE_GO;   /* the failure is found: shrink it */
        rc = shrink(s, sc, job, &res, out, unreplayable);
    }
    cli_window_enter(ec->window, EXPLORE_REPORTING);
    if (rc == 0 && *out == NULL &&
        (*out = report_snapshot(search_exec(s), sc, &job->req, &res)) == NULL)
        rc = WEFT_ENOMEM;
    if (rc == 0)
        (*out)->elapsed_s = cli_seconds() - start;
    if (rc == 0 && job->identity && ((*out)->identity = strdup(job->identity)) == NULL)
        rc = WEFT_ENOMEM;
    if (rc == 0) {
        (*out)->marks = marks;
        (*out)->nmarks = nmarks;
        (*out)->marks_lost = marks_lost;
        marks = NULL;
    }
    free(marks);
    search_free(s);
    return rc;
}

/* ==========================================================================
** weft_explore (weft.h)
** ========================================================================== */

void weft_options_default(struct weft_options *o)
{
    *o = (struct weft_options){ .strategy = "auto", .time_limit = 60, .seed = 1, .depth = 3,
                                .max_preemptions = -1, .shrink = 1 };
}

const struct weft_scenario *weft_scenario_named(const char *name)
{
    return registry_find(name, 0, registry_count());
}

/* "key=value" strings into a parameter set: 0 or a WEFT_E* code. */
static int parse_params(struct params *p, const char *const *kv)
{
    for (; kv && *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        if (eq == NULL || eq == *kv)
            return WEFT_EINVAL;
        char *key = strndup(*kv, (size_t)(eq - *kv));
        int rc = key ? params_set(p, key, eq + 1) : WEFT_ENOMEM;
        free(key);
        if (rc)
            return rc;
    }
    return 0;
}

/* The report as text, in a string of its own; NULL without memory. */
static char *report_text(const struct report *rep)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    report_format_named("text")->print(f, rep, 0);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static int fill_outcome(struct weft_outcome *out, const struct report *rep)
{
    *out = (struct weft_outcome){ .result = rep->result, .as_expected = rep->as_expected,
                                  .exhaustive = rep->cov.exhaustive,
                                  .executions = rep->cov.executions, .pruned = rep->cov.pruned,
                                  .cut = rep->cov.cut,
                                  .spins_merged = report_caveat(rep, CAVEAT_SPINS_MERGED),
                                  .loops_held = report_caveat(rep, CAVEAT_LOOPS_HELD),
                                  .atomics_as_sc = report_caveat(rep, CAVEAT_ATOMICS_SC),
                                  .relaxed_as_x86 = report_caveat(rep, CAVEAT_RELAXED_X86),
                                  .relaxed_loads_in_order =
                                      report_caveat(rep, CAVEAT_RELAXED_LOADS) };
    out->report = report_text(rep);
    if (rep->failed)
        out->schedule = strdup(rep->schedule);
    if (out->report == NULL || (rep->failed && out->schedule == NULL)) {
        weft_outcome_free(out);
        return WEFT_ENOMEM;
    }
    return 0;
}

int weft_explore(const struct weft_scenario *s, const struct weft_options *o,
                 struct weft_outcome *out)
{
    struct weft_options defaults;
    if (o == NULL) {
        weft_options_default(&defaults);
        o = &defaults;
    }
    struct cli_job job = {
        .scenario = s, .max_steps = o->max_steps, .shrink = o->shrink != 0,
        .rules = { .timers_idle = o->timers_idle != 0, .exact_spins = o->exact_spins != 0,
                   .sc_atomics = o->sc_atomics != 0,
                   .reorder_stores = o->reorder_stores != 0 },
        .ec = { .plan = explore_plan_named(o->strategy ? o->strategy : "auto"),
                .sleep_sets = true, .max_preemptions = o->max_preemptions,
                .max_executions = o->executions, .seed = o->seed, .depth = o->depth,
                .time_limit = o->time_limit },
        .req = { .command = "weft", .target = s ? s->name : "", .params = "" },
    };
    if (s == NULL || out == NULL || job.ec.plan == NULL || job.ec.plan == &explore_plan_replay)
        return WEFT_EINVAL;
    if ((job.params = params_new()) == NULL)
        return WEFT_ENOMEM;
    struct report *rep = NULL;
    bool unreplayable;
    int rc = parse_params(job.params, o->params);
    if (rc == 0)
        rc = cli_explore(&job, &rep, &unreplayable);
    if (rc == 0)
        rc = fill_outcome(out, rep);
    report_free(rep);
    params_free(job.params);
    return rc;
}

void weft_outcome_free(struct weft_outcome *out)
{
    if (out == NULL)
        return;
    free(out->schedule);
    free(out->report);
    out->schedule = out->report = NULL;
}
