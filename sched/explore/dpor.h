/*
** dpor.h -- happens-before tracking and race detection for DPOR (dpor.c).
** dfs.c feeds it every step and asks, at every state, which earlier step
** races with each thread's next operation.
*/
#ifndef WEFT_DPOR_H
#define WEFT_DPOR_H

#include "core/sched.h"

struct dpor;

/* A new tracker, or NULL without memory. */
struct dpor *dpor_new(void);
void dpor_free(struct dpor *d);
/* A new execution starts. */
void dpor_begin(struct dpor *d);
/* Step s (the n-th of x's execution, 0-based, in order) performed op: 0,
** or WEFT_ENOMEM. */
int dpor_step(struct dpor *d, const struct exec *x, const struct sched_step *s,
              struct sched_op *op);
/* For every parked thread of x and every earlier step in a race with its
** next operation, call fn with the step's index: 0, or WEFT_ENOMEM. */
int dpor_races(struct dpor *d, struct exec *x, void (*fn)(void *ctx, uint32_t step, int tid),
               void *ctx);
/* The execution stopped at a failure of thread tid: its last step races
** with the next step of every other parked thread not ordered after it. */
void dpor_races_with_end(struct dpor *d, struct exec *x, int tid,
                         void (*fn)(void *ctx, uint32_t step, int tid), void *ctx);
/* The execution was cut at the step bound, which stopped every thread:
** each parked thread's next step races with the latest step of another
** thread not ordered before it (it could have run there instead). */
void dpor_races_with_cut(struct dpor *d, struct exec *x,
                         void (*fn)(void *ctx, uint32_t step, int tid), void *ctx);
/* The threads that could begin the reversal of that race from the state
** before the step (source-DPOR's initials). */
sched_mask dpor_initials(const struct dpor *d, uint32_t step, int tid, const struct sched_op *n,
                         bool n_reads);

#endif
