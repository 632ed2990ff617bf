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
/* From the signal handler: thread x->current crashed (overflow: it
** outgrew its stack). */
_Noreturn void sched_crashed(struct exec *x, int sig, void *addr, bool overflow);

/* From a scenario thread: the process ends here (a program's exit, or its
** main returning). While another thread is alive this is a step that
** depends on every other (the searches order it against each of theirs);
** then the other threads are stopped where they are, neither failing nor
** leaking, and the execution is over. note (static text) is the step's. */
_Noreturn void sched_exit(struct exec *x, struct sched_loc at, const char *note);

/* Inside a spawn's apply: create a thread and run its prologue to its
** first visible operation. NULL (with the failure recorded) past the limit
** or out of memory. */
struct sched_thread *sched_spawn(struct exec *x, const char *name, void (*fn)(void *),
                                 void *arg, struct sched_loc at, bool symmetric);
/* t (just spawned) is detached: nobody joins it, and the execution ends
** without it once every other thread has returned (weft.h). */
void sched_detach(struct exec *x, struct sched_thread *t);
/* The object the returns of threads not detached write once a thread was
** detached (and the spawns of such threads): which one is the last, the
** end of the execution, depends on their order. Out of memory, the
** execution fails at the step at. */
struct sched_obj *sched_returns_object(struct exec *x, struct sched_loc at);
/* Make t, just spawned, a daemon: a timer's thread. It runs like any
** other (the execution goes on while it can fire), but one that waits
** when nothing can run is neither a deadlock nor a leak: a stopped timer
** keeps no program alive. */
void sched_thread_daemon(struct exec *x, struct sched_thread *t);
/* Inside an apply: spawn a daemon that keeps nothing alive (a store
** buffer's, sync/atomic.c): the execution ends, and a program exits with
** no step of its own, as if it were not there. Its first step is the
** operation first (filled in as sched_visible would), not a start: its
** code runs after that step, and must never return. So the searches see
** at once what it will do, even in an execution that ends before it runs
** (a start would hide its next operation from DPOR's look at the parked
** threads). NULL with the failure recorded, as sched_spawn. */
struct sched_thread *sched_spawn_background(struct exec *x, const char *name,
                                            void (*fn)(void *), void *arg, struct sched_loc at,
                                            struct sched_op *first);
/* A data choice from scheduler context (a select among ready cases). */
int sched_choose_value(struct exec *x, int n);
/* Finish another thread's waiting op (a rendezvous partner, a released
** waiter): it becomes enabled and its apply is skipped. */
void sched_complete(struct exec *x, struct sched_op *op);
/* The running thread jumps out of the calls it made since mark (a signal
** handler's longjmp): the timers they made end. */
uint64_t sched_timers_mark(struct exec *x);
void sched_timers_abandon(struct exec *x, uint64_t mark);

/* The running thread's code compared a with b at pc, with outcome (-1, 0
** or 1; a switch's case): part of its loop turn (the fairness rule). */
void sched_turn_compared(struct exec *x, uintptr_t pc, uint64_t a, uint64_t b, int outcome);

/* Something outside its operation's objects changed whether t's pending
** operation can run (a cancellation request, posix/cancel.c): ask again
** before the next choice (enabled sets are kept incrementally). */
void sched_thread_changed(struct exec *x, struct sched_thread *t);

/* Virtual time: nanoseconds. Milliseconds from the API, saturated. */
static inline int64_t sched_ms_to_ns(int64_t ms)
{
    return ms > INT64_MAX / 1000000 ? INT64_MAX : ms < 0 ? -1 : ms * 1000000;
}
/* "5", "0.25", "1.000001": a time or duration in ns as milliseconds, and
** with the unit: "5ms". For reports. */
void sched_ms_text(int64_t ns, char *buf, size_t n);
void sched_time_text(int64_t ns, char *buf, size_t n);
/* A program's signal as reports name it: "SIGTERM", "SIGRTMIN+2", or
** "signal 32" (glibc's own two below SIGRTMIN). */
void sched_signal_text(int sig, char *buf, size_t n);
/* Note a duration on op's step ("5ms"), as reports will print it. */
void sched_duration_note(struct sched_op *op, int64_t ns);

/* The waiters parked on o, oldest first: for (w = ...; w; w = w->next). */
static inline struct waiter *sched_waiters_of(const struct sched_obj *o) { return o->waiters; }

static inline struct sched_thread *sched_thread(struct exec *x, int tid)
{
    return tid >= 0 && tid < x->nthreads ? x->threads[tid] : NULL;
}

