/*
** explore.c -- the driver: runs executions for a strategy, records choices.
** Strategies are tables (strategy.h); plans (plan.c) say which to run.
** Nothing here reads the wall clock: time limits arrive through the
** elapsed callback.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore/grow.h"
#include "explore/strategy.h"

/* ==========================================================================
** A search
** ========================================================================== */

struct search *search_new(const struct sched_config *sc, struct exec *x)
{
    struct search *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->sc = *sc;
    s->owns_exec = x == NULL;
    s->x = x ? x : sched_new();
    if (s->x)
        s->x->address_keys = false;
    s->rec_cap = 2 * (size_t)sc->max_steps + 16;
    s->rec = malloc(s->rec_cap * sizeof *s->rec);
    if (s->x == NULL || s->rec == NULL) {
        search_free(s);
        return NULL;
    }
    return s;
}

void search_free(struct search *s)
{
    if (s == NULL)
        return;
    if (s->owns_exec)
        sched_free(s->x);
    if (!s->rec_in_window)
        free(s->rec);
    free(s->kept);
    free(s->marks);
    free(s->mark.buf);
    free(s);
}

struct exec *search_exec(struct search *s) { return s->x; }

/* ==========================================================================
** Dependence
** ========================================================================== */

static bool shares_object(const struct sched_op *a, const struct sched_op *b)
{
    const struct sched_obj *x[SCHED_MAX_OBJS], *y[SCHED_MAX_OBJS];
    int nx = sched_op_objects(a, x), ny = sched_op_objects(b, y);
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++)
            if (x[i] == y[j])
                return true;
    return false;
}

bool explore_dependent(struct exec *x, struct sched_thread *ta, struct sched_thread *tb)
{
    struct sched_op *a = ta->pending, *b = tb->pending;
    if (sched_op_orders_all(a) || sched_op_orders_all(b))
        return true;                  /* the end: even a local step comes before it or not */
    if (sched_op_local(a) || sched_op_local(b))
        return false;
    if (sched_op_global(a) || sched_op_global(b))
        return true;
    if (!shares_object(a, b))
        return false;
    return sched_conflict(sched_op_reads_only(x, a), sched_op_shared(x, a),
                          sched_op_reads_only(x, b), sched_op_shared(x, b));
}

/* ==========================================================================
** The chooser handed to sched_run
** ========================================================================== */

static void record(struct explorer *e, uint32_t v)
{
    if (e->nrec < e->rec_cap)
        e->rec[e->nrec++] = v;
    if (e->window) {
        e->window->nchoices = (uint32_t)e->nrec;
        e->window->unit = e->unit;
    }
}

/* The window's view of who runs: a death or a spin is this thread's. */
static void show_running(struct explorer *e, int tid)
{
    struct explore_window *w = e->window;
    if (w == NULL || tid < 0)
        return;
    if (w->tid != tid || w->tname[0] == '\0')
        memcpy(w->tname, e->x->threads[tid]->obj.name, sizeof w->tname);
    w->tid = tid;
}

/* ==========================================================================
** The execution a process died in (resume.died)
** ==========================================================================
** A supervisor replaced a process that died in an execution (an exit, a
** signal, a spin or a real block in a scenario thread) by one that goes on
** from its last mark. That execution runs again up to where the process
** was, its last step and choice, and ends there as the supervisor's
** failure: what the strategy learns of it is what it would learn of an
** assertion failing at that place.
*/

static bool at_death(const struct explorer *e)
{
    const struct explore_resume *d = &e->cfg->resume;
    return e->dying && e->steps == d->died_steps && e->nrec == d->died_choices;
}

/* A thread is about to be picked after the place was passed without being
** reached: the scenario took another path (it is not deterministic); the
** execution runs on as it goes. */
static void passed_death(struct explorer *e)
{
    if (e->dying && e->steps >= e->cfg->resume.died_steps)
        e->dying = false;
}

/* In the scheduler (after the step): the execution ends as it died. */
static void die_after_step(struct explorer *e)
{
    const struct sched_outcome *d = e->cfg->resume.died;
    struct exec *x = e->x;
    e->dying = false;
    sched_fail_in_apply(x, d->result,
                        d->failing_tid >= 0 && d->failing_tid < x->nthreads
                            ? x->threads[d->failing_tid] : NULL,
                        d->where, "%s", d->message);
}

/* In the scenario thread (it made its last choice): it ends here. */
static void die_after_choice(struct explorer *e)
{
    const struct sched_outcome *d = e->cfg->resume.died;
    e->dying = false;
    sched_fail(e->x, d->result, d->where, "%s", d->message);
}

