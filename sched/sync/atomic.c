/*
** atomic.c -- atomic cells: sequentially consistent ones (Go's
** sync/atomic): load, store, exchange, compare-and-swap,
** fetch-add/sub/and/or on a 64-bit value; and, for code compiled with
** --memory (tsan.c), C11's and GCC's atomics on 1 to 16 bytes of program
** memory, with xor and nand, whose stores weaker than seq_cst wait in a
** store buffer (below).
** Every operation is one visible step on the cell. Two loads commute, and
** so does a load with a compare-and-swap that fails (neither changes the
** cell); everything else on one cell conflicts, so the searches explore
** both orders of a store and a load, which is what makes a flag set by one
** thread and polled by another visible to DPOR.
*/
#include <stdio.h>
#include "core/race.h"
#include "sync/sync.h"


/* Cells at addresses are found by address; uthash takes its memory from
** the execution's arena (each use has the execution x in scope). */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(size)      arena_alloc(&x->arena, (size))
#define uthash_free(ptr, size)   ((void)(ptr), (void)(size))
#define uthash_nonfatal_oom(e)   (x->shadow_oom = true)
#include <uthash.h>

struct atomic_impl {
    struct sched_obj obj;
    volatile void *mem;               /* the cell: value below, or program memory */
    int size;                         /* its bytes: the most any operation at mem
                                         used (1, 2, 4, 8 or 16) */
    int64_t value;                    /* a weft_atomic_t's */
    bool named;                       /* by the program's spelling (atomic_site) */
    struct atomic_impl **overlaps;    /* the cells at other addresses whose bytes
                                         share some of its own (a byte of a word) */
    int noverlaps, overlaps_cap;
    UT_hash_handle hh;                /* by mem, for cells at addresses */
};

/* An operation on size bytes at mem: its cell's own, or fewer of them (a
** narrower access at the same address). */
struct atomic_op {
    struct sched_op op;
    volatile void *mem;
    int size;
    enum sync_atomic kind;
    sync_word arg;                    /* the value stored, added, ... */
    sync_word expected;               /* SYNC_CAS */
    sync_word old;                    /* out: the value before */
    /* A load by a thread that stored to these bytes since its last drain:
    ** its store buffer, which answers first when it still holds such a
    ** store (store forwarding; see "Store buffers" below). */
    const struct store_buffer *buffer;
};

static bool buffered_value(const struct store_buffer *b, const volatile void *mem, int size,
                           sync_word *v);
static const struct sched_obj *buffer_object(const struct store_buffer *b);

static const struct sched_objclass atomic_objclass = { .name = "atomic" };

void weft_atomic_init_at(weft_atomic_t *a, const char *name, int64_t value, const char *file,
                         int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return;
    struct atomic_impl *cell = sync_object_new(x, &atomic_objclass, sizeof *cell, name,
                                               (struct sched_loc){ file, line });
    sched_handle_bind(x, &a->h_, cell);
    cell->mem = &cell->value;
    cell->size = sizeof cell->value;
    cell->value = value;
}

/* The cell behind a handle; zeroed memory (or a handle from an earlier
** execution) is a cell holding 0, created on first use. */
static struct atomic_impl *atomic_of(struct exec *x, weft_atomic_t *a, struct sched_loc at)
{
    if (!sched_handle_live(x, &a->h_))
        weft_atomic_init_at(a, NULL, 0, at.file, at.line);
    return a->h_.impl_;
}

static struct atomic_impl *cell_at(const struct sched_op *op)
{
    return (struct atomic_impl *)op->obj;
}

/* ==========================================================================
** Values of 1 to 8 bytes
** ========================================================================== */

static sync_word mask_of(int size)
{
    return size >= 16 ? ~(sync_word)0 : ((sync_word)1 << (8 * size)) - 1;
}

static sync_word mem_read(const volatile void *mem, int size)
{
    switch (size) {
    case 1:  return *(const volatile uint8_t *)mem;
    case 2:  return *(const volatile uint16_t *)mem;
    case 4:  return *(const volatile uint32_t *)mem;
    case 8:  return *(const volatile uint64_t *)mem;
    default: return *(const volatile sync_word *)mem;
    }
}

static void mem_write(volatile void *mem, int size, sync_word v)
{
    switch (size) {
    case 1:  *(volatile uint8_t *)mem = (uint8_t)v; break;
    case 2:  *(volatile uint16_t *)mem = (uint16_t)v; break;
    case 4:  *(volatile uint32_t *)mem = (uint32_t)v; break;
    case 8:  *(volatile uint64_t *)mem = (uint64_t)v; break;
    default: *(volatile sync_word *)mem = v; break;
    }
}

