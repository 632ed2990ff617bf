/*
** race.c -- happens-before clocks and the data-race check (see race.h).
**
** Clocks have an entry per thread the execution had room for when they
** were made, grow when joined with a longer one, and live in the
** execution's arena. The shadow of memory is a hash table of 8-byte words; each word
** keeps, per thread and kind of access, the epoch (the thread's own clock
** entry) of its latest access to each group of bytes. Latest suffices: a
** thread's accesses are ordered, so if its latest access to a byte happens
** before another thread's, all its earlier ones do too. A write that races
** with nothing happens after every access to its bytes so far, and they
** are forgotten: whatever races with them later races with the write.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "core/race.h"
#include "core/sched.h"

/* uthash takes its memory from the execution's arena (never freed one by
** one: the arena goes at the end of the execution) and reports running
** out of it instead of exiting. Each use has the execution x in scope. */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(size)      arena_alloc(&x->arena, (size))
#define uthash_free(ptr, size)   ((void)(ptr), (void)(size))
#define uthash_nonfatal_oom(e)   (x->shadow_oom = true)
#include <uthash.h>

/* One thread's latest access of one kind to some bytes of a word. */
struct shadow_slot {
    uint32_t epoch;
    uint32_t tid;
    uint8_t write;
    uint8_t atomic;                   /* an atomic operation's: it races only
                                         with plain accesses */
    uint8_t mask;                     /* bytes of the word: bit i is byte i */
    const char *name;
    struct sched_loc at;
    const void *pc;                   /* instrumented code that made it, or NULL */
};

/* One access as the hooks see it. */
struct access {
    bool write;
    bool frees;                       /* a free: a write of the whole block */
    bool atomic;                      /* an atomic operation (race_atomic) */
    const char *name;                 /* WEFT_READ's argument, or NULL */
    struct sched_loc at;
    const void *pc;                   /* instrumented: the code's address */
};

struct shadow {
    uintptr_t word;                   /* address / 8 */
    UT_hash_handle hh;
    struct shadow_slot *slot;
    uint16_t n, cap;
};

/* ==========================================================================
** Clocks
** ========================================================================== */

/* A clock's length is kept before its entry 0; entries past it are 0. */
static uint32_t clock_len(const uint32_t *c) { return c[-1]; }
static uint32_t clock_at(const uint32_t *c, uint32_t tid) { return tid < c[-1] ? c[tid] : 0; }

/* A zero clock with room for len threads, or NULL without memory. */
static uint32_t *clock_sized(struct exec *x, uint32_t len)
{
    uint32_t *c = arena_alloc(&x->arena, ((size_t)len + 1) * sizeof *c);
    if (c == NULL)
        return NULL;
    c[0] = len;
    return c + 1;
}

/* A zero clock for every thread there is room for now. */
static uint32_t *clock_new(struct exec *x)
{
    return clock_sized(x, (uint32_t)x->threads_cap);
}

/* A copy of c, or NULL without memory. */
static uint32_t *clock_copy(struct exec *x, const uint32_t *c)
{
    uint32_t *d = clock_sized(x, clock_len(c));
    if (d)
        memcpy(d, c, clock_len(c) * sizeof *c);
    return d;
}

/* *into becomes the join of itself and from (longer if from is); false
** without memory. */
static bool clock_join(struct exec *x, uint32_t **into, const uint32_t *from)
{
    uint32_t n = clock_len(from);
    if (n > (uint32_t)x->nthreads)   /* entries past the threads there are: 0 */
        n = (uint32_t)x->nthreads;
    if (clock_len(*into) < n) {
        uint32_t *c = clock_sized(x, n);
        if (c == NULL)
            return false;
        memcpy(c, *into, clock_len(*into) * sizeof *c);
        *into = c;
    }
    for (uint32_t i = 0; i < n; i++)
        if (from[i] > (*into)[i])
            (*into)[i] = from[i];
    return true;
}

/* Clocks cost every step a little; until a scenario uses checked memory
** they are not kept (the search then starts again with them, race.h). */
static bool tracking(const struct exec *x)
{
    return x->cfg->check_memory;
}

bool race_thread_begin(struct exec *x, struct sched_thread *t, struct sched_thread *parent)
{
    if (!tracking(x))
        return true;
    if ((t->hb = clock_new(x)) == NULL)
        return false;
    if (parent) {
        memcpy(t->hb, parent->hb, clock_len(parent->hb) * sizeof *t->hb);
        parent->hb[parent->id]++;     /* what the parent does next is not before t */
    }
    t->hb[t->id] = 1;
    return true;
}

