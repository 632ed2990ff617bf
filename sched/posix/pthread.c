/*
** pthread.c -- POSIX threads, mutexes, condition variables, read-write
** locks, once, barriers and semaphores on weft's primitives (sync/).
**
** A weft handle (16 bytes) lives inside the pthread object it stands for,
** where glibc's layout leaves room: bound on first use in an execution
** (the handle's epoch tells a stale one), so a static initialiser, a
** global restored before each execution and a fresh heap block all work
** alike. A pthread_once_t has no room: its weft once is found by address;
** a named semaphore lives in the execution's arena.
** pthread_t is a weft thread id plus one (0 is no thread).
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <limits.h>
#include <stdarg.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

#define uthash_malloc(size)      arena_alloc(&x->arena, (size))
#define uthash_free(ptr, size)   ((void)(ptr), (void)(size))
#define uthash_nonfatal_oom(e)   (x->program->oom = true)
#include <uthash.h>

/* A pthread call's name for its object: "&a->mu" is "a->mu". */
static const char *object_name(const char *spelling)
{
    return spelling && spelling[0] == '&' ? spelling + 1 : spelling;
}

static _Noreturn void out_of_memory(struct exec *x, const char *file, int line)
{
    sched_fail(x, WEFT_ASSERTION, posix_loc(file, line), "out of memory for the program");
}

/* ==========================================================================
** Threads
** ========================================================================== */

/* Thread tid's place for its record, the table grown in the arena as
** threads are made; NULL without memory. */
static struct posix_thread **posix_slot(struct exec *x, int tid)
{
    struct posix_exec *st = posix_state(x);
    if (st == NULL || tid < 0)
        return NULL;
    if (tid >= st->cap) {
        int cap = st->cap ? st->cap : 16;
        while (cap <= tid)
            cap *= 2;
        struct posix_thread **t = arena_alloc(&x->arena, (size_t)cap * sizeof *t);
        if (t == NULL)
            return NULL;
        memset(t, 0, (size_t)cap * sizeof *t);
        if (st->cap)
            memcpy(t, st->threads, (size_t)st->cap * sizeof *t);
        st->threads = t;
        st->cap = cap;
    }
    return &st->threads[tid];
}

struct posix_thread *posix_thread_at(struct exec *x, int tid)
{
    struct posix_thread **slot = posix_slot(x, tid);
    if (slot && *slot == NULL)
        *slot = arena_alloc(&x->arena, sizeof **slot);
    return slot ? *slot : NULL;
}

struct posix_thread *posix_thread_self(struct exec *x)
{
    return posix_thread_at(x, x->current->id);
}

/* A new thread's first code: it records itself, then runs fn. */
static void thread_start(void *arg)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = arg;
    struct posix_thread **slot = posix_slot(x, x->current->id);
    if (slot)                         /* weft_pthread_create put it there already */
        *slot = t;
    jmp_buf exit_to;
    t->exit_to = &exit_to;
    posix_signals_due(x);             /* a signal sent before it started */
    if (setjmp(exit_to) == 0)
        t->result = t->fn(t->arg);
    posix_keys_thread_exit(x, t);
    posix_thread_ends(x, sync_current_loc(x));
}

int weft_pthread_create_at(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
                           void *arg, const char *fn_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_create(th, attr, fn, arg);
    struct posix_thread *t = posix_state(x) ? arena_alloc(&x->arena, sizeof *t) : NULL;
    if (t == NULL)
        out_of_memory(x, file, line);
    int detached = 0;
    if (attr && pthread_attr_getdetachstate(attr, &detached) == 0)
        t->detached = detached == PTHREAD_CREATE_DETACHED;
    size_t stack = 0;                 /* what the attributes give it, glibc's
                                         default (8 MB) when they name none */
    if (attr && pthread_attr_getstacksize(attr, &stack) == 0)
        x->spawn_stack_size = stack;
    t->fn = fn;
    t->arg = arg;
    struct posix_thread *creator = posix_thread_self(x);
    t->sigmask = creator ? creator->sigmask : 0;   /* POSIX: the creator's mask */
    t->start_name = object_name(fn_name);   /* (a second of one function: "worker#2") */
    weft_thread_t w = weft_spawn_at(fn_name ? t->start_name : "thread", thread_start, t, file, line);
    if (w.id < 0)
        return EAGAIN;
    struct posix_thread **slot = posix_slot(x, w.id);
    if (slot == NULL)
        return ENOMEM;
    *slot = t;                                /* its start step may come later */
    *th = (pthread_t)w.id + 1;
    return 0;
}

struct posix_thread *posix_thread_named(struct exec *x, pthread_t th)
{
    struct posix_exec *st = posix_state(x);
    return st && th >= 1 && th <= (pthread_t)st->cap ? st->threads[th - 1] : NULL;
}

