/*
** report.c -- copies a report out of an execution's end state: thread
** states, who waits for whom, held objects, the wait-for cycle, the steps
** and the schedule token. It reads the execution only through the
** operation contract (core/op.h) and never prints, but for weft explain.
*/
#include <stdlib.h>
#include <string.h>
#include "report/codec.h"
#include "report/report.h"

struct report_loc_text report_loc(struct sched_loc loc)
{
    struct report_loc_text t;
    if (loc.file == NULL) {
        strcpy(t.s, "?");
        return t;
    }
    const char *slash = strrchr(loc.file, '/');
    snprintf(t.s, sizeof t.s, "%s:%d", slash ? slash + 1 : loc.file, loc.line);
    return t;
}

void report_plan(const struct coverage *c, char *buf, size_t n)
{
    const struct explore_plan *p = c->plan;
    unsigned long long seed = (unsigned long long)c->seed;
    if (c->sampled)                   /* auto, after DPOR ran out of time */
        snprintf(buf, n, "dpor (unfinished), then pct depth 1..%d, seed %llu", c->depth, seed);
    else if (p->raises_bound)
        snprintf(buf, n, "%s, %d preemption%s", p->name, c->bound, c->bound == 1 ? "" : "s");
    else if (p->has_depth)
        snprintf(buf, n, "%s depth %d, seed %llu", p->name, c->depth, seed);
    else if (p->sampled)
        snprintf(buf, n, "%s, seed %llu", p->name, seed);
    else
        snprintf(buf, n, "%s", p->name);
    size_t used = strlen(buf);
    if (c->split.depth && used < n)
        snprintf(buf + used, n - used, ", split at depth %d into %llu units", c->split.depth,
                 (unsigned long long)c->split.units);
    else if (c->split.block && used < n)
        snprintf(buf + used, n - used, ", split into %llu unit%s of %llu execution%s",
                 (unsigned long long)c->split.units, c->split.units == 1 ? "" : "s",
                 (unsigned long long)c->split.block, c->split.block == 1 ? "" : "s");
    used = strlen(buf);
    if (c->split.count && used < n)
        snprintf(buf + used, n - used, ", shard %u/%u", c->split.index, c->split.count);
}

/* ==========================================================================
** Threads, waits and holders
** ========================================================================== */

/* "lock closeMutex (blocks)": a verb, an object's name and a note. */
static void step_words(const char *verb, const char *obj_name, const char *note, int a, int b,
                       char *buf, size_t n)
{
    int used = snprintf(buf, n, "%s%s%s", verb, obj_name ? " " : "", obj_name ? obj_name : "");
    if (note && used >= 0 && (size_t)used + 3 < n) {
        char text[64];
        snprintf(text, sizeof text, note, a, b);
        snprintf(buf + used, n - (size_t)used, " (%s)", text);
    }
}

/* "SIGUSR1 handler: " before a step that a program's signal handler took,
** "exit handler: " before one of exit's (sig, 0: none); how much of buf
** it filled. */
static size_t handler_words(int sig, char *buf, size_t n)
{
    if (sig <= 0 || n == 0)
        return 0;
    char name[32];
    sched_signal_text(sig, name, sizeof name);
    int used = sig == SCHED_EXIT_HANDLERS ? snprintf(buf, n, "exit handler: ")
                                          : snprintf(buf, n, "%s handler: ", name);
    return used < 0 ? 0 : (size_t)used < n ? (size_t)used : n - 1;
}

static void step_text(const struct sched_step *s, const char *obj_name, char *buf, size_t n)
{
    size_t used = handler_words(s->handler, buf, n);
    step_words(s->cls->verb, obj_name, s->note, s->note_a, s->note_b, buf + used, n - used);
}

/* "signal cv (woke t1, t2)": the threads a signal woke, by name. */
static void woke_words(const struct report *rep, const struct report_step *s, const char *name,
                       char *buf, size_t n)
{
    int used = snprintf(buf, n, "%s%s%s (woke", s->verb, name ? " " : "", name ? name : "");
    for (int i = 0; i < s->nwoke && used >= 0 && (size_t)used < n; i++)
        used += snprintf(buf + used, n - (size_t)used, "%s %s", i ? "," : "",
                         rep->threads[rep->woken[s->woke_first + i]].name);
    if (used >= 0 && (size_t)used < n)
        snprintf(buf + used, n - (size_t)used, ")");
}