static sync_word new_value(enum sync_atomic kind, sync_word old, sync_word arg,
                           sync_word expected, sync_word mask)
{
    switch (kind) {
    case SYNC_LOAD:                        return old;
    case SYNC_STORE: case SYNC_EXCHANGE:   return arg & mask;
    case SYNC_CAS:                         return old == (expected & mask) ? arg & mask : old;
    case SYNC_ADD:                         return (old + arg) & mask;
    case SYNC_SUB:                         return (old - arg) & mask;
    case SYNC_AND:                         return old & arg;
    case SYNC_OR:                          return (old | arg) & mask;
    case SYNC_XOR:                         return (old ^ arg) & mask;
    case SYNC_NAND:                        return ~(old & arg) & mask;
    }
    return old;
}

/* ==========================================================================
** The operations
** ========================================================================== */

/* Would op leave the cell as it is? A load, a compare-and-swap that fails,
** and any operation that writes what is there: a test-and-set of a flag
** already set (an exchange or an or), as a spinlock polls. */
static bool atomic_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct atomic_op *a = OP_OF(op, struct atomic_op, op);
    sync_word v = mem_read(a->mem, a->size), m = mask_of(a->size);
    return new_value(a->kind, v, a->arg, a->expected, m) == v;
}

/* The step log shows the value read (or, for a store, written) when it
** fits in an int; the notes take ints, and this is for people to read. */
static void note_value(struct sched_op *op, const char *fmt, int64_t v, int64_t w)
{
    if (v < INT32_MIN || v > INT32_MAX || w < INT32_MIN || w > INT32_MAX)
        return;
    op->note = fmt;
    op->note_a = (int)v;
    op->note_b = (int)w;
}

static void atomic_apply(struct exec *x, struct sched_op *op)
{
    struct atomic_op *a = OP_OF(op, struct atomic_op, op);
    if (a->buffer && buffered_value(a->buffer, a->mem, a->size, &a->old)) {
        op->idle = true;
        note_value(op, "= %d, its own buffered store", (int64_t)a->old, 0);
        return;
    }
    sync_word m = mask_of(a->size);
    op->idle = atomic_reads_only(x, op);
    a->old = mem_read(a->mem, a->size);
    sync_word now = new_value(a->kind, a->old, a->arg, a->expected, m);
    mem_write(a->mem, a->size, now);
    int64_t old = (int64_t)a->old, arg = (int64_t)a->arg;
    switch (a->kind) {
    case SYNC_LOAD:  note_value(op, "= %d", old, 0); break;
    case SYNC_STORE: note_value(op, "%d", arg, 0); break;
    case SYNC_CAS:
        if (a->old == (a->expected & m))
            note_value(op, "%d -> %d", old, arg);
        else
            note_value(op, "%d, not %d", old, (int64_t)a->expected);   /* found, expected */
        break;
    default:         note_value(op, "%d -> %d", old, (int64_t)now); break;
    }
}

/* An operation's objects: its cell, and the cells whose bytes overlap
** it, so that the searches order it with theirs (a store to a byte of a
** word and a load of the word conflict, though their addresses differ). */
static int atomic_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct atomic_impl *c = cell_at(op);
    const struct atomic_op *a = OP_OF(op, struct atomic_op, op);
    int n = 0;
    objs[n++] = op->obj;
    for (int i = 0; i < c->noverlaps && n < max; i++)
        objs[n++] = &c->overlaps[i]->obj;
    if (a->buffer && n < max)
        objs[n++] = buffer_object(a->buffer);
    return n;
}

#define ATOMIC_CLASS(verb_) \
    { .verb = verb_, .apply = atomic_apply, .reads_only = atomic_reads_only, \
      .objects = atomic_objects }
static const struct sched_opclass atomic_classes[] = {
    [SYNC_LOAD] = { .verb = "load", .flags = OP_BUFFERED, .apply = atomic_apply,
                    .reads_only = atomic_reads_only, .objects = atomic_objects },
    [SYNC_STORE] = ATOMIC_CLASS("store"),
    [SYNC_EXCHANGE] = ATOMIC_CLASS("swap"),   [SYNC_CAS] = ATOMIC_CLASS("cas"),
    [SYNC_ADD] = ATOMIC_CLASS("add"),         [SYNC_AND] = ATOMIC_CLASS("and"),
    [SYNC_OR] = ATOMIC_CLASS("or"),           [SYNC_XOR] = ATOMIC_CLASS("xor"),
    [SYNC_NAND] = ATOMIC_CLASS("nand"),       [SYNC_SUB] = ATOMIC_CLASS("sub"),
};