/* Does o order the threads that touch it? The virtual clock does not: time
** passing is not synchronisation. */
static bool synchronises(const struct exec *x, const struct sched_obj *o)
{
    return o != x->clock;
}

/* race_step's work, apart so that the common case (not tracking) costs
** a test and no stack frame. */
/* Join from into *into (made when NULL); false without memory. */
static bool clock_join_new(struct exec *x, uint32_t **into, const uint32_t *from)
{
    return (*into != NULL || (*into = clock_new(x)) != NULL) && clock_join(x, into, from);
}

/*
** What t acquires from op's objects: all of their clocks, or, for a
** relaxed atomic (SCHED_SYNC_NO_ACQUIRE), nothing yet: what it read waits
** for the thread's next acquire fence (race_fence).
*/
static bool acquire_clocks(struct exec *x, struct sched_thread *t, const struct sched_op *op,
                           const struct sched_obj **objs, int n)
{
    uint32_t **into = op->sync & SCHED_SYNC_NO_ACQUIRE ? &t->hb_to_acquire : &t->hb;
    for (int i = 0; i < n; i++)
        if (objs[i]->hb && synchronises(x, objs[i]) && !clock_join_new(x, into, objs[i]->hb))
            return false;
    return true;
}

/* What t releases into op's objects: its clock, or for a relaxed atomic
** (SCHED_SYNC_NO_RELEASE) its clock at its last release fence, if any. */
static bool release_clocks(struct exec *x, struct sched_thread *t, const struct sched_op *op,
                           const struct sched_obj **objs, int n)
{
    const uint32_t *from = op->sync & SCHED_SYNC_NO_RELEASE ? t->hb_released : t->hb;
    bool released = false;
    for (int i = 0; from && i < n; i++) {
        struct sched_obj *o = (struct sched_obj *)objs[i];
        if (!synchronises(x, o))
            continue;
        if (!clock_join_new(x, &o->hb, from))
            return false;
        released = true;
    }
    if (released && from == t->hb)
        t->hb[t->id]++;
    return true;
}

static void step_clocks(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = sched_op_objects(op, objs);
    bool ok = acquire_clocks(x, t, op, objs, n);
    t->hb_step = t->hb[t->id];        /* what it releases has this entry */
    bool shared = op->idle && (op->cls->flags & OP_SHARED);
    if (!ok || (op->idle && !(shared && op->obj2))) {
        if (!ok)
            sched_fail_in_apply(x, WEFT_ASSERTION, t, op->loc, "out of memory for a clock");
        return;                       /* it changed nothing: it releases nothing */
    }
    if (shared) {                     /* into the conflicting side only (op.h) */
        objs[0] = op->obj2;
        n = 1;
    }
    if (!release_clocks(x, t, op, objs, n))
        sched_fail_in_apply(x, WEFT_ASSERTION, t, op->loc, "out of memory for a clock");
}

