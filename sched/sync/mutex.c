/*
** mutex.c -- normal, recursive, error-checking and Go mutexes, and try-lock.
** A lock is enabled when the mutex is free (or held by the caller, for a
** recursive one). A Go mutex is owned by nobody: any thread unlocks it.
** Relocking a normal mutex is a self-deadlock, reported when the thread
** reaches the lock, since no interleaving can ever release it.
*/
#include <stdio.h>
#include "sync/sync.h"

static int mutex_holder(const struct sched_obj *o, struct sched_loc *at)
{
    const struct mutex_impl *mx = (const struct mutex_impl *)o;
    *at = mx->locked_at;
    return mx->holder;
}

/* A Go mutex is nobody's: its holder may return and another unlock it. A
** POSIX mutex stalls (mutex_stalls): its holder may return. */
static int mutex_holds(const struct sched_obj *o, int tid, struct sched_loc *at)
{
    const struct mutex_impl *mx = (const struct mutex_impl *)o;
    *at = mx->locked_at;
    return mx->kind != WEFT_MUTEX_GO && !mx->stalls && mx->holder == tid ? mx->depth : 0;
}

void mutex_stalls(weft_mutex_t *m)
{
    struct mutex_impl *mx = m->h_.impl_;
    if (mx)
        mx->stalls = true;
}

static const struct sched_objclass mutex_objclass = {
    .name = "mutex", .holder = mutex_holder, .holds = mutex_holds,
};

static struct mutex_impl *mutex_new(struct exec *x, const char *name, enum weft_mutex_kind kind,
                                    struct sched_loc at)
{
    struct mutex_impl *mx = sync_object_new(x, &mutex_objclass, sizeof *mx, name, at);
    mx->kind = kind;
    mx->holder = -1;
    return mx;
}

void weft_mutex_init_at(weft_mutex_t *m, const char *name, enum weft_mutex_kind kind,
                        const char *file, int line)
{
    struct exec *x = exec_current();
    if (x)
        sched_handle_bind(x, &m->h_, mutex_new(x, name, kind, (struct sched_loc){ file, line }));
}

struct mutex_impl *mutex_bind(struct exec *x, weft_mutex_t *m, struct sched_loc at)
{
    sched_handle_bind(x, &m->h_, mutex_new(x, NULL, WEFT_MUTEX_NORMAL, at));
    return m->h_.impl_;
}

void mutex_take(struct mutex_impl *mx, int tid, struct sched_loc at)
{
    if (mx->holder != tid)
        mx->locked_at = at;
    mx->holder = tid;
    mx->depth++;
}

void mutex_drop(struct mutex_impl *mx)
{
    if (--mx->depth == 0)
        mx->holder = -1;
}

/* ==========================================================================
** What the primitives share (sync.h)
** ========================================================================== */

void *sync_object_new(struct exec *x, const struct sched_objclass *cls, size_t size,
                      const char *name, struct sched_loc at)
{
    void *o = object_new(x, cls, size, name);
    if (o == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a %s", cls->name);
    return o;
}

sched_mask sync_wakers(struct exec *x, const struct sched_thread *t, const struct sched_obj *o,
                       enum sched_wait *how)
{
    struct mask_builder b = MASK_BUILDER_INIT;
    for (int i = 0; i < x->nthreads; i++)
        if (i != t->id && x->threads[i]->state != T_FINISHED)
            mask_build_add(&b, i);
    sched_mask alive = mask_build_done(&x->masks, &b);
    *how = (o && mask_meets(o->users, alive)) ? WAIT_LIKELY : WAIT_ANYONE;
    return *how == WAIT_LIKELY ? mask_and(&x->masks, o->users, alive) : alive;
}

/* ==========================================================================
** Lock
** ========================================================================== */

static struct mutex_impl *mutex_at(const struct sched_op *op)
{
    return (struct mutex_impl *)op->obj;
}

static bool lock_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct mutex_impl *mx = mutex_at(op);
    return mx->holder < 0 || (mx->holder == op->thread->id && mx->kind != WEFT_MUTEX_GO);
}

