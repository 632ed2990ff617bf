/*
** chain.c -- call chains for a report. The search never unwinds a stack:
** once a failure is to be reported, its schedule runs once more in an
** execution of its own with capture on (core/sched.c records return
** addresses), and each distinct chain is symbolised once (symbol.c).
** The report's own execution state is never touched.
*/
#include <stdlib.h>
#include <string.h>
#include "report/report.h"

/* The chains made so far, so that a loop's steps share their frames. */
struct chain_table {
    struct report *rep;
    struct symbol_session *syms;
    int frames_cap;
    struct made {
        struct sched_chain raw;
        struct sched_loc loc;
        struct report_chain chain;
    } *made;
    int nmade, made_cap;
};

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

static bool same_file(const char *a, const char *b)
{
    return a && b && a[0] && strcmp(base_name(a), base_name(b)) == 0;
}

/* Is this weft's own code (a thread weft starts for the scenario, such as
** a wait group's)? The chain ends before it. */
static bool weft_code(const struct symbol *sym)
{
    static const char *const folders[] = { "sched/core/", "sched/sync/", "sched/explore/",
                                           "sched/report/", "sched/cli/", "sched/posix/" };
    for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++)
        if (strstr(sym->file, folders[i]))
            return true;
    return false;
}

static int add_frame(struct chain_table *t, const struct symbol *sym)
{
    struct report *rep = t->rep;
    if (rep->nframes == t->frames_cap) {
        int cap = t->frames_cap ? 2 * t->frames_cap : 64;
        struct report_frame *f = realloc(rep->frames, (size_t)cap * sizeof *f);
        if (f == NULL)
            return WEFT_ENOMEM;
        rep->frames = f;
        t->frames_cap = cap;
    }
    struct report_frame *f = &rep->frames[rep->nframes++];
    memset(f, 0, sizeof *f);
    snprintf(f->function, sizeof f->function, "%s", sym->function);
    snprintf(f->file, sizeof f->file, "%s", base_name(sym->file));
    f->line = sym->file[0] ? sym->line : 0;
    snprintf(f->module, sizeof f->module, "%s", sym->module);
    f->offset = sym->offset;
    return 0;
}

/*
** Symbolise raw, a chain that leads to a call at loc. Its first frames may
** still be weft's own (a call inside weft that holds the operation): the
** chain starts at the first frame in loc's file. With debug information
** and no such frame, the chain is not the scenario's: none is kept.
*/
static int symbolise(struct chain_table *t, const struct sched_chain *raw, struct sched_loc loc,
                     struct report_chain *out)
{
    struct symbol sym[SCHED_CHAIN_MAX * 4];
    int n = 0, from = -1;
    bool lines = false;
    for (int i = 0; i < raw->n && n < (int)(sizeof sym / sizeof sym[0]); i++)
        n += symbol_frames(t->syms, raw->pc[i], sym + n, (int)(sizeof sym / sizeof sym[0]) - n);
    for (int i = 0; i < n; i++) {
        lines |= sym[i].file[0] != 0;
        if (from < 0 && same_file(sym[i].file, loc.file))
            from = i;
    }
    if (from < 0)
        from = lines ? n : 0;
    *out = (struct report_chain){ t->rep->nframes, 0 };
    for (int i = from; i < n && out->n < REPORT_CHAIN_MAX && !weft_code(&sym[i]); i++, out->n++)
        if (add_frame(t, &sym[i]) != 0)
            return WEFT_ENOMEM;
    return 0;
}

