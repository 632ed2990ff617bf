/*
** weft.h -- the one public header of weft, a deterministic schedule explorer.
** A scenario includes this file only. It reads top-down: results and
** WEFT_SCENARIO, threads, locks, condition variables, wait groups, channels
** and select, time (timers, tickers, contexts), choices/assertions/parameters,
** memory.
*/
#ifndef WEFT_H
#define WEFT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WEFT_API __attribute__((visibility("default")))
#define WEFT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define WEFT_NORETURN __attribute__((noreturn))
#else
#define WEFT_API
#define WEFT_PRINTF(f, a)
#define WEFT_NORETURN
#endif

/*
** ==========================================================================
** Results and errors
** ==========================================================================
** Library calls return 0 or a negative WEFT_E* code. Called from outside a
** scenario thread (no exploration runs on this OS thread), the calls below
** do nothing and return WEFT_EINVAL, NULL, 0 or thread id -1.
*/
#define WEFT_OK          0
#define WEFT_ETIMEDOUT  (-1)  /* a timed wait expired */
#define WEFT_EBUSY      (-2)  /* try-lock found the mutex held */
#define WEFT_EDEADLK    (-3)  /* error-checking mutex relocked by its owner */
#define WEFT_EPERM      (-4)  /* unlock of a mutex the caller does not hold */
#define WEFT_ECLOSED    (-5)  /* receive on a closed, drained channel */
#define WEFT_EINVAL     (-6)  /* bad argument, or no exploration is running */
#define WEFT_ENOMEM     (-7)  /* out of memory */
#define WEFT_ECANCELED  (-8)  /* a context was cancelled (Go's context.Canceled) */
#define WEFT_EDEADLINE  (-9)  /* a context's deadline passed (context.DeadlineExceeded) */

/* Name of an error code, e.g. "WEFT_ETIMEDOUT: timed out". */
WEFT_API const char *weft_strerror(int code);

/* What an execution ended in; a scenario declares the one it expects. */
enum weft_result {
    WEFT_PASS = 0,        /* every thread finished, no failure */
    WEFT_DEADLOCK,        /* threads blocked forever, none can run */
    WEFT_SELF_DEADLOCK,   /* a thread locked a non-recursive mutex it holds */
    WEFT_LEAK,            /* the body returned, other threads blocked forever */
    WEFT_LIVELOCK,        /* a thread ran past the step bound, others wait */
    WEFT_ASSERTION,       /* weft_assert failed, or the API was misused */
    WEFT_CRASH,           /* a signal (segfault, abort, ...) in a thread */
    WEFT_NONDETERMINISM,  /* the same schedule ran differently twice */
    WEFT_DATA_RACE,       /* two unordered accesses to checked memory, one a write */
    WEFT_STUCK,           /* a thread blocked outside weft (a real lock, a sleep) */
    WEFT_UNSUPPORTED      /* the code did what weft cannot model yet (fork, ...) */
};
#define WEFT_RESULT_LAST WEFT_UNSUPPORTED   /* the largest result (tokens record one) */

/* "pass", "deadlock", "self-deadlock", "leak", "livelock", ... */
WEFT_API const char *weft_result_name(enum weft_result r);

/*
** ==========================================================================
** Scenarios
** ==========================================================================
** WEFT_SCENARIO(name, .summary = "...", .expect = WEFT_DEADLOCK) { body }
** defines and registers a scenario. The body runs as thread 0 ("main") of
** every execution, from fresh state: keep state in weft_alloc'd memory, or
** reset globals in .setup.
*/
/* What a pass of a scenario expected to pass needs (.accept). */
enum weft_accept {
    WEFT_ACCEPT_EXHAUSTIVE = 0,   /* every behaviour covered, no failure */
    WEFT_ACCEPT_SAMPLED           /* or a sample of min_executions, no failure */
};
#define WEFT_DEFAULT_MIN_EXECUTIONS 1000

struct weft_scenario {
    const char *name;
    const char *summary;          /* one line: what and where upstream */
    enum weft_result expect;      /* what a correct search must find */
    void (*body)(void);
    void (*setup)(void);          /* optional: runs before each execution */
    int max_steps;                /* optional: per-execution step bound */
    /* optional, nonzero: a condition variable's untimed wait may return
    ** without a signal, as POSIX allows; the searches explore such a wake
    ** wherever the mutex is free */
    int spurious_wakeups;
    const char *file;             /* set by WEFT_SCENARIO */
    int line;
    /* optional: what a pass needs (--accept overrides it). By default the
    ** search must cover every behaviour; WEFT_ACCEPT_SAMPLED also accepts a
    ** search that could not (pct, random, auto after its time ran out)
    ** once it ran min_executions without a failure (0: 1000) */
    enum weft_accept accept;
    uint64_t min_executions;
};

WEFT_API void weft_register(const struct weft_scenario *s);