/* What an operation with memory order `order` orders for the race check
** (op.h, sched_op.sync): a relaxed one nothing, an acquire one only what
** it reads, a release one only what it writes. */
static uint8_t sync_of(enum sync_order order)
{
    switch (order) {
    case SYNC_RELAXED:                return SCHED_SYNC_NO_ACQUIRE | SCHED_SYNC_NO_RELEASE;
    case SYNC_CONSUME: case SYNC_ACQUIRE: return SCHED_SYNC_NO_RELEASE;
    case SYNC_RELEASE:                return SCHED_SYNC_NO_ACQUIRE;
    default:                          return 0;
    }
}

/* Post one operation on a cell; returns the value before it. */
static sync_word post(struct exec *x, struct atomic_impl *cell, int size, enum sync_atomic kind,
                      sync_word arg, sync_word expected, enum sync_order order,
                      const struct store_buffer *buffer, struct sched_loc at)
{
    struct atomic_op op = { .op = { .cls = &atomic_classes[kind], .obj = &cell->obj, .loc = at,
                                    .sync = sync_of(order) },
                            .mem = cell->mem, .size = size, .kind = kind, .arg = arg,
                            .expected = expected, .buffer = buffer };
    sched_visible(x, &op.op);
    return op.old;
}

/* Outside an execution the handle has no cell: nothing happens, 0 is returned. */
static int64_t atomic_do(weft_atomic_t *a, enum sync_atomic kind, int64_t arg, int64_t expected,
                         const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return 0;
    struct sched_loc at = { file, line };
    return (int64_t)post(x, atomic_of(x, a, at), sizeof(int64_t), kind, (uint64_t)arg,
                         (uint64_t)expected, SYNC_SEQ_CST, NULL, at);
}

/* ==========================================================================
** Atomics at addresses (instrumented scenario code, tsan.c)
** ========================================================================== */

/* A cell's name from the program's spelling of its address: "&p->flag"
** names p->flag, "ptr" names *ptr. */
static void name_cell(struct atomic_impl *c, const char *spelling)
{
    if (spelling[0] == '&')
        snprintf(c->obj.name, sizeof c->obj.name, "%s", spelling + 1);
    else
        snprintf(c->obj.name, sizeof c->obj.name, "*%s", spelling);
    c->named = true;
}

/* Note that a and b share bytes (false without memory). */
static bool add_overlap(struct exec *x, struct atomic_impl *a, struct atomic_impl *b)
{
    for (int i = 0; i < a->noverlaps; i++)
        if (a->overlaps[i] == b)
            return true;
    if (a->noverlaps == a->overlaps_cap) {
        int cap = a->overlaps_cap ? 2 * a->overlaps_cap : 4;
        struct atomic_impl **more = arena_alloc(&x->arena, (size_t)cap * sizeof *more);
        if (more == NULL)
            return false;
        for (int i = 0; i < a->noverlaps; i++)
            more[i] = a->overlaps[i];
        a->overlaps = more;
        a->overlaps_cap = cap;
    }
    a->overlaps[a->noverlaps++] = b;
    return true;
}

/* Link c with every cell of this execution whose bytes share some of its
** own: each starts less than 16 bytes before c's end (no access is wider). */
static bool link_overlaps(struct exec *x, struct atomic_impl *c)
{
    uintptr_t start = (uintptr_t)c->mem, end = start + (uintptr_t)c->size;
    for (uintptr_t p = start >= 15 ? start - 15 : 0; p < end; p++) {
        struct atomic_impl *o, *table = x->memory_cells;
        const volatile void *addr = (const volatile void *)p;
        HASH_FIND_PTR(table, &addr, o);
        if (o && o != c && p + (uintptr_t)o->size > start &&
            (!add_overlap(x, c, o) || !add_overlap(x, o, c)))
            return false;
    }
    return true;
}