int weft_pthread_join_at(pthread_t th, void **result, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_join(th, result);
    struct posix_thread *t = posix_thread_named(x, th);
    if (t == NULL)
        return ESRCH;
    if (th - 1 == (pthread_t)x->current->id)
        return EDEADLK;
    if (t->detached || t->joined)
        return EINVAL;
    posix_cancel_enter(x, false, file, line);        /* a cancellation point */
    weft_join_at((weft_thread_t){ (int)(th - 1) }, file, line);
    if (posix_cancel_leave(x))
        posix_cancel_now(x, file, line);
    t->joined = true;
    t->joined_by = x->current->id + 1;
    if (result)
        *result = t->result;
    return 0;
}

int weft_pthread_detach_at(pthread_t th, const char *file, int line)
{
    (void)file;
    (void)line;
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_detach(th);
    struct posix_thread *t = posix_thread_named(x, th);
    if (t == NULL)
        return ESRCH;
    if (t->detached || t->joined)
        return EINVAL;
    t->detached = true;
    return 0;
}

pthread_t weft_pthread_self(void)
{
    struct exec *x = sync_exec();
    return x ? (pthread_t)x->current->id + 1 : pthread_self();
}

void weft_pthread_exit_at(void *result, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        pthread_exit(result);
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL || t->exit_to == NULL)
        sched_fail(x, WEFT_ASSERTION, posix_loc(file, line), "pthread_exit outside a thread");
    posix_cleanup_run_all(t);
    t->result = result;
    longjmp(*t->exit_to, 1);
}

int weft_sched_yield_at(const char *file, int line)
{
    if (sync_exec() == NULL)
        return sched_yield();
    weft_yield_at(file, line);
    return 0;
}

/* ==========================================================================
** Mutexes: the handle in the bytes after glibc's kind field
** ========================================================================== */

#define HANDLE_AT_END(obj, T) ((T *)((char *)(obj) + sizeof *(obj) - sizeof(T)))
_Static_assert(offsetof(pthread_mutex_t, __data.__kind) + sizeof(int)
               <= sizeof(pthread_mutex_t) - sizeof(weft_mutex_t),
               "a weft mutex fits after a pthread mutex's kind");

static enum weft_mutex_kind mutex_kind(int pthread_kind)
{
    switch (pthread_kind & 3) {
    case PTHREAD_MUTEX_RECURSIVE: return WEFT_MUTEX_RECURSIVE;
    case PTHREAD_MUTEX_ERRORCHECK: return WEFT_MUTEX_ERRORCHECK;
    default: return WEFT_MUTEX_NORMAL;
    }
}

/* m's weft mutex in this execution, made from its kind (a static
** initialiser's, or pthread_mutex_init's) on first use. */
static weft_mutex_t *mutex_handle(struct exec *x, pthread_mutex_t *m, const char *name,
                                  const char *file, int line)
{
    weft_mutex_t *w = HANDLE_AT_END(m, weft_mutex_t);
    if (!sched_handle_live(x, &w->h_)) {
        weft_mutex_init_at(w, object_name(name), mutex_kind(m->__data.__kind), file, line);
        mutex_stalls(w);
    }
    if (!sched_handle_live(x, &w->h_))
        out_of_memory(x, file, line);
    return w;
}

int weft_pthread_mutex_init_at(pthread_mutex_t *m, const pthread_mutexattr_t *a,
                               const char *name, const char *file, int line)
{
    int kind = PTHREAD_MUTEX_DEFAULT, robust = PTHREAD_MUTEX_STALLED;
    if (a && (pthread_mutexattr_gettype(a, &kind) != 0 ||
              pthread_mutexattr_getrobust(a, &robust) != 0))
        return EINVAL;
    if (robust == PTHREAD_MUTEX_ROBUST)   /* EOWNERDEAD when its owner ends: not modelled */
        return weft_program_unsupported_at("a robust mutex (pthread_mutexattr_setrobust)", file,
                                           line) ? ENOSYS : 0;
    memset(m, 0, sizeof *m);
    m->__data.__kind = kind;
    struct exec *x = sync_exec();
    if (x)
        mutex_handle(x, m, name, file, line);
    return 0;
}

static int from_weft(int rc)
{
    switch (rc) {
    case WEFT_OK: return 0;
    case WEFT_EBUSY: return EBUSY;
    case WEFT_EDEADLK: return EDEADLK;
    case WEFT_EPERM: return EPERM;
    case WEFT_ETIMEDOUT: return ETIMEDOUT;
    default: return EINVAL;
    }
}

