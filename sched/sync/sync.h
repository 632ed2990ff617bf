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
    bool stalls;                      /* a POSIX mutex: see mutex_stalls */
};

/* A POSIX lock (pthread.c): a holder that ends keeps it held and nothing
** more happens then (POSIX's PTHREAD_MUTEX_STALLED: "this can lead to
** deadlocks if no other thread can unlock the mutex"). Its end is no
** failure; a later lock waits forever and is reported as a deadlock whose
** holder returned without unlocking it. A weft scenario's own locks fail
** at the holder's return instead (weft.h). */
void mutex_stalls(weft_mutex_t *m);
void rwlock_stalls(weft_rwlock_t *rw);

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
/* mx checks its owner (error-checking or recursive) and thread tid does
** not hold it: its unlock, and a condition wait with it (posix/pthread.c),
** fail with EPERM, as POSIX and glibc have it. */
bool mutex_refuses(const struct mutex_impl *mx, int tid);

/* In the apply of the step that begins a timed wait: its timer starts at
** until, a POSIX call's absolute deadline on the virtual clock (x->now's
** ns), which holds however late the step comes (a deadline passed already
** is due at once); or, for until < 0, at now + the timer's timeout
** (weft's relative timeouts). */
/* In the apply of that step, when the object is busy: has the absolute
** deadline until (>= 0) passed? Then the call fails at once, as Linux's
** futex wait with a deadline behind it does. Read at the step, whose
** timer makes the clock one of its objects: the clock a look between steps
** read could have moved before the step came. */
static inline bool sync_deadline_passed(const struct exec *x, int64_t until)
{
    return until >= 0 && until <= x->now;
}

static inline void sync_timer_begin(struct exec *x, struct sched_timer *t, int64_t until)
{
    if (until >= 0)
        sched_timer_start_at(x, t, until);
    else
        sched_timer_start(x, t);
}

/* pthread_mutex_timedlock (posix/pthread.c): m locked, or WEFT_ETIMEDOUT
** once the virtual clock passed deadline (absolute, x->now's ns) with it
** held (the timeout races every step, as a timer does); WEFT_EDEADLK for
** an error-checking mutex its caller holds. A deadline < 0 stands for an
** invalid one: m is taken if it can be at once, else WEFT_EINVAL. From a
** scenario thread; may switch fibers. */
int mutex_timedlock_at(weft_mutex_t *m, int64_t deadline, const char *file, int line);
/* sem_timedwait and sem_clockwait: weft_sem_timedacquire with an absolute
** deadline (x->now's ns) instead of a timeout (sem.c). */
int sem_acquire_until_at(weft_sem_t *s, int64_t deadline, const char *file, int line);
/* pthread_once's routine was cancelled: the once is new again (once.c). */
void once_abandon_at(weft_once_t *o, const char *file, int line);

/* pthread_cond_signal: wake any one waiter, the choice explored (POSIX
** does not say which; weft_cond_signal wakes the oldest, as Go does). */
void cond_signal_any_at(weft_cond_t *c, const char *file, int line);

/* pthread_cond_timedwait and clockwait: weft_cond_timedwait with an
** absolute deadline (x->now's ns) instead of a timeout (cond.c). */
int cond_wait_until_at(weft_cond_t *c, weft_mutex_t *m, int64_t deadline, const char *file,
                       int line);