/* The cell at addr, made on first use in this execution; named by the
** first spelling a program's atomic_* call gives it (name, or NULL). */
static struct atomic_impl *cell_at_address(struct exec *x, volatile void *addr, int size,
                                           struct sched_loc at, const char *name)
{
    struct atomic_impl *c, *table = x->memory_cells;
    HASH_FIND_PTR(table, &addr, c);
    if (c) {
        if (name && !c->named)
            name_cell(c, name);
        if (size > c->size) {         /* a wider access: it may reach more cells */
            c->size = size;
            if (!link_overlaps(x, c))
                sched_fail(x, WEFT_ASSERTION, at, "out of memory for an atomic");
        }
        return c;
    }
    c = sync_object_new(x, &atomic_objclass, sizeof *c, NULL, at);
    if (name)
        name_cell(c, name);
    c->mem = addr;
    c->size = size;
    /* Named by where it lives, as a handle is: which thread used it first
    ** differs between schedules, so the maker's count does not name it. */
    object_rekey(x, &c->obj, sched_handle_key(x, (const void *)addr));
    HASH_ADD_PTR(table, mem, c);
    x->memory_cells = table;
    if (x->shadow_oom || !link_overlaps(x, c))
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for an atomic");
    return c;
}

/* ==========================================================================
** Store buffers (x86-TSO, and PSO as C11 allows)
** ==========================================================================
** A program's atomic store weaker than seq_cst (relaxed, release) does not
** reach memory at once: it waits in its thread's store buffer, oldest
** first, and the buffer's own thread (a background daemon, sched.h, named
** "store buffer of T") writes the oldest to memory whenever the search
** lets it. Until then other threads read the old value, and the thread
** itself reads its own newest store to the address (store forwarding).
** Any other operation of the thread (a seq_cst store, a read-modify-write,
** a seq_cst fence, a lock, a join, its end) first drains the buffer, a
** step of its own (sched_visible, OP_BUFFERED). This is x86-TSO (Owens,
** Sarkar and Sewell, TPHOLs 2009), what the machines weft runs on do: a
** Dekker or Peterson lock, or any handshake that stores a flag and then
** loads the other's, fails without seq_cst as it fails there. What C11
** allows beyond TSO (relaxed stores reordered with each other, loads with
** later loads, as ARM and POWER do) is not explored, and the summary says
** so when a relaxed atomic ran (outcome.relaxed). Under --memory-model pso
** (cfg.reorder_stores) the first of those is: each cell a thread stores to
** has a daemon of its own ("stores of T to x"), which flushes the oldest
** store to its cell whenever may_flush lets it pass the older stores of
** other cells, so message passing through a relaxed flag fails as it may
** on ARM; loads stay in program order (outcome.relaxed_loads).
**
** Dependence: a buffered store touches nothing (buffer_store_objects), so
** it commutes with every other thread's step; a flush touches the buffer
** and the cell, as a store does (under pso two flushes of one buffer are
** thus ordered both ways, and one may enable another); a load by a thread that stored to its
** bytes since its last drain reads the buffer and the cell (load_buffer);
** a drain touches the buffer and the cells of every store since the last
** drain (drain_op). Both the buffer and its daemon are named by their
** owner, so the classes and DPOR see them alike in every order.
*/
#define STORE_BUFFER_MAX 16           /* entries: a store into a full buffer
                                         drains it first (its objects must fit
                                         in SCHED_MAX_OBJS, overlaps and all) */

struct buffered_store {
    struct atomic_impl *cell;
    int size;
    sync_word value;
    struct sched_loc at;
    const uint32_t *releases;         /* the clock it releases into the cell when
                                         it reaches memory (race.h), or NULL */
    bool release;                     /* a release store: after every earlier one */
    unsigned fences;                  /* release fences of its thread before it */
};

struct flusher;

struct store_buffer {
    struct sched_obj obj;
    struct sched_thread *owner;
    struct flusher *flushers;         /* its daemons: one (tso), or one per cell
                                         stored to (pso), made at the first store */
    bool reorders;                    /* --memory-model pso (see may_flush) */
    unsigned fences;                  /* release fences of the owner so far */
    int n;
    struct buffered_store e[STORE_BUFFER_MAX];   /* oldest first */
    /* The cells of the owner's stores since its last drain, flushed or
    ** not: what its next drain touches (owner->buffered while any). */
    struct { struct atomic_impl *cell; int size; } since[STORE_BUFFER_MAX];
    int nsince;
};

/* A step on a store buffer: a buffered store or a flush. */
struct buffer_op {
    struct sched_op op;
    struct store_buffer *b;
    struct buffered_store s;          /* a buffered store's; a flush's, once done */
    struct flusher *made;             /* the daemon a buffered store made */
    const struct atomic_impl *cell;   /* a flush's cell under pso; NULL: the oldest */
};