/* op: 0 lock, 1 trylock, 2 unlock, 3 destroy. */
int weft_pthread_mutex_op_at(pthread_mutex_t *m, int op, const char *name, const char *file,
                             int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return op == 0 ? pthread_mutex_lock(m) : op == 1 ? pthread_mutex_trylock(m)
             : op == 2 ? pthread_mutex_unlock(m) : 0;
    if (op == 3)
        return 0;
    weft_mutex_t *w = mutex_handle(x, m, name, file, line);
    int rc = op == 0 ? weft_mutex_lock_at(w, file, line)
           : op == 1 ? weft_mutex_trylock_at(w, file, line)
           : weft_mutex_unlock_at(w, file, line);
    return from_weft(rc);
}

static bool bad_timespec(const struct timespec *t);
static bool bad_clock(clockid_t clock);

/* pthread_mutex_timedlock (clock CLOCK_REALTIME) and pthread_mutex_clocklock:
** the absolute deadline on the virtual clock, however late the call's step
** comes (passed already at the step, only a free mutex is taken), the wait
** racing every step. */
int weft_pthread_mutex_timedlock_at(pthread_mutex_t *m, clockid_t clock,
                                    const struct timespec *deadline, const char *name,
                                    const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_mutex_clocklock(m, clock, deadline);
    if (deadline == NULL || bad_clock(clock))
        return EINVAL;
    weft_mutex_t *w = mutex_handle(x, m, name, file, line);
    if (bad_timespec(deadline))       /* looked at only when the call would wait */
        return from_weft(mutex_timedlock_at(w, -1, file, line));
    return from_weft(mutex_timedlock_at(w, posix_virtual_deadline(clock, deadline), file, line));
}

/* ==========================================================================
** Spinlocks and stream locks: a mutex each, found by the lock's address
** ========================================================================== */

struct keyed_mutex {
    const void *addr;
    weft_mutex_t mutex;
    UT_hash_handle hh;
};

/* The mutex of key in *table in this execution, made of kind on first use
** (pthread_spin_init need not come first in an execution: the lock may be
** in data; a stream has no init at all). */
static weft_mutex_t *keyed_mutex(struct exec *x, struct keyed_mutex **table, const void *key,
                                 enum weft_mutex_kind kind, const char *name, const char *file,
                                 int line)
{
    struct posix_exec *st = posix_state(x);   /* (the callers checked it) */
    struct keyed_mutex *e = NULL;
    HASH_FIND_PTR(*table, &key, e);
    if (e == NULL) {
        if ((e = arena_alloc(&x->arena, sizeof *e)) == NULL)
            out_of_memory(x, file, line);
        e->addr = key;
        weft_mutex_init_at(&e->mutex, name, kind, file, line);
        mutex_stalls(&e->mutex);
        HASH_ADD_PTR(*table, addr, e);
        if (st->oom || !sched_handle_live(x, &e->mutex.h_))
            out_of_memory(x, file, line);
    }
    return &e->mutex;
}

/* op: 0 lock, 1 trylock, 2 unlock, 3 init, 4 destroy. A spinlock is a
** mutex that never sleeps: weft models the spin as a wait (a thread
** spinning on a lock nobody will release is a deadlock here). */
int weft_pthread_spin_op_at(pthread_spinlock_t *s, int op, const char *name, const char *file,
                            int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return op == 0 ? pthread_spin_lock(s) : op == 1 ? pthread_spin_trylock(s)
             : op == 2 ? pthread_spin_unlock(s) : op == 3 ? pthread_spin_init(s, 0)
             : pthread_spin_destroy(s);
    if (op == 4)
        return 0;
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        out_of_memory(x, file, line);
    weft_mutex_t *w = keyed_mutex(x, &st->spins, (const void *)s, WEFT_MUTEX_NORMAL,
                                  object_name(name), file, line);
    int rc = op == 0 ? weft_mutex_lock_at(w, file, line)
           : op == 1 ? weft_mutex_trylock_at(w, file, line)
           : op == 2 ? weft_mutex_unlock_at(w, file, line) : WEFT_OK;
    return from_weft(rc);
}

/*
** flockfile, ftrylockfile and funlockfile: glibc's stream lock is recursive
** and owned by the OS thread, which all weft threads share, so the real one
** would exclude nothing between them. Each stream gets a recursive mutex
** instead, "stream lock of f", found by the FILE's address. The stdio
** calls themselves take no step: each runs whole within one. op: 0 lock,
** 1 trylock, 2 unlock.
*/
int weft_stream_lock_op_at(FILE *f, int op, const char *name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL) {
        if (op == 1)
            return ftrylockfile(f);
        op == 0 ? flockfile(f) : funlockfile(f);
        return 0;
    }
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        out_of_memory(x, file, line);
    char lock_name[SCHED_NAME_MAX];
    snprintf(lock_name, sizeof lock_name, "stream lock of %s", name);
    weft_mutex_t *w = keyed_mutex(x, &st->stream_locks, f, WEFT_MUTEX_RECURSIVE,
                                  lock_name, file, line);
    int rc = op == 0 ? weft_mutex_lock_at(w, file, line)
           : op == 1 ? weft_mutex_trylock_at(w, file, line) : weft_mutex_unlock_at(w, file, line);
    return op == 1 && rc != WEFT_OK ? -1 : 0;
}

