/*
** sync.h -- what the primitives share: the mutex state that condition
** variables release and retake, and the helpers opclasses have in common.
** Everything here runs in scheduler context unless it says otherwise.
*/
#ifndef WEFT_SYNC_H
#define WEFT_SYNC_H

#include "sched.h"

struct mutex_impl {
    struct sched_obj obj;
    enum weft_mutex_kind kind;
    int holder;                       /* thread id, or -1 */
    int depth;                        /* recursive locks held */
    struct sched_loc locked_at;       /* where the holder acquired it */
};

/* The mutex behind a handle, created on first use in this execution. */
struct mutex_impl *mutex_of(weft_mutex_t *m);
/* Take / drop m for thread tid (scheduler context). */
void mutex_take(struct mutex_impl *mx, int tid, struct sched_loc at);
void mutex_drop(struct mutex_impl *mx);

/* The enabled() of operations that never block. */
bool sync_always(struct sched_thread *t, struct sched_op *op);

/* Who could wake t, waiting on o that no thread owns (a channel, a
** condition variable): the other live threads that have used o, or else
** every other live thread. */
sched_mask sync_wakers(struct sched_thread *t, const struct sched_obj *o, enum sched_wait *how);

#endif
