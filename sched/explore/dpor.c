/*
** dpor.c -- happens-before and race detection for dynamic partial-order
** reduction (Optimal DPOR, Abdulla et al. JACM 2017; the search and its
** wakeup trees are in dfs.c and wakeup.c). Vector clocks follow every
** step; per object a write clock and the reads since, so polls that change
** nothing stay unordered. Each step's races are reported as it is taken,
** and those of the operations left pending when the execution ends; the
** reversal of a race is computed from the whole execution.
*/
#include <stdlib.h>
#include <string.h>
#include "explore/dpor.h"
#include "explore/grow.h"

/* For the tests asked of every parked thread at every new state: left to
** itself the compiler calls them, which costs 500 more instructions an
** execution of lock_family 2x10 (3% of DPOR's own work there). */
#define HOT_INLINE static inline __attribute__((always_inline))

/* One executed step as race detection needs it: 20 bytes, and its clock,
** object links and place in its thread's list beside it (a step costs
** 24 + 4 per thread + 16 per object it touches). */
enum {
    EV_READS = 1, EV_TIMED = 2, EV_LOCAL = 4, EV_HELD = 8, EV_SHARED = 16, EV_ALL = 32,
    EV_CUT = 64                       /* interrupted: it did not meet the thread it waited for */
};
struct event {
    uint32_t first_link;              /* objects touched, in `links` */
    int32_t takes, gives;             /* the object it acquires, releases, or -1 */
    int32_t tid;
    uint16_t nlinks;
    uint8_t flags;                    /* EV_*: changed nothing, timed, local,
                                         its object held already, OP_SHARED, cut */
};

/* A value chosen during step `ev` (the steps that choose are few: they
** are kept beside the events, in step order). */
struct chosen { uint32_t ev, value; };

/* An event's access to one object, chained to the previous access to the
** same object and to the previous one by another thread (so a thread's long
** run of polls is skipped in one jump). Chains hold link indices; -1 ends. */
struct link { int32_t ev, prev, prev_other, obj; };

struct objstate {
    int32_t last;                     /* link of the last access to it, or -1 */
    int32_t w, wp;                    /* the events whose clocks are its w and wp
                                         clocks (see obj_r), or -1: all 0 */
    bool r_any, rs_any;               /* its r and rs clocks are not all 0 */
    bool is_thread;                   /* a thread (spawn, join, its end step) */
    uint64_t key;                     /* its name across executions (object.h) */
};

/* Per thread: its name, its events, its object, and when its next
** operation was last looked at (a `look`): races with steps before then
** have been reported already (see dpor_races). Its events in step order
** let a reversal, a rewind or the search for its next step go to the
** thread's steps that matter instead of walking every step. */
struct thread_state {
    uint64_t key;
    int32_t *evs;                     /* its events, in step order */
    uint32_t nevs, evs_cap;
    int32_t obj;                      /* its object's id, or -1 */
    int32_t look;                     /* its latest in `looks`, or -1 */
};

/* A thread's next operation, looked at for races after `nev` steps: which
** one it was (the thread's park count), whether it only read and whether it
** was OP_SHARED then. Kept as a stack in step order, each chained to the
** thread's look before, so that a rewind drops the looks it does not
** replay and finds each thread's latest look that it does. */
struct look {
    uint64_t park;
    uint32_t nev;
    int32_t tid, prev;
    bool reads, shared;
    uint32_t interruptible;           /* sched_thread_interruptible_since */
};

struct dpor {
    int nthreads;
    struct event *ev;
    uint32_t nev, ev_cap;
    /* Every clock has `stride` entries (the most threads any execution has
    ** had, rounded up): clocks cost what the threads use. Each event's
    ** clock; each thread's (stride of them); each object's CLOCKS_PER_OBJECT
    ** rows (obj_cap objects, see obj_r). */
    uint32_t *clk;
    uint32_t stride, clk_rows;
    uint32_t *thread_clk, *obj_clk;
    struct thread_state *th;          /* stride of them */
    struct link *links;
    uint32_t nlinks, links_cap;
    struct objstate *obj;
    int nobj, obj_cap, obj_ever;      /* in use now; ever used (cleared once) */
    int width;                        /* most threads of any execution so far */
    uint32_t *timed_w;                /* the last timed step's clock */
    int32_t last_timed;
    int32_t *timed;                   /* every timed step, in step order */
    uint32_t ntimed, timed_cap;
    int32_t *cand;                    /* races_of's candidate steps */
    uint32_t ncand, cand_cap;
    uint32_t *frontier;               /* races_of's, a clock */
    uint32_t *first_from;             /* least_known_from's, per thread */
    uint32_t first_from_at;
    bool first_from_ok;               /* false once a step is added or undone */
    struct chosen *values;            /* in step order */
    uint32_t nvalues, values_cap;
    struct look *looks;               /* in step order */
    uint32_t nlooks, looks_cap;
};

struct dpor *dpor_new(void) { return calloc(1, sizeof(struct dpor)); }

void dpor_free(struct dpor *d)
{
    if (d == NULL)
        return;
    free(d->ev);
    free(d->clk);
    free(d->links);
    free(d->obj);
    free(d->cand);
    free(d->thread_clk);
    free(d->obj_clk);
    free(d->values);
    free(d->looks);
    for (uint32_t t = 0; t < d->stride; t++)
        free(d->th[t].evs);
    free(d->th);
    free(d->timed);
    free(d->timed_w);
    free(d->frontier);
    free(d->first_from);
    free(d);
}

/* Thread t's clock. */
static inline uint32_t *thread_clock(const struct dpor *d, int t)
{
    return d->thread_clk + (size_t)t * d->stride;
}

/*
** Object id's clocks: what each kind of step on it must come after
** (sched_conflict). w: the last write and what it came after; r: plain
** reads since then; wp: the last plain write (an OP_SHARED write, a
** semaphore's last permit taken, does not order OP_SHARED reads); rs:
** OP_SHARED reads since wp. A write's clock is its event's, so w and wp
** name events (objstate); r and rs are rows of their own, used only while
** r_any and rs_any say so (a lock's object, never read, never has them).
*/
enum { CLOCKS_PER_OBJECT = 2 };
static inline uint32_t *obj_r(const struct dpor *d, int id)
{
    return d->obj_clk + (size_t)id * CLOCKS_PER_OBJECT * d->stride;
}
static inline uint32_t *obj_rs(const struct dpor *d, int id) { return obj_r(d, id) + d->stride; }