/* ==========================================================================
** Condition variables: the handle first, then the clock of timed waits
** ========================================================================== */

struct cond_overlay { weft_cond_t c; int clock_plus_one; };
_Static_assert(sizeof(struct cond_overlay) <= sizeof(pthread_cond_t), "a weft cond fits");

static weft_cond_t *cond_handle(struct exec *x, pthread_cond_t *c, const char *name,
                                const char *file, int line)
{
    struct cond_overlay *o = (struct cond_overlay *)c;
    if (!sched_handle_live(x, &o->c.h_))
        weft_cond_init_at(&o->c, object_name(name), file, line);
    if (!sched_handle_live(x, &o->c.h_))
        out_of_memory(x, file, line);
    return &o->c;
}

int weft_pthread_cond_init_at(pthread_cond_t *c, const pthread_condattr_t *a, const char *name,
                              const char *file, int line)
{
    clockid_t clock = CLOCK_REALTIME;
    if (a && pthread_condattr_getclock(a, &clock) != 0)
        return EINVAL;
    memset(c, 0, sizeof *c);
    ((struct cond_overlay *)c)->clock_plus_one = (int)clock + 1;
    struct exec *x = sync_exec();
    if (x)
        cond_handle(x, c, name, file, line);
    return 0;
}

static bool bad_timespec(const struct timespec *t)
{
    return t && (t->tv_nsec < 0 || t->tv_nsec >= 1000000000);
}

/* The clocks a timed wait may name (glibc: EINVAL for the others). */
static bool bad_clock(clockid_t clock)
{
    return clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC;
}

int weft_pthread_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m,
                              const struct timespec *deadline, const char *name,
                              const char *mutex_name, const char *file, int line)
{
    int clock_plus_one = ((struct cond_overlay *)c)->clock_plus_one;
    return weft_pthread_cond_clockwait_at(c, m, clock_plus_one ? clock_plus_one - 1
                                                                : CLOCK_REALTIME,
                                          deadline, name, mutex_name, file, line);
}

/* pthread_cond_clockwait, and the other waits with the condition's clock.
** A mutex that checks its owner and that the caller does not hold: EPERM
** (glibc's unlock in the wait fails before it waits, times out or acts on
** a cancel); a normal one is misuse, reported by the wait (cond.c). */
int weft_pthread_cond_clockwait_at(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
                                   const struct timespec *deadline, const char *name,
                                   const char *mutex_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return deadline ? pthread_cond_clockwait(c, m, clock, deadline) : pthread_cond_wait(c, m);
    if (bad_timespec(deadline) || bad_clock(clock))
        return EINVAL;
    weft_cond_t *w = cond_handle(x, c, name, file, line);
    weft_mutex_t *wm = mutex_handle(x, m, mutex_name, file, line);
    if (mutex_refuses(mutex_of(x, wm, posix_loc(file, line)), x->current->id))
        return EPERM;
    int64_t at = deadline ? posix_virtual_deadline(clock, deadline) : -1;
    posix_cancel_enter(x, true, file, line);  /* a cancellation point, whatever
                                                 the deadline (glibc) */
    /* The deadline stays absolute: however late the wait's step comes
    ** (others may move the clock first), it times out at the deadline. One
    ** already past still releases the mutex and retakes it, as glibc's
    ** does (a signal may even come between): a loop of such waits lets
    ** the thread that sets its condition in (it returned at once, holding
    ** the mutex, and spun to a false livelock). */
    int rc = deadline ? cond_wait_until_at(w, wm, at, file, line)
                      : weft_cond_timedwait_at(w, wm, -1, file, line);
    if (posix_cancel_leave(x)) {
        weft_mutex_lock_at(wm, file, line);   /* the handlers run with it held */
        posix_cancel_now(x, file, line);
    }
    return from_weft(rc);
}

int weft_pthread_cond_signal_at(pthread_cond_t *c, int all, const char *name, const char *file,
                                int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return all ? pthread_cond_broadcast(c) : pthread_cond_signal(c);
    weft_cond_t *h = cond_handle(x, c, name, file, line);
    if (all)
        weft_cond_signal_at(h, 1, file, line);
    else                              /* POSIX: at least one waiter, whichever */
        cond_signal_any_at(h, file, line);
    return 0;
}