static void lock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->held = mutex_at(op)->holder == op->thread->id;
    mutex_take(mutex_at(op), op->thread->id, op->loc);
}

static sched_mask lock_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    (void)x;
    int holder = mutex_at(op)->holder;
    *how = WAIT_EXACT;
    return holder >= 0 ? mask_one(&x->masks, holder) : MASK_NONE;
}

static void lock_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "wants mutex \"%s\"", op->obj->name);
}

static const struct sched_opclass lock_class = {
    .verb = "lock", .flags = OP_ACQUIRE, .enabled = lock_enabled, .apply = lock_apply,
    .blockers = lock_blockers, .describe_wait = lock_describe,
};

/* A public call on a mutex: the execution, the mutex, and the operation
** ready to post. */
struct mutex_call {
    struct exec *x;
    struct mutex_impl *mx;
    struct sched_op op;
};

/* false outside a scenario thread (the call then does nothing). */
static inline bool mutex_call(struct mutex_call *c, weft_mutex_t *m,
                              const struct sched_opclass *cls, const char *file, int line)
{
    struct sched_loc at = { file, line };
    if ((c->x = sync_exec()) == NULL)
        return false;
    c->mx = mutex_of(c->x, m, at);
    c->op = (struct sched_op){ .cls = cls, .thread = c->x->current, .obj = &c->mx->obj,
                               .loc = at };
    return true;
}

int weft_mutex_lock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_call c;
    if (!mutex_call(&c, m, &lock_class, file, line))
        return WEFT_EINVAL;
    struct sched_thread *self = c.op.thread;
    if (c.mx->holder == self->id && c.mx->kind == WEFT_MUTEX_ERRORCHECK)
        return WEFT_EDEADLK;
    if (c.mx->holder == self->id && c.mx->kind == WEFT_MUTEX_NORMAL) {
        self->pending = &c.op;        /* shown in the report as what it wants */
        sched_fail(c.x, WEFT_SELF_DEADLOCK, c.op.loc,
                   "thread \"%s\" locks mutex \"%s\", which it already holds",
                   self->obj.name, c.mx->obj.name);
    }
    sched_visible(c.x, &c.op);
    return WEFT_OK;
}

/* ==========================================================================
** Try-lock and unlock
** ========================================================================== */

static bool trylock_would_take(const struct mutex_impl *mx, int tid)
{
    return mx->holder < 0 || (mx->holder == tid && mx->kind == WEFT_MUTEX_RECURSIVE);
}

static void trylock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct mutex_impl *mx = mutex_at(op);
    bool ok = trylock_would_take(mx, op->thread->id);
    if (ok)
        mutex_take(mx, op->thread->id, op->loc);
    op->status = ok ? WEFT_OK : WEFT_EBUSY;
    op->idle = !ok;                   /* a poll that found it held */
    /* Held by another thread, which alone could take it again (unless it
    ** is recursive): no other thread's lock could have come just before
    ** this poll, and DPOR never tries that order. */
    op->held = !ok && mx->kind != WEFT_MUTEX_RECURSIVE;
    op->note = ok ? "acquired" : "busy";
}

static bool trylock_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    return !trylock_would_take(mutex_at(op), op->thread->id);
}

static const struct sched_opclass trylock_class = {
    .verb = "trylock", .apply = trylock_apply, .reads_only = trylock_reads_only,
};

int weft_mutex_trylock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_call c;
    if (!mutex_call(&c, m, &trylock_class, file, line))
        return WEFT_EINVAL;
    sched_visible(c.x, &c.op);
    return c.op.status;
}

static void unlock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    mutex_drop(mutex_at(op));
}

static const struct sched_opclass unlock_class = {
    .verb = "unlock", .flags = OP_RELEASE, .apply = unlock_apply,
};

bool mutex_refuses(const struct mutex_impl *mx, int tid)
{
    return (mx->kind == WEFT_MUTEX_ERRORCHECK || mx->kind == WEFT_MUTEX_RECURSIVE) &&
           mx->holder != tid;
}