/*
** Clearing clocks: only the first `width` entries (the most threads any
** execution has had) can ever have been written, so only they are cleared
** when a slot is reused; a slot used for the first time is cleared whole.
*/
static void clear_clock(uint32_t *c, int width)
{
    if (width > 0)
        memset(c, 0, (size_t)width * sizeof *c);
}

/* Object id's clocks all 0 (its rows are cleared when they are next used). */
static void clear_object(struct dpor *d, int id)
{
    struct objstate *os = &d->obj[id];
    os->w = os->wp = -1;
    os->r_any = os->rs_any = false;
}

/* Forget the looks taken after `nev` steps: the races they found are
** dropped with them (dfs.c, keep_races), those of the looks before kept. */
static void forget_looks(struct dpor *d, uint32_t nev)
{
    while (d->nlooks > 0 && d->looks[d->nlooks - 1].nev > nev) {
        const struct look *l = &d->looks[--d->nlooks];
        d->th[l->tid].look = l->prev;
    }
}

void dpor_begin(struct dpor *d)
{
    for (uint32_t t = 0; t < d->stride; t++) {
        d->th[t].obj = d->th[t].look = -1;
        d->th[t].nevs = 0;
    }
    d->nev = d->nlinks = d->nvalues = d->ntimed = 0;
    d->first_from_ok = false;
    d->nobj = 0;
    d->nthreads = 0;
    d->last_timed = -1;
    for (int q = 0; q < d->width; q++)
        clear_clock(thread_clock(d, q), d->width);
    clear_clock(d->timed_w, d->width);
    d->nlooks = 0;
}

/* ==========================================================================
** Clocks
** ========================================================================== */


static void join(uint32_t *into, const uint32_t *from, int n)
{
    for (int i = 0; i < n; i++)
        if (from[i] > into[i])
            into[i] = from[i];
}

/* Clocks for objects up to cap (zero), where there were for `had`; false
** without memory. */
static bool object_clocks(struct dpor *d, int had, int cap)
{
    size_t row = CLOCKS_PER_OBJECT * (size_t)d->stride;
    uint32_t *c = realloc(d->obj_clk, (size_t)cap * row * sizeof *c);
    if (c == NULL)
        return false;
    memset(c + (size_t)had * row, 0, (size_t)(cap - had) * row * sizeof *c);
    d->obj_clk = c;
    return true;
}

/* Make object id's state exist; false without memory. */
static bool object(struct dpor *d, int id)
{
    if (id >= d->nobj) {
        size_t cap = (size_t)d->obj_cap;
        if (!explore_grow((void **)&d->obj, &cap, (size_t)id + 1, sizeof *d->obj))
            return false;
        if ((int)cap != d->obj_cap) {
            if (!object_clocks(d, d->obj_cap, (int)cap))
                return false;
            d->obj_cap = (int)cap;
        }
        for (int i = d->nobj; i <= id; i++) {
            if (i >= d->obj_ever) {
                memset(&d->obj[i], 0, sizeof d->obj[i]);
                memset(obj_r(d, i), 0, CLOCKS_PER_OBJECT * (size_t)d->stride * sizeof *d->obj_clk);
            }
            clear_object(d, i);
            d->obj[i].last = -1;
        }
        d->nobj = id + 1;
        if (d->nobj > d->obj_ever)
            d->obj_ever = d->nobj;
    }
    return true;
}

/* The object op acquires (a lock, a wait's wake), or -1; and the one it
** releases (an unlock, a wait). */
static int object_taken(const struct sched_op *op)
{
    unsigned f = op->cls->flags;
    const struct sched_obj *o = f & OP_ACQUIRE ? op->obj : f & OP_ACQUIRE_2ND ? op->obj2 : NULL;
    return o ? o->id : -1;
}

static int object_given(const struct sched_op *op)
{
    unsigned f = op->cls->flags;
    const struct sched_obj *o = f & OP_RELEASE ? op->obj : f & OP_RELEASE_2ND ? op->obj2 : NULL;
    return o ? o->id : -1;
}

/* Event i's clock. */
static inline uint32_t *clock_of(const struct dpor *d, uint32_t i)
{
    return d->clk + (size_t)i * d->stride;
}

/* Room for one more event with n links; false without memory. */
static bool reserve(struct dpor *d, int n)
{
    if (d->nev < d->ev_cap && d->nev < d->clk_rows && d->nlinks + (uint32_t)n <= d->links_cap)
        return true;                  /* every step asks: the common case first */
    size_t cap = d->ev_cap, rows = d->clk_rows, lcap = d->links_cap;
    bool ok = explore_grow((void **)&d->ev, &cap, d->nev + 1, sizeof *d->ev);
    d->ev_cap = (uint32_t)cap;
    ok = ok && explore_grow((void **)&d->clk, &rows, d->nev + 1, (size_t)d->stride * sizeof *d->clk);
    d->clk_rows = (uint32_t)rows;
    ok = ok && explore_grow((void **)&d->links, &lcap, d->nlinks + (size_t)n, sizeof *d->links);
    d->links_cap = (uint32_t)lcap;
    return ok;
}

/* Room for one more event of thread p, and one more timed one; false
** without memory. */
static bool reserve_thread(struct dpor *d, int p)
{
    struct thread_state *t = &d->th[p];
    if (t->nevs < t->evs_cap && d->ntimed < d->timed_cap)
        return true;
    size_t cap = t->evs_cap, tcap = d->timed_cap;
    bool ok = explore_grow((void **)&t->evs, &cap, t->nevs + 1, sizeof *t->evs);
    t->evs_cap = (uint32_t)cap;
    ok = ok && explore_grow((void **)&d->timed, &tcap, d->ntimed + 1, sizeof *d->timed);
    d->timed_cap = (uint32_t)tcap;
    return ok;
}

/* `rows` clocks of `from` entries each, as the first of `total` clocks of
** `to` entries (zero past the old ones), in new memory; NULL without it. */
static uint32_t *restride(const uint32_t *old, size_t rows, size_t total, uint32_t from,
                          uint32_t to)
{
    uint32_t *c = calloc(total ? total : 1, (size_t)to * sizeof *c);
    if (c == NULL)
        return NULL;
    for (size_t i = 0; i < rows && from > 0; i++)
        memcpy(c + i * to, old + i * from, (size_t)from * sizeof *c);
    return c;
}

