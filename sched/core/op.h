/*
** op.h -- the operation contract: how a primitive describes a visible
** operation to the scheduler, the searches and the reports. The core and
** the searches know operations only through this header; they name no
** primitive.
*/
#ifndef WEFT_OP_H
#define WEFT_OP_H

#include "core/object.h"

/*
** ==========================================================================
** Adding a primitive
** ==========================================================================
** 1. Its object: a struct that begins with struct sched_obj, and a
**    sched_objclass (object.h). Create it with object_new in the execution's
**    arena; a public handle binds to it with sched_handle_bind (sched.h).
** 2. Each operation: a struct that begins with struct sched_op and holds the
**    operation's typed inputs and outputs, and one sched_opclass below that
**    says everything about it in one place: when it is enabled, what
**    applying it does, who blocks it, and how it depends on other
**    operations. enabled() and the dependence hooks only look; apply()
**    changes state; none of them switches fibers.
** 3. The public call (a macro in weft.h that records __FILE__:__LINE__)
**    fills the struct and calls sched_visible(x, &op.op). The thread parks
**    there; when sched_visible returns, apply() has run (or a partner
**    completed the operation, see below) and the outputs are filled in.
**    Misuse is reported with sched_fail at the caller's line.
** 4. Waiting for others: an operation that waits on objects lists its
**    places in their wait queues (op.waits). While it is parked it is on
**    those queues, oldest first; a primitive finds partners and waiters by
**    walking its object's queue (sched_waiters_of), never the thread
**    table. It may update its own kind of operation found there (a
**    condition variable marks a waiter signalled), and it finishes
**    another thread's operation only through sched_complete. Nothing else
**    of another thread is ever written.
** 5. Add a test per rule of its semantics (tests/test_primitives.c) and let
**    the differential generator (tests/differential.py) use it.
*/

struct exec;
struct sched_op;

/* How sure the threads a blocked operation waits for are to be the ones. */
enum sched_wait {
    WAIT_EXACT,     /* they must act: a mutex holder, a joined thread */
    WAIT_LIKELY,    /* they have used the object: a channel's other users */
    WAIT_ANYONE     /* nobody has: any live thread could */
};

/*
** Dependence flags. Two operations of different threads commute (the
** searches may run them in either order and reach the same state) unless
** both touch a common object and at least one changes it. On top of that:
*/
enum {
    OP_LOCAL   = 1 << 0,  /* touches nothing shared: commutes with everything
                             (yield, choose, sleep) */
    OP_ACQUIRE = 1 << 1,  /* takes its object: a lock; or waits for what a
                             release gives (a wait group's wait) */
    OP_RELEASE = 1 << 2,  /* gives its object back: an unlock, a wait group's
                             decrement. An acquire and a release of one object
                             by different threads are never enabled together
                             (or the release fails either way), so DPOR
                             reverses the acquire with the step before that
                             they both conflict with, never with each other */
    OP_YIELD   = 1 << 3,  /* ends a loop turn: the fairness rule watches it
                             (a yield, the wake of a sleep) */
    OP_PASSIVE = 1 << 4,  /* waiting here wakes nobody (join, wait group):
                             reports never guess such a thread as a waker */
    OP_RELEASE_2ND = 1 << 5,  /* gives its second object back (a condition
                             variable's wait releases the mutex, obj2) */
    OP_ACQUIRE_2ND = 1 << 6,  /* takes its second object (a wait's wake
                             retakes the mutex) */
    OP_SHARED  = 1 << 7,  /* a step that commutes with the others of its kind
                             though it changes state (a read lock and its
                             unlock; a semaphore acquire that leaves a permit):
                             apply sets idle when it does, which the searches
                             read as a read of its objects, and two OP_SHARED
                             steps commute when either is idle (a semaphore
                             acquire that leaves a permit commutes with the
                             one that takes the last: sched_conflict); yet
                             it is progress (fairness), and it releases into
                             obj2 when set, the side that the conflicting
                             operations acquire, never into obj, so such
                             steps do not order one another (race.c) */
    OP_GLOBAL  = 1 << 8,  /* depends on every step: a step that ends the
                             execution while detached threads could still
                             run (sched.c) */
    OP_BUFFERED = 1 << 9, /* may run while its thread's store buffer holds
                             stores (an atomic load, a buffered store); before
                             any other operation the thread drains its buffer
                             in a step of its own, as x86 does before a locked
                             instruction or a fence (sync/atomic.c) */
    OP_ENDS_ALL = 1 << 10, /* the end of the execution, which the last thread
                             not detached to return takes (with OP_GLOBAL):
                             which thread that is can be chance, so the
                             classes of executions name it by no thread */
    OP_AFTER_END = 1 << 11, /* runs only once the thread its object names has
                             returned (a join): that thread's steps all come
                             before it, so DPOR never reverses them with it.
                             Not a detach, a try-join or a timed join, which
                             the thread's steps may follow */
};