/* ==========================================================================
** Read-write locks (glibc's default: readers preferred)
** ========================================================================== */

struct rwlock_overlay { weft_rwlock_t rw; int writer_plus_one; };
_Static_assert(sizeof(struct rwlock_overlay) <= sizeof(pthread_rwlock_t), "a weft rwlock fits");

static void rwlock_make(struct exec *x, struct rwlock_overlay *o, const char *name,
                        enum weft_rwlock_policy kind, const char *file, int line)
{
    weft_rwlock_init_at(&o->rw, object_name(name), kind, file, line);
    rwlock_stalls(&o->rw);
    o->writer_plus_one = 0;
    if (!sched_handle_live(x, &o->rw.h_))
        out_of_memory(x, file, line);
}

/* rw's weft rwlock in this execution, made on first use. */
/* The kind glibc's preference names: only "writer, nonrecursive" makes a
** reader wait while a writer waits (PTHREAD_RWLOCK_PREFER_WRITER_NP is, in
** glibc, readers preferred). */
static enum weft_rwlock_policy rwlock_policy(int pref)
{
    return pref == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP ? WEFT_RWLOCK_WRITER_PREFERRING
                                                                : WEFT_RWLOCK_READER_PREFERRING;
}

/* rw's handle, made at its first use in the execution of the kind its
** bytes hold: a static initializer's (PTHREAD_RWLOCK_WRITER_NONRECURSIVE_
** INITIALIZER_NP, read before the handle covers them; it was taken for the
** default, and a nested read lock behind a waiting writer passed) or
** pthread_rwlock_init's. */
static struct rwlock_overlay *rwlock_handle(struct exec *x, pthread_rwlock_t *rw,
                                           const char *name, const char *file, int line)
{
    struct rwlock_overlay *o = (struct rwlock_overlay *)rw;
    if (!sched_handle_live(x, &o->rw.h_))
        rwlock_make(x, o, name, rwlock_policy((int)rw->__data.__flags), file, line);
    return o;
}

/* pthread_rwlock_init: readers preferred, as glibc's default, unless the
** attributes ask glibc's one kind that prefers writers (rwlock_policy). */
int weft_pthread_rwlock_init_at(pthread_rwlock_t *rw, const pthread_rwlockattr_t *a,
                                const char *name, const char *file, int line)
{
    int pref = PTHREAD_RWLOCK_PREFER_READER_NP;
    if (a && pthread_rwlockattr_getkind_np(a, &pref) != 0)
        return EINVAL;
    memset(rw, 0, sizeof *rw);
    rw->__data.__flags = (unsigned)pref;   /* as glibc keeps it: for a first use
                                              after the handle is gone */
    struct exec *x = sync_exec();
    if (x)
        rwlock_make(x, (struct rwlock_overlay *)rw, name, rwlock_policy(pref), file, line);
    return 0;
}

/* op: 0 rdlock, 1 unlock, 2 wrlock, 5 tryrdlock, 6 trywrlock. A lock by
** the thread that holds rw for writing is EDEADLK, as glibc has it (weft's
** own rwlock reports the self-deadlock: rwlock.c). */
int weft_pthread_rwlock_op_at(pthread_rwlock_t *rw, int op, const char *name, const char *file,
                              int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return op == 0 ? pthread_rwlock_rdlock(rw) : op == 2 ? pthread_rwlock_wrlock(rw)
             : op == 5 ? pthread_rwlock_tryrdlock(rw) : op == 6 ? pthread_rwlock_trywrlock(rw)
             : pthread_rwlock_unlock(rw);
    struct rwlock_overlay *o = rwlock_handle(x, rw, name, file, line);
    int self = x->current->id + 1;
    if ((op == 0 || op == 2) && o->writer_plus_one == self)
        return EDEADLK;               /* glibc says so at once, for either kind */
    if (op == 5 || op == 6) {
        int rc = rwlock_try_at(&o->rw, op == 6, file, line);
        if (rc == WEFT_OK && op == 6)
            o->writer_plus_one = self;
        return from_weft(rc);
    }
    if (op == 1 && o->writer_plus_one == self) {
        o->writer_plus_one = 0;
        op = 3;
    }
    weft_rwlock_op_at(&o->rw, op, file, line);
    if (op == 2)
        o->writer_plus_one = self;
    return 0;
}