/* Every clock with `stride` entries now, and state for that many threads;
** false without memory (d is left as it was). */
static bool widen(struct dpor *d, uint32_t stride)
{
    uint32_t old = d->stride;
    size_t orows = (size_t)d->obj_cap * CLOCKS_PER_OBJECT;
    uint32_t *clk = restride(d->clk, d->clk_rows, d->clk_rows, old, stride);
    uint32_t *tc = restride(d->thread_clk, old, stride, old, stride);
    uint32_t *oc = restride(d->obj_clk, orows, orows, old, stride);
    uint32_t *tw = restride(d->timed_w, old ? 1 : 0, 1, old, stride);
    uint32_t *fr = calloc(stride, sizeof *fr);
    uint32_t *ff = calloc(stride, sizeof *ff);
    struct thread_state *th = realloc(d->th, stride * sizeof *th);
    if (th)
        d->th = th;
    if (!clk || !tc || !oc || !tw || !fr || !ff || !th) {
        void *made[] = { clk, tc, oc, tw, fr, ff };
        for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
            free(made[i]);
        return false;
    }
    for (uint32_t t = old; t < stride; t++)
        th[t] = (struct thread_state){ .obj = -1, .look = -1 };
    void *gone[] = { d->clk, d->thread_clk, d->obj_clk, d->timed_w, d->frontier, d->first_from };
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        free(gone[i]);
    d->clk = clk;
    d->thread_clk = tc;
    d->obj_clk = oc;
    d->timed_w = tw;
    d->frontier = fr;
    d->first_from = ff;
    d->first_from_ok = false;
    d->stride = stride;
    if (d->clk_rows == 0)
        d->clk_rows = 1;
    return true;
}

/* Threads spawned since the last step: clocks get room for them, and
** every event recorded before says nothing of them (entries 0), whatever
** an earlier execution left in those slots. false without memory. */
static bool add_threads(struct dpor *d, int nthreads)
{
    if ((uint32_t)nthreads > d->stride) {
        uint32_t stride = ((uint32_t)nthreads + 3) & ~3u;
        if (d->stride >= 64 && stride < d->stride + d->stride / 2)
            stride = d->stride + d->stride / 2;   /* many threads: fewer moves */
        if (!widen(d, stride))
            return false;
    } else {
        size_t bytes = (size_t)(nthreads - d->nthreads) * sizeof *d->clk;
        for (uint32_t i = 0; i < d->nev; i++)
            memset(clock_of(d, i) + d->nthreads, 0, bytes);
    }
    d->nthreads = nthreads;
    return true;
}

/* Is the last timed step an end (OP_GLOBAL), which orders local steps too? */
static bool ended_before(const struct dpor *d)
{
    return d->last_timed >= 0 && (d->ev[d->last_timed].flags & EV_ALL);
}

/* The clock of event e by thread p: p's clock joined with what e depends on
** (the last timed step; every step, if e is timed; each object's last write,
** and its reads since when e writes), then p's own entry moved on. A local
** step depends on nothing, a timed one included (conflicts() says the
** same): it changes no thread's chance to run, which is all that decides
** when an idle-rule timer fires. Only the end of a thread or of the
** execution (OP_GLOBAL) orders local steps too, as the last timed step.
** A join that a cancellation or a signal's handler interrupted (met, false)
** did not meet the thread it waited for, which runs on. */
static void advance_clock(struct dpor *d, const struct event *e, int p,
                          const struct sched_obj **objs, int n, bool met)
{
    int nt = d->nthreads;
    uint32_t *c = thread_clock(d, p);
    bool local = e->flags & EV_LOCAL;
    if (d->last_timed >= 0 && (!local || ended_before(d)))
        join(c, d->timed_w, nt);
    if (e->flags & EV_TIMED)
        for (int q = 0; q < nt; q++)
            join(c, thread_clock(d, q), nt);
    for (int i = 0; i < n && !local; i++) {
        if (objs[i]->thread >= 0 && met)   /* spawn, join: the two clocks meet */
            join(c, thread_clock(d, objs[i]->thread), nt);
        int id = objs[i]->id;         /* and, as on any object, its accesses: an
                                         interrupted join and the end of its thread */
        const struct objstate *os = &d->obj[id];
        bool reads = e->flags & EV_READS, shared = e->flags & EV_SHARED;
        int32_t w = reads && shared ? os->wp : os->w;
        if (w >= 0)
            join(c, clock_of(d, (uint32_t)w), nt);
        if (!reads && os->r_any)
            join(c, obj_r(d, id), nt);
        if (!reads && !shared && os->rs_any)
            join(c, obj_rs(d, id), nt);
    }
    c[p]++;
}

/* Join clock c into a read clock, cleared first if it was all 0. */
static void join_read(struct dpor *d, uint32_t *into, bool *any, const uint32_t *c)
{
    if (!*any)
        clear_clock(into, d->width);
    *any = true;
    join(into, c, d->nthreads);
}

/* Object id's clocks after event i accessed it: see obj_r. */
static void object_after(struct dpor *d, int id, uint32_t i)
{
    struct objstate *os = &d->obj[id];
    const struct event *e = &d->ev[i];
    bool reads = e->flags & EV_READS, shared = e->flags & EV_SHARED;
    if (reads) {
        if (shared)
            join_read(d, obj_rs(d, id), &os->rs_any, clock_of(d, i));
        else
            join_read(d, obj_r(d, id), &os->r_any, clock_of(d, i));
        return;
    }
    os->w = (int32_t)i;
    os->r_any = false;
    if (shared)
        return;
    os->wp = (int32_t)i;
    os->rs_any = false;
}

/* Chain event e into each object's accesses and update its clocks. */
static void link_objects(struct dpor *d, const struct event *e, const uint32_t *c,
                         const struct sched_obj **objs, struct objstate **states, int n,
                         bool met)
{
    for (int i = 0; i < n; i++) {
        struct objstate *os = states[i];
        int32_t other = os->last;
        if (other >= 0 && d->ev[d->links[other].ev].tid == e->tid)
            other = d->links[other].prev_other;
        bool creates = os->last < 0;  /* the first step on a thread's object spawned it */
        d->links[d->nlinks] = (struct link){ (int32_t)d->nev, os->last, other, objs[i]->id };
        os->key = objs[i]->key;
        os->last = (int32_t)d->nlinks++;
        os->is_thread = objs[i]->thread >= 0;
        /* A spawned thread starts from here. Only the spawn: a detach (or
        ** a join) of a thread that runs on must not order its later steps
        ** after the caller's (DPOR never ran a detached thread's steps
        ** before the detach: a "pass, exhaustive" on a failure, audit 8). */
        if (os->is_thread && creates) {
            d->th[objs[i]->thread].obj = objs[i]->id;
            if (met)
                join(thread_clock(d, objs[i]->thread), c, d->nthreads);
        }
        object_after(d, objs[i]->id, d->nev);
    }
}