/* A daemon of a buffer and its first flush (sched_spawn_background). */
struct flusher {
    struct store_buffer *b;
    const struct atomic_impl *cell;   /* the cell whose stores it flushes (pso),
                                         or NULL: every store, oldest first */
    struct sched_thread *thread;
    struct buffer_op first;
    struct flusher *next;
};

static const struct sched_objclass buffer_objclass = { .name = "store buffer" };


static struct buffer_op *buffer_op_of(const struct sched_op *op)
{
    return OP_OF(op, struct buffer_op, op);
}

/* c and the cells whose bytes overlap it, into objs[n..max). */
static int add_cell(const struct atomic_impl *c, const struct sched_obj **objs, int n, int max)
{
    if (n < max)
        objs[n++] = &c->obj;
    for (int i = 0; i < c->noverlaps && n < max; i++)
        objs[n++] = &c->overlaps[i]->obj;
    return n;
}

/* s reaches memory (scheduler context), with what it releases. */
static void write_entry(struct exec *x, const struct buffered_store *s)
{
    mem_write(s->cell->mem, s->size, s->value);
    race_store_reaches(x, &s->cell->obj, s->releases);
}

static void remove_entry(struct store_buffer *b, int i)
{
    b->n--;
    for (; i < b->n; i++)
        b->e[i] = b->e[i + 1];
}

static bool same_bytes(const struct atomic_impl *a, const struct atomic_impl *c)
{
    if (a == c)
        return true;
    for (int i = 0; i < c->noverlaps; i++)
        if (c->overlaps[i] == a)
            return true;
    return false;
}

/*
** May the store at b->e[i] reach memory before the older ones? Under tso
** never: the oldest goes first. Under pso, as C11 lets relaxed stores to
** different places become visible in another order (ARM, POWER): unless an
** older store shares a byte with it (coherence), it is a release store
** (everything before it first), or a release fence of its thread came
** between the two.
*/
static bool may_flush(const struct store_buffer *b, int i)
{
    if (i == 0)
        return true;
    const struct buffered_store *s = &b->e[i];
    if (!b->reorders || s->release)
        return false;
    for (int j = 0; j < i; j++)
        if (b->e[j].fences != s->fences || same_bytes(b->e[j].cell, s->cell))
            return false;
    return true;
}

/* The entry a flush of cell (NULL: the oldest) takes, or -1. */
static int flush_entry(const struct store_buffer *b, const struct atomic_impl *cell)
{
    if (cell == NULL)
        return b->n > 0 ? 0 : -1;
    for (int i = 0; i < b->n; i++)
        if (b->e[i].cell == cell)
            return may_flush(b, i) ? i : -1;
    return -1;
}

/* ---- the daemons: flush a store whenever they may ---- */

static bool flush_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    const struct buffer_op *f = buffer_op_of(op);
    return flush_entry(f->b, f->cell) >= 0;
}

/* Shown as a store of its cell by the buffer's daemon, at the line of the
** store it makes visible. */
static void flush_apply(struct exec *x, struct sched_op *op)
{
    struct buffer_op *f = buffer_op_of(op);
    int i = flush_entry(f->b, f->cell);
    f->s = f->b->e[i];
    remove_entry(f->b, i);
    write_entry(x, &f->s);
    op->obj = &f->s.cell->obj;
    op->loc = f->s.at;
    note_value(op, "%d", (int64_t)f->s.value, 0);
}

/* The buffer, and the cell of the store it flushes (or flushed). */
static int flush_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct buffer_op *f = buffer_op_of(op);
    const struct atomic_impl *c = f->s.cell ? f->s.cell : f->cell ? f->cell
                                : f->b->n ? f->b->e[0].cell : NULL;
    objs[0] = &f->b->obj;
    return c ? add_cell(c, objs, 1, max) : 1;
}

static int flush_enablers(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    (void)max;
    objs[0] = &buffer_op_of(op)->b->obj;
    return 1;
}

static const struct sched_opclass flush_class = {
    .verb = "flush", .enabled = flush_enabled, .apply = flush_apply,
    .objects = flush_objects, .enablers = flush_enablers,
};

/* The steps on a buffer order nothing for the race check by themselves
** (its daemon's clock and the buffer's carry nothing): each store carries
** what it releases into its cell (buffered_store.releases). */
#define BUFFER_SYNC SCHED_SYNC_NONE

