/*
** trace_common.c -- what the trace, graph and page share: the flows
** between steps and the wait-for graph (trace.h).
*/
#include <stdlib.h>
#include <string.h>
#include "report/trace.h"

void trace_chain_list(FILE *f, const struct report *rep, struct report_chain c)
{
    fputc('[', f);
    for (int i = 0; i < c.n; i++) {
        const struct report_frame *fr = &rep->frames[c.first + i];
        char text[256];
        if (fr->file[0])
            snprintf(text, sizeof text, "%s at %s:%d", fr->function, fr->file, fr->line);
        else
            snprintf(text, sizeof text, "%s at %s+0x%lx", fr->function, fr->module, fr->offset);
        fprintf(f, "%s", i ? "," : "");
        report_json_string_in_html(f, text);
    }
    fputc(']', f);
}

void trace_step_words(const struct report *rep, uint32_t i, char *buf, size_t n)
{
    report_step_text(rep, &rep->steps[i], buf, n);
}

/* ==========================================================================
** Flows
** ========================================================================== */

static bool verb_is(const struct report_step *s, const char *verb)
{
    return strcmp(s->verb, verb) == 0;
}

static bool note_is(const struct report_step *s, const char *note)
{
    return s->note && strcmp(s->note, note) == 0;
}

static bool verb_among(const struct report_step *s, const char *const *verbs)
{
    for (; *verbs; verbs++)
        if (verb_is(s, *verbs))
            return true;
    return false;
}

static bool releases(const struct report_step *s)
{
    static const char *const verbs[] = { "unlock", "runlock", "release", NULL };
    return s->obj_id >= 0 && verb_among(s, verbs);
}

/* Did s take a lock or a permit (not a try that failed, not a wait that
** blocked or timed out)? *shared: a read lock, which leaves the unlock
** for other readers too. */
static bool acquires(const struct report_step *s, bool *shared)
{
    static const char *const verbs[] = { "lock", "lock (wait)", "rlock", "rlock (wait)",
                                         "acquire", "acquire (wait)", "trylock", "tryacquire",
                                         NULL };
    *shared = verb_is(s, "rlock") || verb_is(s, "rlock (wait)");
    return s->obj_id >= 0 && verb_among(s, verbs) && !note_is(s, "blocks") &&
           !note_is(s, "busy") && !note_is(s, "timed out");
}

struct flows {
    struct trace_flow *f;
    int n, cap;
};

static void add_flow(struct flows *fl, uint32_t from, uint32_t to, const char *kind)
{
    if (fl->n == fl->cap) {
        int cap = fl->cap ? 2 * fl->cap : 32;
        struct trace_flow *f = realloc(fl->f, (size_t)cap * sizeof *f);
        if (f == NULL)
            return;                   /* fewer arrows, never a wrong one */
        fl->f = f;
        fl->cap = cap;
    }
    fl->f[fl->n++] = (struct trace_flow){ from, to, kind };
}

/* Values offered on channels, first in first out per channel: a send
** (one that blocks too: its value is offered then), taken by the receive
** that completes next on that channel. */
struct offers {
    uint32_t *step;
    int *next;                        /* the next offer on the same channel, -1 */
    int *head, *tail;                 /* per object: the oldest untaken, the newest */
    int n;
};

static void offer(struct offers *o, uint32_t i, int obj)
{
    int k = o->n++;
    o->step[k] = i;
    o->next[k] = -1;
    if (o->tail[obj] >= 0)
        o->next[o->tail[obj]] = k;
    else
        o->head[obj] = k;
    o->tail[obj] = k;
}

static int take(struct offers *o, int obj)
{
    int k = o->head[obj];
    if (k >= 0 && (o->head[obj] = o->next[k]) < 0)
        o->tail[obj] = -1;
    return k;
}

/* A send that timed out withdrew its offer: the thread's on obj. */
static void withdraw(struct offers *o, const struct report *rep, int obj, int tid)
{
    for (int k = o->head[obj], prev = -1; k >= 0; prev = k, k = o->next[k]) {
        if (rep->steps[o->step[k]].tid != tid)
            continue;
        if (prev < 0)
            o->head[obj] = o->next[k];
        else
            o->next[prev] = o->next[k];
        if (o->tail[obj] == k)
            o->tail[obj] = prev;
        return;
    }
}