int dpor_step(struct dpor *d, const struct exec *x, const struct sched_step *s,
              struct sched_op *op)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    struct objstate *states[SCHED_MAX_OBJS];
    int n = sched_op_objects(op, objs), p = s->tid;
    if (x->nthreads > d->nthreads && !add_threads(d, x->nthreads))
        return WEFT_ENOMEM;
    if (d->nthreads > d->width)
        d->width = d->nthreads;
    if (!reserve(d, n) || !reserve_thread(d, p))
        return WEFT_ENOMEM;
    for (int i = 0; i < n; i++)       /* first grow the table, then hold pointers */
        if (!object(d, objs[i]->id))
            return WEFT_ENOMEM;
    for (int i = 0; i < n; i++)
        states[i] = &d->obj[objs[i]->id];

    struct event *e = &d->ev[d->nev];
    e->tid = p;
    e->takes = op->interrupted ? -1 : object_taken(op);
    e->gives = op->interrupted ? -1 : object_given(op);
    e->flags = (uint8_t)((op->idle ? EV_READS : 0) | (op->held ? EV_HELD : 0) |
                         (op->cls->flags & OP_SHARED ? EV_SHARED : 0) |
                         (sched_op_orders_all(op) ? EV_ALL : 0) | (op->interrupted ? EV_CUT : 0) |
                         (sched_op_local(op) ? EV_LOCAL : sched_op_global(op) ? EV_TIMED : 0));
    e->first_link = d->nlinks;
    e->nlinks = (uint16_t)n;
    d->th[p].key = x->threads[p]->obj.key;
    d->th[p].evs[d->th[p].nevs++] = (int32_t)d->nev;
    d->first_from_ok = false;
    advance_clock(d, e, p, objs, n, !op->interrupted);
    const uint32_t *c = thread_clock(d, p);
    memcpy(clock_of(d, d->nev), c, (size_t)d->stride * sizeof c[0]);
    link_objects(d, e, c, objs, states, n, !op->interrupted);
    if (e->flags & EV_TIMED) {
        memcpy(d->timed_w, c, (size_t)d->nthreads * sizeof c[0]);
        d->last_timed = (int32_t)d->nev;
        d->timed[d->ntimed++] = (int32_t)d->nev;
    }
    d->nev++;
    return 0;
}

/* ==========================================================================
** Rewinding to a prefix
** ==========================================================================
** The next execution replays the first k steps of this one: the same
** steps, so the same events and clocks. Undo what came after instead of
** computing it all again. Each object's state is recomputed from its chain
** (its last write before k and the reads since), each thread's clock from
** its last event before k, or before its first, from the step that
** spawned it (rewind_thread).
*/

static bool plain_write(const struct event *e)
{
    return !(e->flags & (EV_READS | EV_SHARED));
}

/* Apply to object id's clocks the accesses on its chain from link `from`
** to link `to`, oldest first (the chain runs backwards: collect first). */
static void replay_accesses(struct dpor *d, int id, int32_t from, int32_t to)
{
    if (from < 0)
        return;
    size_t n = 0;
    for (int32_t l = to; l >= 0 && l != d->links[from].prev; l = d->links[l].prev)
        n++;
    size_t cap = d->cand_cap;        /* the race candidates' array is free now */
    if (!explore_grow((void **)&d->cand, &cap, n, sizeof *d->cand))
        return;
    d->cand_cap = (uint32_t)cap;
    size_t k = n;
    for (int32_t l = to; k > 0; l = d->links[l].prev)
        d->cand[--k] = l;
    for (size_t i = 0; i < n; i++) {
        object_after(d, id, (uint32_t)d->links[d->cand[i]].ev);
    }
}

static void rewind_object(struct dpor *d, int id, uint32_t keep_links)
{
    struct objstate *os = &d->obj[id];
    int32_t l = os->last;
    if (l < (int32_t)keep_links)
        return;                       /* untouched since */
    while (l >= (int32_t)keep_links)
        l = d->links[l].prev;
    os->last = l;
    clear_object(d, id);
    /* Back to the last plain write: the accesses since, oldest first. */
    int32_t from = l;
    while (from >= 0 && !plain_write(&d->ev[d->links[from].ev]) && d->links[from].prev >= 0)
        from = d->links[from].prev;
    replay_accesses(d, id, from, l);
}

/* Forget each thread's events from k on, and the timed ones. */
static void forget_events(struct dpor *d, uint32_t k)
{
    for (int t = 0; t < d->nthreads; t++) {
        struct thread_state *s = &d->th[t];
        while (s->nevs > 0 && s->evs[s->nevs - 1] >= (int32_t)k)
            s->nevs--;
    }
    while (d->ntimed > 0 && d->timed[d->ntimed - 1] >= (int32_t)k)
        d->ntimed--;
}

/* Thread t's last event, or -1. */
static int32_t last_event(const struct dpor *d, int t)
{
    const struct thread_state *s = &d->th[t];
    return s->nevs > 0 ? s->evs[s->nevs - 1] : -1;
}

/* The step that spawned thread t (the first on its object), or -1. */
static int32_t spawn_event(const struct dpor *d, int t)
{
    int32_t id = d->th[t].obj, l = id >= 0 && id < d->nobj ? d->obj[id].last : -1;
    while (l >= 0 && d->links[l].prev >= 0)
        l = d->links[l].prev;
    return l >= 0 ? d->links[l].ev : -1;
}

/* Thread t's clock as it was after its event `last`: that event's, or
** before its first, the clock of the step that spawned it (link_objects),
** unless that step was interrupted (advance_clock). */
static void rewind_thread(struct dpor *d, int t, int32_t last)
{
    uint32_t *c = thread_clock(d, t);
    const uint32_t *from = last >= 0 ? clock_of(d, (uint32_t)last) : NULL;
    for (int i = 0; i < d->width; i++)   /* a few entries: no call to memset, memcpy */
        c[i] = from && i < d->nthreads ? from[i] : 0;
    int32_t spawn = last < 0 ? spawn_event(d, t) : -1;
    if (spawn >= 0 && !(d->ev[spawn].flags & EV_CUT))
        join(c, clock_of(d, (uint32_t)spawn), d->nthreads);
}