#define WEFT_SCENARIO(NAME, ...)                                          \
    static void NAME##_body_(void);                                       \
    static const struct weft_scenario NAME##_desc_ = {                    \
        .name = #NAME, .body = NAME##_body_,                              \
        .file = __FILE__, .line = __LINE__, __VA_ARGS__ };                \
    __attribute__((constructor)) static void NAME##_register_(void)       \
    { weft_register(&NAME##_desc_); }                                     \
    static void NAME##_body_(void)

/*
** ==========================================================================
** Threads
** ==========================================================================
** Green threads: a thread stops just before each visible operation (every
** call below marked "Visible"), and weft decides who goes next. Code
** between visible operations runs without interruption: it is atomic.
*/
typedef struct { int id; } weft_thread_t;

/* Start fn(arg) in a new thread called name ("name#2" in reports for the
** second of that name, and so on). Visible. As many threads as memory
** holds (each has its own stack, --stack-size). */
#define weft_spawn(name, fn, arg) weft_spawn_at((name), (fn), (arg), __FILE__, __LINE__)
/* Wait until t has returned: 0, or WEFT_EINVAL at once if t is detached.
** Visible; blocks. */
#define weft_join(t)              weft_join_at((t), __FILE__, __LINE__)
/* Let others run; a loop that polls must yield (or sleep) each turn. */
#define weft_yield()              weft_yield_at(__FILE__, __LINE__)

/* As weft_spawn, for threads that are interchangeable: every thread spawned
** symmetric with the same fn and arg behaves alike, so weft explores one
** order of their first steps instead of all (symmetry reduction). Visible. */
#define weft_spawn_symmetric(name, fn, arg) \
    weft_spawn_symmetric_at((name), (fn), (arg), __FILE__, __LINE__)

/*
** As weft_spawn, for a thread that nobody joins: a goroutine (`go f()`), or
** pthread_create followed by pthread_detach. The execution ends, as a
** process exits, once the scenario body and every thread not detached have
** returned; detached threads still running or blocked then are stopped,
** which is neither a failure nor a leak. Before that end they run like any
** thread, and the searches also try them before it (each return of a
** thread not detached is then a step, "end", and the end of the execution
** another, "return"). A detached thread that
** fails while it runs (an assertion, a crash, a lock it returns holding)
** fails the execution; one blocked while the body itself cannot finish is
** part of the deadlock. weft_join of a detached thread returns WEFT_EINVAL.
** Visible.
*/
#define weft_spawn_detached(name, fn, arg) \
    weft_spawn_detached_at((name), (fn), (arg), __FILE__, __LINE__)

WEFT_API weft_thread_t weft_spawn_at(const char *name, void (*fn)(void *), void *arg,
                                     const char *file, int line);
WEFT_API weft_thread_t weft_spawn_detached_at(const char *name, void (*fn)(void *), void *arg,
                                              const char *file, int line);
WEFT_API weft_thread_t weft_spawn_symmetric_at(const char *name, void (*fn)(void *), void *arg,
                                               const char *file, int line);
WEFT_API int weft_join_at(weft_thread_t t, const char *file, int line);

/* Detach t after its spawn (pthread_detach): from then on it is a thread
** nobody joins, as with weft_spawn_detached, and a join of it returns
** WEFT_EINVAL; a thread that already returned is simply forgotten. 0, or
** WEFT_EINVAL if t was detached already. Detaching a thread that another
** thread is waiting to join is undefined in POSIX: a failure here. Visible:
** it changes when the execution may end, so it is ordered against every
** other step. */
#define weft_detach(t) weft_detach_at((t), __FILE__, __LINE__)
WEFT_API int weft_detach_at(weft_thread_t t, const char *file, int line);
WEFT_API void weft_yield_at(const char *file, int line);
/* The calling thread. Not visible. */
WEFT_API weft_thread_t weft_self(void);

/*
** Handles. Locks, condition variables and wait groups are plain structs that
** may sit in weft_calloc'd memory: all-zero is a valid, unnamed object. Their
** fields are private. Naming one (the _init calls) makes reports readable.
*/
struct weft_handle_ { void *impl_; uint64_t epoch_; };

/*
** ==========================================================================
** Mutexes
** ==========================================================================
*/
enum weft_mutex_kind {
    WEFT_MUTEX_NORMAL = 0,   /* relock by the owner is a self-deadlock */
    WEFT_MUTEX_RECURSIVE,    /* the owner may lock again; unlock as often */
    WEFT_MUTEX_ERRORCHECK,   /* relock returns WEFT_EDEADLK */
    WEFT_MUTEX_GO            /* Go's sync.Mutex: not owned. Any thread may unlock
                                it; a relock by the holder blocks (until another
                                thread unlocks); a holder may return holding it */
};
typedef struct { struct weft_handle_ h_; } weft_mutex_t;

/* Name m and choose its kind (optional: zeroed memory is a normal mutex). */
#define weft_mutex_init(m, name, kind) weft_mutex_init_at((m), (name), (kind), __FILE__, __LINE__)
WEFT_API void weft_mutex_init_at(weft_mutex_t *m, const char *name, enum weft_mutex_kind kind,
                                 const char *file, int line);
/* Acquire m; blocks while another thread holds it. Visible. */
#define weft_mutex_lock(m)    weft_mutex_lock_at((m), __FILE__, __LINE__)
/* Acquire m if free: 0, else WEFT_EBUSY. Visible; never blocks. */
#define weft_mutex_trylock(m) weft_mutex_trylock_at((m), __FILE__, __LINE__)
/* Release m. Visible. Releasing an error-checking or recursive mutex one
** does not hold returns WEFT_EPERM (no step); releasing another kind is
** reported (a Go mutex: releasing one nobody holds). A spawned thread
** that returns still holding a lock it owns (a mutex other than a Go
** mutex, a read or write hold of a rwlock) fails the execution
** (WEFT_ASSERTION), naming the lock and where it was taken; the scenario
** body may return holding locks. */
#define weft_mutex_unlock(m)  weft_mutex_unlock_at((m), __FILE__, __LINE__)

WEFT_API int weft_mutex_lock_at(weft_mutex_t *m, const char *file, int line);
WEFT_API int weft_mutex_trylock_at(weft_mutex_t *m, const char *file, int line);
WEFT_API int weft_mutex_unlock_at(weft_mutex_t *m, const char *file, int line);

/*
** ==========================================================================
** Read-write locks
** ==========================================================================
** Any number of readers, or one writer. The policy, chosen at init, says
** who goes first when both wait:
**  - WEFT_RWLOCK_WRITER_PREFERRING (zeroed memory; Go's sync.RWMutex): a
**    writer's lock announces it at once and then waits for the readers
**    inside to leave; from the announcement on, every new read lock
**    blocks, including one from a thread that already holds a read lock
**    (so a recursive read lock can deadlock behind a waiting writer).
**    Writers queue for the lock among themselves like a mutex.
**  - WEFT_RWLOCK_READER_PREFERRING (glibc's default): a read lock is
**    granted whenever no writer holds the lock; a writer waits until no
**    reader holds or waits.
** Under both, the readers blocked while a writer held the lock get it
** when the writer unlocks, before any other writer. Read locks and read
** unlocks of different threads commute (the searches treat them as
** independent); a write lock or unlock conflicts with both. Each unlock
** must come from the thread that locked; relocking for writing while one
** holds the lock, or reading while one holds it for writing, is a
** self-deadlock.
*/
enum weft_rwlock_policy {
    WEFT_RWLOCK_WRITER_PREFERRING = 0,
    WEFT_RWLOCK_READER_PREFERRING
};
typedef struct { struct weft_handle_ h_; } weft_rwlock_t;

#define weft_rwlock_init(rw, name, policy) \
    weft_rwlock_init_at((rw), (name), (policy), __FILE__, __LINE__)
WEFT_API void weft_rwlock_init_at(weft_rwlock_t *rw, const char *name,
                                  enum weft_rwlock_policy policy, const char *file, int line);
/* Take / release a read hold. Visible; rlock blocks as the policy says. */
#define weft_rwlock_rlock(rw)   weft_rwlock_op_at((rw), 0, __FILE__, __LINE__)
#define weft_rwlock_runlock(rw) weft_rwlock_op_at((rw), 1, __FILE__, __LINE__)
/* Take / release the write hold. Visible; lock blocks as the policy says. */
#define weft_rwlock_lock(rw)    weft_rwlock_op_at((rw), 2, __FILE__, __LINE__)
#define weft_rwlock_unlock(rw)  weft_rwlock_op_at((rw), 3, __FILE__, __LINE__)
WEFT_API void weft_rwlock_op_at(weft_rwlock_t *rw, int which, const char *file, int line);

/*
** ==========================================================================
** Condition variables, semaphores, wait groups, once, barriers
** ==========================================================================
** Condition variables wake waiters in FIFO order (like Go's sync.Cond).
** Waiting needs the mutex locked; with a Go mutex (WEFT_MUTEX_GO) it may
** be locked by another thread, as Go's Cond.Wait allows: the wait unlocks
** it and the waiter holds it when the wait returns.
** Wait groups follow Go's sync.WaitGroup.
*/
typedef struct { struct weft_handle_ h_; } weft_cond_t;
typedef struct { struct weft_handle_ h_; } weft_waitgroup_t;

#define weft_cond_init(c, name) weft_cond_init_at((c), (name), __FILE__, __LINE__)
WEFT_API void weft_cond_init_at(weft_cond_t *c, const char *name, const char *file, int line);
/* Release m, wait for a signal, reacquire m. Visible; blocks. */
#define weft_cond_wait(c, m)          weft_cond_timedwait_at((c), (m), -1, __FILE__, __LINE__)
/* As wait, but gives up after ms of virtual time: 0 or WEFT_ETIMEDOUT. */
#define weft_cond_timedwait(c, m, ms) weft_cond_timedwait_at((c), (m), (ms), __FILE__, __LINE__)
/* Wake the oldest waiter / every waiter. Visible. */
#define weft_cond_signal(c)           weft_cond_signal_at((c), 0, __FILE__, __LINE__)
#define weft_cond_broadcast(c)        weft_cond_signal_at((c), 1, __FILE__, __LINE__)

WEFT_API int weft_cond_timedwait_at(weft_cond_t *c, weft_mutex_t *m, int64_t ms,
                                    const char *file, int line);
WEFT_API void weft_cond_signal_at(weft_cond_t *c, int all, const char *file, int line);

#define weft_waitgroup_init(wg, name) weft_waitgroup_init_at((wg), (name), __FILE__, __LINE__)
WEFT_API void weft_waitgroup_init_at(weft_waitgroup_t *wg, const char *name,
                                     const char *file, int line);
/* Add delta (may be negative) to the counter. Visible. */
#define weft_waitgroup_add(wg, n) weft_waitgroup_add_at((wg), (n), __FILE__, __LINE__)
#define weft_waitgroup_done(wg)   weft_waitgroup_add_at((wg), -1, __FILE__, __LINE__)
/* Block until the counter is zero. Visible. */
#define weft_waitgroup_wait(wg)   weft_waitgroup_wait_at((wg), __FILE__, __LINE__)
/* add(1), then spawn fn(arg) as a thread that calls done when it returns
** (Go's WaitGroup.Go). Reports then name the threads a waiter waits for. */
#define weft_waitgroup_go(wg, name, fn, arg) \
    weft_waitgroup_go_at((wg), (name), (fn), (arg), __FILE__, __LINE__)

/*
** Counting semaphores (POSIX sem_t, or a Go buffered channel used as one).
** Zeroed memory is a semaphore with 0 permits. A blocked acquire is not
** queued: when a permit comes back, which waiter gets it is explored.
** Two plain acquires commute unless both would take the last permit (N
** threads that each take one of N permits are one execution); releases,
** try-acquires and timed acquires conflict with every other operation.
*/
typedef struct { struct weft_handle_ h_; } weft_sem_t;

/* Name s and give it permits (>= 0). Not visible: do it before sharing s. */
#define weft_sem_init(s, name, permits) weft_sem_init_at((s), (name), (permits), __FILE__, __LINE__)
WEFT_API void weft_sem_init_at(weft_sem_t *s, const char *name, int permits,
                               const char *file, int line);
/* Take a permit; blocks while there is none. Visible. */
#define weft_sem_acquire(s)          weft_sem_acquire_at((s), -1, __FILE__, __LINE__)
/* Take a permit if there is one: 0, else WEFT_EBUSY. Visible; never blocks. */
#define weft_sem_tryacquire(s)       weft_sem_acquire_at((s), 0, __FILE__, __LINE__)
/* As acquire, but gives up after ms (> 0) of virtual time: 0 or WEFT_ETIMEDOUT.
** The timer races every other step, as a condition's timed wait does. */
#define weft_sem_timedacquire(s, ms) weft_sem_acquire_at((s), (ms), __FILE__, __LINE__)
/* Give a permit back (any thread may). Visible. One past INT_MAX permits
** fails the execution (WEFT_ASSERTION). */
#define weft_sem_release(s)          weft_sem_release_at((s), __FILE__, __LINE__)
WEFT_API int weft_sem_acquire_at(weft_sem_t *s, int64_t ms, const char *file, int line);
WEFT_API void weft_sem_release_at(weft_sem_t *s, const char *file, int line);

WEFT_API void weft_waitgroup_add_at(weft_waitgroup_t *wg, int delta, const char *file, int line);
WEFT_API void weft_waitgroup_wait_at(weft_waitgroup_t *wg, const char *file, int line);
WEFT_API weft_thread_t weft_waitgroup_go_at(weft_waitgroup_t *wg, const char *name,
                                            void (*fn)(void *), void *arg,
                                            const char *file, int line);

/*
** Once (Go's sync.Once, pthread_once): the first thread to call
** weft_once_do runs fn(arg); every later call waits until that call has
** returned, then returns without running fn. Calling it again from inside
** fn is a self-deadlock. Zeroed memory is a once not yet done.
*/
typedef struct { struct weft_handle_ h_; } weft_once_t;
/* Name o (optional). Not visible. */
#define weft_once_init(o, name) weft_once_init_at((o), (name), __FILE__, __LINE__)
WEFT_API void weft_once_init_at(weft_once_t *o, const char *name, const char *file, int line);
/* Visible: one step, and one more ("done") when it ran fn. */
#define weft_once_do(o, fn, arg) weft_once_do_at((o), (fn), (arg), __FILE__, __LINE__)
WEFT_API void weft_once_do_at(weft_once_t *o, void (*fn)(void *), void *arg,
                              const char *file, int line);

/*
** Barriers (pthread_barrier_t): weft_barrier_wait blocks until `parties`
** threads have called it, then releases them all, and the barrier is ready
** for the next round. It returns 1 in the thread whose arrival completed
** the round and 0 in the others. Arrivals conflict with one another (the
** order decides who completes the round); passing commutes.
*/
typedef struct { struct weft_handle_ h_; } weft_barrier_t;
/* Name b and set its parties (>= 1). Required before the first wait. */
#define weft_barrier_init(b, name, parties) \
    weft_barrier_init_at((b), (name), (parties), __FILE__, __LINE__)
WEFT_API void weft_barrier_init_at(weft_barrier_t *b, const char *name, int parties,
                                   const char *file, int line);
/* Arrive and wait for the round to complete. Visible: "arrive", then
** "pass" in every thread but the last to arrive. */
#define weft_barrier_wait(b) weft_barrier_wait_at((b), __FILE__, __LINE__)
WEFT_API int weft_barrier_wait_at(weft_barrier_t *b, const char *file, int line);

/*
** ==========================================================================
** Channels and select
** ==========================================================================
** Go channels carrying void * values. Capacity 0 is a rendezvous. Sending on
** a closed channel, or closing one twice, is reported (Go panics).
*/
typedef struct weft_chan weft_chan_t;

/* A new channel, freed with the execution. Not visible. */
#define weft_chan_make(name, capacity) weft_chan_make_at((name), (capacity), __FILE__, __LINE__)
WEFT_API weft_chan_t *weft_chan_make_at(const char *name, int capacity, const char *file, int line);
/* Send v; blocks until buffered or received. Visible. */
#define weft_chan_send(ch, v)   weft_chan_send_at((ch), (v), __FILE__, __LINE__)
/* Receive into *out (may be NULL): 0, or WEFT_ECLOSED once closed and drained. */
#define weft_chan_recv(ch, out) weft_chan_recv_at((ch), (out), -1, __FILE__, __LINE__)
/* As recv, but gives up after ms of virtual time with WEFT_ETIMEDOUT. */
#define weft_chan_recv_timeout(ch, out, ms) weft_chan_recv_at((ch), (out), (ms), __FILE__, __LINE__)
/* Close; wakes every receiver. Visible. */
#define weft_chan_close(ch)     weft_chan_close_at((ch), __FILE__, __LINE__)

WEFT_API void weft_chan_send_at(weft_chan_t *ch, void *v, const char *file, int line);
WEFT_API int weft_chan_recv_at(weft_chan_t *ch, void **out, int64_t ms, const char *file, int line);
WEFT_API void weft_chan_close_at(weft_chan_t *ch, const char *file, int line);

enum weft_select_dir { WEFT_SEND = 1, WEFT_RECV = 2 };
struct weft_select_case {
    enum weft_select_dir dir;
    weft_chan_t *ch;
    void *send;          /* WEFT_SEND: value to send */
    void **recv;         /* WEFT_RECV: where to store the value (or NULL) */
    int closed;          /* WEFT_RECV: set to 1 when the channel was closed */
};
#define WEFT_SELECT_BLOCK   (-1)  /* timeout argument: wait for a case forever */
#define WEFT_SELECT_DEFAULT (-2)  /* result: no case was ready (timeout 0) */
#define WEFT_SELECT_TIMEOUT (-3)  /* result: the timeout expired */

/* Wait until one case can proceed and perform it; returns its index. When
** several are ready the choice among them is explored. timeout_ms 0 is Go's
** default case, WEFT_SELECT_BLOCK waits forever. Visible. */
#define weft_select(cases, n, timeout_ms) \
    weft_select_at((cases), (n), (timeout_ms), __FILE__, __LINE__)
WEFT_API int weft_select_at(struct weft_select_case *cases, int n, int64_t timeout_ms,
                            const char *file, int line);

/*
** ==========================================================================
** Atomics
** ==========================================================================
** A 64-bit cell with sequentially consistent operations, as Go's
** sync/atomic and C11's seq_cst atomics; a pointer goes through intptr_t.
** Each operation is visible. All-zero is a cell holding 0; the value lives
** with the execution, like a mutex's state, so a cell left in a global
** starts again from 0 (or its init value) in every execution.
*/
typedef struct { struct weft_handle_ h_; } weft_atomic_t;

/* Name a and set its value (optional). Not visible: do it before sharing a. */
#define weft_atomic_init(a, name, v)     weft_atomic_init_at((a), (name), (v), __FILE__, __LINE__)
/* The value. Visible; two loads commute. */
#define weft_atomic_load(a)              weft_atomic_load_at((a), __FILE__, __LINE__)
/* Set the value. Visible. */
#define weft_atomic_store(a, v)          weft_atomic_store_at((a), (v), __FILE__, __LINE__)
/* Set the value; returns the one before. Visible. */
#define weft_atomic_exchange(a, v)       weft_atomic_exchange_at((a), (v), __FILE__, __LINE__)
/* If the value is expected, set it to desired and return 1; else 0. Visible. */
#define weft_atomic_cas(a, expected, desired)     weft_atomic_cas_at((a), (expected), (desired), __FILE__, __LINE__)
/* Add (subtract, and, or) v; returns the value before. Visible. */
#define weft_atomic_fetch_add(a, v)      weft_atomic_fetch_add_at((a), (v), __FILE__, __LINE__)
#define weft_atomic_fetch_sub(a, v)      weft_atomic_fetch_sub_at((a), (v), __FILE__, __LINE__)
#define weft_atomic_fetch_and(a, v)      weft_atomic_fetch_and_at((a), (v), __FILE__, __LINE__)
#define weft_atomic_fetch_or(a, v)       weft_atomic_fetch_or_at((a), (v), __FILE__, __LINE__)

WEFT_API void weft_atomic_init_at(weft_atomic_t *a, const char *name, int64_t v,
                                  const char *file, int line);
WEFT_API int64_t weft_atomic_load_at(weft_atomic_t *a, const char *file, int line);
WEFT_API void weft_atomic_store_at(weft_atomic_t *a, int64_t v, const char *file, int line);
WEFT_API int64_t weft_atomic_exchange_at(weft_atomic_t *a, int64_t v, const char *file, int line);
WEFT_API int weft_atomic_cas_at(weft_atomic_t *a, int64_t expected, int64_t desired,
                                const char *file, int line);
WEFT_API int64_t weft_atomic_fetch_add_at(weft_atomic_t *a, int64_t v, const char *file, int line);
WEFT_API int64_t weft_atomic_fetch_sub_at(weft_atomic_t *a, int64_t v, const char *file, int line);
WEFT_API int64_t weft_atomic_fetch_and_at(weft_atomic_t *a, int64_t v, const char *file, int line);
WEFT_API int64_t weft_atomic_fetch_or_at(weft_atomic_t *a, int64_t v, const char *file, int line);

/*
** ==========================================================================
** Virtual time
** ==========================================================================
** Time is per execution and virtual, in nanoseconds; nothing waits in real
** time. A timer (a sleep, a timeout) may fire at any point after it starts,
** as on a real machine, which can delay a runnable thread for as long as it
** likes: the search explores each timeout against every other step, and a
** firing moves the clock to its deadline. With --timers=idle a timer fires
** only when no thread can otherwise run (faster, but it misses behaviours).
*/
/* Sleep for ms milliseconds, or ns nanoseconds, of virtual time. Visible:
** two steps, "sleep" then "wake" when its timer fires. */
#define weft_sleep(ms)    weft_sleep_at((ms), __FILE__, __LINE__)
#define weft_sleep_ns(ns) weft_sleep_ns_at((ns), __FILE__, __LINE__)
WEFT_API void weft_sleep_at(int64_t ms, const char *file, int line);
WEFT_API void weft_sleep_ns_at(int64_t ns, const char *file, int line);
/* Virtual time since the execution started, in ms or ns. Visible: a read of
** the clock, which firing timers move. */
#define weft_now()    weft_now_at(__FILE__, __LINE__)
#define weft_now_ns() weft_now_ns_at(__FILE__, __LINE__)
WEFT_API int64_t weft_now_at(const char *file, int line);
WEFT_API int64_t weft_now_ns_at(const char *file, int line);

/*
** Timers and tickers (Go's time package). A timer fires once, ms of
** virtual time after it is made (or reset); a ticker fires every ms. Each
** fires as a step of a thread of its own named "timer NAME", so the firing
** races every other step as a sleep's wake does: it may come at any step
** once due (so a later timer may fire first), and it moves the clock to
** its deadline, never back. Under --timers=idle it waits until nothing
** else can run. A timer waiting to fire keeps the execution going (timers
** still pending when every other thread has finished fire then); one that
** is stopped is not reported as blocked.
**  - weft_timer_make (time.NewTimer): fires by sending the virtual time in
**    ns ((void *)(intptr_t)ns) on its channel, weft_timer_chan(t), which
**    holds one value; a value that finds the channel full is dropped.
**  - weft_after (time.After): the channel of a new timer.
**  - weft_after_func (time.AfterFunc): fires by starting fn(arg) in a new
**    thread called name; it has no channel.
**  - weft_ticker_make (time.NewTicker, ms > 0): sends the time on its
**    channel (room for one) every ms. While the channel is full it does
**    not tick: the ticks it would send are dropped, as Go drops them, and
**    when there is room it ticks once, and next at the first period after.
** Receiving from a timer's or ticker's channel ends a loop turn (as a
** sleep's wake does, for the fairness rule), and a select in a loop whose
** turns repeat takes a ready case other than a timer's channel or a closed
** channel when there is one, else the next after the one it took last (Go picks
** among ready cases at random: a case that stays ready is taken in the
** end), so a ticker cannot starve a stop signal forever. The
** objects live until the execution ends. Making, stopping and resetting
** are visible steps; do not send on a timer's channel.
*/
typedef struct weft_timer weft_timer_t;

#define weft_timer_make(name, ms) \
    weft_timer_make_at((name), (ms), 0, NULL, NULL, __FILE__, __LINE__)
#define weft_after(ms) \
    weft_timer_chan(weft_timer_make_at("After", (ms), 0, NULL, NULL, __FILE__, __LINE__))
#define weft_after_func(name, ms, fn, arg) \
    weft_timer_make_at((name), (ms), 0, (fn), (arg), __FILE__, __LINE__)
#define weft_ticker_make(name, ms) \
    weft_timer_make_at((name), (ms), 1, NULL, NULL, __FILE__, __LINE__)
/* Stop t: 1 if that prevented a firing (the timer was running), 0 if it
** had fired or was stopped. For an after-func, 0 once its function started
** (its thread exists); stop does not wait for it. A ticker stops ticking. */
#define weft_timer_stop(t)      weft_timer_control_at((t), -1, __FILE__, __LINE__)
/* Start t again to fire ms from now (a ticker: every ms, ms > 0); 1 if it
** was running. A value already in its channel stays there. */
#define weft_timer_reset(t, ms) weft_timer_control_at((t), (ms), __FILE__, __LINE__)

WEFT_API weft_timer_t *weft_timer_make_at(const char *name, int64_t ms, int ticker,
                                          void (*fn)(void *), void *arg,
                                          const char *file, int line);
/* The channel a timer or ticker sends on; NULL for an after-func. */
WEFT_API weft_chan_t *weft_timer_chan(weft_timer_t *t);
WEFT_API int weft_timer_control_at(weft_timer_t *t, int64_t ms, const char *file, int line);

/*
** Contexts (Go's context.Context): cancellation flowing from a parent to
** its children. NULL is the background context (no parent, never done).
** A context is done once cancelled, or when its deadline passes (a timer,
** as above, that cancels it), or when its parent is done: then its done
** channel is closed (a receive returns WEFT_ECLOSED, a select case on it
** is ready) and its error says why. A child's deadline is the earlier of
** its parent's and its own. A tree of contexts holds at most 30. Use the
** done channel in weft_select beside channels and timers' channels.
*/
typedef struct weft_context weft_context_t;

/* A child of parent (NULL: the background) that a cancel ends. Visible. */
#define weft_context_with_cancel(parent, name) \
    weft_context_make_at((parent), (name), -1, __FILE__, __LINE__)
/* As with_cancel, and done with WEFT_EDEADLINE ms from now (0: at once).
** Visible. */
#define weft_context_with_timeout(parent, name, ms) \
    weft_context_make_at((parent), (name), (ms), __FILE__, __LINE__)
/* Cancel ctx and its descendants (their error: WEFT_ECANCELED) unless
** done already; stops its deadline's timer. Visible. */
#define weft_context_cancel(ctx) weft_context_cancel_at((ctx), __FILE__, __LINE__)
/* Why ctx is done: 0 (not done), WEFT_ECANCELED or WEFT_EDEADLINE. Visible. */
#define weft_context_err(ctx)    weft_context_err_at((ctx), __FILE__, __LINE__)

WEFT_API weft_context_t *weft_context_make_at(weft_context_t *parent, const char *name,
                                              int64_t timeout_ms, const char *file, int line);
WEFT_API void weft_context_cancel_at(weft_context_t *ctx, const char *file, int line);
WEFT_API int weft_context_err_at(weft_context_t *ctx, const char *file, int line);
/* The channel closed when ctx is done (Go's ctx.Done()). Not visible. */
WEFT_API weft_chan_t *weft_context_done(weft_context_t *ctx);
/* Its deadline, in virtual ms since the execution started, or -1. Not visible. */
WEFT_API int64_t weft_context_deadline(weft_context_t *ctx);

/*
** ==========================================================================
** Choices, assertions, parameters
** ==========================================================================
*/
/* A value in [0, n) chosen by the explorer; every value is explored. Visible. */
#define weft_choose(n) weft_choose_at((n), __FILE__, __LINE__)
WEFT_API int weft_choose_at(int n, const char *file, int line);

/* Fail the execution when cond is false, with an optional printf-style
** message (a string literal): weft_assert(x > 0) or weft_assert(x > 0,
** "x is %d", x). A failed assertion ends the execution there. */
#define weft_assert(cond, ...) \
    ((cond) ? (void)0 : weft_fail_at(#cond, __FILE__, __LINE__, " " __VA_ARGS__))
WEFT_API WEFT_NORETURN void weft_fail_at(const char *expr, const char *file, int line,
                                         const char *fmt, ...) WEFT_PRINTF(4, 5);

/* --param key=value from the command line, or fallback. */
WEFT_API int weft_param_int(const char *key, int fallback);

/*
** ==========================================================================
** Memory
** ==========================================================================
** Per-execution allocation: zeroed, and freed when the execution ends. A
** size that cannot be allocated fails the execution at the caller's line;
** these never return NULL inside an execution.
*/
#define weft_alloc(size)         weft_alloc_at((size), __FILE__, __LINE__)
#define weft_calloc(count, size) weft_calloc_at((count), (size), __FILE__, __LINE__)
WEFT_API void *weft_alloc_at(size_t size, const char *file, int line);
WEFT_API void *weft_calloc_at(size_t count, size_t size, const char *file, int line);

/*
** Checked memory. Plain loads and stores are not visible operations; weft
** checks them instead: two accesses by different threads, at least one a
** write, that no synchronisation orders (a lock, a channel, a join, an
** atomic, ...) are a data race, and the execution fails with
** WEFT_DATA_RACE, naming both threads and both lines. Mark the shared
** variables of a scenario: WEFT_READ(x) is x's value, WEFT_WRITE(x, v)
** stores v in x; or run a scenario file with --memory=all to have every
** load and store checked. Neither is a scheduling point: a program without
** data races behaves as if memory changed only between visible operations.
*/
#define WEFT_READ(lv)                                                              \
    (weft_access_at(&(lv), sizeof(lv), 0, #lv, __FILE__, __LINE__), (lv))
#define WEFT_WRITE(lv, v)                                                          \
    (weft_access_at(&(lv), sizeof(lv), 1, #lv, __FILE__, __LINE__), (lv) = (v))
WEFT_API void weft_access_at(const volatile void *addr, size_t size, int write,
                             const char *name, const char *file, int line);

/*
** ==========================================================================
** Embedding: explore from your own program
** ==========================================================================
** weft_explore runs what `weft run` runs for one scenario (search, shrink,
** report) and returns the outcome. It may be called from several OS threads
** at once, each exploring its own scenario; scenarios must then keep their
** state in weft_alloc'd memory, not in globals. To link a whole test program
** instead, see weft-main in the README.
*/
struct weft_options {
    const char *strategy;         /* "auto" (the default), "dpor", "dfs", "bounded",
                                     "pct" or "random" */
    uint64_t executions;          /* at most this many (0: no bound; pct, random: 1000) */
    double time_limit;            /* seconds (0: none) */
    uint64_t seed;                /* pct, random */
    int depth;                    /* pct: the bug depth */
    int max_preemptions;          /* dfs, bounded: the bound, -1 for none */
    int max_steps;                /* per execution; 0: the scenario's, else 10000 */
    int timers_idle;              /* timers fire only when every thread waits */
    int shrink;                   /* minimise a failure before reporting it */
    const char *const *params;    /* "key=value" strings, value a decimal int,
                                     NULL-terminated; or NULL */
    int exact_spins;              /* order each spin with every step (weft run
                                     --spin-order exact): slower where threads
                                     poll, but merges no order around a spin */
    int sc_atomics;               /* a program's atomics weaker than seq_cst run
                                     as seq_cst (weft run --memory-model sc);
                                     0: their stores wait in a store buffer, as
                                     on x86 */
    int reorder_stores;           /* ... and stores to different places may
                                     reach memory in another order, as C11
                                     allows (weft run --memory-model pso) */
};

/* What weft run would print, as data. */
struct weft_outcome {
    enum weft_result result;      /* what was found; WEFT_PASS: nothing */
    int as_expected;              /* the scenario's .expect was met */
    int exhaustive;               /* every class of interleavings was run */
    uint64_t executions, pruned, cut;
    char *schedule;               /* a failure's replay token, else NULL */
    char *report;                 /* the report and summary as text */
    int spins_merged;             /* exhaustive, but orders of steps around a
                                     spin that fairness held back may have been
                                     merged (see exact_spins) */
    int loops_held;               /* exhaustive, but a loop whose values kept
                                     changing was held back after 16 turns */
    int atomics_as_sc;            /* exhaustive, but atomics weaker than seq_cst
                                     ran as seq_cst (sc_atomics) */
    int relaxed_as_x86;           /* exhaustive, but relaxed atomics were
                                     reordered only as x86 reorders them */
    int relaxed_loads_in_order;   /* exhaustive (reorder_stores), but relaxed
                                     atomic loads were kept in order */
};

/* The defaults of `weft run`: auto, 60 s, seed 1, depth 3, shrinking on. */
WEFT_API void weft_options_default(struct weft_options *o);
/* Explore s: 0, WEFT_EINVAL (unknown strategy or malformed parameter) or
** WEFT_ENOMEM. On 0, free *out with weft_outcome_free. */
WEFT_API int weft_explore(const struct weft_scenario *s, const struct weft_options *o,
                          struct weft_outcome *out);
WEFT_API void weft_outcome_free(struct weft_outcome *out);
/* A scenario registered in this process (WEFT_SCENARIO), or NULL. */
WEFT_API const struct weft_scenario *weft_scenario_named(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* WEFT_H */