static struct buffer_op flush_op(const struct flusher *fl)
{
    return (struct buffer_op){ .op = { .cls = &flush_class, .obj = &fl->b->obj,
                                       .loc = fl->b->owner->spawned_at, .sync = BUFFER_SYNC },
                               .b = fl->b, .cell = fl->cell };
}

/* A daemon, after its first flush: the next one, whenever it may. */
static void flusher_thread(void *arg)
{
    const struct flusher *fl = arg;
    struct exec *x = exec_current();
    for (;;) {
        struct buffer_op f = flush_op(fl);
        sched_visible(x, &f.op);
    }
}

/* The daemon that flushes stores to cell: found, or NULL. */
static struct flusher *flusher_of(const struct store_buffer *b, const struct atomic_impl *cell)
{
    struct flusher *fl = b->flushers;
    while (fl && b->reorders && fl->cell != cell)
        fl = fl->next;
    return fl;
}

/* A new daemon for stores to cell (any, under tso), in scheduler context:
** "store buffer of T", or "stores of T to x" under pso. NULL after a
** failure is recorded. */
static struct flusher *new_flusher(struct exec *x, struct store_buffer *b,
                                   const struct atomic_impl *cell, struct sched_loc at)
{
    struct flusher *fl = arena_alloc(&x->arena, sizeof *fl);
    if (fl == NULL) {
        sched_fail_in_apply(x, WEFT_ASSERTION, b->owner, at, "out of memory for a store buffer");
        return NULL;
    }
    *fl = (struct flusher){ .b = b, .cell = b->reorders ? cell : NULL, .next = b->flushers };
    fl->first = flush_op(fl);
    char name[2 * SCHED_NAME_MAX + 16];
    if (b->reorders)
        snprintf(name, sizeof name, "stores of %s to %s", b->owner->obj.name, cell->obj.name);
    else
        snprintf(name, sizeof name, "store buffer of %s", b->owner->obj.name);
    fl->thread = sched_spawn_background(x, name, flusher_thread, fl, at, &fl->first.op);
    if (fl->thread == NULL)
        return NULL;                  /* the failure is recorded */
    b->flushers = fl;
    return fl;
}

/* ---- the owner's steps ---- */

static void buffer_store_apply(struct exec *x, struct sched_op *op)
{
    struct buffer_op *a = buffer_op_of(op);
    struct store_buffer *b = a->b;
    struct flusher *fl = flusher_of(b, a->s.cell);
    if (fl == NULL && (fl = a->made = new_flusher(x, b, a->s.cell, op->loc)) == NULL)
        return;                       /* the failure is recorded */
    b->e[b->n++] = a->s;
    b->since[b->nsince].cell = a->s.cell;
    b->since[b->nsince++].size = a->s.size;
    b->owner->buffered = true;
    if (a->made == NULL)
        sched_thread_changed(x, fl->thread);   /* it touched no object the
                                         daemon watches: ask it again */
    note_value(op, "%d, buffered", (int64_t)a->s.value, 0);
}

/*
** Nothing, or the daemon for the store that made it (as a spawn touches
** its child: the daemon's steps come after). Appending commutes with every
** other thread's step, flushes and drains included: a flush takes the
** oldest store (of its cell, under pso), which was there before, whether
** it may go first depends only on older ones, and the daemon's flush of
** this store can only come after it. Had it touched the buffer, DPOR would
** reverse it with the flush of the same store, which cannot come first.
*/
static int buffer_store_objects(const struct sched_op *op, const struct sched_obj **objs,
                                int max)
{
    (void)max;
    const struct buffer_op *a = buffer_op_of(op);
    if (a->made == NULL)
        return 0;
    objs[0] = &a->made->thread->obj;
    return 1;
}

static const struct sched_opclass buffer_store_class = {
    .verb = "store", .flags = OP_BUFFERED, .apply = buffer_store_apply,
    .objects = buffer_store_objects,
};

static const struct sched_obj *buffer_object(const struct store_buffer *b)
{
    return &b->obj;
}

/* The newest store to exactly size bytes at mem that b still holds. */
static bool buffered_value(const struct store_buffer *b, const volatile void *mem, int size,
                           sync_word *v)
{
    for (int i = b->n - 1; i >= 0; i--)
        if (b->e[i].cell->mem == mem && b->e[i].size == size) {
            *v = b->e[i].value;
            return true;
        }
    return false;
}