uint32_t *race_store_clock(struct exec *x, bool release, struct sched_loc at)
{
    struct sched_thread *t = x->current;
    if (!tracking(x))
        return NULL;
    t->hb_step = t->hb[t->id];        /* the store's access (race_atomic) */
    if (!release)
        return t->hb_released;
    uint32_t *c = clock_copy(x, t->hb);
    if (c == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a clock");
    t->hb[t->id]++;                   /* what it does next is not before the store */
    return c;
}

void race_store_reaches(struct exec *x, struct sched_obj *o, const uint32_t *c)
{
    if (c && tracking(x) && !clock_join_new(x, &o->hb, c))
        sched_fail_in_apply(x, WEFT_ASSERTION, x->current, x->current->spawned_at,
                            "out of memory for a clock");
}

void race_fence(struct exec *x, bool acquire, bool release, struct sched_loc at)
{
    struct sched_thread *t = x->current;
    if (!tracking(x))
        return;
    if (acquire && t->hb_to_acquire && !clock_join(x, &t->hb, t->hb_to_acquire))
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a clock");
    if (release) {
        if ((t->hb_released = clock_copy(x, t->hb)) == NULL)
            sched_fail(x, WEFT_ASSERTION, at, "out of memory for a clock");
        t->hb[t->id]++;               /* what it does next is not before the fence */
    }
}

void race_step(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    if (tracking(x) && !sched_op_local(op) && !(op->sync & SCHED_SYNC_NONE))
        step_clocks(x, t, op);
}

void race_complete(struct exec *x, struct sched_op *op)
{
    if (tracking(x) && x->current && op->thread && x->current != op->thread &&
        !clock_join(x, &op->thread->hb, x->current->hb))
        sched_fail_in_apply(x, WEFT_ASSERTION, x->current, op->loc, "out of memory for a clock");
}

void race_thread_end(struct exec *x, struct sched_thread *t)
{
    if (!tracking(x))
        return;
    struct sched_obj *o = &t->obj;
    uint32_t *c = clock_copy(x, t->hb);
    if (c)                            /* without memory, a join orders less */
        o->hb = c;
}

/* ==========================================================================
** The shadow of memory
** ========================================================================== */

static struct shadow *shadow_of(struct exec *x, uintptr_t word)
{
    struct shadow *s;
    HASH_FIND(hh, x->shadow, &word, sizeof word, s);
    if (s)
        return s;
    if ((s = arena_alloc(&x->arena, sizeof *s)) == NULL)
        return NULL;
    s->word = word;
    HASH_ADD(hh, x->shadow, word, sizeof s->word, s);
    if (x->shadow_oom) {
        x->shadow_oom = false;
        return NULL;
    }
    return s;
}

static bool add_slot(struct exec *x, struct shadow *s, struct shadow_slot slot)
{
    for (int i = 0; i < s->n; i++) {  /* the same access again: one slot */
        struct shadow_slot *o = &s->slot[i];
        if (o->tid == slot.tid && o->write == slot.write && o->atomic == slot.atomic &&
            o->epoch == slot.epoch &&
            o->at.line == slot.at.line && o->at.file == slot.at.file && o->pc == slot.pc) {
            o->mask |= slot.mask;
            return true;
        }
    }
    if (s->n == s->cap) {
        uint16_t cap = s->cap ? (uint16_t)(2 * s->cap) : 4;
        struct shadow_slot *more = arena_alloc(&x->arena, cap * sizeof *more);
        if (more == NULL)
            return false;
        if (s->n)
            memcpy(more, s->slot, s->n * sizeof *more);
        s->slot = more;
        s->cap = cap;
    }
    s->slot[s->n++] = slot;
    return true;
}

/* Forget bytes `mask` of t's earlier reads (t reads them again), or of every
** access when all_threads (a write that races with none of them). */
static void forget(struct shadow *s, uint8_t mask, int tid, bool all_threads)
{
    int k = 0;
    for (int i = 0; i < s->n; i++) {
        struct shadow_slot o = s->slot[i];
        if (all_threads || (o.tid == (uint32_t)tid && !o.write))
            o.mask &= (uint8_t)~mask;
        if (o.mask)
            s->slot[k++] = o;
    }
    s->n = (uint16_t)k;
}

/* An earlier access this one races with, or NULL. */
static const struct shadow_slot *racing(const struct shadow *s, const struct sched_thread *t,
                                        uint8_t mask, const struct access *now)
{
    for (int i = 0; i < s->n; i++) {
        const struct shadow_slot *o = &s->slot[i];
        if (o->tid != (uint32_t)t->id && (o->write || now->write) && (o->mask & mask) &&
            !(o->atomic && now->atomic) && o->epoch > clock_at(t->hb, o->tid))
            return o;
    }
    return NULL;
}

/* The message names the earlier access's line; an instrumented one has
** none yet (the report symbolises its pc), so it names the step before. */
static _Noreturn void report_race(struct exec *x, const struct shadow_slot *o,
                                  const struct access *now)
{
    struct sched_outcome *out = &x->outcome;
    out->race_tid = o->tid;
    out->race_where = o->at;
    out->race_write = o->write;
    out->race_now_write = now->write;
    out->race_atomic = o->atomic;
    out->race_now_atomic = now->atomic;
    out->race_now_free = now->frees;
    out->race_name = now->name ? now->name : o->name;
    out->race_pc = o->pc;
    out->race_now_pc = now->pc;
    const char *file = o->at.file ? o->at.file : "?", *slash = strrchr(file, '/');
    char what[80] = "memory";
    if (now->name)
        snprintf(what, sizeof what, "\"%s\"", now->name);
    sched_fail(x, WEFT_DATA_RACE, now->at, "data race on %s: this %s and the %s by thread "
               "\"%s\" %s %s:%d are not ordered by any synchronisation", what,
               now->frees ? "free" : now->write ? "write" : "read", o->write ? "write" : "read",
               x->threads[o->tid]->obj.name, o->pc ? "after its step at" : "at",
               slash ? slash + 1 : file, o->at.line);
}

static void access_word(struct exec *x, struct sched_thread *t, uintptr_t word, uint8_t mask,
                        const struct access *now)
{
    struct shadow *s = shadow_of(x, word);
    if (s == NULL)
        sched_fail(x, WEFT_ASSERTION, now->at, "out of memory for the shadow of memory");
    const struct shadow_slot *o = racing(s, t, mask, now);
    if (o)
        report_race(x, o, now);
    /* A plain write that races with nothing comes after every access so far;
    ** an atomic one may be concurrent with other atomics, kept. */
    forget(s, mask, t->id, now->write && !now->atomic);
    /* An atomic operation happened in its step, before the step released
    ** the thread's clock and moved its own entry on: recorded later than
    ** that, it would race with what the release ordered after it. */
    uint32_t epoch = now->atomic ? t->hb_step : t->hb[t->id];
    struct shadow_slot slot = { .epoch = epoch, .tid = (uint32_t)t->id,
                                .write = now->write, .atomic = now->atomic, .mask = mask,
                                .name = now->name, .at = now->at, .pc = now->pc };
    if (!add_slot(x, s, slot))
        sched_fail(x, WEFT_ASSERTION, now->at, "out of memory for the shadow of memory");
}

/* Bytes [a, end) of the word at w (a multiple of 8), as a mask. */
static uint8_t word_mask(uintptr_t w, uintptr_t a, uintptr_t end)
{
    uintptr_t lo = a > w ? a : w, hi = end < w + 8 ? end : w + 8;
    return (uint8_t)(((1u << (hi - lo)) - 1u) << (lo - w));
}

/* The end of size bytes at a, kept in the address space. */
static uintptr_t end_of(uintptr_t a, size_t size)
{
    uintptr_t end = a + size;
    return end < a ? UINTPTR_MAX : end;
}

static void check_access(struct exec *x, const void *addr, size_t size, const struct access *now)
{
    struct sched_thread *t = x->current;
    if (t == NULL || size == 0)
        return;
    if (!tracking(x)) {
        x->memory_unchecked = true;   /* the search starts again, with clocks */
        return;
    }
    uintptr_t a = (uintptr_t)addr, end = end_of(a, size);
    for (uintptr_t w = a & ~(uintptr_t)7; w < end; w += 8) {
        access_word(x, t, w >> 3, word_mask(w, a, end), now);
        if (w > UINTPTR_MAX - 8)
            break;
    }
}

void race_access(struct exec *x, const void *addr, size_t size, bool write, const char *name,
                 struct sched_loc at)
{
    check_access(x, addr, size, &(struct access){ .write = write, .name = name, .at = at });
}

void race_access_pc(struct exec *x, const void *addr, size_t size, bool write,
                    struct sched_loc step, const void *pc)
{
    check_access(x, addr, size, &(struct access){ .write = write, .at = step, .pc = pc });
}

void race_atomic(struct exec *x, const void *addr, size_t size, bool write, struct sched_loc at)
{
    check_access(x, addr, size, &(struct access){ .write = write, .atomic = true, .at = at });
}

/* ==========================================================================
** Freed memory
** ========================================================================== */

/* The free of bytes [a, end) meets the accesses to one word of them. */
static void free_word(struct exec *x, struct shadow *s, uintptr_t a, uintptr_t end,
                      const struct access *now)
{
    uint8_t mask = word_mask(s->word << 3, a, end);
    const struct shadow_slot *o = racing(s, x->current, mask, now);
    if (o)
        report_race(x, o, now);
    forget(s, mask, -1, true);
}

void race_free(struct exec *x, uintptr_t a, size_t size, struct sched_loc step, const void *pc)
{
    if (!tracking(x) || x->current == NULL || x->shadow == NULL || size == 0)
        return;
    struct access now = { .write = true, .frees = true, .at = step, .pc = pc };
    uintptr_t end = end_of(a, size);
    uintptr_t first = a >> 3, last = (end - 1) >> 3;
    /* A big block and a small shadow: walk the shadow, not the block. */
    if (last - first >= (uintptr_t)HASH_COUNT(x->shadow)) {
        struct shadow *s, *next;
        HASH_ITER(hh, x->shadow, s, next)
            if (s->word >= first && s->word <= last)
                free_word(x, s, a, end, &now);
        return;
    }
    for (uintptr_t w = first;; w++) {
        struct shadow *s;
        HASH_FIND(hh, x->shadow, &w, sizeof w, s);
        if (s)
            free_word(x, s, a, end, &now);
        if (w == last)
            break;
    }
}