/* The chain of raw at loc, symbolised once for all steps that share it. */
static int chain_of(struct chain_table *t, const struct sched_chain *raw, struct sched_loc loc,
                    struct report_chain *out)
{
    *out = (struct report_chain){ 0, 0 };
    if (raw->n == 0)
        return 0;
    for (int i = t->nmade - 1; i >= 0; i--) {
        struct made *m = &t->made[i];
        if (m->loc.file == loc.file && m->loc.line == loc.line && m->raw.n == raw->n &&
            memcmp(m->raw.pc, raw->pc, (size_t)raw->n * sizeof raw->pc[0]) == 0) {
            *out = m->chain;
            return 0;
        }
    }
    if (t->nmade == t->made_cap) {
        int cap = t->made_cap ? 2 * t->made_cap : 32;
        struct made *m = realloc(t->made, (size_t)cap * sizeof *m);
        if (m == NULL)
            return WEFT_ENOMEM;
        t->made = m;
        t->made_cap = cap;
    }
    int rc = symbolise(t, raw, loc, out);
    if (rc == 0)
        t->made[t->nmade++] = (struct made){ *raw, loc, *out };
    return rc;
}

/* The failing thread's chain was captured where it failed (sched_fail),
** a waiting thread's where it waits. */
static const struct sched_chain *thread_chain(const struct report *rep, struct exec *y, int i)
{
    const struct report_thread *rt = &rep->threads[i];
    bool failed_here = i == rep->failing_tid &&
                       (rep->result == WEFT_ASSERTION || rep->result == WEFT_SELF_DEADLOCK ||
                        rep->result == WEFT_UNSUPPORTED);
    if (failed_here || rt->wait[0] || rt->wait_at.file)
        return &y->threads[i]->chain;
    return NULL;
}

static struct sched_loc thread_place(const struct report *rep, int i)
{
    const struct report_thread *rt = &rep->threads[i];
    return rt->wait[0] || i != rep->failing_tid ? rt->wait_at : rep->where;
}

static int fill_chains(struct report *rep, struct exec *y)
{
    struct chain_table t = { .rep = rep, .syms = symbol_begin() };
    int rc = t.syms ? 0 : WEFT_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < rep->nsteps; i++) {
        rep->steps[i].preempts = y->steps[i].preempts;   /* known only with capture */
        rep->steps[i].passed_by = y->steps[i].passed_by;
        rep->steps[i].passed_spinning = y->steps[i].passed_spinning;
        rc = chain_of(&t, &y->chains[i], rep->steps[i].loc, &rep->steps[i].chain);
    }
    for (uint32_t i = 0; rc == 0 && i < y->ndetails; i++) {
        const struct sched_detail *d = &y->details[i];
        if (d->step < rep->nsteps && (rep->steps[d->step].cases = strdup(d->text)) == NULL)
            rc = WEFT_ENOMEM;
    }
    for (int i = 0; rc == 0 && i < rep->nthreads; i++) {
        const struct sched_chain *raw = thread_chain(rep, y, i);
        if (raw)
            rc = chain_of(&t, raw, thread_place(rep, i), &rep->threads[i].chain);
    }
    for (uint32_t i = 0; rc == 0 && i < rep->nblocked; i++) {
        struct report_step *s = &rep->steps[rep->nsteps + i];
        s->chain = rep->threads[s->tid].chain;
    }
    symbol_end(t.syms);
    free(t.made);
    return rc;
}

int report_chains(struct report *rep, struct exec *x, const struct explore_result *r)
{
    if (x == NULL || !r->failed || r->outcome.result == WEFT_NONDETERMINISM)
        return 0;
    struct sched_config cfg = *x->cfg;
    cfg.capture_chains = true;
    struct search *s = search_new(&cfg, NULL);
    if (s == NULL)
        return WEFT_ENOMEM;
    struct explore_config ec = { .plan = &explore_plan_replay, .replay = r->choices,
                                 .nreplay = r->nchoices, .replay_steps = r->nsteps };
    struct explore_result again;
    int rc = explore_run(s, &ec, &again);
    struct exec *y = search_exec(s);
    bool same = rc == 0 && again.divergence[0] == 0 && y->chains && y->nsteps == rep->nsteps &&
                again.outcome.result == r->outcome.result && y->nthreads == rep->nthreads;
    if (same)                         /* else: a scenario that did not run alike; no chains */
        rc = fill_chains(rep, y);
    search_free(s);
    return rc;
}