/* sem_post: weft_sem_release, false when s holds INT_MAX permits (Linux's
** SEM_VALUE_MAX) and keeps them: EOVERFLOW (sem.c). From a scenario
** thread; may switch fibers. */
bool sem_post_at(weft_sem_t *s, const char *file, int line);
/* sem_getvalue: the permits left, read in a step of its own (sem.c). */
int sem_value_at(weft_sem_t *s, const char *file, int line);
/* pthread_rwlock_tryrdlock and trywrlock: 0, or WEFT_EBUSY (rwlock.c). */
int rwlock_try_at(weft_rwlock_t *h, bool write, const char *file, int line);
/* clock_nanosleep with TIMER_ABSTIME: a sleep until the deadline, absolute
** on the virtual clock (x->now's ns), as weft_sleep's steps (thread.c). */
void sleep_until_at(int64_t deadline, const char *file, int line);
/* A sleep of ns: what was left of it when a program's signal handler
** ended it (posix/delivery.c), else 0. */
int64_t sleep_ns_left_at(int64_t ns, const char *file, int line);
/* pthread_rwlock_timedrdlock and timedwrlock, the deadline absolute on the
** virtual clock (x->now's ns): 0 or WEFT_ETIMEDOUT (rwlock.c; EDEADLK, when
** the caller holds it for writing, is posix/pthread.c's). */
int rwlock_timed_at(weft_rwlock_t *h, bool write, int64_t deadline, const char *file, int line);

/* Who could wake t, waiting on o that no thread owns (a channel, a
** condition variable): the other live threads that have used o, or else
** every other live thread. */
sched_mask sync_wakers(struct exec *x, const struct sched_thread *t, const struct sched_obj *o,
                       enum sched_wait *how);

/* A new object for a primitive, or the execution fails at `at` for want
** of memory (from a scenario thread). */
/* A step that reads the clock at at (site: the call's return address, or
** 0; sched_op.site); the time read. */
int64_t sync_now_ns(struct exec *x, struct sched_loc at, uintptr_t site);
void *sync_object_new(struct exec *x, const struct sched_objclass *cls, size_t size,
                      const char *name, struct sched_loc at);

/* Channels of timers and contexts (chan.c). A timer's channel has room
** for one value, and a receive from it ends a loop turn. From a scenario
** thread. */
weft_chan_t *chan_make_timer(const char *name, struct sched_loc at);
bool chan_full(const weft_chan_t *ch);
bool chan_closed(const weft_chan_t *ch);
struct sched_obj *chan_object(weft_chan_t *ch);

/*
** Channel steps made inside another primitive's step, by_op's (a timer's
** fire, a context's cancel), in scheduler context. As a channel's own
** send and close, they complete the receive or select that waits (Go
** hands a value to a waiting receiver, and its closechan commits every
** waiting select), so by_op touches the channels of the selects they
** complete: by_op lists them among its objects with chan_seen, found when
** it was applied, or, not yet applied, those it would find now.
*/
/* Send v without waiting: to the receive waiting longest, else into the
** buffer; false when the buffer is full (v is dropped). */
bool chan_offer(struct exec *x, weft_chan_t *ch, void *v, struct sched_op *by_op);
/* Close ch (a context's done channel): every waiting receive completes. */
void chan_close_by(struct exec *x, weft_chan_t *ch, struct sched_op *by_op);

/* The objects of a step that makes such channel steps. */
struct chan_seen {
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n;
    bool applied;                     /* objs holds what its apply found */
};
/* Add ch, and the channels of the selects that an offer (offer) or a
** close of ch would complete now, to seen (once each): false when they
** are more than fit. */
bool chan_seen_add(struct chan_seen *seen, weft_chan_t *ch, bool offer);
/* Add o to seen unless there: false when it does not fit. */
bool chan_seen_put(struct chan_seen *seen, const struct sched_obj *o);
/* An objects() hook's answer from seen, into objs (at most max). */
int chan_seen_objects(const struct chan_seen *seen, const struct sched_obj **objs, int max);

/* Timers (timer.c). A context's deadline is a timer that cancels it. */
struct timer_impl;
struct context_impl;
struct timer_impl *timer_for_context(struct exec *x, struct context_impl *ctx, const char *name,
                                     struct sched_loc at);
/* In the apply of the step that makes ctx: start its deadline timer;
** returns the timer's thread (NULL: the failure is recorded). */
struct sched_obj *timer_start_context(struct exec *x, struct timer_impl *tm, int64_t deadline);
/* Scheduler context: stop tm (a cancelled context's). */
void timer_halt(struct exec *x, struct timer_impl *tm);
/* A timerfd's timer (posix/io.c): each expiry adds to counter, an eventfd
** count (stream_set_counter) that the descriptor's reads take. */
struct stream;
struct timer_impl *timer_for_counter(struct exec *x, struct stream *counter, const char *name,
                                     struct sched_loc at);