static void observe(struct explorer *e)
{
    if (e->cfg->observe)
        e->cfg->observe(e->cfg->observe_ctx, e->x);
}

static bool abandoned_for_stop(const struct explorer *e)
{
    return e->cfg->abandon_on_stop && explore_stop_asked(e->cfg);
}

static int pick_thread(void *self, sched_mask enabled, int current)
{
    struct explorer *e = self;
    passed_death(e);
    observe(e);
    if (abandoned_for_stop(e))
        return -1;
    int tid = e->strategy->pick_thread(e, enabled, current);
    if (tid >= 0)
        record(e, (uint32_t)tid);
    show_running(e, tid);
    if (tid >= 0 && current >= 0 && tid != current && mask_has(enabled, current))
        e->preemptions++;
    return tid;
}

static bool forced(void *self, int tid)
{
    struct explorer *e = self;
    passed_death(e);
    observe(e);
    if (abandoned_for_stop(e))
        return false;
    show_running(e, tid);
    return e->strategy->forced == NULL || e->strategy->forced(e, tid);
}

static int pick_value(void *self, int n)
{
    struct explorer *e = self;
    int v = e->strategy->pick_value(e, n);
    if (v >= 0)
        record(e, (uint32_t)v);
    if (v >= 0 && e->cfg->on_class)
        classes_value(&e->classes, (uint32_t)v);
    if (v >= 0 && at_death(e))
        die_after_choice(e);
    return v;
}

static void after_step(void *self, const struct sched_step *s)
{
    struct explorer *e = self;
    if (e->strategy->after_step)
        e->strategy->after_step(e, s);
    if (e->cfg->on_class &&
        classes_step(&e->classes, s, e->x->threads[s->tid]->pending, e->x->clock) != 0)
        e->error = WEFT_ENOMEM;
    e->steps++;
    if (e->window) {
        e->window->nsteps = e->steps;
        e->window->file = s->loc.file;
        e->window->line = s->loc.line;
    }
    if (at_death(e))
        die_after_step(e);
}

/* ==========================================================================
** The driver
** ========================================================================== */

int explore_stop_asked(const struct explore_config *ec)
{
    if (ec->window && ec->window->stop)
        return ec->window->stop;
    return ec->stop ? *ec->stop : EXPLORE_GO;
}

/* Checked after every execution; the clock is read every 64th time, a
** supervisor's or a signal's stop every time (a load, no system call). */
static bool out_of_time(const struct explore_config *ec, double limit, uint64_t n,
                        struct coverage *c)
{
    int stop = explore_stop_asked(ec);
    c->interrupted |= stop >= EXPLORE_STOP_INTERRUPT;
    return stop || (limit > 0 && ec->elapsed && (n & 63) == 0 &&
                    ec->elapsed(ec->clock_ctx) >= limit);
}

/* A new execution: the window shows it from its first choice. */
static void window_begin(struct explore_window *w)
{
    w->nchoices = w->nsteps = 0;
    w->tid = 0;
    w->tname[0] = '\0';
    w->file = NULL;
    w->line = 0;
}

/* A failure that stopped the execution before every thread was done: its
** class is the failure's (classes_hash_failure). Deadlocks and leaks end
** where nothing can run, as a passing execution does. */
static bool stopped_early(const struct sched_outcome *o)
{
    return o->cut || (o->result != WEFT_PASS && o->result != WEFT_DEADLOCK &&
                      o->result != WEFT_LEAK);
}

static void name_class(struct explorer *e, const struct sched_outcome *o)
{
    bool stopped = stopped_early(o);
    uint64_t h = !stopped ? classes_hash(&e->classes)
                 : classes_hash_failure(&e->classes, o->failing_tid >= 0 ? o->failing_tid
                                                                         : e->x->last_tid);
    e->cfg->on_class(e->cfg->class_ctx, h, stopped, o->result, e->rec, e->nrec, e->steps);
}

int explore_parted(struct explorer *e, int tid, struct sched_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->parted.what, sizeof e->parted.what, fmt, ap);
    va_end(ap);
    e->parted.yes = true;
    e->parted.tid = tid;
    e->parted.at = at;
    return -1;
}

/* An execution that parted from an earlier run of its choices ends as a
** failure of its own class: nothing it found can be trusted. */
static void end_parted(struct explorer *e)
{
    struct sched_outcome *o = &e->x->outcome;
    o->result = WEFT_NONDETERMINISM;
    o->abandoned = false;
    o->failing_tid = e->parted.tid;
    o->where = e->parted.at;
    snprintf(o->message, sizeof o->message, "%s", e->parted.what);
}

