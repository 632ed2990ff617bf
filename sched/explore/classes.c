/*
** classes.c -- the class of an execution: which Mazurkiewicz trace it
** belongs to, as a 64-bit hash. Two executions are in one class when they
** differ only in the order of operations that commute (the searches'
** dependence relation, op.h). The class is named by every step's thread,
** its place in that thread and its operation, and, for each step, the
** earlier steps of other threads it depends on: equivalent executions
** order every dependent pair alike, so they get the same hash, and any
** two that order one pair differently get different ones. Threads are
** named by who started them and when (the 2nd thread main started), not
** by id: two spawns by different threads commute, and their order decides
** only which child gets which id. Other objects are named by their keys
** (object.h: what made them and when, or where their handle lives), not
** by id: an object made on first use (a C11 atomic, a static mutex) gets
** its id in the order of first uses, its key in none; the clock is one
** per execution and named as such. The searches
** do not use it; tests compare the classes that DPOR
** and DFS visit.
*/
#include <stdlib.h>
#include <string.h>
#include "explore/classes.h"
#include "explore/grow.h"

struct class_event {
    uint32_t tid;
    uint64_t who;                     /* its thread's name (classes.name) */
    uint32_t k;                       /* its index among its thread's steps */
    uint64_t label;                   /* its operation, in words */
    int thread_obj;                   /* the thread it spawns or joins, or -1 */
    bool reads, timed, local, shared;
    bool all;                         /* OP_GLOBAL: ordered with local steps too */
    bool ends_all;                    /* OP_ENDS_ALL: named by no thread */
    uint32_t first_obj, nobj;         /* its objects, in classes.objs */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0x100000001b3ULL;
}

/* splitmix64's finaliser: every input bit moves every output bit, so sums
** of such hashes (sets, order-free) do not cancel out by accident, as sums
** of mix()'s nearly linear values did. */
static uint64_t avalanche(uint64_t h)
{
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static uint64_t mix_string(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return mix(h, 0xff);
}

void classes_begin(struct classes *c)
{
    c->n = c->nobjs = 0;
    c->values = 0;
    if (c->thread_cap) {
        memset(c->thread, 0, c->thread_cap * sizeof *c->thread);
        c->thread[0].name = 1;        /* main */
    }
}

/* Room for threads [0, n): false without memory. */
static bool thread_room(struct classes *c, size_t n)
{
    size_t had = c->thread_cap;
    if (!explore_grow((void **)&c->thread, &c->thread_cap, n, sizeof *c->thread))
        return false;
    struct class_thread *t = c->thread;
    memset(t + had, 0, (c->thread_cap - had) * sizeof *t);
    if (had == 0)
        t[0].name = 1;                /* main */
    return true;
}

void classes_value(struct classes *c, uint32_t v) { c->values = mix(c->values, v + 1); }

int classes_step(struct classes *c, const struct sched_step *s, const struct sched_op *op,
                 const struct sched_obj *clock)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = sched_op_objects(op, objs);
    /* (a step on no object, a choice's, grows no list of objects) */
    if (!explore_grow((void **)&c->ev, &c->ev_cap, c->n + 1, sizeof *c->ev) ||
        !explore_grow((void **)&c->objs, &c->objs_cap, c->nobjs + (size_t)n, sizeof *c->objs))
        return WEFT_ENOMEM;
    size_t most = s->tid;
    for (int i = 0; i < n; i++)
        if (objs[i]->thread >= 0 && (size_t)objs[i]->thread > most)
            most = (size_t)objs[i]->thread;
    if (!thread_room(c, most + 1))
        return WEFT_ENOMEM;
    struct class_event *e = &c->ev[c->n++];
    *e = (struct class_event){ .tid = s->tid, .k = c->thread[s->tid].steps++,
                               .thread_obj = -1, .reads = op->idle, .local = (op->cls->flags & OP_LOCAL) != 0,
                               .shared = (op->cls->flags & OP_SHARED) != 0,
                               .timed = sched_op_program_global(op),
                               .all = (op->cls->flags & OP_GLOBAL) != 0,
                               .ends_all = (op->cls->flags & OP_ENDS_ALL) != 0,
                               .first_obj = (uint32_t)c->nobjs,
                               .nobj = (uint32_t)n };
    e->who = c->thread[s->tid].name;
    for (int i = 0; i < n; i++) {
        c->objs[c->nobjs++] = objs[i]->id;
        if (objs[i]->thread >= 0 && !op->interrupted)   /* (a join that a cancel or a
                                        handler ended did not wait for the thread's end) */
            e->thread_obj = objs[i]->thread;
    }
    if (e->thread_obj >= 0 && c->thread[e->thread_obj].name == 0)   /* a spawn names its child */
        c->thread[e->thread_obj].name = mix(e->who, ++c->thread[s->tid].spawned);
    /* Its operation: a thread object by the thread's name, for its id too
    ** depends on the order of spawns, and the clock by a name of its own:
    ** it is made by the first timed operation, whichever thread's. */
    uint64_t what = op->obj && op->obj->thread >= 0 ? c->thread[op->obj->thread].name
                    : op->obj && op->obj == clock ? 0xc10c
                    : op->obj ? op->obj->key : 0;
    uint64_t label = mix_string(mix(0, what), s->cls->verb);
    label = mix(mix(mix_string(label, s->note), (uint64_t)s->note_a), (uint64_t)s->note_b);
    e->label = mix(label, c->values);
    c->values = 0;
    return 0;
}

