/*
** dpor.h -- happens-before tracking and race detection for DPOR (dpor.c).
** dfs.c feeds it every step and asks, at every state, which earlier step
** races with each thread's next operation.
*/
#ifndef WEFT_DPOR_H
#define WEFT_DPOR_H

#include "core/sched.h"
#include "explore/wakeup.h"

struct dpor;

/* A race of step `step` with thread tid's next operation. */
typedef void dpor_race_fn(void *ctx, uint32_t step, int tid);

/* A new tracker, or NULL without memory. */
struct dpor *dpor_new(void);
void dpor_free(struct dpor *d);
/* A new execution starts. */
void dpor_begin(struct dpor *d);
/* A new execution starts that replays the first k steps of the last one:
** they are kept as they are, the rest is forgotten. */
void dpor_rewind(struct dpor *d, uint32_t k);
/* How many steps are recorded. */
uint32_t dpor_steps(const struct dpor *d);
/* The step about to be recorded (the next dpor_step) chose value v: 0, or
** WEFT_ENOMEM. Reversals carry it (see wakeup.h, value choices). */
int dpor_value(struct dpor *d, uint32_t v);
/* Step s (the n-th of x's execution, 0-based, in order) performed op: 0,
** or WEFT_ENOMEM. */
int dpor_step(struct dpor *d, const struct exec *x, const struct sched_step *s,
              struct sched_op *op);
/* For the next operation of every parked thread of x, every earlier step
** in a race with it: a step of another thread that conflicts with it, is
** not ordered before it, and is not ordered before another such step.
** 0, or WEFT_ENOMEM. */
int dpor_races(struct dpor *d, struct exec *x, dpor_race_fn *fn, void *ctx);
/* The execution stopped at a failure of thread tid: its last step races
** with the next step of every other parked thread not ordered after it. */
void dpor_races_with_end(struct dpor *d, struct exec *x, int tid, dpor_race_fn *fn, void *ctx);
/* The execution was cut at the step bound, which stopped every thread:
** each parked thread's next step races with the latest step of another
** thread not ordered before it (it could have run there instead). */
void dpor_races_with_cut(struct dpor *d, struct exec *x, dpor_race_fn *fn, void *ctx);
/* The event whose clock thread p's clock now is (its last step, or the
** spawn that made it), or -1 (all 0). */
int32_t dpor_clock_event(const struct dpor *d, int p);
/* Thread p's last event, or -1. */
int32_t dpor_last_event(const struct dpor *d, int p);
/* The reversal of the race of step e with thread p's next operation n,
** whose clock before it was that of event base (dpor_clock_event then):
** the steps after e not ordered after it, then n, with their clocks
** (Optimal DPOR's notdep(e).n), into out:
** false without memory. *waits: a step of another thread in it conflicts
** with enabler, n as what may let it run (n itself when it could run; see
** sched_opclass.enablers), so it may have let n run. Steps from `cutoff`
** on that conflict with n come after it, and so do the steps after them
** (n could run at step cutoff and never ran: UINT32_MAX when that is not
** so). *last: the last step of the execution in it (e when none). The
** clocks stay valid until the next dpor_step or dpor_begin. */
bool dpor_reversal(struct dpor *d, uint32_t e, int p, const struct wake_op *n,
                   const struct wake_op *enabler, int32_t base, uint32_t cutoff,
                   struct wake_seq *out, bool *waits, uint32_t *last);
/* Is a step at `from` or later (and after e) by another thread than e's
** not ordered after e? If not, the reversal of a race of e takes no step
** from `from` on. */
bool dpor_unordered_from(struct dpor *d, uint32_t e, uint32_t from);
/* Thread r's next step from the state before step e, if it took it in
** this execution: its index, else -1. */
int32_t dpor_next_event(const struct dpor *d, uint32_t e, int r);
/* The same step as wakeup trees describe it: true, with *op; false if r
** took no step from there in this execution. */
bool dpor_next_step(const struct dpor *d, uint32_t e, int r, struct wake_op *op);

#endif