void report_step_text(const struct report *rep, const struct report_step *s, char *buf, size_t n)
{
    const char *name = s->obj_id >= 0 && s->obj_id < rep->nobjects ? rep->objects[s->obj_id] : NULL;
    size_t used = handler_words(s->handler, buf, n);
    if (s->nwoke > 0)
        woke_words(rep, s, name, buf + used, n - used);
    else
        step_words(s->verb, name, s->note, s->note_a, s->note_b, buf + used, n - used);
}

/* A step as op would be logged if it were performed now. */
static struct sched_step step_of(const struct sched_thread *t, const struct sched_op *op)
{
    return (struct sched_step){ .tid = (uint32_t)t->id, .cls = op->cls,
                                .obj_id = op->obj ? op->obj->id : -1, .loc = op->loc,
                                .handler = t->handling };
}

/* Where the holder of a held object that t waits for took it. */
static void find_holder(struct report_thread *rt, const struct sched_op *op)
{
    const struct sched_obj *objs[2] = { op->obj, op->obj2 };
    for (int i = 0; i < 2; i++) {
        struct sched_loc at;
        int h = objs[i] && objs[i]->cls->holder ? objs[i]->cls->holder(objs[i], &at) : -1;
        if (h >= 0 && mask_has(rt->blockers, h))
            rt->held_at = at;
    }
}

static void describe_thread(struct exec *x, struct report_thread *rt, struct sched_thread *t)
{
    rt->id = t->id;
    snprintf(rt->name, sizeof rt->name, "%s", t->obj.name);
    rt->spawned_at = t->spawned_at;
    if (t->state == T_FINISHED) {
        rt->state = "finished";
        rt->cancelled = t->cancelled;
        return;
    }
    struct sched_op *op = t->pending;
    if (op == NULL || t->state != T_PARKED) {
        rt->state = "running";
        return;
    }
    bool enabled = op->completed || sched_thread_enabled(x, t);   /* (its wait may be
                                         interrupted: a cancel, a signal's handler) */
    rt->state = enabled ? "runnable" : t->daemon ? "idle" : "blocked";
    rt->wait_at = op->loc;
    if (!enabled && t->daemon && op->cls->describe_wait)
        op->cls->describe_wait(op, rt->idle, sizeof rt->idle);
    if (enabled || t->daemon || op->cls->describe_wait == NULL)
        return;                       /* an idle daemon (a timer, a store buffer)
                                         waits for nobody */
    op->cls->describe_wait(op, rt->wait, sizeof rt->wait);
    rt->blockers = op->cls->blockers ? op->cls->blockers(x, op, &rt->how) : MASK_NONE;
    rt->only_waits = op->cls->flags & OP_PASSIVE;
    if (op->obj)
        MASK_FOR(i, op->obj->users)
            if (i != t->id && i < x->nthreads && x->threads[i]->state == T_FINISHED)
                mask_add(&x->masks, &rt->finished_users, i);
    find_holder(rt, op);
}