/* The execution's clock, an object that timed steps and clock reads touch
** (made on first use); NULL without memory. */
struct sched_obj *sched_clock(struct exec *x);
/* Where the clock will be once made (an operation that may make it names
** it among its objects from then on). */
static inline struct sched_obj *const *sched_clock_slot(const struct exec *x) { return &x->clock; }
/* Timers (op.h). Make op timed, with a timeout of ns virtual ns; 0, or
** WEFT_ENOMEM when the clock object cannot be made. */
int sched_timer_init(struct exec *x, struct sched_op *op, struct sched_timer *t, int64_t ns);
/* In the apply of the step that begins the wait: the deadline is now + timeout. */
void sched_timer_start(struct exec *x, struct sched_timer *t);
/*
** The clock moves on its own no further than this (2^60 ns, 36 years), so
** that the program's own arithmetic on the time never overflows; a timer
** whose deadline is there or later never fires (a program's "for ever",
** {INT64_MAX, 999999999}, is a wait without a timeout).
*/
#define SCHED_TIME_HORIZON ((int64_t)1 << 60)

/*
** A kernel timer (an alarm, a POSIX timer's signal: sync/timer.c), which
** holds back every later deadline while it would go off (sched.c). due
** gives its deadline then, else -1; t is the timer asked about, which may
** be its own daemon's.
*/
struct sched_kernel_timer {
    int64_t (*due)(struct exec *x, void *arg, const struct sched_timer *t);
    void *arg;
    struct sched_kernel_timer *next;
};
/* k (in the execution's arena) is a kernel timer from now on. */
void sched_kernel_timer_add(struct exec *x, struct sched_kernel_timer *k);
/* Does a kernel timer due before t's deadline go off first (sched.c)? */
bool sched_timer_held_back(struct exec *x, const struct sched_timer *t);
/* Under the idle rule, has the clock reached the timer's deadline? */
static inline bool sched_timer_reached(const struct exec *x, const struct sched_timer *t)
{
    return t->deadline >= 0 && t->deadline < SCHED_TIME_HORIZON && x->now >= t->deadline;
}
/* May the timer fire now? Racing rule: once started, unless a kernel
** timer would go off first; idle rule: once the clock reached its
** deadline (the scheduler moves it when nothing runs). */
static inline bool sched_timer_due(struct exec *x, const struct sched_timer *t)
{
    if (!t || t->deadline < 0 || t->deadline >= SCHED_TIME_HORIZON)
        return false;
    if (t->idle_rule)
        return sched_timer_reached(x, t);
    return !x->kernel_timers || !sched_timer_held_back(x, t);
}
/* Start t with an absolute deadline (a timer made earlier, sync/timer.c);
** stop it: it may not fire until started again. */
void sched_timer_start_at(struct exec *x, struct sched_timer *t, int64_t deadline);
void sched_timer_stop(struct exec *x, struct sched_timer *t);
/* In apply, when the operation times out: the clock reaches the deadline.
** The timer ends with the step (sched.c). */
void sched_timer_fire(struct exec *x, struct sched_timer *t);
/* In apply of a timed wait that could also go ahead now (could_go): does
** its timer win? Where both may happen, which comes first is explored (a
** choice; under --timers=idle the operation wins). A timer that wins
** fires. */
bool sched_timer_wins(struct exec *x, struct sched_op *op, bool could_go);

/* Is t parked with an operation that can be performed now? */
static inline bool sched_thread_enabled(struct exec *x, struct sched_thread *t)
{
    if (t->state != T_PARKED)
        return false;
    return t->ask == NULL || t->ask(x, t->pending) || (t->interruptible && t->interrupt) ||
           t->signal_due;
}

/* The step since which t's pending operation may be interrupted (ended
** unperformed, exec.h) where it could not be performed, or UINT32_MAX: by
** a cancellation request, or for a signal's handler. */
static inline uint32_t sched_thread_interruptible_since(const struct sched_thread *t)
{
    if (t->pending->completed)
        return UINT32_MAX;
    uint32_t cancel = t->interruptible && t->interrupt ? t->interrupt_since : UINT32_MAX;
    uint32_t signal = t->signal_due ? t->signal_since : UINT32_MAX;
    return cancel < signal ? cancel : signal;
}

/* Public handles: live only in the execution that bound them. */
static inline bool sched_handle_live(const struct exec *x, const struct weft_handle_ *h)
{
    return h->impl_ != NULL && h->epoch_ == x->epoch;
}
/* The key of the object a handle at h makes: where the handle lives, named
** the same in every process that runs the schedule (sched.c). */
uint64_t sched_handle_key(struct exec *x, const void *h);
static inline void sched_handle_bind(struct exec *x, struct weft_handle_ *h, void *impl)
{
    h->impl_ = impl;
    h->epoch_ = x->epoch;
    if (impl)                         /* named by where its handle lives */
        object_rekey(x, (struct sched_obj *)impl, sched_handle_key(x, h));
}

/* Keep n bytes a program wrote to standard output (which 0) or error (1)
** in this execution, for its report (the first SCHED_OUTPUT_MAX bytes of
** each, and a count of the rest). */
void sched_output(struct exec *x, int which, const void *p, size_t n);

/* The object with that id in this execution, or NULL. */
struct sched_obj *sched_object_by_id(struct exec *x, int id);

/* Catch fatal signals in scenario threads of this OS thread while a search
** runs (crash.c); 0 or WEFT_ENOMEM. crash_leave restores what was before. */
int crash_enter(struct crash_guard *g);
void crash_leave(struct crash_guard *g);

#endif
