/*
** atomic.c -- sequentially consistent atomic cells (Go's sync/atomic,
** C11's atomics with memory_order_seq_cst): load, store, exchange,
** compare-and-swap, fetch-add/sub/and/or on a 64-bit value.
** Every operation is one visible step on the cell. Two loads commute, and
** so does a load with a compare-and-swap that fails (neither changes the
** cell); everything else on one cell conflicts, so the searches explore
** both orders of a store and a load, which is what makes a flag set by one
** thread and polled by another visible to DPOR.
*/
#include <stdio.h>
#include "sync/sync.h"

struct atomic_impl {
    struct sched_obj obj;
    int64_t value;
};

enum atomic_kind { A_LOAD, A_STORE, A_EXCHANGE, A_CAS, A_ADD, A_AND, A_OR };

struct atomic_op {
    struct sched_op op;
    enum atomic_kind kind;
    int64_t arg;                      /* the value stored, added, ... */
    int64_t expected;                 /* A_CAS */
    int64_t old;                      /* out: the value before */
};

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
** The operations
** ========================================================================== */

/* Would op leave the cell as it is? A load, or a compare-and-swap that
** fails (or stores what is there). */
static bool atomic_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct atomic_op *a = OP_OF(op, struct atomic_op, op);
    int64_t v = cell_at(op)->value;
    return a->kind == A_LOAD || (a->kind == A_CAS && (v != a->expected || a->arg == v));
}

static int64_t new_value(const struct atomic_op *a, int64_t old)
{
    switch (a->kind) {
    case A_LOAD:                      return old;
    case A_STORE: case A_EXCHANGE:    return a->arg;
    case A_CAS:                       return old == a->expected ? a->arg : old;
    case A_ADD:                       return (int64_t)((uint64_t)old + (uint64_t)a->arg);
    case A_AND:                       return old & a->arg;
    case A_OR:                        return old | a->arg;
    }
    return old;
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
    struct atomic_impl *cell = cell_at(op);
    op->idle = atomic_reads_only(x, op);
    a->old = cell->value;
    cell->value = new_value(a, a->old);
    switch (a->kind) {
    case A_LOAD:  note_value(op, "= %d", a->old, 0); break;
    case A_STORE: note_value(op, "%d", a->arg, 0); break;
    case A_CAS:
        if (a->old == a->expected)
            note_value(op, "%d -> %d", a->old, a->arg);
        else
            note_value(op, "%d, not %d", a->old, a->expected);   /* found, expected */
        break;
    default:      note_value(op, "%d -> %d", a->old, cell->value); break;
    }
}

#define ATOMIC_CLASS(verb_) \
    { .verb = verb_, .apply = atomic_apply, .reads_only = atomic_reads_only }
static const struct sched_opclass atomic_classes[] = {
    [A_LOAD] = ATOMIC_CLASS("load"),       [A_STORE] = ATOMIC_CLASS("store"),
    [A_EXCHANGE] = ATOMIC_CLASS("swap"),   [A_CAS] = ATOMIC_CLASS("cas"),
    [A_ADD] = ATOMIC_CLASS("add"),         [A_AND] = ATOMIC_CLASS("and"),
    [A_OR] = ATOMIC_CLASS("or"),
};

/* Post one operation on a's cell; returns the value before it. Outside an
** execution the handle has no cell: nothing happens and 0 is returned. */
static int64_t atomic_do(weft_atomic_t *a, enum atomic_kind kind, int64_t arg, int64_t expected,
                         const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return 0;
    struct sched_loc at = { file, line };
    struct atomic_op op = { .op = { .cls = &atomic_classes[kind], .obj = &atomic_of(x, a, at)->obj,
                                    .loc = at },
                            .kind = kind, .arg = arg, .expected = expected };
    sched_visible(x, &op.op);
    return op.old;
}

int64_t weft_atomic_load_at(weft_atomic_t *a, const char *file, int line)
{
    return atomic_do(a, A_LOAD, 0, 0, file, line);
}

void weft_atomic_store_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    atomic_do(a, A_STORE, v, 0, file, line);
}

int64_t weft_atomic_exchange_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, A_EXCHANGE, v, 0, file, line);
}

int weft_atomic_cas_at(weft_atomic_t *a, int64_t expected, int64_t desired, const char *file,
                       int line)
{
    return atomic_do(a, A_CAS, desired, expected, file, line) == expected;
}

int64_t weft_atomic_fetch_add_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, A_ADD, v, 0, file, line);
}

int64_t weft_atomic_fetch_and_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, A_AND, v, 0, file, line);
}

int64_t weft_atomic_fetch_or_at(weft_atomic_t *a, int64_t v, const char *file, int line)
{
    return atomic_do(a, A_OR, v, 0, file, line);
}