static void channel_step(const struct report *rep, uint32_t i, struct offers *o, int *closed,
                         struct flows *fl)
{
    const struct report_step *s = &rep->steps[i];
    bool recv = verb_is(s, "recv") || verb_is(s, "recv (wait)");
    if (verb_is(s, "send") && !note_is(s, "timed out"))
        offer(o, i, s->obj_id);
    else if (verb_is(s, "send (wait)") && note_is(s, "timed out"))
        withdraw(o, rep, s->obj_id, s->tid);
    else if (verb_is(s, "close"))
        closed[s->obj_id] = (int)i;
    else if (recv && note_is(s, "closed") && closed[s->obj_id] >= 0 &&
             rep->steps[closed[s->obj_id]].tid != s->tid)
        add_flow(fl, (uint32_t)closed[s->obj_id], i, "close -> recv");
    else if (recv && s->note == NULL) {
        int k = take(o, s->obj_id);
        if (k >= 0 && rep->steps[o->step[k]].tid != s->tid)
            add_flow(fl, o->step[k], i, "send -> recv");
    }
}

static void lock_step(const struct report *rep, uint32_t i, int *released, struct flows *fl)
{
    const struct report_step *s = &rep->steps[i];
    bool shared;
    if (releases(s)) {
        released[s->obj_id] = (int)i;
    } else if (acquires(s, &shared) && released[s->obj_id] >= 0) {
        int from = released[s->obj_id];
        if (rep->steps[from].tid != s->tid)
            add_flow(fl, (uint32_t)from, i, "unlock -> lock");
        if (!shared)
            released[s->obj_id] = -1;
    }
}

/* A signal's wake-ups: each woken thread's next "wake" on that condition. */
static void wake_flows(const struct report *rep, uint32_t i, struct flows *fl)
{
    const struct report_step *s = &rep->steps[i];
    for (int w = 0; w < s->nwoke; w++) {
        int tid = rep->woken[s->woke_first + w];
        for (uint32_t j = i + 1; j < rep->nsteps; j++) {
            const struct report_step *t = &rep->steps[j];
            if (t->tid == tid && t->obj_id == s->obj_id && verb_is(t, "wake")) {
                add_flow(fl, i, j, "signal -> wake");
                break;
            }
        }
    }
}

/* What a thread's life and a wait group need to be followed: each
** thread's last step so far, each object's last spawn and last done. */
struct lives {
    int *last_of_thread, *last_spawn, *last_done;
};

static int thread_named(const struct report *rep, const char *name)
{
    for (int t = 0; t < rep->nthreads; t++)
        if (strcmp(rep->threads[t].name, name) == 0)
            return t;
    return -1;
}

/* The spawn of the thread that starts: the latest spawn of an object
** named as the thread. */
static int spawn_of(const struct report *rep, const struct lives *l, int tid)
{
    int best = -1;
    for (int o = 0; o < rep->nobjects; o++)
        if (l->last_spawn[o] > best && strcmp(rep->objects[o], rep->threads[tid].name) == 0)
            best = l->last_spawn[o];
    return best;
}

/* A thread's life: the spawn to its start, and its last step to the join
** that waited for it; a wait group's last done to a wait it let through. */
static void life_step(const struct report *rep, uint32_t i, struct lives *l, struct flows *fl)
{
    const struct report_step *s = &rep->steps[i];
    bool has_obj = s->obj_id >= 0 && s->obj_id < rep->nobjects;
    int from = -1, joined = has_obj ? thread_named(rep, rep->objects[s->obj_id]) : -1;
    const char *kind = NULL;
    if (verb_is(s, "start")) {
        from = spawn_of(rep, l, s->tid);
        kind = "spawn -> start";
    } else if (verb_is(s, "join") && joined >= 0) {
        from = l->last_of_thread[joined];
        kind = "end -> join";
    } else if (verb_is(s, "wait") && has_obj) {
        from = l->last_done[s->obj_id];
        kind = "done -> wait";
    }
    if (from >= 0 && rep->steps[from].tid != s->tid)
        add_flow(fl, (uint32_t)from, i, kind);
    if (s->tid >= 0 && s->tid < rep->nthreads)
        l->last_of_thread[s->tid] = (int)i;
    if (has_obj && strncmp(s->verb, "spawn", 5) == 0)
        l->last_spawn[s->obj_id] = (int)i;
    if (has_obj && verb_is(s, "done"))
        l->last_done[s->obj_id] = (int)i;
}

