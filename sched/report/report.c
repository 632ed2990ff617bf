/*
** report.c -- builds the report struct: thread states, who waits for whom,
** held locks, the wait-for cycle and the schedule token.
** It reads the scheduler's end state (sched.h) and never prints.
*/
#include <stdlib.h>
#include <string.h>
#include "codec.h"
#include "report.h"
#include "../sync/sync.h"

const char *report_loc(struct sched_loc loc)
{
    static char bufs[8][96];
    static int next;
    char *b = bufs[next++ % 8];
    if (loc.file == NULL)
        return "?";
    const char *slash = strrchr(loc.file, '/');
    snprintf(b, sizeof bufs[0], "%s:%d", slash ? slash + 1 : loc.file, loc.line);
    return b;
}

void report_step_text(const struct sched_step *s, char *buf, size_t n)
{
    struct sched_obj *o = s->obj_id >= 0 ? sched_object_by_id(s->obj_id) : NULL;
    int used = snprintf(buf, n, "%s%s%s", s->cls->verb, o ? " " : "", o ? o->name : "");
    if (s->note && used >= 0 && (size_t)used + 3 < n) {
        char note[64];
        snprintf(note, sizeof note, s->note, s->note_a, s->note_b);
        snprintf(buf + used, n - (size_t)used, " (%s)", note);
    }
}

static void describe_thread(struct report_thread *rt, struct sched_thread *t)
{
    rt->id = t->id;
    rt->name = t->obj.name;
    rt->spawned_at = t->spawned_at;
    if (t->state == T_FINISHED) {
        rt->state = "finished";
        return;
    }
    struct sched_op *op = t->pending;
    if (op == NULL || t->state != T_PARKED) {
        rt->state = "running";
        return;
    }
    bool enabled = op->handed || op->cls->enabled(t, op);
    rt->state = enabled ? "runnable" : "blocked";
    rt->wait_at = op->loc;
    if (enabled || op->cls->describe_wait == NULL)
        return;
    op->cls->describe_wait(op, rt->wait, sizeof rt->wait);
    rt->blockers = op->cls->blockers ? op->cls->blockers(t, op, &rt->how) : 0;
    rt->only_waits = op->obj && (op->obj->kind == OBJ_THREAD || op->obj->kind == OBJ_WAITGROUP);
    if (op->obj)
        for (int i = 0; i < sched_nthreads(); i++)
            if (i != t->id && (op->obj->users & SCHED_BIT(i)) &&
                sched_thread(i)->state == T_FINISHED)
                rt->finished_users |= SCHED_BIT(i);
    struct sched_obj *objs[2] = { op->obj, op->obj2 };
    for (int i = 0; i < 2; i++) {        /* a mutex wait: where its holder took it */
        struct mutex_impl *mx = (struct mutex_impl *)objs[i];
        if (mx && mx->obj.kind == OBJ_MUTEX && mx->holder >= 0 &&
            (rt->blockers & SCHED_BIT(mx->holder)))
            rt->held_at = mx->locked_at;
    }
}

static void collect_locks(struct report *rep)
{
    for (struct sched_obj *o = sched_objects(); o && rep->nlocks < 32; o = o->next_in_exec) {
        if (o->kind != OBJ_MUTEX || ((struct mutex_impl *)o)->holder < 0)
            continue;
        struct mutex_impl *mx = (struct mutex_impl *)o;
        rep->locks[rep->nlocks++] = (struct report_lock){ o->name, mx->holder, mx->locked_at };
    }
}

/*
** The wait-for cycle to show: the cheapest cycle among blocked threads, where
** an edge costs 1 when the waiter must (or likely) be woken by that thread
** and 100 when it merely could be, as anyone could. A thread that only
** joins (or waits on a wait group) wakes nobody, so guesses never point at
** it. Dijkstra from each thread; ties go to the lowest ids: deterministic.
*/
#define EDGE_GUESS 100

static int edge_cost(const struct report *rep, int u, int v)
{
    const struct report_thread *t = &rep->threads[u], *w = &rep->threads[v];
    if (t->wait[0] == 0 || !(t->blockers & SCHED_BIT(v)) || w->wait[0] == 0)
        return 0;
    if (t->how == WAIT_ANYONE)
        return w->only_waits ? 0 : EDGE_GUESS;
    return 1;
}

/* Cheapest path cost from `from` back to s; fills prev. */
static int cheapest_back(const struct report *rep, int s, int *prev)
{
    int n = rep->nthreads, dist[SCHED_MAX_THREADS];
    bool done[SCHED_MAX_THREADS] = { false };
    for (int i = 0; i < n; i++) {
        int c = edge_cost(rep, s, i);
        dist[i] = c ? c : -1;
        prev[i] = s;
    }
    for (;;) {
        int u = -1;
        for (int i = 0; i < n; i++)
            if (!done[i] && dist[i] >= 0 && (u < 0 || dist[i] < dist[u]))
                u = i;
        if (u < 0 || u == s)
            return u == s ? dist[s] : -1;
        done[u] = true;
        for (int v = 0; v < n; v++) {
            int c = edge_cost(rep, u, v);
            if (c && !done[v] && (dist[v] < 0 || dist[u] + c < dist[v])) {
                dist[v] = dist[u] + c;
                prev[v] = u;
            }
        }
    }
}

static int wait_cycle(const struct report *rep, int *cycle)
{
    int best = -1, len = 0;
    for (int s = 0; s < rep->nthreads; s++) {
        int prev[SCHED_MAX_THREADS], path[SCHED_MAX_THREADS + 1], n = 0;
        int cost = cheapest_back(rep, s, prev);
        if (cost < 0 || (best >= 0 && cost >= best))
            continue;
        int w = s;
        do {
            path[n++] = w;
            w = prev[w];
        } while (w != s && n < SCHED_MAX_THREADS);
        best = cost;
        len = n + 1;
        cycle[0] = s;
        for (int i = 1; i < len; i++)
            cycle[i] = path[len - 1 - i];
    }
    return best < 0 ? 0 : len;
}