/*
** A drain is a step whenever its thread stored since its last one, even
** when the daemon has flushed every store by then, and it touches the
** cells of all those stores: what the step is must follow from the
** thread's own history, not from how far the daemon got, or two orders of
** the same steps (a flush before the thread's load, or after it) would
** differ in a step that changes nothing, and the searches would count
** them as two classes.
*/
struct drain_op {
    struct sched_op op;
    struct store_buffer *b;
    struct atomic_impl *cells[STORE_BUFFER_MAX];
    int ncells;
};

static void drain_apply(struct exec *x, struct sched_op *op)
{
    struct store_buffer *b = OP_OF(op, struct drain_op, op)->b;
    for (int i = 0; i < b->n; i++)
        write_entry(x, &b->e[i]);
    b->n = b->nsince = 0;
    b->owner->buffered = false;
}

static int drain_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct drain_op *d = OP_OF(op, struct drain_op, op);
    int n = 0;
    objs[n++] = &d->b->obj;
    for (int i = 0; i < d->ncells; i++)
        n = add_cell(d->cells[i], objs, n, max);
    return n;
}

static const struct sched_opclass drain_class = {
    .verb = "drain", .flags = OP_BUFFERED, .apply = drain_apply, .objects = drain_objects,
};

/* The running thread's buffer reaches memory, a step of its own (before
** an operation that is not OP_BUFFERED: sched_visible). It is no
** cancellation point. */
static void drain_stores(struct exec *x)
{
    struct sched_thread *t = x->current;
    struct store_buffer *b = t->stores;
    struct drain_op d = { .op = { .cls = &drain_class, .obj = &b->obj,
                                  .loc = sync_current_loc(x), .sync = BUFFER_SYNC },
                          .b = b, .ncells = b->nsince };
    for (int i = 0; i < b->nsince; i++)
        d.cells[i] = b->since[i].cell;
    uint8_t interruptible = t->interruptible;
    t->interruptible = 0;
    sched_visible(x, &d.op);
    t->interruptible = interruptible;
}

static struct store_buffer *buffer_of(struct exec *x, struct sched_loc at)
{
    struct sched_thread *t = x->current;
    if (t->stores == NULL) {
        char name[SCHED_NAME_MAX + 16];
        snprintf(name, sizeof name, "store buffer of %s", t->obj.name);
        t->stores = sync_object_new(x, &buffer_objclass, sizeof(struct store_buffer), name, at);
        t->stores->owner = t;
        t->stores->reorders = x->cfg->reorder_stores;
        x->drain_stores = drain_stores;
    }
    return t->stores;
}

/* size bytes at addr into the running thread's buffer. */
static void buffer_store(struct exec *x, struct atomic_impl *cell, int size, sync_word v,
                         enum sync_order order, struct sched_loc at)
{
    struct store_buffer *b = buffer_of(x, at);
    if (b->nsince == STORE_BUFFER_MAX)
        drain_stores(x);
    struct buffer_op a = { .op = { .cls = &buffer_store_class, .obj = &cell->obj, .loc = at,
                                   .sync = BUFFER_SYNC },
                           .b = b, .s = { cell, size, v & mask_of(size), at,
                                          race_store_clock(x, order == SYNC_RELEASE, at),
                                          order >= SYNC_RELEASE, b->fences } };
    sched_visible(x, &a.op);
}

/*
** The buffer a load of size bytes at addr by the running thread must look
** at first, or NULL: its thread's, when it stored to exactly those bytes
** since its last drain, whether the daemon has flushed that store by now
** or not (the load then touches the buffer too: which of the two it reads
** is decided by its step, and what the step is by the thread's own
** history). A store since then to only some of those bytes is drained
** first, as x86 waits for it.
*/
static const struct store_buffer *load_buffer(struct exec *x, volatile void *addr, int size)
{
    struct store_buffer *b = x->current->stores;
    bool exact = false;
    for (int i = 0; b && i < b->nsince; i++) {
        uintptr_t a = (uintptr_t)addr, e = (uintptr_t)b->since[i].cell->mem;
        bool same = e == a && b->since[i].size == size;
        if (!same && e < a + (uintptr_t)size && a < e + (uintptr_t)b->since[i].size) {
            drain_stores(x);
            return NULL;
        }
        exact |= same;
    }
    return exact ? b : NULL;
}