/* pthread_rwlock_timedrdlock and timedwrlock (clock CLOCK_REALTIME),
** pthread_rwlock_clockrdlock and clockwrlock: the absolute deadline on the
** virtual clock, however late the call's step comes; the wait races every
** step. */
int weft_pthread_rwlock_timed_at(pthread_rwlock_t *rw, int write, clockid_t clock,
                                 const struct timespec *deadline, const char *name,
                                 const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return write ? pthread_rwlock_clockwrlock(rw, clock, deadline)
                     : pthread_rwlock_clockrdlock(rw, clock, deadline);
    if (deadline == NULL || bad_timespec(deadline) ||
        (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC))
        return EINVAL;
    struct rwlock_overlay *o = rwlock_handle(x, rw, name, file, line);
    if (o->writer_plus_one == x->current->id + 1)
        return EDEADLK;               /* as rdlock and wrlock */
    int rc = rwlock_timed_at(&o->rw, write != 0, posix_virtual_deadline(clock, deadline), file, line);
    if (rc == WEFT_OK && write)
        o->writer_plus_one = x->current->id + 1;
    return from_weft(rc);
}

/* ==========================================================================
** Once: found by the pthread_once_t's address
** ========================================================================== */

struct once_entry {
    void *addr;
    weft_once_t once;
    unsigned made;                    /* how many onces this address had before */
    UT_hash_handle hh;
};

struct once_call {
    void (*fn)(void);
    weft_once_t *once;
    const char *file;
    int line;
};

/* Cancelled inside the routine: POSIX has the once act as if never called. */
static void once_cancelled(void *arg)
{
    struct once_call *c = arg;
    once_abandon_at(c->once, c->file, c->line);
}

static void once_run(void *arg)
{
    struct weft_cleanup_ undo = { once_cancelled, arg, 0 };
    weft_pthread_cleanup_push_(&undo);
    ((struct once_call *)arg)->fn();
    weft_pthread_cleanup_pop_(&undo, 0);
}

/* What a pthread_once_t holds once weft has its once (glibc's "done"):
** a program that sets it to PTHREAD_ONCE_INIT again has a new one. */
#define ONCE_IN_USE 2
_Static_assert(sizeof(pthread_once_t) == sizeof(int), "glibc's pthread_once_t is an int");

int weft_pthread_once_at(pthread_once_t *o, void (*fn)(void), const char *name, const char *file,
                         int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_once(o, fn);
    struct posix_exec *st = posix_state(x);
    struct once_entry *e = NULL;
    void *key = o;
    if (st == NULL)
        out_of_memory(x, file, line);
    unsigned made = 0;
    HASH_FIND_PTR(st->onces, &key, e);
    if (e && *(volatile int *)o == 0) {   /* set to PTHREAD_ONCE_INIT again: a new once
                                         (memory freed and taken again) */
        HASH_DEL(st->onces, e);
        made = e->made + 1;
        e = NULL;
    }
    if (e == NULL) {
        /* Its weft once is named by the program's pthread_once_t, not by its
        ** place in weft's memory, which depends on what other threads took
        ** before (a class's name must not: explore/classes.c). */
        uint64_t named = sched_mix(sched_handle_key(x, o), made);
        if ((e = arena_alloc_named(&x->arena, sizeof *e, named)) == NULL)
            out_of_memory(x, file, line);
        e->addr = key;
        e->made = made;
        weft_once_init_at(&e->once, object_name(name), file, line);
        HASH_ADD_PTR(st->onces, addr, e);
        if (st->oom)
            out_of_memory(x, file, line);
    }
    *(volatile int *)o = ONCE_IN_USE;
    struct once_call call = { fn, &e->once, file, line };
    weft_once_do_at(&e->once, once_run, &call, file, line);
    return 0;
}

/* ==========================================================================
** Barriers and semaphores: the handle first
** ========================================================================== */

_Static_assert(sizeof(weft_barrier_t) <= sizeof(pthread_barrier_t), "a weft barrier fits");
_Static_assert(sizeof(weft_sem_t) <= sizeof(sem_t), "a weft semaphore fits");

int weft_pthread_barrier_init_at(pthread_barrier_t *b, unsigned count, const char *name,
                                 const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_barrier_init(b, NULL, count);
    if (count == 0 || count > INT32_MAX)
        return EINVAL;
    memset(b, 0, sizeof *b);
    weft_barrier_init_at((weft_barrier_t *)b, object_name(name), (int)count, file, line);
    return 0;
}

int weft_pthread_barrier_wait_at(pthread_barrier_t *b, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_barrier_wait(b);
    if (!sched_handle_live(x, &((weft_barrier_t *)b)->h_))
        sched_fail(x, WEFT_ASSERTION, posix_loc(file, line),
                   "pthread_barrier_wait on a barrier not initialised in this run");
    int last = weft_barrier_wait_at((weft_barrier_t *)b, file, line);
    return last == 1 ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
}

