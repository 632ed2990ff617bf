/*
** sched.h -- the scheduler (sched.c): runs one execution, parks threads at
** visible operations and applies the operation of the thread the chooser
** picks. Primitives call in here; only sched.c switches fibers.
*/
#ifndef WEFT_SCHED_H
#define WEFT_SCHED_H

#include "core/exec.h"

/* A new execution context with nothing allocated yet; NULL when out of
** memory. Free with sched_free, which releases stacks and arena. */
struct exec *sched_new(void);
void sched_free(struct exec *x);

/* Run one execution of cfg->scenario from fresh state, asking ch at every
** choice; x->outcome says how it ended. The execution's state (threads,
** objects, steps) stays readable until the next sched_run. Returns 0, or
** WEFT_ENOMEM when the execution could not be set up. */
int sched_run(struct exec *x, const struct sched_config *cfg, const struct sched_chooser *ch);

/* From a scenario thread: park with op pending until the chooser picks
** this thread and op's apply has run (or a partner completed it). */
void sched_visible(struct exec *x, struct sched_op *op);
/* From a scenario thread, or a scenario's setup: fail the execution now
** (assertion, misuse); the thread never resumes. */
_Noreturn void sched_fail(struct exec *x, enum weft_result r, struct sched_loc where,
                          const char *fmt, ...) WEFT_PRINTF(4, 5);
/* From scheduler context (inside apply): record a failure of thread t. */
void sched_fail_in_apply(struct exec *x, enum weft_result r, struct sched_thread *t,
                         struct sched_loc where, const char *fmt, ...) WEFT_PRINTF(5, 6);
/* From the signal handler: thread x->current crashed. */
_Noreturn void sched_crashed(struct exec *x, int sig, void *addr);

/* Inside a spawn's apply: create a thread and run its prologue to its
** first visible operation. NULL (with the failure recorded) past the limit
** or out of memory. */
struct sched_thread *sched_spawn(struct exec *x, const char *name, void (*fn)(void *),
                                 void *arg, struct sched_loc at, bool symmetric);
/* A data choice from scheduler context (a select among ready cases). */
int sched_choose_value(struct exec *x, int n);
/* Finish another thread's waiting op (a rendezvous partner, a released
** waiter): it becomes enabled and its apply is skipped. */
void sched_complete(struct exec *x, struct sched_op *op);

/* The waiters parked on o, oldest first: for (w = ...; w; w = w->next). */
static inline struct waiter *sched_waiters_of(const struct sched_obj *o) { return o->waiters; }

static inline struct sched_thread *sched_thread(struct exec *x, int tid)
{
    return tid >= 0 && tid < x->nthreads ? &x->threads[tid] : NULL;
}

static inline bool sched_deadline_passed(const struct exec *x, const struct sched_op *op)
{
    return op->deadline >= 0 && x->now >= op->deadline;
}

/* Is t parked with an operation that can be performed now? */
static inline bool sched_thread_enabled(struct exec *x, struct sched_thread *t)
{
    if (t->state != T_PARKED)
        return false;
    struct sched_op *op = t->pending;
    return op->completed || op->cls->enabled == NULL || op->cls->enabled(x, op);
}

/* Public handles: live only in the execution that bound them. */
static inline bool sched_handle_live(const struct exec *x, const struct weft_handle_ *h)
{
    return h->impl_ != NULL && h->epoch_ == x->epoch;
}
static inline void sched_handle_bind(const struct exec *x, struct weft_handle_ *h, void *impl)
{
    h->impl_ = impl;
    h->epoch_ = x->epoch;
}

/* The object with that id in this execution, or NULL. */
struct sched_obj *sched_object_by_id(struct exec *x, int id);

/* Catch fatal signals in scenario threads of this OS thread while a search
** runs (crash.c); 0 or WEFT_ENOMEM. crash_leave restores what was before. */
int crash_enter(struct crash_guard *g);
void crash_leave(struct crash_guard *g);

#endif