void sync_plain_access(struct exec *x, const volatile void *addr, size_t size)
{
    struct store_buffer *b = x->current->stores;
    uintptr_t a = (uintptr_t)addr, end = a + size < a ? UINTPTR_MAX : a + size;
    for (int i = 0; b && i < b->nsince; i++) {
        uintptr_t e = (uintptr_t)b->since[i].cell->mem;
        if (e < end && a < e + (uintptr_t)b->since[i].size) {
            drain_stores(x);
            return;
        }
    }
}

void sync_atomic_fence(enum sync_order order)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    race_fence(x, order != SYNC_RELAXED && order != SYNC_RELEASE,
               order >= SYNC_RELEASE, sync_current_loc(x));
    if (x->current->stores && order >= SYNC_RELEASE)
        x->current->stores->fences++;    /* later stores wait for earlier ones */
    if (x->current->buffered && order == SYNC_SEQ_CST)
        drain_stores(x);
}

/* Without an execution, what the instrumented code would have done. */
static sync_word native(volatile void *addr, int size, enum sync_atomic kind, sync_word arg,
                        sync_word expected)
{
    sync_word old = mem_read(addr, size);
    mem_write(addr, size, new_value(kind, old, arg, expected, mask_of(size)));
    return old;
}

/* The memory model's part: true when the operation was a buffered store,
** which is all it does; else *buffer is the store buffer a load reads
** first (load_buffer), or NULL. */
static bool in_buffer(struct exec *x, struct atomic_impl *cell, volatile void *addr, int size,
                      enum sync_atomic kind, sync_word arg, enum sync_order order,
                      struct sched_loc at, const struct store_buffer **buffer)
{
    *buffer = NULL;
    bool relaxed = order == SYNC_RELAXED && !x->cfg->sc_atomics;
    x->outcome.relaxed |= relaxed && !x->cfg->reorder_stores;
    x->outcome.relaxed_loads |= relaxed && x->cfg->reorder_stores;
    x->outcome.weak_sync |= order != SYNC_SEQ_CST;
    if (kind == SYNC_STORE && order != SYNC_SEQ_CST) {
        x->outcome.weak_as_sc |= x->cfg->sc_atomics;
        if (x->cfg->sc_atomics)
            return false;
        buffer_store(x, cell, size, arg, order, at);
        return true;
    }
    if (kind == SYNC_LOAD && x->current->stores)
        *buffer = load_buffer(x, addr, size);
    return false;
}

sync_word sync_atomic_at(volatile void *addr, int size, enum sync_atomic kind, sync_word arg,
                         sync_word expected, enum sync_order order)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return native(addr, size, kind, arg, expected);
    struct sched_loc at = sync_current_loc(x);
    const char *name = NULL;
    if (x->atomic_site.addr == addr) {   /* the program's atomic_* call said where */
        at = x->atomic_site.at;
        name = x->atomic_site.name;
        x->atomic_site.addr = NULL;
    }
    struct atomic_impl *cell = cell_at_address(x, addr, size, at, name);
    const struct store_buffer *buffer;
    sync_word old = 0;
    if (!in_buffer(x, cell, addr, size, kind, arg, order, at, &buffer))
        old = post(x, cell, size, kind, arg, expected, order, buffer, at);
    if (x->cfg->check_memory || x->cfg->check_all_memory) {   /* plain accesses are checked */
        bool wrote = kind != SYNC_LOAD && (kind != SYNC_CAS || old == (expected & mask_of(size)));
        race_atomic(x, (const void *)addr, (size_t)size, wrote, at);
    }
    return old;
}

int64_t weft_atomic_load_at(weft_atomic_t *a, const char *file, int line)
{
    return atomic_do(a, SYNC_LOAD, 0, 0, file, line);
}

void weft_atomic_store_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    atomic_do(a, SYNC_STORE, v, 0, file, line);
}

int64_t weft_atomic_exchange_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, SYNC_EXCHANGE, v, 0, file, line);
}

int weft_atomic_cas_at(weft_atomic_t *a, int64_t expected, int64_t desired, const char *file,
                       int line)
{
    return atomic_do(a, SYNC_CAS, desired, expected, file, line) == expected;
}

int64_t weft_atomic_fetch_add_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, SYNC_ADD, v, 0, file, line);
}

int64_t weft_atomic_fetch_sub_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, SYNC_SUB, v, 0, file, line);
}

int64_t weft_atomic_fetch_and_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, SYNC_AND, v, 0, file, line);
}

int64_t weft_atomic_fetch_or_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, SYNC_OR, v, 0, file, line);
}
