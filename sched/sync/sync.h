/*
** sync.h -- what the primitives share: the mutex state that condition
** variables release and retake, and the helpers opclasses have in common.
** Everything here runs in scheduler context unless it says otherwise.
*/
#ifndef WEFT_SYNC_H
#define WEFT_SYNC_H

#include "core/sched.h"

struct mutex_impl {
    struct sched_obj obj;
    enum weft_mutex_kind kind;
    int holder;                       /* thread id, or -1 */
    int depth;                        /* recursive locks held */
    struct sched_loc locked_at;       /* where the holder acquired it */
};

/* The mutex behind a handle, created on first use in this execution (at
** `at`, where the failure is reported if there is no memory for it). */
struct mutex_impl *mutex_bind(struct exec *x, weft_mutex_t *m, struct sched_loc at);
static inline struct mutex_impl *mutex_of(struct exec *x, weft_mutex_t *m, struct sched_loc at)
{
    return sched_handle_live(x, &m->h_) ? m->h_.impl_ : mutex_bind(x, m, at);
}
/* Take / drop m for thread tid (scheduler context). */
void mutex_take(struct mutex_impl *mx, int tid, struct sched_loc at);
void mutex_drop(struct mutex_impl *mx);

/* Who could wake t, waiting on o that no thread owns (a channel, a
** condition variable): the other live threads that have used o, or else
** every other live thread. */
sched_mask sync_wakers(struct exec *x, const struct sched_thread *t, const struct sched_obj *o,
                       enum sched_wait *how);

/* A new object for a primitive, or the execution fails at `at` for want
** of memory (from a scenario thread). */
void *sync_object_new(struct exec *x, const struct sched_objclass *cls, size_t size,
                      const char *name, struct sched_loc at);

/* Atomic operations (atomic.c). */
enum sync_atomic {
    SYNC_LOAD, SYNC_STORE, SYNC_EXCHANGE, SYNC_CAS, SYNC_ADD, SYNC_AND, SYNC_OR, SYNC_XOR,
    SYNC_NAND
};
/* One sequentially consistent operation on size (1, 2, 4, 8) bytes at addr,
** a visible step inside an execution; returns the value before it. */
uint64_t sync_atomic_at(volatile void *addr, int size, enum sync_atomic kind, uint64_t arg,
                        uint64_t expected);

/* Where the running thread is, as near as weft knows without the caller's
** line: its last step's line, or where it was spawned. */
static inline struct sched_loc sync_current_loc(struct exec *x)
{
    struct sched_thread *t = x->current;
    return t->last_step ? x->steps[t->last_step - 1].loc : t->spawned_at;
}

/* The execution whose scenario thread makes a public call, or NULL: called
** from anywhere else, a call does nothing (weft.h, WEFT_EINVAL). */
static inline struct exec *sync_exec(void)
{
    struct exec *x = exec_current();
    return x && x->current ? x : NULL;
}

#endif