/* The token, in a buffer that grows to fit (a livelock's can be long). */
static void encode_schedule(struct report *rep, const struct explore_result *r)
{
    static char *buf;
    static size_t cap;
    size_t need = codec_encode(r->choices, r->nchoices, r->nsteps, NULL, 0) + 1;
    if (need > cap) {
        char *bigger = realloc(buf, need);
        if (bigger == NULL) {
            fprintf(stderr, "weft: out of memory for a schedule token\n");
            exit(2);
        }
        buf = bigger;
        cap = need;
    }
    codec_encode(r->choices, r->nchoices, r->nsteps, buf, cap);
    rep->schedule = buf;
}

void report_build(struct report *rep, const struct weft_scenario *s, const char *target,
                  const char *strategy, const struct explore_result *search)
{
    memset(rep, 0, sizeof *rep);
    rep->schedule = "";
    rep->scenario = s;
    rep->target = target;
    rep->strategy = strategy;
    rep->search = search;
    rep->result = search->failed ? search->outcome.result : WEFT_PASS;
    rep->as_expected = rep->result == s->expect && !search->divergence[0] &&
                       (rep->result != WEFT_PASS || search->exhaustive);
    if (!search->failed)
        return;
    rep->message = search->outcome.message;
    rep->failing_tid = search->outcome.failing_tid;
    struct sched_thread *ft = sched_thread(rep->failing_tid);
    if (ft && ft->pending && rep->result == WEFT_SELF_DEADLOCK) {
        struct sched_step relock = { .tid = (uint16_t)ft->id, .cls = ft->pending->cls,
                                     .obj_id = ft->pending->obj ? ft->pending->obj->id : -1,
                                     .loc = ft->pending->loc, .note = "already held" };
        report_step_text(&relock, rep->failing_op, sizeof rep->failing_op);
    }
    rep->where = search->outcome.where;
    rep->nthreads = sched_nthreads();
    for (int i = 0; i < rep->nthreads; i++)
        describe_thread(&rep->threads[i], sched_thread(i));
    if (rep->failing_tid >= 0 && rep->result != WEFT_DEADLOCK && rep->result != WEFT_LEAK)
        rep->threads[rep->failing_tid].state =
            rep->result == WEFT_LIVELOCK ? "spinning" : "failed";
    for (int i = 0; i < rep->nthreads; i++)
        if (search->outcome.spinning & SCHED_BIT(i))
            rep->threads[i].state = "spinning";
    if (rep->result == WEFT_DEADLOCK || rep->result == WEFT_LEAK)
        rep->ncycle = wait_cycle(rep, rep->cycle);
    collect_locks(rep);
    rep->steps = sched_steps(&rep->nsteps);
    encode_schedule(rep, search);
}

sched_mask report_signature(const struct sched_outcome *o)
{
    static struct report rep;
    static struct explore_result r;
    static const struct weft_scenario none = { .name = "" };
    memset(&r, 0, sizeof r);
    r.failed = true;
    r.outcome = *o;
    report_build(&rep, &none, "", "", &r);
    sched_mask m = 0;
    if (o->result == WEFT_DEADLOCK || o->result == WEFT_LEAK) {
        for (int i = 0; i < rep.ncycle; i++)
            m |= SCHED_BIT(rep.cycle[i]);
        for (int i = 0; m == 0 && i < rep.nthreads; i++)
            if (rep.threads[i].wait[0])
                m |= SCHED_BIT(i);
        return m;
    }
    if (o->result == WEFT_LIVELOCK)
        return o->spinning;
    return o->failing_tid >= 0 ? SCHED_BIT(o->failing_tid) : 0;
}

/* ==========================================================================
** weft explain: the state between steps
** ========================================================================== */

static void explain_thread(FILE *f, struct sched_thread *t)
{
    struct report_thread rt;
    memset(&rt, 0, sizeof rt);
    describe_thread(&rt, t);
    fprintf(f, "        %-16s %-9s", t->obj.name, rt.state);
    if (rt.wait[0]) {
        fprintf(f, "%s at %s", rt.wait, report_loc(rt.wait_at));
    } else if (strcmp(rt.state, "runnable") == 0) {
        struct sched_step next = { .tid = (uint16_t)t->id, .cls = t->pending->cls,
                                   .obj_id = t->pending->obj ? t->pending->obj->id : -1,
                                   .loc = t->pending->loc };
        char text[128];
        report_step_text(&next, text, sizeof text);
        fprintf(f, "next: %s at %s", text, report_loc(next.loc));
    }
    fprintf(f, "\n");
}

void report_explain_state(FILE *f)
{
    static uint32_t shown;            /* steps already printed */
    uint32_t n;
    const struct sched_step *steps = sched_steps(&n);
    if (n < shown)
        shown = 0;                    /* a new execution */
    for (; shown < n; shown++) {
        char text[128];
        report_step_text(&steps[shown], text, sizeof text);
        fprintf(f, "%5u  %s: %s at %s", shown + 1, sched_thread(steps[shown].tid)->obj.name,
                text, report_loc(steps[shown].loc));
        if (steps[shown].time)
            fprintf(f, "  [t=%lldms]", (long long)steps[shown].time);
        fprintf(f, "\n");
    }
    for (int i = 0; i < sched_nthreads(); i++)
        explain_thread(f, sched_thread(i));
}