static bool share_object(const struct classes *c, const struct class_event *a,
                         const struct class_event *b)
{
    for (uint32_t i = 0; i < a->nobj; i++)
        for (uint32_t j = 0; j < b->nobj; j++)
            if (c->objs[a->first_obj + i] == c->objs[b->first_obj + j])
                return true;
    return false;
}

/* Must earlier step a stay before later step b in every equivalent order? */
static bool depends(const struct classes *c, const struct class_event *a,
                    const struct class_event *b)
{
    if (a->tid == b->tid)
        return false;
    if (a->all || b->all)             /* an end, a signal: whether a thread */
        return true;                  /* started, or yielded, before it shows */
    if (a->local || b->local)
        return false;
    if (a->timed || b->timed || a->thread_obj == (int)b->tid || b->thread_obj == (int)a->tid)
        return true;                  /* a timeout; a spawn of b's thread; a join of a's */
    return share_object(c, a, b) && sched_conflict(a->reads, a->shared, b->reads, b->shared);
}

/*
** Each step's past: for every thread, how many of its steps happen before
** it (program order and dependence, closed transitively), into `past`
** (c->n rows of nt entries). The past, not the steps a step depends on
** directly: a semaphore acquire that leaves a permit commutes with one
** that takes the last (op.h, OP_SHARED), so which of two such acquires is
** "the last" changes with their order, and with it which other steps each
** depends on directly; what comes before each step does not.
*/
static void pasts(const struct classes *c, uint32_t *past, int nt, int32_t *last)
{
    for (int t = 0; t < nt; t++)
        last[t] = -1;
    for (size_t i = 0; i < c->n; i++) {
        const struct class_event *b = &c->ev[i];
        uint32_t *row = past + i * (size_t)nt;
        if (last[b->tid] >= 0)
            memcpy(row, past + (size_t)last[b->tid] * (size_t)nt, (size_t)nt * sizeof *row);
        for (size_t j = 0; j < i; j++) {
            if (!depends(c, &c->ev[j], b))
                continue;
            const uint32_t *from = past + j * (size_t)nt;
            for (int t = 0; t < nt; t++)
                row[t] = from[t] > row[t] ? from[t] : row[t];
        }
        row[b->tid] = b->k + 1;
        last[b->tid] = (int32_t)i;
    }
}

/* The threads the steps name, and each step's past (NULL without memory). */
static uint32_t *all_pasts(const struct classes *c, int *nt)
{
    *nt = 0;
    for (size_t i = 0; i < c->n; i++)
        *nt = (int)c->ev[i].tid + 1 > *nt ? (int)c->ev[i].tid + 1 : *nt;
    uint32_t *past = calloc(c->n * (size_t)*nt + 1, sizeof *past);
    int32_t *last = malloc(((size_t)*nt + 1) * sizeof *last);   /* each thread's latest step */
    bool ok = past && last;
    if (ok)
        pasts(c, past, *nt, last);
    free(last);
    if (!ok) {
        free(past);
        return NULL;
    }
    return past;
}

/* Step i by its thread, place and operation, and its past. The end of
** the execution by none: what came before it (its own thread's steps too). */
static uint64_t step_hash(const struct classes *c, size_t i, const uint32_t *past, int nt)
{
    const struct class_event *b = &c->ev[i];
    const uint32_t *row = past + i * (size_t)nt;
    uint64_t before = 0;
    for (int t = 0; t < nt; t++) {    /* a set: an order-free sum */
        uint32_t n = t != (int)b->tid ? row[t] : b->ends_all ? b->k : 0;
        if (n > 0)
            before += avalanche(mix(c->thread[t].name, n));
    }
    if (b->ends_all)
        return avalanche(mix(mix(0xe4d, b->label), before));
    return avalanche(mix(mix(mix(b->who, b->k), b->label), before));
}

/* A sum of one hash per step: the same whatever order the steps come in. */
uint64_t classes_hash(const struct classes *c)
{
    int nt;
    uint32_t *past = all_pasts(c, &nt);
    uint64_t h = 0;
    for (size_t i = 0; past && i < c->n; i++)
        h += step_hash(c, i, past, nt);
    free(past);
    return h;
}

/* An execution that stopped at a failure of thread tid: the class of the
** failure is that of thread tid's last step and the steps before it that
** it depends on, directly or not. Steps of other threads that merely came
** first are left out: stopping at the failure cut off theirs at random. */
uint64_t classes_hash_failure(const struct classes *c, int tid)
{
    int nt;
    uint32_t *past = all_pasts(c, &nt);
    uint64_t h = 0xfa11;
    if (past == NULL)
        return 0;
    /* The failing thread's last step's past: per thread, its first steps. */
    const uint32_t *last = NULL;
    for (size_t i = 0; i < c->n; i++)
        if (c->ev[i].tid == (uint32_t)tid)
            last = past + i * (size_t)nt;
    for (size_t i = 0; last && i < c->n; i++)
        if (c->ev[i].k < last[c->ev[i].tid])
            h += step_hash(c, i, past, nt);
    free(past);
    return h;
}

void classes_free(struct classes *c)
{
    free(c->ev);
    free(c->objs);
    free(c->thread);
}
