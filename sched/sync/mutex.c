/*
** mutex.c -- normal, recursive and error-checking mutexes, and try-lock.
** A lock is enabled when the mutex is free (or held by the caller, for a
** recursive one). Relocking a normal mutex is a self-deadlock, reported when
** the thread reaches the lock, since no interleaving can ever release it.
*/
#include <stdio.h>
#include "sync.h"

void weft_mutex_init(weft_mutex_t *m, const char *name, enum weft_mutex_kind kind)
{
    struct mutex_impl *mx = sched_object_new(OBJ_MUTEX, sizeof *mx, name);
    mx->kind = kind;
    mx->holder = -1;
    sched_handle_bind(&m->h_, mx);
}

struct mutex_impl *mutex_of(weft_mutex_t *m)
{
    if (!sched_handle_live(&m->h_))
        weft_mutex_init(m, NULL, WEFT_MUTEX_NORMAL);
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

bool sync_always(struct sched_thread *t, struct sched_op *op)
{
    (void)t; (void)op;
    return true;
}

sched_mask sync_wakers(struct sched_thread *t, const struct sched_obj *o, enum sched_wait *how)
{
    sched_mask alive = 0;
    for (int i = 0; i < sched_nthreads(); i++)
        if (i != t->id && sched_thread(i)->state != T_FINISHED)
            alive |= SCHED_BIT(i);
    *how = (o && (o->users & alive)) ? WAIT_LIKELY : WAIT_ANYONE;
    return *how == WAIT_LIKELY ? o->users & alive : alive;
}

/* ==========================================================================
** Lock
** ========================================================================== */

static bool lock_enabled(struct sched_thread *t, struct sched_op *op)
{
    struct mutex_impl *mx = (struct mutex_impl *)op->obj;
    return mx->holder < 0 || mx->holder == t->id;
}

static void lock_apply(struct sched_thread *t, struct sched_op *op)
{
    mutex_take((struct mutex_impl *)op->obj, t->id, op->loc);
}

static sched_mask lock_blockers(struct sched_thread *t, struct sched_op *op, enum sched_wait *how)
{
    (void)t;
    struct mutex_impl *mx = (struct mutex_impl *)op->obj;
    *how = WAIT_EXACT;
    return mx->holder >= 0 ? SCHED_BIT(mx->holder) : 0;
}

static void lock_describe(struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "wants mutex \"%s\"", op->obj->name);
}

static const struct sched_opclass lock_class = {
    .verb = "lock", .enabled = lock_enabled, .apply = lock_apply, .acquires = true,
    .blockers = lock_blockers, .describe_wait = lock_describe,
};

int weft_mutex_lock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_impl *mx = mutex_of(m);
    struct sched_thread *self = sched_current();
    struct sched_op op = { .cls = &lock_class, .obj = &mx->obj, .deadline = -1,
                           .loc = { file, line } };
    if (mx->holder == self->id) {
        if (mx->kind == WEFT_MUTEX_ERRORCHECK)
            return WEFT_EDEADLK;
        if (mx->kind == WEFT_MUTEX_NORMAL) {
            self->pending = &op;      /* shown in the report as what it wants */
            sched_fail(WEFT_SELF_DEADLOCK, op.loc,
                       "thread \"%s\" locks mutex \"%s\", which it already holds",
                       self->obj.name, mx->obj.name);
        }
    }
    sched_visible(&op);
    return WEFT_OK;
}

/* ==========================================================================
** Try-lock and unlock
** ========================================================================== */

static void trylock_apply(struct sched_thread *t, struct sched_op *op)
{
    struct mutex_impl *mx = (struct mutex_impl *)op->obj;
    bool ok = mx->holder < 0 || (mx->holder == t->id && mx->kind == WEFT_MUTEX_RECURSIVE);
    if (ok)
        mutex_take(mx, t->id, op->loc);
    op->status = ok ? WEFT_OK : WEFT_EBUSY;
    op->idle = !ok;                   /* a poll that found it held */
    op->note = ok ? "acquired" : "busy";
}

static bool trylock_reads_only(struct sched_thread *t, struct sched_op *op)
{
    struct mutex_impl *mx = (struct mutex_impl *)op->obj;
    return mx->holder >= 0 && !(mx->holder == t->id && mx->kind == WEFT_MUTEX_RECURSIVE);
}

static const struct sched_opclass trylock_class = {
    .verb = "trylock", .enabled = sync_always, .apply = trylock_apply,
    .reads_only = trylock_reads_only,
};

int weft_mutex_trylock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_impl *mx = mutex_of(m);
    struct sched_op op = { .cls = &trylock_class, .obj = &mx->obj, .deadline = -1,
                           .loc = { file, line } };
    sched_visible(&op);
    return op.status;
}

static void unlock_apply(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    mutex_drop((struct mutex_impl *)op->obj);
}

static const struct sched_opclass unlock_class = {
    .verb = "unlock", .enabled = sync_always, .apply = unlock_apply, .releases = true,
};

int weft_mutex_unlock_at(weft_mutex_t *m, const char *file, int line)
{
    struct mutex_impl *mx = mutex_of(m);
    struct sched_thread *self = sched_current();
    struct sched_loc at = { file, line };
    if (mx->holder != self->id) {
        if (mx->kind == WEFT_MUTEX_ERRORCHECK)
            return WEFT_EPERM;
        sched_fail(WEFT_ASSERTION, at, "thread \"%s\" unlocks mutex \"%s\", which %s",
                   self->obj.name, mx->obj.name,
                   mx->holder < 0 ? "is not locked" : "another thread holds");
    }
    struct sched_op op = { .cls = &unlock_class, .obj = &mx->obj, .deadline = -1, .loc = at };
    sched_visible(&op);
    return WEFT_OK;
}