static int flow_order(const void *a, const void *b)
{
    const struct trace_flow *x = a, *y = b;
    return x->to != y->to ? (x->to < y->to ? -1 : 1) : x->from < y->from ? -1 : x->from > y->from;
}

struct trace_flow *trace_flows(const struct report *rep, int *n)
{
    size_t nobj = (size_t)rep->nobjects + 1, ns = (size_t)rep->nsteps + 1;
    size_t nth = (size_t)rep->nthreads + 1;
    struct flows fl = { 0 };
    int *ints = malloc((6 * nobj + nth + ns) * sizeof *ints);
    struct offers o = { .step = malloc(ns * sizeof *o.step) };
    *n = 0;
    if (ints == NULL || o.step == NULL) {
        free(ints);
        free(o.step);
        return NULL;
    }
    int *released = ints, *closed = ints + nobj;
    o.head = ints + 2 * nobj;
    o.tail = ints + 3 * nobj;
    struct lives l = { ints + 4 * nobj, ints + 4 * nobj + nth, ints + 5 * nobj + nth };
    o.next = ints + 6 * nobj + nth;
    for (size_t k = 0; k < 6 * nobj + nth; k++)
        ints[k] = -1;
    for (uint32_t i = 0; i < rep->nsteps; i++) {
        const struct report_step *s = &rep->steps[i];
        life_step(rep, i, &l, &fl);
        if (s->obj_id < 0 || s->obj_id >= rep->nobjects)
            continue;
        lock_step(rep, i, released, &fl);
        channel_step(rep, i, &o, closed, &fl);
        if (s->nwoke > 0)
            wake_flows(rep, i, &fl);
    }
    free(ints);
    free(o.step);
    if (fl.n)
        qsort(fl.f, (size_t)fl.n, sizeof *fl.f, flow_order);
    *n = fl.n;
    return fl.f;
}

/* ==========================================================================
** The wait-for graph
** ========================================================================== */

static int add_node(struct trace_graph *g, bool thread, int id)
{
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].thread == thread && g->nodes[i].id == id)
            return i;
    g->nodes[g->nnodes] = (struct trace_node){ .thread = thread, .id = id };
    return g->nnodes++;
}

static struct trace_edge *add_edge(struct trace_graph *g, int from, int to, const char *label,
                                   bool guess)
{
    for (int i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to)
            return &g->edges[i];
    struct trace_edge *e = &g->edges[g->nedges++];
    *e = (struct trace_edge){ .from = from, .to = to, .guess = guess };
    snprintf(e->label, sizeof e->label, "%s", label);
    return e;
}

/* The step a blocked thread stopped at for good: its attempt that blocks,
** or else its last step ("recv c (blocks)"); NULL when it has none. */
static const struct report_step *stopping_step(const struct report *rep, int tid)
{
    for (uint32_t i = 0; i < rep->nblocked; i++)
        if (rep->steps[rep->nsteps + i].tid == tid)
            return &rep->steps[rep->nsteps + i];
    for (uint32_t i = rep->nsteps; i-- > 0;)
        if (rep->steps[i].tid == tid)
            return &rep->steps[i];
    return NULL;
}

static const struct report_lock *held(const struct report *rep, const char *name, int holder)
{
    for (int i = 0; i < rep->nlocks; i++)
        if (rep->locks[i].holder == holder && strcmp(rep->locks[i].name, name) == 0)
            return &rep->locks[i];
    return NULL;
}