int weft_mutex_unlock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_call c;
    if (!mutex_call(&c, m, &unlock_class, file, line))
        return WEFT_EINVAL;
    if (c.mx->kind == WEFT_MUTEX_GO && c.mx->holder < 0)
        sched_fail(c.x, WEFT_ASSERTION, c.op.loc, "thread \"%s\" unlocks Go mutex \"%s\", "
                   "which is not locked", c.op.thread->obj.name, c.mx->obj.name);
    if (mutex_refuses(c.mx, c.op.thread->id))
        return WEFT_EPERM;
    if (c.mx->holder != c.op.thread->id && c.mx->kind != WEFT_MUTEX_GO)
        sched_fail(c.x, WEFT_ASSERTION, c.op.loc, "thread \"%s\" unlocks mutex \"%s\", which %s",
                   c.op.thread->obj.name, c.mx->obj.name,
                   c.mx->holder < 0 ? "is not locked" : "another thread holds");
    sched_visible(c.x, &c.op);
    return WEFT_OK;
}

/* ==========================================================================
** Timed lock (pthread_mutex_timedlock)
** ========================================================================== */

struct timedlock_op {
    struct sched_op op;
    struct sched_timer timer;
    int64_t deadline;                 /* absolute, on the virtual clock; -1: invalid */
    bool must_wait;
};

/* First step: take it if free, else start the timer and wait in a second
** step (a step that is always enabled, so not an OP_ACQUIRE). An invalid
** deadline matters only then (POSIX, glibc): WEFT_EINVAL, no wait. */
static void timedlock_apply(struct exec *x, struct sched_op *op)
{
    struct mutex_impl *mx = mutex_at(op);
    struct timedlock_op *t = OP_OF(op, struct timedlock_op, op);
    if (trylock_would_take(mx, op->thread->id)) {
        mutex_take(mx, op->thread->id, op->loc);
        op->status = WEFT_OK;
        return;
    }
    if (t->deadline < 0) {
        op->status = WEFT_EINVAL;
        op->note = "busy: invalid deadline";
        return;
    }
    if (sync_deadline_passed(x, t->deadline)) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "past deadline";
        return;
    }
    sync_timer_begin(x, op->timer, t->deadline);
    t->must_wait = true;
    op->note = "blocks";
}

/* Waiting: the mutex freed and the timer may both be ready; which comes
** first is explored (under --timers=idle the mutex wins). */
static bool timed_wait_enabled(struct exec *x, struct sched_op *op)
{
    return trylock_would_take(mutex_at(op), op->thread->id) || sched_timer_due(x, op->timer);
}

static void timed_wait_apply(struct exec *x, struct sched_op *op)
{
    if (sched_timer_wins(x, op, trylock_would_take(mutex_at(op), op->thread->id))) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "timed out";
        return;
    }
    mutex_take(mutex_at(op), op->thread->id, op->loc);
    op->status = WEFT_OK;
}

static void timed_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "wants mutex \"%s\" (with timeout)", op->obj->name);
}

static const struct sched_opclass timedlock_class = {
    .verb = "timedlock", .apply = timedlock_apply,
};
static const struct sched_opclass timedlock_wait_class = {
    .verb = "timedlock (wait)", .enabled = timed_wait_enabled, .apply = timed_wait_apply,
    .blockers = lock_blockers, .describe_wait = timed_describe,
};

int mutex_timedlock_at(weft_mutex_t *m, int64_t deadline, const char *file, int line)
{
    struct mutex_call c;
    if (!mutex_call(&c, m, &timedlock_class, file, line))
        return WEFT_EINVAL;
    if (c.mx->holder == c.op.thread->id && c.mx->kind == WEFT_MUTEX_ERRORCHECK)
        return WEFT_EDEADLK;
    struct timedlock_op t = { .op = c.op, .deadline = deadline < 0 ? -1 : deadline };
    if (sched_timer_init(c.x, &t.op, &t.timer, 0) != 0)
        sched_fail(c.x, WEFT_ASSERTION, t.op.loc, "out of memory for a timer");
    sched_visible(c.x, &t.op);
    if (!t.must_wait)
        return t.op.status;
    t.op.cls = &timedlock_wait_class;
    t.op.note = NULL;
    sched_visible(c.x, &t.op);
    return t.op.status;
}