/* A thread whose spawn the rewind took away has no object: a later
** execution may give that object's id to another object (ids follow the
** order objects are made), whose first step spawn_event would take for the
** spawn, ordering the thread after it (2 of 27 classes lost: a thread
** spawned by one that is detached, tests/dpor/spawn_rewound_away.c). */
static void forget_unspawned(struct dpor *d)
{
    for (uint32_t t = 0; t < d->stride; t++) {
        int32_t id = d->th[t].obj;
        if (id >= 0 && (id >= d->nobj || d->obj[id].last < 0))
            d->th[t].obj = -1;
    }
}

void dpor_rewind(struct dpor *d, uint32_t k)
{
    if (k == 0) {
        dpor_begin(d);
        return;
    }
    forget_looks(d, k);
    if (k >= d->nev)
        return;
    uint32_t keep_links = d->ev[k].first_link;
    for (int id = 0; id < d->nobj; id++)
        rewind_object(d, id, keep_links);
    forget_unspawned(d);
    forget_events(d, k);
    d->first_from_ok = false;
    for (int t = 0; t < d->nthreads; t++)
        rewind_thread(d, t, last_event(d, t));
    int32_t timed = d->ntimed > 0 ? d->timed[d->ntimed - 1] : -1;
    d->last_timed = timed;
    clear_clock(d->timed_w, d->width);
    if (timed >= 0)
        memcpy(d->timed_w, clock_of(d, (uint32_t)timed), (size_t)d->nthreads * sizeof d->timed_w[0]);
    d->nev = k;
    d->nlinks = keep_links;
    while (d->nvalues > 0 && d->values[d->nvalues - 1].ev >= k)
        d->nvalues--;
}

uint32_t dpor_steps(const struct dpor *d) { return d->nev; }

int dpor_value(struct dpor *d, uint32_t value)
{
    size_t cap = d->values_cap;
    if (!explore_grow((void **)&d->values, &cap, d->nvalues + 1, sizeof *d->values))
        return WEFT_ENOMEM;
    d->values_cap = (uint32_t)cap;
    d->values[d->nvalues++] = (struct chosen){ d->nev, value };
    return 0;
}

/* ==========================================================================
** Races
** ========================================================================== */

/* Does op acquire (OP_ACQUIRE, OP_ACQUIRE_2ND) object id? Release it? */
static bool takes_object(const struct sched_op *op, int id)
{
    unsigned f = op->cls->flags;
    return ((f & OP_ACQUIRE) && op->obj && op->obj->id == id) ||
           ((f & OP_ACQUIRE_2ND) && op->obj2 && op->obj2->id == id);
}

static bool gives_object(const struct sched_op *op, int id)
{
    unsigned f = op->cls->flags;
    return ((f & OP_RELEASE) && op->obj && op->obj->id == id) ||
           ((f & OP_RELEASE_2ND) && op->obj2 && op->obj2->id == id);
}

/* An unlock of m and a lock of m by another thread are never enabled
** together: the lock waits for the unlock. Reversing them is impossible, so
** the race to reverse is with the lock before. Likewise a step on m by a
** thread that held m already (a relock) or that found m held by another
** (a failed try-lock: the lock could not run before it, and what freed m
** came after it), and a join of T and T's own steps (only a join: T's
** steps may come after a detach of T, or after a try-join that failed). */
static bool never_together(const struct dpor *d, const struct event *e, const struct sched_op *n,
                           bool n_interruptible)
{
    if (n_interruptible)              /* it could run before e, taking nothing */
        return false;
    if ((n->cls->flags & OP_AFTER_END) && n->obj && n->obj->thread == e->tid)
        return true;
    if ((e->flags & EV_HELD) && takes_object(n, d->links[e->first_link].obj))
        return true;
    return (e->gives >= 0 && takes_object(n, e->gives)) ||
           (e->takes >= 0 && gives_object(n, e->takes));
}

static bool happens_before(const struct dpor *d, uint32_t i, int p)
{
    return clock_of(d, i)[d->ev[i].tid] <= thread_clock(d, p)[d->ev[i].tid];
}

/* May step i and thread p's next operation n fail to commute? */
static bool conflicts(const struct event *e, const struct sched_op *n, bool n_reads, bool n_shared)
{
    if ((e->flags & EV_ALL) || sched_op_orders_all(n))
        return true;                  /* the end: even a local step comes before it or not */
    if ((e->flags & EV_LOCAL) || sched_op_local(n))
        return false;
    if ((e->flags & EV_TIMED) || sched_op_global(n))
        return true;
    return sched_conflict(e->flags & EV_READS, e->flags & EV_SHARED, n_reads, n_shared);
}

/* Add to d->cand the accesses to object id by threads other than p,
** newest first, down to the first plain write that is ordered before p or
** that races_of takes as a race or finds ordered before one (neither it nor
** n is local, so they conflict, and they may be enabled together): every
** access before it on the chain is ordered before that write (a local step
** is not), so before p or before a race found, and races_of would pass
** over each of them. */
static bool chain_candidates(struct dpor *d, int id, int p, const struct sched_op *n,
                             uint32_t n_interruptible, uint32_t since)
{
    if (id >= d->nobj)
        return true;
    for (int32_t l = d->obj[id].last; l >= 0;) {
        int32_t i = d->links[l].ev;
        const struct event *e = &d->ev[i];
        if ((uint32_t)i < since)
            return true;              /* races with it were found before */
        if (e->tid == p) {
            l = d->links[l].prev_other;
            continue;
        }
        size_t cap = d->cand_cap;
        if (!explore_grow((void **)&d->cand, &cap, d->ncand + 1, sizeof *d->cand))
            return false;
        d->cand_cap = (uint32_t)cap;
        d->cand[d->ncand++] = i;
        if (plain_write(e) &&
            (happens_before(d, (uint32_t)i, p) ||
             (!sched_op_local(n) && !(e->flags & EV_LOCAL) &&
              !never_together(d, e, n, (uint32_t)i > n_interruptible))))
            return true;              /* a plain write comes after all before it */
        l = d->links[l].prev;
    }
    return true;
}