int weft_posix_sem_init_at(sem_t *s, int pshared, unsigned value, const char *name,
                           const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_init(s, pshared, value);
    if (value > INT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    memset(s, 0, sizeof *s);
    weft_sem_init_at((weft_sem_t *)s, object_name(name), (int)value, file, line);
    return 0;
}

/* A semaphore used in this execution without sem_init in it: one made with
** 0 permits (sem_init before the execution is not seen). */
static weft_sem_t *sem_handle(struct exec *x, sem_t *s, const char *name, const char *file,
                              int line)
{
    weft_sem_t *w = (weft_sem_t *)s;
    if (!sched_handle_live(x, &w->h_))
        weft_sem_init_at(w, object_name(name), 0, file, line);
    return w;
}

static int sem_error(int code)
{
    errno = code;
    return -1;
}

int weft_posix_sem_wait_at(sem_t *s, int try_only, const struct timespec *deadline,
                           const char *name, const char *file, int line)
{
    if (sync_exec() == NULL)
        return try_only ? sem_trywait(s) : deadline ? sem_timedwait(s, deadline) : sem_wait(s);
    return try_only ? weft_posix_sem_clockwait_at(s, -1, NULL, name, file, line)
                    : weft_posix_sem_clockwait_at(s, CLOCK_REALTIME, deadline, name, file, line);
}

/* The acquire of each call: try (clock -1), plain (no deadline), or until
** the absolute deadline, however late the call's step comes; passed
** already at the step, only a permit left is taken. */
static int sem_acquire(weft_sem_t *w, clockid_t clock, const struct timespec *deadline,
                       const char *file, int line)
{
    if (clock == -1)
        return weft_sem_acquire_at(w, 0, file, line);
    if (deadline == NULL)
        return weft_sem_acquire_at(w, -1, file, line);
    return sem_acquire_until_at(w, posix_virtual_deadline(clock, deadline), file, line);
}

/* sem_clockwait; sem_wait, trywait and timedwait through it. */
int weft_posix_sem_clockwait_at(sem_t *s, clockid_t clock, const struct timespec *deadline,
                                const char *name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_clockwait(s, clock, deadline);
    bool try_only = clock == -1;
    if (bad_timespec(deadline) || (!try_only && bad_clock(clock)))
        return sem_error(EINVAL);
    weft_sem_t *w = sem_handle(x, s, name, file, line);
    if (!try_only) {
        posix_cancel_enter(x, false, file, line);    /* a cancellation point */
        posix_eintr_begin(x, POSIX_EINTR_ALWAYS);    /* whatever SA_RESTART says */
    }
    int rc = sem_acquire(w, clock, deadline, file, line);
    bool by_signal = !try_only && posix_eintr_end(x);
    if (!try_only && posix_cancel_leave(x))
        posix_cancel_now(x, file, line);
    if (by_signal)                    /* (rc: the unperformed wait's) */
        return sem_error(EINTR);
    return rc == WEFT_OK ? 0 : sem_error(rc == WEFT_EBUSY && !deadline ? EAGAIN : ETIMEDOUT);
}

int weft_posix_sem_getvalue_at(sem_t *s, int *value, const char *name, const char *file,
                               int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_getvalue(s, value);
    *value = sem_value_at(sem_handle(x, s, name, file, line), file, line);
    return 0;
}

int weft_posix_sem_post_at(sem_t *s, const char *name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_post(s);
    return sem_post_at(sem_handle(x, s, name, file, line), file, line) ? 0 : sem_error(EOVERFLOW);
}

/* ==========================================================================
** Named semaphores: a namespace of the execution's own
** ==========================================================================
** sem_open's names live in the execution (its arena), so every execution
** starts with none and nothing reaches /dev/shm. Each name used is an
** object that sem_open and sem_unlink take a step on (two threads' O_CREAT
** | O_EXCL of one name race; calls on other names commute); what it names
** is a weft semaphore called as the program spelled the name.
*/

struct named_sem {
    sem_t sem;
    int opens;                        /* sem_open's not yet closed */
    struct named_sem *next_opened;
};

struct sem_name {
    struct sched_obj obj;             /* first: what the steps touch */
    const char *name;                 /* without its leading slashes */
    struct named_sem *linked;         /* what it names, or NULL */
    unsigned created;                 /* how many semaphores it has named */
    UT_hash_handle hh;
};

static const struct sched_objclass sem_name_class = { .name = "semaphore name" };
static const struct sched_opclass sem_open_class = { .verb = "sem_open" };
static const struct sched_opclass sem_unlink_class = { .verb = "sem_unlink" };

/* The name glibc would use (leading slashes dropped), or NULL: errno is
** then EINVAL (empty, or a slash inside) or ENAMETOOLONG. */
static const char *sem_name_of(const char *name)
{
    while (name && *name == '/')
        name++;
    size_t n = name ? strlen(name) : 0;
    int bad = n == 0 || strchr(name, '/') ? EINVAL : n + sizeof "sem." > NAME_MAX ? ENAMETOOLONG : 0;
    if (bad)
        errno = bad;                  /* a call that succeeds leaves errno alone */
    return bad ? NULL : name;
}

/* name's object in this execution, made on first use, after the step the
** call takes on it. */
static struct sem_name *sem_name_step(struct exec *x, const char *name, const char *spelled,
                                      const struct sched_opclass *cls, const char *file,
                                      int line)
{
    struct posix_exec *st = posix_state(x);
    struct sem_name *e = NULL;
    if (st == NULL)
        out_of_memory(x, file, line);
    HASH_FIND_STR(st->sem_names, name, e);
    if (e == NULL) {
        char *copy = arena_alloc(&x->arena, strlen(name) + 1);
        if (copy == NULL ||
            (e = object_new(x, &sem_name_class, sizeof *e, object_name(spelled))) == NULL)
            out_of_memory(x, file, line);
        object_rekey(x, &e->obj, sched_text_key(name));   /* whichever thread names it first */
        e->name = strcpy(copy, name);
        HASH_ADD_KEYPTR(hh, st->sem_names, e->name, strlen(e->name), e);
        if (st->oom)
            out_of_memory(x, file, line);
    }
    struct sched_op op = { .cls = cls, .obj = &e->obj, .loc = { file, line } };
    sched_visible(x, &op);
    return e;
}

/* A new semaphore for e, spelled so in reports. */
static struct named_sem *sem_create(struct exec *x, struct sem_name *e, const char *spelled,
                                    unsigned value, const char *file, int line)
{
    struct posix_exec *st = posix_state(x);
    /* Named by its name and how many it had, as its weft semaphore is by
    ** its place in s (sched_handle_key), whatever other threads took. */
    struct named_sem *s = arena_alloc_named(&x->arena, sizeof *s,
                                            sched_mix(sched_text_key(e->name), ++e->created));
    if (s == NULL)
        out_of_memory(x, file, line);
    weft_sem_init_at((weft_sem_t *)&s->sem, object_name(spelled), (int)value, file, line);
    if (!sched_handle_live(x, &((weft_sem_t *)&s->sem)->h_))
        out_of_memory(x, file, line);
    s->next_opened = st->sems_opened;
    st->sems_opened = s;
    e->linked = s;
    return s;
}

static sem_t *sem_failed(int code)
{
    errno = code;
    return SEM_FAILED;
}

sem_t *weft_posix_sem_open_at(const char *file, int line, const char *spelled, int oflag, ...)
{
    mode_t mode = 0;
    unsigned value = 0;
    if (oflag & O_CREAT) {
        va_list ap;
        va_start(ap, oflag);
        mode = (mode_t)va_arg(ap, int);
        value = va_arg(ap, unsigned);
        va_end(ap);
    }
    struct exec *x = sync_exec();
    if (x == NULL)
        return oflag & O_CREAT ? sem_open(spelled, oflag, mode, value) : sem_open(spelled, oflag);
    const char *name = sem_name_of(spelled);
    if (name == NULL)
        return SEM_FAILED;
    if ((oflag & O_CREAT) && value > SEM_VALUE_MAX)
        return sem_failed(EINVAL);
    struct sem_name *e = sem_name_step(x, name, spelled, &sem_open_class, file, line);
    if (e->linked && (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return sem_failed(EEXIST);
    if (e->linked == NULL && !(oflag & O_CREAT))
        return sem_failed(ENOENT);
    struct named_sem *s = e->linked ? e->linked : sem_create(x, e, spelled, value, file, line);
    s->opens++;
    return &s->sem;
}

int weft_posix_sem_close_at(sem_t *s, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_close(s);
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        out_of_memory(x, file, line);
    for (struct named_sem *n = st->sems_opened; n; n = n->next_opened)
        if (&n->sem == s && n->opens > 0) {
            n->opens--;
            return 0;
        }
    return sem_error(EINVAL);
}

int weft_posix_sem_unlink_at(const char *spelled, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sem_unlink(spelled);
    const char *name = sem_name_of(spelled);
    if (name == NULL)
        return sem_error(errno == ENAMETOOLONG ? ENAMETOOLONG : ENOENT);
    struct sem_name *e = sem_name_step(x, name, spelled, &sem_unlink_class, file, line);
    if (e->linked == NULL)
        return sem_error(ENOENT);
    e->linked = NULL;                 /* its openers keep it */
    return 0;
}