/* Do this search's sleep sets or DPOR take one order of steps for another
** where the fairness rule may allow only one of them (sched.c)? */
static bool prunes_around_spins(const struct explorer *e)
{
    return !e->x->cfg->exact_spins && (e->cfg->sleep_sets || e->strategy == &explore_dpor);
}

/* After an execution: count it, and name its class if asked. */
static void count_execution(struct explorer *e, struct explore_result *r)
{
    const struct sched_outcome *o = &e->x->outcome;
    struct coverage *c = &r->cov;
    if (o->abandoned)
        c->pruned++;
    else
        c->executions++;
    if (e->cfg->on_class && !o->abandoned) {
        name_class(e, o);
        if (o->result != WEFT_PASS && c->failing++ == 0)
            c->failing_result = o->result;   /* the search goes on past it */
    }
    c->cut += o->cut;
    c->timed |= o->timed;
    if (o->held_back && prunes_around_spins(e))
        c->caveats |= CAVEAT_SPINS_MERGED;
    if (o->held_moving)
        c->caveats |= CAVEAT_LOOPS_HELD;
    if (o->weak_as_sc)
        c->caveats |= CAVEAT_ATOMICS_SC;
    if (o->relaxed)
        c->caveats |= CAVEAT_RELAXED_X86;
    if (o->relaxed_loads)
        c->caveats |= CAVEAT_RELAXED_LOADS;
    if (e->window && e->window->phase == EXPLORE_SEARCHING) {
        struct coverage_split split = e->window->cov.split;   /* shard.c's alone */
        e->window->cov = *c;
        e->window->cov.split = split;
    }
}

/* The last execution, as the result shows it. */
static void keep_last(struct explorer *e, struct search *s, struct explore_result *r)
{
    if (r->failed && r->choices == s->kept)
        return;                       /* --keep-going: the first failure stays */
    r->outcome = e->x->outcome;
    r->choices = s->rec;
    r->nchoices = e->nrec;
    r->nsteps = e->steps;
    r->preemptions = e->preemptions;
}

/* --jobs --keep-going: the search goes on past its first failure, which
** stays its result (its choices copied: the next execution records over
** the search's). false without memory (e->error). */
static bool keep_failure(struct explorer *e, struct search *s, struct explore_result *r,
                         uint64_t unit)
{
    uint32_t *kept = malloc((e->nrec ? e->nrec : 1) * sizeof *kept);
    if (kept == NULL) {
        e->error = WEFT_ENOMEM;
        return false;
    }
    keep_last(e, s, r);
    memcpy(kept, s->rec, e->nrec * sizeof *kept);
    free(s->kept);
    s->kept = kept;
    r->choices = kept;
    r->failed = r->went_on = true;
    r->cov.split.failed_unit = unit;
    struct explore_window *w = e->window;
    if (w && w->kept_choices && e->nrec <= w->cap) {   /* (the search records no more) */
        memcpy(w->kept_choices, kept, e->nrec * sizeof *kept);
        w->kept_nchoices = (uint32_t)e->nrec;
        w->kept_nsteps = r->nsteps;
        w->kept_outcome = r->outcome;
        __atomic_store_n(&w->kept_unit, unit, __ATOMIC_RELEASE);
    }
    return true;
}

/* run_executions: the search must start again (restart_checking_memory). */
enum { EXPLORE_RESTART = 1 };

/* Run executions until the strategy is done or a stop condition holds. */
/* A checkpoint: the strategy's position and the counts so far. */
static void save_position(struct explorer *e, struct search *s, struct explore_result *r)
{
    if (e->unit_start && e->x->address_keys) {   /* where its unit began: shard.c */
        struct explore_result at = *r;
        at.cov = e->unit_start_cov;
        e->cfg->checkpoint(e->cfg->checkpoint_ctx, e->unit_start, &at, s->sc.check_memory,
                           false);
        if (e->cfg->elapsed)
            e->saved_at = e->cfg->elapsed(e->cfg->clock_ctx);
        return;
    }
    char *position = e->strategy->save ? e->strategy->save(e) : NULL;
    if (position)
        e->cfg->checkpoint(e->cfg->checkpoint_ctx, position, r, s->sc.check_memory,
                           e->x->address_keys);
    free(position);
    if (e->cfg->elapsed)
        e->saved_at = e->cfg->elapsed(e->cfg->clock_ctx);
}