/*
** Do two steps on a common object fail to commute, given whether each only
** reads (idle, or reads_only() for one not yet taken) and is OP_SHARED?
** The one rule the sleep sets, DPOR, wakeup trees and classes use.
*/
static inline bool sched_conflict(bool a_reads, bool a_shared, bool b_reads, bool b_shared)
{
    return a_shared && b_shared ? !(a_reads || b_reads) : !(a_reads && b_reads);
}

struct sched_opclass {
    const char *verb;                 /* "lock": the step log's word */
    unsigned flags;                   /* OP_* */
    /* May op be performed now? NULL: always. It may read only the state
    ** of op's objects (sched_op_objects), op itself (a partner completed
    ** it, marked it) and its timer: the scheduler asks again only after a
    ** step that applied on one of those objects (sched.c, enabled sets). */
    bool (*enabled)(struct exec *x, struct sched_op *op);
    /* Perform op, in scheduler context. NULL: nothing changes. */
    void (*apply)(struct exec *x, struct sched_op *op);
    /* Reports, for a blocked op: the threads it waits for and how surely,
    ** and a phrase such as "wants mutex \"closeMutex\"". */
    sched_mask (*blockers)(struct exec *x, struct sched_op *op, enum sched_wait *how);
    void (*describe_wait)(const struct sched_op *op, char *buf, size_t n);
    /* Reports, for a step: what it chose among, when its note says only
    ** which one it took ("send \"out\", recv \"stop\", default" for a
    ** select). Called only while a report re-runs a schedule. */
    void (*describe_step)(const struct sched_op *op, char *buf, size_t n);
    /* Dependence, each optional. objects(): the objects op touches when
    ** they are more than op->obj and op->obj2 (a select's channels); it
    ** returns how many it wrote. reads_only(): performing op now would
    ** change nothing (a poll that would fail); two such ops commute. */
    int (*objects)(const struct sched_op *op, const struct sched_obj **objs, int max);
    /* For an op that cannot run now: the objects a step must touch to let
    ** it run (fewer than objects() when it touches more than it waits on:
    ** a timer's fire waits on the timer, yet touches the clock and what it
    ** wakes). NULL: every object it touches. */
    int (*enablers)(const struct sched_op *op, const struct sched_obj **objs, int max);
    bool (*reads_only)(struct exec *x, struct sched_op *op);
};

/* An operation's place in the wait queue of one object. */
struct waiter {
    struct sched_op *op;
    struct sched_obj *obj;
    struct waiter *prev, *next;
    int tag;                          /* the primitive's own: a select's case */
    bool queued;
};

struct sched_thread;

/*
** A timed operation's timer (a timeout, a sleep). It starts when the wait
** begins (sched_timer_start) and may fire at any time after: a real
** scheduler can delay a runnable thread for as long as it likes, so the
** search explores the timeout against every other step, and firing moves
** the clock to the deadline (never back). Under --timers=idle it fires
** only when no thread can otherwise run. Every step of a timed operation
** touches the execution's clock, so the searches order it against other
** timers and against reads of the clock.
*/
struct sched_timer {
    int64_t timeout;                  /* virtual ns from the start of the wait */
    int64_t deadline;                 /* once started: virtual ns; else -1 */
    int64_t began;                    /* the time it was started at */
    struct sched_obj *clock;          /* the execution's clock object */
    bool idle_rule;                   /* --timers=idle */
    bool fired;                       /* it timed out: that ends a loop turn */
    bool fired_at_once;               /* its deadline had passed when it began */
    unsigned starts;                  /* how often it was started: a step that
                                         ends one wait and begins the next
                                         starts it again (a write that waits
                                         for room twice) */
    int tid;                          /* the thread whose call made it */
    uint64_t made;                    /* x->timers_made when it was made */
};

/*
** A pending visible operation: the part every operation shares. It lives
** in the calling thread's frame (inside the primitive's own struct) while
** the thread is parked in sched_visible.
*/
struct sched_op {
    const struct sched_opclass *cls;
    struct sched_thread *thread;      /* who posted it (set by sched_visible) */
    struct sched_obj *obj;            /* what it acts on (may be NULL) */
    struct sched_obj *obj2;           /* a second object: a cond wait's mutex */
    struct sched_timer *timer;        /* a timed operation's, or NULL */
    struct sched_loc loc;
    uintptr_t site;                   /* the call's return address when weft has
                                         it, or 0: two calls on one line are two
                                         places to fairness (a loop turn) */
    int status;                       /* the call's result: 0 or WEFT_E* */
    bool completed;                   /* a partner completed it: apply is skipped */
    bool idle;                        /* apply changed nothing: a failed poll */
    bool stutter;                     /* apply changed nothing, though the
                                         searches order it as a change (a
                                         receive from a closed channel): no
                                         progress, for fairness */
    bool ends_turn;                   /* apply says it ends a loop turn, as a
                                         yield does (a spurious wake) */
    bool interrupted;                 /* its step ended it unperformed (a
                                         cancelled program thread, exec.h): it
                                         took and gave back nothing */
    uint8_t sync;                     /* SCHED_SYNC_*: what it orders for the race
                                         check (race.c); 0: it acquires from and
                                         releases into its objects */
    bool held;                        /* apply found that no other thread's
                                         OP_ACQUIRE of obj could have run just
                                         before this step: this thread held
                                         obj already (a recursive relock, a
                                         nested read lock), or obj had nothing
                                         left to take (a semaphore with no
                                         permit, which this release refills).
                                         DPOR never tries that order */
    bool spin_edge;                   /* set by sched_visible: a step that may
                                         begin a spin (its turn repeats a
                                         recent one) or ends one (the first
                                         step after a spinning yield). Fairness
                                         decides from the execution's history
                                         who may run around it, so the searches
                                         order it with every step, as they do
                                         an OP_GLOBAL one (sched.c, fair_threads) */
    struct waiter *waits;             /* its places in wait queues while parked */
    int nwaits;
    /* For the step log: a printf format (a string literal) taking two ints,
    ** formatted only when a report is printed, never on the hot path. */
    const char *note;
    int note_a, note_b;
};