static int by_index_down(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

/* The steps from `since` on that p's next operation n might race with,
** newest first, in d->cand: every step for an operation that depends on
** all; otherwise the accesses to n's objects and the last timed step.
** (Those before `since` could only order older steps before a race: they
** would report none.) */
static bool candidates(struct dpor *d, struct sched_op *n, int p, uint32_t n_interruptible,
                       uint32_t since)
{
    d->ncand = 0;
    if (sched_op_global(n)) {
        size_t cap = d->cand_cap;
        if (!explore_grow((void **)&d->cand, &cap, d->nev, sizeof *d->cand))
            return false;
        d->cand_cap = (uint32_t)cap;
        for (int32_t i = (int32_t)d->nev - 1; i >= (int32_t)since; i--)
            d->cand[d->ncand++] = i;
        return true;
    }
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int nobj = sched_op_objects(n, objs);
    for (int k = 0; k < nobj; k++)
        if (!chain_candidates(d, objs[k]->id, p, n, n_interruptible, since))
            return false;
    size_t cap = d->cand_cap;
    if (!explore_grow((void **)&d->cand, &cap, d->ncand + 1, sizeof *d->cand))
        return false;
    d->cand_cap = (uint32_t)cap;
    if (d->last_timed >= 0 && (uint32_t)d->last_timed >= since)
        d->cand[d->ncand++] = d->last_timed;
    if (nobj > 1 || d->last_timed >= 0)
        qsort(d->cand, d->ncand, sizeof *d->cand, by_index_down);
    return true;
}

/*
** Is every step that p's next operation n might race with ordered before
** p already? So it is when no step is timed, and on each of n's objects
** the latest access by another thread is a plain write ordered before p
** (every access before that write is ordered before it): the common case
** of a lock or an unlock, and candidates() would find only that write.
** Asked at every new state, like untouched_since.
*/
HOT_INLINE bool settled(const struct dpor *d, struct sched_op *n, int p)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    if (sched_op_global(n) || d->last_timed >= 0)
        return false;
    int m = sched_op_objects(n, objs);
    for (int k = 0; k < m; k++) {
        int id = objs[k]->id;
        int32_t l = id < d->nobj ? d->obj[id].last : -1;
        if (l >= 0 && d->ev[d->links[l].ev].tid == p)
            l = d->links[l].prev_other;
        if (l < 0)
            continue;
        uint32_t i = (uint32_t)d->links[l].ev;
        if (!plain_write(&d->ev[i]) || !happens_before(d, i, p))
            return false;
    }
    return true;
}

/*
** Every step in a race with thread t's next operation n:
** a step of another thread that conflicts with n, is not ordered before it,
** and is not ordered before another such step (then reversing that one
** comes first). Source-DPOR needs all of them, not only the last: several
** polls of one object, or steps of several threads before an operation
** that depends on every step, can each be reversed with n. A step ordered
** before a race already found is not one: `frontier` holds, per thread,
** the latest of its steps ordered before n or before a race found. Only
** the races with steps from `since` on are reported (a look at the same
** operation before found the others), and as the steps are taken newest
** first, the older ones are not looked at.
*/
static bool races_of(struct dpor *d, int p, struct sched_op *n, bool n_reads, bool n_shared,
                     uint32_t n_interruptible, uint32_t since, dpor_race_fn *fn, void *ctx)
{
    int nt = d->nthreads;
    if (sched_op_local(n) && !ended_before(d))
        return true;                  /* local: only an end comes before it or not */
    if (settled(d, n, p))
        return true;
    if (!candidates(d, n, p, n_interruptible, since))
        return false;
    uint32_t *frontier = d->frontier;
    memcpy(frontier, thread_clock(d, p), (size_t)nt * sizeof frontier[0]);
    for (uint32_t c = 0; c < d->ncand; c++) {
        int32_t i = d->cand[c];
        const struct event *e = &d->ev[i];
        if (c > 0 && d->cand[c - 1] == i)
            continue;                 /* a select's channel twice */
        if (e->tid == p || !conflicts(e, n, n_reads, n_shared) ||
            never_together(d, e, n, (uint32_t)i > n_interruptible) ||
            frontier[e->tid] >= clock_of(d, (uint32_t)i)[e->tid])
            continue;
        fn(ctx, (uint32_t)i, p);
        join(frontier, clock_of(d, (uint32_t)i), nt);
    }
    return true;
}

/*
** Thread t's events at step e or later (by another thread than e's): the
** first, an index into its evs. A thread's own clock entry counts its
** events, and e's clock counts those of t ordered before e, which all came
** before e: the ones between, unordered with e, are few.
*/
static uint32_t events_from(const struct dpor *d, int t, uint32_t e)
{
    const struct thread_state *s = &d->th[t];
    uint32_t i = clock_of(d, e)[t];
    while (i < s->nevs && (uint32_t)s->evs[i] < e)
        i++;
    return i;
}

/* Room for n race candidates; false without memory. */
static bool candidate_room(struct dpor *d, size_t n)
{
    size_t cap = d->cand_cap;
    if (!explore_grow((void **)&d->cand, &cap, n, sizeof *d->cand))
        return false;
    d->cand_cap = (uint32_t)cap;
    return true;
}

/*
** The steps after e not ordered after it, in step order, into d->cand
** (free between races_of's uses). Per other thread, they are its steps
** after e up to its first one ordered after e (clocks only grow along a
** thread). When one thread has them, they are a slice of its events;
** when several do, the steps between the first and the last of them are
** looked at in step order. false without memory.
*/
static bool unordered_after(struct dpor *d, uint32_t e)
{
    int te = d->ev[e].tid, threads = 0;
    uint32_t mine = clock_of(d, e)[te], lo = UINT32_MAX, hi = 0, from = 0, to = 0;
    const int32_t *slice = NULL;
    for (int t = 0; t < d->nthreads; t++) {
        if (t == te)
            continue;                 /* its own steps after e all come after it */
        const struct thread_state *s = &d->th[t];
        uint32_t i = events_from(d, t, e), j = i;
        while (j < s->nevs && clock_of(d, (uint32_t)s->evs[j])[te] < mine)
            j++;
        if (i == j)
            continue;
        threads++;
        slice = s->evs;
        from = i;
        to = j;
        lo = (uint32_t)s->evs[i] < lo ? (uint32_t)s->evs[i] : lo;
        hi = (uint32_t)s->evs[j - 1] > hi ? (uint32_t)s->evs[j - 1] : hi;
    }
    d->ncand = 0;
    if (threads == 0)
        return true;
    if (!candidate_room(d, threads == 1 ? to - from : hi - lo + 1))
        return false;
    if (threads == 1) {
        memcpy(d->cand, slice + from, (size_t)(to - from) * sizeof *d->cand);
        d->ncand = to - from;
        return true;
    }
    for (uint32_t j = lo; j <= hi; j++)
        if (d->ev[j].tid != te && clock_of(d, j)[te] < mine)
            d->cand[d->ncand++] = (int32_t)j;
    return true;
}