/* A mark for a supervisor: where a process that replaces this one goes on
** (fresh: before the search's first execution, from no position). */
static void mark_position(struct explorer *e, struct search *s, struct explore_result *r,
                          bool fresh)
{
    struct pack *k = &e->search->mark;
    k->len = 0;
    k->oom = false;
    bool packed = !fresh && e->strategy->pack && e->strategy->pack(e, k);
    if (fresh || packed)              /* without memory, the last mark stays */
        e->cfg->mark(e->cfg->mark_ctx, fresh ? NULL : k->buf, fresh ? 0 : k->len, r,
                     s->sc.check_memory);
}

/* Go on from a checkpoint: its counts and position. 0, or WEFT_EINVAL if
** the strategy cannot take the position. */
static int resume(struct explorer *e, struct search *s, struct explore_result *r)
{
    const struct explore_resume *from = &e->cfg->resume;
    int rc = from->packed ? (e->strategy->unpack ? e->strategy->unpack(e, from->position,
                                                                       from->packed) : -1)
                          : (e->strategy->load ? e->strategy->load(e, from->position) : -1);
    if (rc != 0)
        return WEFT_EINVAL;
    r->cov.executions = from->executions;
    r->cov.pruned = from->pruned;
    r->cov.cut = from->cut;
    r->cov.failing = from->failing;
    r->cov.failing_result = from->failing_result;
    r->cov.timed |= from->timed;
    r->cov.caveats |= from->caveats;
    r->cov.bound_hit |= from->bound_hit;
    s->sc.check_memory |= from->check_memory;
    split_resumed(s, e->cfg, r);
    split_resumed_at(e, from->position);
    return 0;
}

static int run_executions(struct explorer *e, struct search *s, struct explore_result *r,
                          uint64_t max_exec, double time_limit, bool *covered)
{
    const struct explore_config *ec = e->cfg;
    const struct strategy *st = e->strategy;
    struct sched_chooser ch = { pick_thread, forced, pick_value, after_step, e };
    int rc = 0;
    uint64_t ran = 0;                 /* executions of this shard's units */
    e->nrec = 0;
    if (ec->split.block && !split_sample_first(e)) {   /* no unit left for it */
        keep_last(e, s, r);
        *covered = e->error == 0;
        return e->error;
    }
    for (uint64_t n = 1;; n++) {
        e->nrec = 0;
        e->steps = e->preemptions = 0;
        e->parted.yes = false;
        bool died = e->dying = ec->resume.died_index &&
                               r->cov.executions + r->cov.pruned + 1 == ec->resume.died_index;
        if (e->window)
            window_begin(e->window);
        classes_begin(&e->classes);
        if (st->begin)
            st->begin(e);
        if (e->window)
            e->window->between = 0;
        if ((rc = sched_run(s->x, &s->sc, &ch)) != 0 || (rc = e->error) != 0)
            return rc;
        if (e->window)                /* DPOR's races, the next branch: weft's work */
            e->window->between = 1;
        if (s->x->memory_unchecked)
            return EXPLORE_RESTART;
        if (e->parted.yes)
            end_parted(e);
        observe(e);
        if (st->ended)
            st->ended(e);
        /* Another shard's unit (a split search): walked through, not run. */
        bool skipped = e->skip;
        uint64_t unit = e->unit;
        if (!skipped) {
            count_execution(e, r);
            ran++;
        }
        const struct sched_outcome *o = &s->x->outcome;
        bool failed = o->result != WEFT_PASS && !o->abandoned && !skipped;
        /* --jobs --keep-going: a failure leaves the rest of its unit, each
        ** unit is searched to its first failure, and the first of them stays
        ** this process's result while it goes on to the units it takes next
        ** (a new process for each would walk the static top again). */
        bool goes_past = failed && split_goes_past_failures(ec);
        e->leave_unit = goes_past && !ec->split.block;
        /* --jobs: a unit past every one left is not this process's to walk to */
        bool more = st->advance(e) && !e->split_over;
        e->leave_unit = false;
        if (more && ec->checkpoint && (n & 63) == 0 && ec->elapsed &&
            ec->elapsed(ec->clock_ctx) - e->saved_at >= ec->checkpoint_every)
            save_position(e, s, r);
        if (goes_past) {
            split_failed(ec, unit, o->result);
            if (!r->failed && !keep_failure(e, s, r, unit))
                return e->error;
            if (ec->split.block)
                e->sample = e->sample_end - 1;   /* its next unit, below */
        } else if (failed) {
            keep_last(e, s, r);
            r->cov.split.failed_unit = unit;
        }
        if (failed && !goes_past && (ec->accept == NULL || ec->accept(ec->accept_ctx, r))) {
            r->failed = true;
            split_failed(ec, unit, o->result);
            return 0;
        }
        /* A mark right after the execution that died: a later death goes
        ** on from there, not from before this one. Not after a failure that
        ** ends the search: a supervisor may end the process at a mark. */
        if (more && ec->mark && (died || (ec->mark_every && n % ec->mark_every == 0)))
            mark_position(e, s, r, false);
        /* The next execution's number; a sampled split takes its next unit
        ** here, after a failure has ended the search or not. */
        e->sample++;
        if (more && ec->split.block && e->sample >= e->sample_end)
            more = split_sample_next(e);
        if (r->divergence[0] || e->error || !more || (max_exec && ran >= max_exec) ||
            split_past_failure(ec, e->unit) || out_of_time(ec, time_limit, n, &r->cov)) {
            keep_last(e, s, r);
            *covered = !more && !r->divergence[0] && !e->error;
            if (more && ec->checkpoint && !e->error)
                save_position(e, s, r);
            return e->error;
        }
        if (ec->progress && (n & 255) == 0)
            ec->progress(ec->progress_ctx, r, st->covered ? st->covered(e) : -1);
    }
}