/* sched_op.sync, for atomics weaker than seq_cst (C11's happens-before:
** race.c): a relaxed operation neither acquires nor releases, an acquire
** load does not release, a release store does not acquire. Only the
** data-race check reads it; the searches order steps by their objects. */
enum {
    SCHED_SYNC_NO_ACQUIRE = 1, SCHED_SYNC_NO_RELEASE = 2,
    SCHED_SYNC_NONE = 4               /* orders nothing at all: a step on a store
                                         buffer, whose stores carry their own
                                         clocks (sync/atomic.c) */
};

/* The primitive's own struct around an op. */
#define OP_OF(ptr, type, field) ((type *)(void *)((char *)(ptr) - offsetof(type, field)))

/* The most objects one operation may touch: a select's 64 channels, the
** offers of the selects waiting on them (sync/chan.c), its own, the clock;
** a poll's 65 sockets, each two streams and its file (sync/stream.c). */
#define SCHED_MAX_OBJS 200

/*
** The objects op acts on (obj and obj2, or what objects() lists, and the
** clock for a timed operation), each once, into objs (room for
** SCHED_MAX_OBJS); returns how many. The one definition the sleep sets,
** DPOR and the class of an execution use.
*/
int sched_op_objects_many(const struct sched_op *op, const struct sched_obj **objs);
static inline int sched_op_objects(const struct sched_op *op, const struct sched_obj **objs)
{
    int m = 0;
    if (op->cls->objects)
        return sched_op_objects_many(op, objs);
    if (op->obj)
        objs[m++] = op->obj;
    if (op->obj2 && op->obj2 != op->obj)
        objs[m++] = op->obj2;
    if (op->timer)
        objs[m++] = op->timer->clock;
    return m;
}

/*
** Is op ordered with every step, local ones too, by the searches? The end
** of a thread or of the execution (OP_GLOBAL), and a step at the edge of a
** spin (spin_edge). The classes of executions (classes.c) are of the
** program's own dependence and leave spin edges out.
*/
static inline bool sched_op_orders_all(const struct sched_op *op)
{
    return (op->cls->flags & OP_GLOBAL) || op->spin_edge;
}

/*
** Does op depend on every step? Only a timed operation under the idle
** rule (--timers=idle): its timer fires when no other thread can run, so
** any step may be the last before time moves. Searches treat it as
** conflicting with everything. (Whether a rendezvous partner waits is not
** such a case: a waiter joins the channel's queue in a step on that
** channel, chan.c.) This is the program's own dependence, which the
** classes of executions use (classes.c).
*/
static inline bool sched_op_program_global(const struct sched_op *op)
{
    return (op->cls->flags & OP_GLOBAL) ||
           (op->timer && op->timer->idle_rule && !(op->cls->flags & OP_LOCAL));
}

/* The same for the searches, which order spin edges with every step too. */
static inline bool sched_op_global(const struct sched_op *op)
{
    return op->spin_edge || sched_op_program_global(op);
}

/* Did op's step change something others may wait for (fairness)? */
static inline bool sched_op_progress(const struct sched_op *op)
{
    return (!op->idle && !op->stutter) || (op->cls->flags & OP_SHARED);
}

/* Would performing op now change nothing (its reads_only hook)? Two such
** operations commute. */
static inline bool sched_op_reads_only(struct exec *x, struct sched_op *op)
{
    return op->cls->reads_only && op->cls->reads_only(x, op);
}

/*
** Is op, not yet taken, OP_SHARED for dependence? Not while it is blocked:
** a semaphore acquire that finds no permit waits for any holder to give one
** back, so it conflicts with every acquire that took one, not only with
** the one that took the last.
*/
static inline bool sched_op_shared(struct exec *x, struct sched_op *op)
{
    return (op->cls->flags & OP_SHARED) && (!op->cls->enabled || op->cls->enabled(x, op));
}

static inline bool sched_op_local(const struct sched_op *op)
{
    return (op->cls->flags & OP_LOCAL) && !op->spin_edge;
}

#endif