/* A place for one more held object; NULL without memory. */
static struct report_lock *new_lock(struct report *rep, int *cap, const struct sched_obj *o)
{
    if (rep->nlocks == *cap) {
        int more = *cap ? 2 * *cap : 8;
        struct report_lock *l = realloc(rep->locks, (size_t)more * sizeof *l);
        if (l == NULL)
            return NULL;
        rep->locks = l;
        *cap = more;
    }
    struct report_lock *l = &rep->locks[rep->nlocks++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", o->name);
    l->kind = o->cls->name;
    l->holder = -1;
    return l;
}

/* What is held at the end, in creation order: each owned hold, each shared
** hold (a read lock) by thread, and the state of a semaphore or barrier. */
static int collect_locks(struct report *rep, struct exec *x)
{
    int cap = 0;
    for (struct sched_obj *o = x->objects; o; o = o->next_in_exec) {
        const struct sched_objclass *c = o->cls;
        struct sched_loc at;
        char text[64] = "";
        struct report_lock *l;
        int h = c->holder ? c->holder(o, &at) : -1;
        if (h >= 0) {
            if ((l = new_lock(rep, &cap, o)) == NULL)
                return WEFT_ENOMEM;
            l->holder = h;
            l->at = at;
        }
        for (int t = 0; c->shares && t < x->nthreads; t++) {
            if (!c->shares(o, t, text, sizeof text, &at))
                continue;
            if ((l = new_lock(rep, &cap, o)) == NULL)
                return WEFT_ENOMEM;
            l->holder = t;
            l->at = at;
            snprintf(l->how, sizeof l->how, "%s", text);
        }
        text[0] = 0;
        if (c->state)
            c->state(o, text, sizeof text);
        if (text[0]) {
            if ((l = new_lock(rep, &cap, o)) == NULL)
                return WEFT_ENOMEM;
            snprintf(l->state, sizeof l->state, "%s", text);
        }
    }
    return 0;
}

/* ==========================================================================
** The wait-for cycle
** ==========================================================================
** The cheapest cycle among blocked threads, where an edge costs 1 when the
** waiter must (or likely) be woken by that thread and 100 when it merely
** could be, as anyone could. A thread that only joins (or waits on a wait
** group) wakes nobody, so guesses never point at it. Dijkstra from each
** thread; ties go to the lowest ids: deterministic.
*/
#define EDGE_GUESS 100

static int edge_cost(const struct report *rep, int u, int v)
{
    const struct report_thread *t = &rep->threads[u], *w = &rep->threads[v];
    if (t->wait[0] == 0 || !mask_has(t->blockers, v) || w->wait[0] == 0)
        return 0;
    if (t->how == WAIT_ANYONE)
        return w->only_waits ? 0 : EDGE_GUESS;
    return 1;
}

/* Cheapest path cost from s back to s; fills prev. dist and done: room
** for a thread each. */
static int cheapest_back(const struct report *rep, int s, int *prev, int *dist, bool *done)
{
    int n = rep->nthreads;
    memset(done, 0, (size_t)n * sizeof *done);
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

/* The cycle into `cycle` (room for nthreads + 1); its length, 0 when
** there is none; -1 without memory. */
static int wait_cycle(const struct report *rep, int *cycle)
{
    int best = -1, len = 0, nt = rep->nthreads;
    int *prev = malloc(3 * ((size_t)nt + 1) * sizeof *prev);
    bool *done = malloc((size_t)nt + 1);
    if (prev == NULL || done == NULL) {
        free(prev);
        free(done);
        return -1;
    }
    int *path = prev + nt + 1, *dist = path + nt + 1;
    for (int s = 0; s < nt; s++) {
        int n = 0;
        int cost = cheapest_back(rep, s, prev, dist, done);
        if (cost < 0 || (best >= 0 && cost >= best))
            continue;
        int w = s;
        do {
            path[n++] = w;
            w = prev[w];
        } while (w != s && n < nt);
        best = cost;
        len = n + 1;
        cycle[0] = s;
        for (int i = 1; i < len; i++)
            cycle[i] = path[len - 1 - i];
    }
    free(prev);
    free(done);
    return best < 0 ? 0 : len;
}

static bool on_cycle(const int *cycle, int len, int tid)
{
    for (int i = 0; i < len; i++)
        if (cycle[i] == tid)
            return true;
    return false;
}

/*
** The cheapest cycle may jump with a guess (u ~> v) past blocked threads
** that surely lead to v: u ~> w -> v, where u could as well be waiting for
** w. Put them on it, so that the cycle shows every thread it holds up:
** main ~> G_0 -> G_1 -> main, not main ~> G_1 -> main. Lowest ids first.
*/
static int lengthen_cycle(const struct report *rep, int *cycle, int len)
{
    for (int i = 0; i + 1 < len; i++) {
        int u = cycle[i];
        if (edge_cost(rep, u, cycle[i + 1]) != EDGE_GUESS)
            continue;
        for (;;) {
            int v = cycle[i + 1], w = -1;
            for (int k = 0; k < rep->nthreads && w < 0; k++)
                if (!on_cycle(cycle, len, k) && edge_cost(rep, k, v) == 1 &&
                    edge_cost(rep, u, k) > 0)
                    w = k;
            if (w < 0 || len > rep->nthreads)
                break;                /* no room: the cycle has room for each thread once */
            memmove(cycle + i + 2, cycle + i + 1, (size_t)(len - i - 1) * sizeof *cycle);
            cycle[i + 1] = w;
            len++;
        }
    }
    return len;
}

/* ==========================================================================
** Building
** ========================================================================== */

/* Threads, their states and the cycle, from x's end state and outcome o. */
static int analyse(struct report *rep, struct exec *x, const struct sched_outcome *o)
{
    rep->nthreads = x->nthreads;
    rep->threads = calloc((size_t)x->nthreads + 1, sizeof *rep->threads);
    if (rep->threads == NULL)
        return WEFT_ENOMEM;
    for (int i = 0; i < rep->nthreads; i++) {
        struct report_thread *rt = &rep->threads[i];
        describe_thread(x, rt, x->threads[i]);
        rt->blockers = mask_copy(&rep->masks, rt->blockers);
        rt->finished_users = mask_copy(&rep->masks, rt->finished_users);
    }
    int ft = o->failing_tid;
    if (ft >= 0 && o->result != WEFT_DEADLOCK && o->result != WEFT_LEAK &&
        o->result != WEFT_NONDETERMINISM)
        rep->threads[ft].state = o->result == WEFT_LIVELOCK ? "spinning" : "failed";
    for (int i = 0; i < rep->nthreads; i++)
        if (mask_has(o->spinning, i))
            rep->threads[i].state = "spinning";
    if (o->result == WEFT_DEADLOCK || o->result == WEFT_LEAK) {
        rep->cycle = calloc((size_t)x->nthreads + 1, sizeof *rep->cycle);
        if (rep->cycle == NULL || (rep->ncycle = wait_cycle(rep, rep->cycle)) < 0)
            return WEFT_ENOMEM;
    }
    return 0;
}

/* Copies of x's steps and of its objects' names, since objects die with x;
** room after them for the attempts that block (blocked_attempts). */
static int copy_steps(struct report *rep, struct exec *x)
{
    rep->objects = calloc((size_t)x->nobjects + 1, sizeof *rep->objects);
    rep->steps = calloc((size_t)x->nsteps + (size_t)x->nthreads + 1, sizeof *rep->steps);
    if (rep->objects == NULL || rep->steps == NULL)
        return WEFT_ENOMEM;
    rep->nobjects = x->nobjects;
    for (struct sched_obj *o = x->objects; o; o = o->next_in_exec)
        memcpy(rep->objects[o->id], o->name, sizeof o->name);
    for (uint32_t i = 0; i < x->nsteps; i++) {
        const struct sched_step *s = &x->steps[i];
        rep->steps[i] = (struct report_step){ .tid = s->tid, .verb = s->cls->verb,
                                              .obj_id = s->obj_id, .note = s->note,
                                              .note_a = s->note_a, .note_b = s->note_b,
                                              .loc = s->loc, .time = s->time, .kind = s->cls,
                                              .handler = s->handler, .passed_by = -1 };
    }
    return 0;
}

/*
** A blocked thread's last attempt, which no step shows: a lock, a join,
** a wait that never ran. (A channel operation or a condition wait that
** blocks has already taken a step at that line, "recv c (blocks)".)
** Listed after the steps, in the order the threads came to them, when
** they wait for good (a deadlock, a leak, behind a livelock).
*/
static void blocked_attempts(struct report *rep, struct exec *x)
{
    int n = 0;
    if (rep->result != WEFT_DEADLOCK && rep->result != WEFT_LEAK && rep->result != WEFT_LIVELOCK)
        return;                       /* the others were stopped by the failure */
    int *order = malloc(((size_t)rep->nthreads + 1) * sizeof *order);
    if (order == NULL)
        return;                       /* the report goes without them */
    for (int i = 0; i < rep->nthreads; i++) {
        struct sched_thread *t = x->threads[i];
        const struct sched_step *last = t->last_step ? &x->steps[t->last_step - 1] : NULL;
        if (rep->threads[i].wait[0] == 0 || t->pending == NULL ||
            (last && last->loc.file == t->pending->loc.file &&
             last->loc.line == t->pending->loc.line && last->cls != t->start.cls))
            continue;
        int k = n++;
        for (; k > 0 && x->threads[order[k - 1]]->park_seq > t->park_seq; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    for (int k = 0; k < n; k++) {
        struct sched_thread *t = x->threads[order[k]];
        struct sched_step s = step_of(t, t->pending);
        rep->steps[rep->nsteps + rep->nblocked++] = (struct report_step){
            .tid = s.tid, .verb = s.cls->verb, .obj_id = s.obj_id, .note = "blocks",
            .loc = s.loc, .time = x->now, .kind = s.cls, .blocks = true, .passed_by = -1 };
    }
    free(order);
}

/*
** Whom each signal or broadcast woke: condition variables wake in the
** order of their waits (cond.c), so following the steps, a "wait" joins
** its condition's queue, a "wake" leaves it, and a signal that woke k
** threads (its note) takes the first k still unwoken.
*/
static bool verb_is(const struct report_step *s, const char *verb)
{
    return strcmp(s->verb, verb) == 0;
}

static int find_wakes(struct report *rep)
{
    /* The waits not yet woken: a thread waits on one condition at a time,
    ** so there is at most one per thread. */
    int cap = rep->nthreads + 1, n = 0, nwoken = 0;
    int *queue = malloc((size_t)cap * sizeof *queue), *obj = malloc((size_t)cap * sizeof *obj);
    bool *woken = calloc((size_t)cap, sizeof *woken);
    rep->woken = calloc((size_t)rep->nsteps + 1, sizeof *rep->woken);
    int rc = rep->woken && queue && obj && woken ? 0 : WEFT_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < rep->nsteps; i++) {
        struct report_step *s = &rep->steps[i];
        if (verb_is(s, "wait") && n < cap) {
            queue[n] = s->tid;
            obj[n] = s->obj_id;
            woken[n++] = false;
        } else if (verb_is(s, "wake")) {
            for (int k = 0; k < n; k++)
                if (queue[k] == s->tid && obj[k] == s->obj_id) {
                    memmove(queue + k, queue + k + 1, (size_t)(n - k - 1) * sizeof *queue);
                    memmove(obj + k, obj + k + 1, (size_t)(n - k - 1) * sizeof *obj);
                    memmove(woken + k, woken + k + 1, (size_t)(n - k - 1) * sizeof *woken);
                    n--;
                    break;
                }
        } else if ((verb_is(s, "signal") || verb_is(s, "broadcast")) && s->note_a > 0) {
            s->woke_first = nwoken;
            for (int k = 0; k < n && s->nwoke < s->note_a; k++)
                if (obj[k] == s->obj_id && !woken[k]) {
                    woken[k] = true;
                    rep->woken[nwoken++] = queue[k];
                    s->nwoke++;
                }
            if (s->nwoke != s->note_a) {  /* not as expected: say only how many */
                nwoken -= s->nwoke;
                s->nwoke = 0;
            }
        }
    }
    free(queue);
    free(obj);
    free(woken);
    return rc;
}

_Static_assert(WEFT_RESULT_LAST <= CODEC_MAX_RESULT, "a token records every result");

/* The token of r's execution (a livelock's can be long), with its result. */
static int encode_schedule(struct report *rep, const struct explore_result *r)
{
    int result = (int)r->outcome.result;
    size_t need = codec_encode(r->choices, r->nchoices, r->nsteps, result, NULL, 0) + 1;
    rep->schedule = malloc(need);
    if (rep->schedule == NULL)
        return WEFT_ENOMEM;
    codec_encode(r->choices, r->nchoices, r->nsteps, result, rep->schedule, need);
    return 0;
}

/* Self-deadlock: the relock, worded as the step it would have been. */
static void failing_op(struct report *rep, struct exec *x)
{
    if (x->outcome.row[0])
        snprintf(rep->failing_op, sizeof rep->failing_op, "%s", x->outcome.row);
    struct sched_thread *ft = sched_thread(x, rep->failing_tid);
    if (ft == NULL || ft->pending == NULL || rep->result != WEFT_SELF_DEADLOCK)
        return;
    struct sched_step relock = step_of(ft, ft->pending);
    relock.note = "already held";
    if (ft->pending->obj && ft->pending->obj->cls && ft->pending->obj->cls->name)
        snprintf(rep->failing_kind, sizeof rep->failing_kind, "%s", ft->pending->obj->cls->name);
    step_text(&relock, ft->pending->obj ? ft->pending->obj->name : NULL, rep->failing_op,
              sizeof rep->failing_op);
}

/* The code of each instrumented access, found now that a report wants it
** (the search kept only addresses). */
static void symbolise_race(struct report_race *race, const struct sched_outcome *o)
{
    const void *pcs[2] = { o->race_pc, o->race_now_pc };
    struct symbol code[2];
    symbol_lookup(pcs, 2, code);
    race->code = code[0];
    race->now_code = code[1];
}

/* The failure at the line the debug information gives its code, when the
** execution named code rather than a line (outcome.where_pc, or an
** instrumented access that races: the line of the thread's last step
** was shown, not the access's). */
static int locate_failure(struct report *rep, const struct sched_outcome *o)
{
    struct symbol code;
    const void *pc = o->where_pc ? o->where_pc
                   : o->result == WEFT_DATA_RACE ? o->race_now_pc : NULL;
    if (pc == NULL)
        return 0;
    symbol_lookup(&pc, 1, &code);
    if (code.line <= 0 || code.file[0] == '\0')
        return 0;                     /* no debug information: the last step's line */
    if ((rep->where_file = strdup(code.file)) == NULL)
        return WEFT_ENOMEM;
    rep->where = (struct sched_loc){ rep->where_file, code.line };
    return 0;
}

/* The failing execution's output, copied out of its arena. */
static int copy_output(struct report *rep, const struct exec *x)
{
    for (int i = 0; i < 2; i++) {
        const struct sched_output *o = &x->output[i];
        rep->output[i].len = o->len;
        rep->output[i].more = o->more;
        if (o->len && (rep->output[i].text = malloc(o->len + 1)) == NULL)
            return WEFT_ENOMEM;
        if (o->len) {                 /* ended by a 0 for report_json_string's reader */
            memcpy(rep->output[i].text, o->text, o->len);
            rep->output[i].text[o->len] = '\0';
        }
    }
    return 0;
}

/* Order objects by kind, then name, then age. */
static int by_kind_and_name(const void *a, const void *b)
{
    const struct sched_obj *p = *(const struct sched_obj *const *)a;
    const struct sched_obj *q = *(const struct sched_obj *const *)b;
    if (p->cls != q->cls)
        return (uintptr_t)p->cls < (uintptr_t)q->cls ? -1 : 1;
    int c = strcmp(p->name, q->name);
    return c ? c : p->id - q->id;
}

/*
** Objects of one kind that the program spells alike (`m[i]` made in a
** loop, `q->lock` of two queues) are told apart as threads are: the second
** one made is "m[i]#2", the third "m[i]#3". Done to a failing execution
** before its report is made, so that every part of the report (its waits,
** locks, steps and cycle) says it alike; a search never reads names.
*/
static int distinct_object_names(struct exec *x)
{
    if (x->nobjects < 2)
        return 0;
    struct sched_obj **all = malloc((size_t)x->nobjects * sizeof *all);
    if (all == NULL)
        return WEFT_ENOMEM;
    int n = 0;
    for (struct sched_obj *o = x->objects; o && n < x->nobjects; o = o->next_in_exec)
        all[n++] = o;
    qsort(all, (size_t)n, sizeof *all, by_kind_and_name);
    /* first: the group's first object, which keeps its name (the ones
    ** after it are compared with it, not with a neighbour just renamed) */
    for (int i = 1, first = 0; i < n; i++) {
        bool again = all[i]->cls == all[first]->cls && strcmp(all[i]->name, all[first]->name) == 0;
        if (!again) {
            first = i;
            continue;
        }
        char number[16];              /* a long name gives way to its number */
        int len = snprintf(number, sizeof number, "#%d", i - first + 1);
        size_t room = sizeof all[i]->name - 1 - (size_t)len, at = strlen(all[i]->name);
        memcpy(all[i]->name + (at < room ? at : room), number, (size_t)len + 1);
    }
    free(all);
    return 0;
}

static int snapshot_failure(struct report *rep, struct exec *x, const struct explore_result *r,
                            bool no_chains)
{
    if (distinct_object_names(x))
        return WEFT_ENOMEM;
    snprintf(rep->message, sizeof rep->message, "%s", r->outcome.message);
    rep->failing_tid = r->outcome.failing_tid;
    rep->where = r->outcome.where;
    int rc = locate_failure(rep, &r->outcome);
    if (rc)
        return rc;
    if (r->outcome.result == WEFT_DATA_RACE) {
        const struct sched_outcome *o = &r->outcome;
        rep->race = (struct report_race){ .tid = o->race_tid, .at = o->race_where,
                                          .write = o->race_write, .now_write = o->race_now_write,
                                          .atomic = o->race_atomic,
                                          .now_atomic = o->race_now_atomic,
                                          .now_free = o->race_now_free,
                                          .weak_atomics = o->weak_sync };
        snprintf(rep->race.name, sizeof rep->race.name, "%s", o->race_name ? o->race_name : "");
        symbolise_race(&rep->race, o);
    }
    failing_op(rep, x);
    rc = analyse(rep, x, &r->outcome);
    if (rc == 0 && rep->ncycle)
        rep->ncycle = lengthen_cycle(rep, rep->cycle, rep->ncycle);
    if (rc == 0)
        rc = collect_locks(rep, x);
    if (rc == 0)
        rc = copy_steps(rep, x);
    if (rc == 0) {
        blocked_attempts(rep, x);
        rc = find_wakes(rep);
    }
    if (rc == 0)
        rc = copy_output(rep, x);
    if (rc == 0 && !no_chains)
        rc = report_chains(rep, x, r);
    return rc ? rc : encode_schedule(rep, r);
}

/* Whether the search met s's expectation: a failure must be the one
** expected; a pass must be exhaustive, or a sample as large as the
** acceptance (the scenario's .accept, or --accept) asks. */
static void judge(struct report *rep, const struct weft_scenario *s,
                  const struct report_request *req, const struct explore_result *r)
{
    int accept = req->accept ? req->accept - 1 : (int)s->accept;
    uint64_t min = req->accept ? req->min_executions : s->min_executions;
    rep->accept_sampled = accept == WEFT_ACCEPT_SAMPLED && s->expect == WEFT_PASS;
    rep->min_executions = rep->accept_sampled ? (min ? min : WEFT_DEFAULT_MIN_EXECUTIONS) : 0;
    bool pass = rep->result == WEFT_PASS && s->expect == WEFT_PASS && !r->divergence[0];
    rep->sample_accepted = pass && !r->cov.exhaustive && rep->accept_sampled &&
                           !r->cov.interrupted && r->cov.executions >= rep->min_executions;
    rep->as_expected = rep->result == s->expect && !r->divergence[0] &&
                       (rep->result != WEFT_PASS || r->cov.exhaustive || rep->sample_accepted);
}

static struct report *snapshot(struct exec *x, const struct weft_scenario *s,
                               const struct report_request *req, const struct explore_result *r,
                               bool no_chains)
{
    struct report *rep = calloc(1, sizeof *rep);
    if (rep == NULL)
        return NULL;
    rep->scenario = strdup(s->name);
    rep->summary = s->summary ? strdup(s->summary) : NULL;
    rep->command = strdup(req->command ? req->command : "weft");
    rep->target = strdup(req->target ? req->target : s->name);
    rep->params = strdup(req->params ? req->params : "");
    rep->group = strdup(req->group ? req->group : s->file ? s->file : "");
    rep->number = req->number;
    rep->expect = s->expect;
    rep->failed = r->failed;
    rep->cov = r->cov;
    rep->unmarked = req->program && !r->cov.all_memory;
    memcpy(rep->divergence, r->divergence, sizeof rep->divergence);
    rep->nsteps = r->nsteps;
    rep->preemptions = r->preemptions;
    rep->shrunk_from_steps = r->shrunk_from_steps;
    rep->shrunk_from_preemptions = r->shrunk_from_preemptions;
    rep->shrink_stopped = r->shrink_stopped;
    /* A search that went on past failures (--classes) found the first one's */
    rep->result = r->failed ? r->outcome.result
                : r->cov.failing ? (enum weft_result)r->cov.failing_result : WEFT_PASS;
    judge(rep, s, req, r);
    rep->failing_tid = -1;
    bool ok = rep->scenario && (rep->summary || !s->summary) && rep->command && rep->target &&
              rep->params && rep->group;
    if (ok && r->failed)
        ok = snapshot_failure(rep, x, r, no_chains) == 0;
    else if (ok)
        ok = (rep->schedule = strdup("")) != NULL;
    if (ok && r->failed && req->view && !no_chains)
        ok = report_view_capture(rep, x, r) == 0;
    if (ok)
        return rep;
    report_free(rep);
    return NULL;
}

struct report *report_snapshot(struct exec *x, const struct weft_scenario *s,
                               const struct report_request *req, const struct explore_result *r)
{
    return snapshot(x, s, req, r, false);
}

struct report *report_snapshot_unchained(struct exec *x, const struct weft_scenario *s,
                                         const struct report_request *req,
                                         const struct explore_result *r)
{
    return snapshot(x, s, req, r, true);
}

struct report *report_of_death(const struct weft_scenario *s, const struct report_request *req,
                               const struct explore_result *r)
{
    struct explore_result alive = *r;
    alive.failed = false;             /* the coverage and names, without an end state */
    struct report *rep = report_snapshot(NULL, s, req, &alive);
    if (rep == NULL)
        return NULL;
    free(rep->schedule);
    rep->schedule = NULL;
    rep->failed = rep->died = true;
    rep->result = r->outcome.result;
    rep->as_expected = rep->result == s->expect;
    snprintf(rep->message, sizeof rep->message, "%s", r->outcome.message);
    rep->failing_tid = r->outcome.failing_tid;
    memcpy(rep->died_name, r->died_name, sizeof rep->died_name);
    rep->where = r->outcome.where;
    if (encode_schedule(rep, r) == 0)
        return rep;
    report_free(rep);
    return NULL;
}

void report_free(struct report *rep)
{
    if (rep == NULL)
        return;
    for (uint32_t i = 0; rep->steps && i < rep->nsteps; i++)
        free(rep->steps[i].cases);
    void *owned[] = { rep->scenario, rep->summary, rep->command, rep->target, rep->params,
                      rep->group, rep->identity, rep->marks, rep->where_file,
                      rep->schedule, rep->threads, rep->locks, rep->steps, rep->objects,
                      rep->cycle, rep->frames, rep->woken, rep->output[0].text,
                      rep->output[1].text };
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(owned[i]);
    mask_table_free(&rep->masks);
    report_view_free(rep->view);
    free(rep);
}

sched_mask report_signature(struct exec *x, const struct sched_outcome *o)
{
    struct report rep = { .failing_tid = o->failing_tid };
    sched_mask m = MASK_NONE;
    if (o->result == WEFT_LIVELOCK)
        return o->spinning;
    if (o->result == WEFT_DATA_RACE)
        return mask_with(&x->masks, mask_one(&x->masks, o->failing_tid), o->race_tid);
    if (o->result != WEFT_DEADLOCK && o->result != WEFT_LEAK)
        return o->failing_tid >= 0 ? mask_one(&x->masks, o->failing_tid) : MASK_NONE;
    if (analyse(&rep, x, o) == 0) {
        for (int i = 0; i < rep.ncycle; i++)
            m = mask_with(&x->masks, m, rep.cycle[i]);
        for (int i = 0; mask_empty(m) && i < rep.nthreads; i++)
            if (rep.threads[i].wait[0])
                m = mask_with(&x->masks, m, i);
    }
    free(rep.threads);
    free(rep.cycle);
    mask_table_free(&rep.masks);
    return m;
}

/* ==========================================================================
** weft explain: the state between steps
** ========================================================================== */

void report_thread_now(struct exec *x, int tid, const char **state, char *detail, size_t n)
{
    struct sched_thread *t = x->threads[tid];
    struct report_thread rt;
    memset(&rt, 0, sizeof rt);
    describe_thread(x, &rt, t);
    *state = rt.state;
    detail[0] = 0;
    if (rt.wait[0]) {
        snprintf(detail, n, "%s at %s", rt.wait, report_loc(rt.wait_at).s);
    } else if (strcmp(rt.state, "runnable") == 0) {
        struct sched_step next = step_of(t, t->pending);
        char text[128];
        step_text(&next, t->pending->obj ? t->pending->obj->name : NULL, text, sizeof text);
        snprintf(detail, n, "next: %s at %s", text, report_loc(next.loc).s);
    }
}

static void explain_thread(FILE *f, struct exec *x, struct sched_thread *t, int namew)
{
    const char *state;
    char detail[400];
    report_thread_now(x, t->id, &state, detail, sizeof detail);
    fprintf(f, "        %-*s %-9s%s\n", namew, t->obj.name, state, detail);
}

void report_explain_state(FILE *f, struct exec *x, uint32_t *shown)
{
    if (x->nsteps < *shown)
        *shown = 0;                   /* a new execution */
    for (; *shown < x->nsteps; (*shown)++) {
        const struct sched_step *s = &x->steps[*shown];
        struct sched_obj *o = s->obj_id >= 0 ? sched_object_by_id(x, s->obj_id) : NULL;
        char text[128];
        step_text(s, o ? o->name : NULL, text, sizeof text);
        fprintf(f, "%5u%c %s: %s at %s", *shown + 1, s->preempts ? '*' : ' ',
                x->threads[s->tid]->obj.name, text, report_loc(s->loc).s);
        if (s->time) {
            char t[32];
            sched_time_text(s->time, t, sizeof t);
            fprintf(f, "  [t=%s]", t);
        }
        fprintf(f, "\n");
    }
    int namew = 16;                   /* the longest name sets the column */
    for (int i = 0; i < x->nthreads; i++)
        if ((int)strlen(x->threads[i]->obj.name) > namew)
            namew = (int)strlen(x->threads[i]->obj.name);
    for (int i = 0; i < x->nthreads; i++)
        explain_thread(f, x, x->threads[i], namew);
}