/* Does step j come after one of the steps `first` holds (per thread, the
** clock entry of its first such step, or UINT32_MAX)? */
static bool after_any(const struct dpor *d, const uint32_t *first, uint32_t j)
{
    const uint32_t *c = clock_of(d, j);
    for (int t = 0; t < d->nthreads; t++)
        if (c[t] >= first[t])
            return true;
    return false;
}

/* Has no step since step `since` touched what n touches (or depended on
** everything)? Then n has no new race. */
HOT_INLINE bool untouched_since(const struct dpor *d, struct sched_op *n, uint32_t since)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    if (sched_op_global(n) || (d->last_timed >= 0 && (uint32_t)d->last_timed >= since))
        return false;
    int m = sched_op_objects(n, objs);
    for (int i = 0; i < m; i++) {
        int id = objs[i]->id;
        if (id < d->nobj && d->obj[id].last >= 0 &&
            (uint32_t)d->links[d->obj[id].last].ev >= since)
            return false;
    }
    return true;
}

/* Thread p's next operation if it is parked, else NULL. */
static struct sched_op *parked_op(struct exec *x, int p)
{
    struct sched_thread *t = x->threads[p];
    return t->state == T_PARKED ? t->pending : NULL;
}

/* Record a look at thread p's next operation now; false without memory. */
static bool look_at(struct dpor *d, int p, uint64_t park, bool reads, bool shared,
                    uint32_t interruptible)
{
    size_t cap = d->looks_cap;
    if (!explore_grow((void **)&d->looks, &cap, d->nlooks + 1, sizeof *d->looks))
        return false;
    d->looks_cap = (uint32_t)cap;
    d->looks[d->nlooks] = (struct look){ .park = park, .nev = d->nev, .tid = p,
                                         .prev = d->th[p].look, .reads = reads, .shared = shared,
                                         .interruptible = interruptible };
    d->th[p].look = (int32_t)d->nlooks++;
    return true;
}

/*
** Every race of each parked thread's next operation, whether it can run
** now or not (a blocked operation's races are as real as those of one
** that ran). The same operation, looked at again after more steps, has
** new races only with those steps, unless it has come to read or to block
** since (a semaphore acquire blocks once the permits are gone: it then
** conflicts with every acquire before it, sched_op_shared).
*/
int dpor_races(struct dpor *d, struct exec *x, dpor_race_fn *fn, void *ctx)
{
    if (x->nthreads > d->nthreads && !add_threads(d, x->nthreads))
        return WEFT_ENOMEM;           /* threads spawned since the last step */
    for (int p = 0; p < x->nthreads; p++) {
        struct sched_thread *t = x->threads[p];
        struct sched_op *n = parked_op(x, p);
        if (n == NULL)
            continue;
        bool reads = sched_op_reads_only(x, n), shared = sched_op_shared(x, n);
        uint32_t interruptible = sched_thread_interruptible_since(t);
        const struct look *l = d->th[p].look >= 0 ? &d->looks[d->th[p].look] : NULL;
        bool same = l && l->park == t->park_seq && l->reads == reads && l->shared == shared &&
                    l->interruptible == interruptible;
        if (same && (l->nev == d->nev || untouched_since(d, n, l->nev)))
            continue;
        uint32_t since = same ? l->nev : 0;
        if (!look_at(d, p, t->park_seq, reads, shared, interruptible) ||
            !races_of(d, p, n, reads, shared, interruptible, since, fn, ctx))
            return WEFT_ENOMEM;
    }
    return 0;
}

void dpor_races_with_cut(struct dpor *d, struct exec *x, dpor_race_fn *fn, void *ctx)
{
    for (int p = 0; p < x->nthreads; p++) {
        struct sched_op *n = parked_op(x, p);
        if (n == NULL)
            continue;
        for (int32_t j = (int32_t)d->nev - 1; j >= 0; j--)
            if (d->ev[j].tid != p && !happens_before(d, (uint32_t)j, p)) {
                fn(ctx, (uint32_t)j, p);
                break;
            }
    }
}

void dpor_races_with_end(struct dpor *d, struct exec *x, int tid, dpor_race_fn *fn, void *ctx)
{
    uint32_t last = x->threads[tid]->last_step;
    if (last == 0)
        return;                       /* it failed before any step of its own */
    for (int p = 0; p < x->nthreads; p++) {
        struct sched_op *n = parked_op(x, p);
        if (p != tid && n && !happens_before(d, last - 1, p))
            fn(ctx, last - 1, p);
    }
}

int32_t dpor_last_event(const struct dpor *d, int p)
{
    return p < d->nthreads ? last_event(d, p) : -1;
}

int32_t dpor_clock_event(const struct dpor *d, int p)
{
    if (d->th[p].nevs > 0)
        return last_event(d, p);
    return spawn_event(d, p);         /* not started: the spawn's clock */
}

/* ==========================================================================
** Reversals, for wakeup trees
** ========================================================================== */

/* Event j as wakeup trees describe steps. */
static void event_op(const struct dpor *d, uint32_t j, struct wake_op *op)
{
    const struct event *e = &d->ev[j];
    memset(op, 0, sizeof *op);
    op->thread = d->th[e->tid].key;
    op->tid = e->tid;
    op->flags = (uint8_t)((e->flags & EV_LOCAL ? WAKE_LOCAL : 0) |
                          (e->flags & EV_TIMED ? WAKE_GLOBAL : 0) |
                          (e->flags & EV_ALL ? WAKE_ALL : 0) |
                          (e->flags & EV_READS ? WAKE_READS : 0) |
                          (e->flags & EV_SHARED ? WAKE_SHARED : 0) |
                          (e->nlinks > WAKE_OBJS ? WAKE_MANY : 0));
    for (uint32_t i = 0; i < e->nlinks && i < WAKE_OBJS; i++)
        op->obj[op->nobj++] = d->obj[d->links[e->first_link + i].obj].key;
}