static int object_named(const struct report *rep, const char *name)
{
    for (int i = 0; i < rep->nobjects; i++)
        if (strcmp(rep->objects[i], name) == 0)
            return i;
    return -1;
}

/* A blocked thread u: u -> the object it waits on -> the threads that
** must (or could) act; a join points at the thread itself. */
static void waits_of(const struct report *rep, struct trace_graph *g, int u)
{
    const struct report_thread *t = &rep->threads[u];
    const struct report_step *s = stopping_step(rep, u);
    bool via = s && s->obj_id >= 0 && s->obj_id < rep->nobjects && !verb_is(s, "join");
    int from = add_node(g, true, u), obj = via ? add_node(g, false, s->obj_id) : from;
    if (via)
        add_edge(g, from, obj, t->wait, false);
    MASK_FOR(v, t->blockers) {
        if (v >= rep->nthreads)
            continue;
        bool holds = via && held(rep, rep->objects[s->obj_id], v);
        const char *label = holds ? "held by" : t->how == WAIT_ANYONE ? "could act: any thread"
                          : via ? "until it acts" : t->wait;
        add_edge(g, obj, add_node(g, true, v), label, t->how == WAIT_ANYONE);
    }
}

static void mark_cycle(const struct report *rep, struct trace_graph *g)
{
    for (int k = 0; k + 1 < rep->ncycle; k++) {
        int u = add_node(g, true, rep->cycle[k]), v = add_node(g, true, rep->cycle[k + 1]);
        g->nodes[u].on_cycle = true;
        for (int i = 0; i < g->nedges; i++) {
            struct trace_edge *e = &g->edges[i];
            if (e->from == u && e->to == v)
                e->on_cycle = true;
            for (int j = 0; e->from == u && !g->nodes[e->to].thread && j < g->nedges; j++)
                if (g->edges[j].from == e->to && g->edges[j].to == v) {
                    e->on_cycle = g->edges[j].on_cycle = g->nodes[e->to].on_cycle = true;
                }
        }
    }
}

static void label_nodes(const struct report *rep, struct trace_graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        struct trace_node *n = &g->nodes[i];
        if (n->thread) {
            n->state = rep->threads[n->id].state;
            snprintf(n->label, sizeof n->label, "%s", rep->threads[n->id].name);
            continue;
        }
        const char *kind = NULL;
        for (int k = 0; k < rep->nlocks && !kind; k++)
            if (strcmp(rep->locks[k].name, rep->objects[n->id]) == 0)
                kind = rep->locks[k].kind;
        snprintf(n->label, sizeof n->label, "%s%s%s", kind ? kind : "", kind ? " " : "",
                 rep->objects[n->id]);
    }
}

int trace_graph(const struct report *rep, struct trace_graph *g)
{
    size_t most = 2 * (size_t)rep->nthreads + (size_t)rep->nlocks + 1;
    g->nnodes = g->nedges = 0;
    g->nodes = calloc(most, sizeof *g->nodes);
    /* each thread: one edge to its object, one per other thread; each lock one */
    g->edges = calloc(most + (size_t)rep->nthreads * ((size_t)rep->nthreads + 1), sizeof *g->edges);
    if (g->nodes == NULL || g->edges == NULL) {
        trace_graph_free(g);
        return WEFT_ENOMEM;
    }
    for (int i = 0; i < rep->nthreads; i++)
        add_node(g, true, i);
    for (int i = 0; i < rep->nthreads; i++)
        if (rep->threads[i].wait[0])
            waits_of(rep, g, i);
    for (int i = 0; i < rep->nlocks; i++) {
        int obj = object_named(rep, rep->locks[i].name);
        if (obj >= 0 && rep->locks[i].holder >= 0 && rep->locks[i].holder < rep->nthreads)
            add_edge(g, add_node(g, false, obj), add_node(g, true, rep->locks[i].holder),
                     "held by", false);
    }
    mark_cycle(rep, g);
    label_nodes(rep, g);
    return 0;
}

void trace_graph_free(struct trace_graph *g)
{
    free(g->nodes);
    free(g->edges);
    g->nodes = NULL;
    g->edges = NULL;
    g->nnodes = g->nedges = 0;
}