/* A signal timer (posix/itimer.c): when it expires, its daemon calls
** send(arg), which sends the signal in a step of its own; it fires only
** while wanted(x, arg). Armed by timer_set. With wanted NULL it only
** expires, seen by timer_get (SIGEV_NONE): no daemon, no send. */
struct timer_impl *timer_for_signal(struct exec *x, const char *name, void (*send)(void *),
                                    bool (*wanted)(struct exec *, void *), void *arg,
                                    struct sched_loc at);
/* Visible. Arm a timerfd's or a signal timer tm to expire first ns from
** now (absolute: at first on the virtual clock, at once if that has
** passed), then every interval ns (0: once), or disarm it (first < 0); a
** timerfd's count to 0. *was_first and *was_interval: what it had left
** before (timer_get's). */
void timer_set(struct exec *x, struct timer_impl *tm, int64_t first, bool absolute,
               int64_t interval, int64_t *was_first, int64_t *was_interval, struct sched_loc at);
/* tm's expirations due by the clock and not yet in its count; in apply,
** the same taken (added by the caller), its deadline moved past them. */
uint64_t timer_counter_due(const struct timer_impl *tm);
bool timer_counter_armed(const struct timer_impl *tm);
uint64_t timer_counter_take(struct exec *x, struct timer_impl *tm);
/* Visible: a timerfd's expirations due are added to its count; *first:
** ns to the next expiry (0: disarmed), *interval its period
** (timerfd_gettime, getitimer). */
void timer_get(struct exec *x, struct timer_impl *tm, int64_t *first, int64_t *interval,
               struct sched_loc at);
/* Contexts (context.c): cancel ctx and its descendants with err (scheduler
** context); the objects a cancel of ctx touches, as objects() lists them. */
void context_cancel(struct exec *x, struct context_impl *ctx, int err, struct sched_op *by_op);
/* Add what cancelling ctx touches (chan_seen_add of its tree's done
** channels) to seen: false when it does not fit. */
bool context_seen_add(const struct context_impl *ctx, struct chan_seen *seen);

/* Atomic operations (atomic.c). */
enum sync_atomic {
    SYNC_LOAD, SYNC_STORE, SYNC_EXCHANGE, SYNC_CAS, SYNC_ADD, SYNC_AND, SYNC_OR, SYNC_XOR,
    SYNC_NAND, SYNC_SUB
};
/* An atomic's value: 1 to 16 bytes (a 16-byte compare-and-swap, as
** lock-free code with a tag beside a pointer uses). */
typedef unsigned __int128 sync_word;
/* A C11 memory order, numbered as the compiler's ThreadSanitizer hooks
** pass it (tsan.c). */
enum sync_order {
    SYNC_RELAXED, SYNC_CONSUME, SYNC_ACQUIRE, SYNC_RELEASE, SYNC_ACQ_REL, SYNC_SEQ_CST
};
/* One operation on size (1, 2, 4, 8, 16) bytes at addr, a visible step
** inside an execution, with memory order `order`; returns the value before
** it. A store weaker than seq_cst waits in the thread's store buffer. */
sync_word sync_atomic_at(volatile void *addr, int size, enum sync_atomic kind, sync_word arg,
                         sync_word expected, enum sync_order order);
/* An atomic_thread_fence(order) of instrumented code. */
void sync_atomic_fence(enum sync_order order);
/* The running thread, whose store buffer holds stores, reads or writes
** size bytes at addr plainly: when it stored to them atomically since its
** last drain, it drains first. A plain read cannot be answered from the
** buffer, and a plain write would be overwritten by the older store's
** flush; x86 would forward the store to the read, and order the write
** after it, keeping both from others a little longer (README, Limits). */
void sync_plain_access(struct exec *x, const volatile void *addr, size_t size);

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