/* The first value chosen at step j or later: an index into d->values. */
static uint32_t values_from(const struct dpor *d, uint32_t j)
{
    uint32_t lo = 0, hi = d->nvalues;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (d->values[mid].ev < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Append step j to out as *op, then the values it chose (*v: the next
** value to look at): false without memory. */
static bool add_step(struct dpor *d, uint32_t j, uint32_t *v, struct wake_seq *out,
                     struct wake_op *op)
{
    event_op(d, j, op);
    if (!wake_seq_add(out, op, clock_of(d, j)))
        return false;
    for (; *v < d->nvalues && d->values[*v].ev <= j; ++*v) {
        struct wake_op chose = *op;
        chose.flags = WAKE_LOCAL | WAKE_VALUE;
        chose.nobj = 0;
        chose.value = d->values[*v].value;
        if (d->values[*v].ev == j && !wake_seq_add(out, &chose, clock_of(d, j)))
            return false;
    }
    return true;
}

bool dpor_reversal(struct dpor *d, uint32_t e, int p, const struct wake_op *n,
                   const struct wake_op *enabler, int32_t base, uint32_t cutoff,
                   struct wake_seq *out, bool *waits, uint32_t *last)
{
    *waits = false;
    *last = e;
    uint32_t v = values_from(d, e + 1);
    int nt = d->nthreads;
    /* n as a write: moved before the step it races with, it may do
    ** something else there (a poll that found nothing may find a message),
    ** so nothing may count as covering the reversal, nor as not ordering
    ** it, because n "only reads". */
    struct wake_op moved = *n, wakes = *enabler;
    moved.flags &= (uint8_t)~WAKE_READS;
    wakes.flags &= (uint8_t)~WAKE_READS;
    wake_seq_clear(out);
    if (!wake_seq_room(out, d->stride))
        return false;
    memset(out->nclock, 0, d->stride * sizeof out->nclock[0]);
    if (base >= 0)
        memcpy(out->nclock, clock_of(d, (uint32_t)base), (size_t)nt * sizeof out->nclock[0]);
    uint32_t *after_n = d->frontier;  /* per thread: its first step after n */
    bool any_after = false;
    for (int t = 0; t < nt; t++)
        after_n[t] = UINT32_MAX;
    if (!unordered_after(d, e))
        return false;
    for (uint32_t c = 0; c < d->ncand; c++) {
        uint32_t j = (uint32_t)d->cand[c];
        if (any_after && after_any(d, after_n, j))
            continue;                 /* ordered after n: not in the reversal */
        if (j >= cutoff && d->ev[j].tid != p) {
            struct wake_op later;
            event_op(d, j, &later);
            if (wake_dependent(&later, &moved)) {
                if (after_n[d->ev[j].tid] == UINT32_MAX)
                    after_n[d->ev[j].tid] = clock_of(d, j)[d->ev[j].tid];
                any_after = true;
                continue;
            }
        }
        struct wake_op op;
        if (!add_step(d, j, &v, out, &op))
            return false;
        *last = j;
        if (d->ev[j].tid != p && wake_dependent(&op, &moved)) {
            join(out->nclock, clock_of(d, j), nt);
            *waits |= wake_dependent(&op, &wakes);
        }
    }
    out->nclock[p]++;
    return wake_seq_add(out, &moved, out->nclock);
}

/*
** Per thread te, the least entry for te in the clock of another thread's
** first step from step `from` on (UINT32_MAX if none has one), in
** d->first_from: a step of e's thread with a greater entry than that is
** not known to all of them. Kept while the steps and `from` are the same,
** as the races of one execution ask with the same `from` again and again.
*/
static const uint32_t *least_known_from(struct dpor *d, uint32_t from)
{
    if (d->first_from_ok && d->first_from_at == from)
        return d->first_from;
    for (int te = 0; te < d->nthreads; te++)
        d->first_from[te] = UINT32_MAX;
    for (int t = 0; t < d->nthreads; t++) {
        const struct thread_state *s = &d->th[t];
        uint32_t lo = 0, hi = s->nevs;
        while (lo < hi) {             /* t's first step from `from` on */
            uint32_t mid = lo + (hi - lo) / 2;
            if ((uint32_t)s->evs[mid] < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == s->nevs)
            continue;
        const uint32_t *c = clock_of(d, (uint32_t)s->evs[lo]);
        for (int te = 0; te < d->nthreads; te++)
            if (te != t && c[te] < d->first_from[te])
                d->first_from[te] = c[te];
    }
    d->first_from_ok = true;
    d->first_from_at = from;
    return d->first_from;
}

/* A step of another thread from `from` on that is not ordered after e:
** the first step of that thread from there (its later steps know what it
** knows) has e's thread's entry below e's own. */
bool dpor_unordered_from(struct dpor *d, uint32_t e, uint32_t from)
{
    int te = d->ev[e].tid;
    return least_known_from(d, from > e ? from : e + 1)[te] < clock_of(d, e)[te];
}

/* Did a step of another thread in [from, to) change an object that step
** `to` touches (a write, a shared update or a timed step)? */
static bool changed_between(const struct dpor *d, uint32_t from, uint32_t to)
{
    const struct event *t = &d->ev[to];
    for (uint32_t k = from; k < to; k++) {
        const struct event *e = &d->ev[k];
        if (e->tid == t->tid || (e->flags & EV_LOCAL) || ((e->flags & EV_READS) && !(e->flags & EV_TIMED)))
            continue;
        for (uint32_t a = 0; a < e->nlinks; a++)
            for (uint32_t b = 0; b < t->nlinks; b++)
                if (d->links[e->first_link + a].obj == d->links[t->first_link + b].obj)
                    return true;
    }
    return false;
}

/* Thread r's first step at or after step e. Whether a step only reads (or
** only updates shared state) depends on the state it runs in: a poll that
** found a channel empty at step j might have taken a message at step e.
** So when another thread changed what the step touches in between, the
** step is described as a plain write: it stands for r's step at e only
** where it conflicts at least as much. */
int32_t dpor_next_event(const struct dpor *d, uint32_t e, int r)
{
    if (r >= d->nthreads)
        return -1;
    const struct thread_state *s = &d->th[r];
    uint32_t i = r == d->ev[e].tid ? clock_of(d, e)[r] - 1 : events_from(d, r, e);
    return i < s->nevs ? s->evs[i] : -1;
}

bool dpor_next_step(const struct dpor *d, uint32_t e, int r, struct wake_op *op)
{
    int32_t next = dpor_next_event(d, e, r);
    if (next < 0)
        return false;
    uint32_t j = (uint32_t)next;
    event_op(d, j, op);
    if ((op->flags & (WAKE_READS | WAKE_SHARED)) && changed_between(d, e, j))
        op->flags &= (uint8_t)~(WAKE_READS | WAKE_SHARED);
    return true;
}