int explore_search(struct search *s, const struct explore_config *ec,
                   const struct strategy *st, struct explore_result *r, uint64_t max_exec,
                   double time_limit, bool *covered)
{
    int rc;
    struct coverage before = r->cov;  /* what earlier searches of a plan counted */
    if (ec->resume.check_memory)      /* a mark from before the first execution says so */
        s->sc.check_memory = true;
    do {
        struct explorer e = { .strategy = st, .cfg = ec, .result = r, .x = s->x,
                              .window = ec->window, .rec = s->rec, .rec_cap = s->rec_cap,
                              .search = s };
        size_t marked = s->nmarks;    /* a restart forgets the marks it made */
        *covered = false;
        if ((rc = st->init(&e)) == 0) {
            if (ec->resume.position)
                rc = resume(&e, s, r);
            /* A search that goes on from a mark has it already. */
            if (rc == 0 && ec->mark && !ec->resume.packed)
                mark_position(&e, s, r, ec->resume.position == NULL);
            if (rc == 0)
                rc = run_executions(&e, s, r, max_exec, time_limit, covered);
            st->fini(&e);
        }
        free(e.unit_start);
        classes_free(&e.classes);
        if (rc == EXPLORE_RESTART) {  /* the scenario checks memory: again, with clocks */
            s->sc.check_memory = true;
            r->failed = false;        /* one kept going on (keep_failure) is met again */
            /* A replay without clocks runs on past a race the token ends
            ** at, and runs out of choices there: only the run with clocks
            ** says whether the token fits. */
            r->divergence[0] = 0;
            r->cov = before;
            s->nmarks = marked;
        }
    } while (rc == EXPLORE_RESTART);
    return rc;
}

bool explore_mark_unit(struct explorer *e)
{
    struct search *s = e->search;
    if (!explore_grow((void **)&s->marks, &s->marks_cap, s->nmarks + 1, sizeof *s->marks))
        return false;
    const struct coverage *c = &e->result->cov;
    s->marks[s->nmarks++] = (struct split_mark){ e->unit, c->executions, c->pruned, c->cut };
    return true;
}

/* With a window, the choices are recorded where the supervisor reads them
** (it made room for as many as the search records). */
static void record_in_window(struct search *s, struct explore_window *w)
{
    if (w == NULL || s->rec == w->choices || w->cap < s->rec_cap)
        return;
    if (!s->rec_in_window)
        free(s->rec);
    s->rec = w->choices;
    s->rec_in_window = true;
}

/* Signals are caught on this OS thread for the whole run (crash.c): a few
** system calls per run, none per execution. */
int explore_run(struct search *s, const struct explore_config *ec, struct explore_result *r)
{
    record_in_window(s, ec->window);
    memset(r, 0, sizeof *r);
    s->nmarks = 0;
    s->claimed = EXPLORE_NO_UNIT;
    r->cov.plan = ec->plan;
    r->cov.all_memory = s->sc.check_all_memory;
    bool outermost = !s->x->crash.entered;
    int rc = crash_enter(&s->x->crash);
    if (rc == 0)
        rc = ec->plan->run(s, ec, r);
    if (outermost)
        crash_leave(&s->x->crash);
    return rc;
}
