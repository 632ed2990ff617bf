/*
** rwlock.c -- read-write locks, writer-preferring (Go's sync.RWMutex) or
** reader-preferring (glibc's default). Read locks and read unlocks are
** reads of the lock for the searches (OP_SHARED): they commute among
** themselves; every step of a writer is a write. A read lock that must
** wait takes a step to join the queue, so the unlock that admits it
** depends on that step, never on when the reader happened to arrive.
*/
#include <stdio.h>
#include <string.h>
#include "sync/sync.h"

struct rwlock_impl {
    struct sched_obj obj;
    /* The readers' side, for happens-before only: a read unlock releases
    ** into it and a writer acquires it, so readers do not order one
    ** another (op.h, OP_SHARED). */
    struct sched_obj drain;
    enum weft_rwlock_policy policy;
    int writer;                       /* holds it, or (writer-preferring) has
                                         announced it and waits; -1: none */
    bool writing;                     /* the writer holds it */
    int readers;                      /* read holds, admitted readers' included */
    struct sched_loc write_at;
    struct read_hold {                /* read holds per thread, nheld of them */
        int n;
        struct sched_loc at;          /* where the first was taken */
    } *held;                          /* in the arena; grown by hold_room */
    int nheld;
    bool stalls;                      /* a POSIX rwlock (mutex_stalls in sync.h) */
};

struct rw_op {
    struct sched_op op;
    struct waiter place;              /* a blocked read lock's, in the queue */
    bool must_wait;                   /* the first step found it must wait */
    bool admitted;                    /* an unlock gave it its read hold */
};

static struct rwlock_impl *rw_at(const struct sched_op *op)
{
    return (struct rwlock_impl *)op->obj;
}
static struct rw_op *rw_op(struct sched_op *op) { return OP_OF(op, struct rw_op, op); }

static int rwlock_holder(const struct sched_obj *o, struct sched_loc *at)
{
    const struct rwlock_impl *rw = (const struct rwlock_impl *)o;
    *at = rw->write_at;
    return rw->writing ? rw->writer : -1;
}

static int holds_of(const struct rwlock_impl *rw, int tid)
{
    return tid < rw->nheld ? rw->held[tid].n : 0;
}

static int rwlock_holds(const struct sched_obj *o, int tid, struct sched_loc *at)
{
    const struct rwlock_impl *rw = (const struct rwlock_impl *)o;
    bool writes = rw->writing && rw->writer == tid;
    *at = writes ? rw->write_at : tid < rw->nheld ? rw->held[tid].at : (struct sched_loc){ 0 };
    return rw->stalls ? 0 : writes + holds_of(rw, tid);
}

void rwlock_stalls(weft_rwlock_t *h)
{
    struct rwlock_impl *rw = h->h_.impl_;
    if (rw)
        rw->stalls = true;
}

static bool rwlock_shares(const struct sched_obj *o, int tid, char *buf, size_t n,
                          struct sched_loc *at)
{
    const struct rwlock_impl *rw = (const struct rwlock_impl *)o;
    int holds = holds_of(rw, tid);
    if (holds == 0)
        return false;
    *at = rw->held[tid].at;
    if (holds == 1)
        snprintf(buf, n, "for reading");
    else
        snprintf(buf, n, "for reading, %d times", holds);
    return true;
}

static const struct sched_objclass rwlock_objclass = {
    .name = "rwlock", .holder = rwlock_holder, .holds = rwlock_holds, .shares = rwlock_shares,
};
static const struct sched_objclass readers_objclass = { .name = "rwlock readers" };

void weft_rwlock_init_at(weft_rwlock_t *h, const char *name, enum weft_rwlock_policy policy,
                         const char *file, int line)
{
    struct exec *x = exec_current();
    if (x == NULL)
        return;
    struct rwlock_impl *rw = sync_object_new(x, &rwlock_objclass, sizeof *rw, name,
                                             (struct sched_loc){ file, line });
    rw->policy = policy;
    rw->writer = -1;
    rw->drain.cls = &readers_objclass;
    rw->drain.thread = -1;
    object_register(x, &rw->drain, rw->obj.name);
    sched_handle_bind(x, &h->h_, rw);
    rw->drain.key = sched_mix(rw->obj.key, 0x72656164657273ULL);
}

static struct rwlock_impl *rwlock_of(struct exec *x, weft_rwlock_t *h, struct sched_loc at)
{
    if (!sched_handle_live(x, &h->h_))
        weft_rwlock_init_at(h, NULL, WEFT_RWLOCK_WRITER_PREFERRING, at.file, at.line);
    return h->h_.impl_;
}

/* The threads holding read locks. */
static sched_mask readers_of(struct exec *x, const struct rwlock_impl *rw)
{
    struct mask_builder b = MASK_BUILDER_INIT;
    for (int i = 0; i < rw->nheld; i++)
        if (rw->held[i].n)
            mask_build_add(&b, i);
    return mask_build_done(&x->masks, &b);
}

/* Room in rw's table of holds for thread tid, made before its operation
** parks, so that applying one never needs memory. */
static void hold_room(struct exec *x, struct rwlock_impl *rw, int tid, struct sched_loc at)
{
    if (tid < rw->nheld)
        return;
    int n = x->threads_cap > tid ? x->threads_cap : tid + 1;
    struct read_hold *held = arena_alloc(&x->arena, (size_t)n * sizeof *held);
    if (held == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for rwlock \"%s\"", rw->obj.name);
    if (rw->nheld)
        memcpy(held, rw->held, (size_t)rw->nheld * sizeof *held);
    rw->held = held;
    rw->nheld = n;
}

static void take_read(struct rwlock_impl *rw, int tid, struct sched_loc at)
{
    if (rw->held[tid].n++ == 0)
        rw->held[tid].at = at;
    rw->readers++;
}

static bool reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    (void)op;
    return true;
}

/* ==========================================================================
** Read lock and read unlock
** ========================================================================== */

/* Writer-preferring: no writer holds or waits. Reader-preferring: none holds. */
static bool may_read(const struct rwlock_impl *rw)
{
    return rw->policy == WEFT_RWLOCK_READER_PREFERRING ? !rw->writing : rw->writer < 0;
}

static void rlock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    op->idle = true;                  /* a read of the lock (OP_SHARED) */
    if (may_read(rw)) {
        /* A nested read lock under reader preference: no writer can lock
        ** while this thread reads already. Under writer preference one can
        ** announce itself, which is the deadlock that policy has. */
        op->held = holds_of(rw, op->thread->id) > 0 &&
                   rw->policy == WEFT_RWLOCK_READER_PREFERRING;
        take_read(rw, op->thread->id, op->loc);
        return;
    }
    rw_op(op)->must_wait = true;
    op->note = "blocks";
}

static bool rlock_wait_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return rw_op(op)->admitted;
}

static void rlock_wait_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;                  /* the unlock that admitted it counted it */
}

static sched_mask rlock_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    (void)x;
    *how = WAIT_EXACT;
    int w = rw_at(op)->writer;
    return w >= 0 ? mask_one(&x->masks, w) : MASK_NONE;
}

static void rlock_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct rwlock_impl *rw = rw_at(op);
    snprintf(buf, n, "wants rwlock \"%s\" for reading (a writer %s it)", op->obj->name,
             rw->writing ? "holds" : "waits for");
}

static const struct sched_opclass rlock_class = {
    .verb = "rlock", .flags = OP_SHARED, .apply = rlock_apply, .reads_only = reads_only,
};
static const struct sched_opclass rlock_wait_class = {
    .verb = "rlock (wait)", .flags = OP_SHARED, .enabled = rlock_wait_enabled,
    .apply = rlock_wait_apply, .blockers = rlock_blockers, .describe_wait = rlock_describe,
    .reads_only = reads_only,
};

static void runlock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    rw->held[op->thread->id].n--;
    rw->readers--;
    op->idle = true;                  /* a read of the lock (OP_SHARED) */
}

static const struct sched_opclass runlock_class = {
    .verb = "runlock", .flags = OP_SHARED | OP_RELEASE_2ND, .apply = runlock_apply,
    .reads_only = reads_only,
};
/* Under reader preference a write lock waits for every read hold, so
** another thread's read unlock and a write lock are never enabled
** together: a release (op.h). Under writer preference the lock announces
** itself while readers hold, so the two can race. */
static const struct sched_opclass runlock_reader_preferring_class = {
    .verb = "runlock", .flags = OP_SHARED | OP_RELEASE, .apply = runlock_apply,
    .reads_only = reads_only,
};

/* ==========================================================================
** Write lock and unlock
** ========================================================================== */

/* Writer-preferring: the lock is Go's writer mutex, so only one writer
** announces at a time. Reader-preferring: no reader holds it either. */
static bool lock_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    return rw->writer < 0 && (rw->policy == WEFT_RWLOCK_WRITER_PREFERRING || rw->readers == 0);
}

static void lock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    rw->writer = op->thread->id;
    rw->write_at = op->loc;
    rw->writing = rw->readers == 0;
    if (rw->writing)
        return;
    rw_op(op)->must_wait = true;      /* announced: new readers block from now on */
    op->note = "waits for readers (%d)";
    op->note_a = rw->readers;
}

static bool lock_wait_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return rw_at(op)->readers == 0;
}

static void lock_wait_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    rw_at(op)->writing = true;
}

static sched_mask lock_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    *how = WAIT_EXACT;
    if (rw->writer >= 0 && rw->writer != op->thread->id)
        return mask_one(&x->masks, rw->writer);
    return readers_of(x, rw);
}

static void lock_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct rwlock_impl *rw = rw_at(op);
    if (rw->writer >= 0 && rw->writer != op->thread->id)
        snprintf(buf, n, "wants rwlock \"%s\" for writing (another writer has it)", op->obj->name);
    else
        snprintf(buf, n, "wants rwlock \"%s\" for writing (%d read hold%s left)", op->obj->name,
                 rw->readers, rw->readers == 1 ? "" : "s");
}

static const struct sched_opclass lock_class = {
    .verb = "lock", .flags = OP_ACQUIRE, .enabled = lock_enabled, .apply = lock_apply,
    .blockers = lock_blockers, .describe_wait = lock_describe,
};
/* Waiting for the readers to drain: it takes the drain too, which every
** read unlock gives back (never together with another thread's one). */
static const struct sched_opclass lock_wait_class = {
    .verb = "lock (wait)", .flags = OP_ACQUIRE | OP_ACQUIRE_2ND, .enabled = lock_wait_enabled,
    .apply = lock_wait_apply, .blockers = lock_blockers, .describe_wait = lock_describe,
};

/* The readers that blocked while the writer had the lock get it now,
** before any other writer (Go's Unlock; a reader-preferring lock alike). */
static void unlock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    int admitted = 0;
    rw->writing = false;
    rw->writer = -1;
    for (struct waiter *w = sched_waiters_of(&rw->obj); w; w = w->next) {
        struct rw_op *r = rw_op(w->op);
        if (r->admitted)
            continue;
        r->admitted = true;
        take_read(rw, w->op->thread->id, w->op->loc);
        admitted++;
    }
    op->note = admitted ? "admits %d readers" : NULL;
    op->note_a = admitted;
}

static const struct sched_opclass unlock_class = {
    .verb = "unlock", .flags = OP_RELEASE, .apply = unlock_apply,
};

/* ==========================================================================
** Try-locks (pthread_rwlock_tryrdlock, trywrlock)
** ========================================================================== */

static void tryrlock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    op->idle = true;                  /* a read of the lock (OP_SHARED) */
    bool ok = may_read(rw) && !(rw->writer >= 0 && rw->writer == op->thread->id);
    if (ok)
        take_read(rw, op->thread->id, op->loc);
    op->status = ok ? WEFT_OK : WEFT_EBUSY;
    op->note = ok ? "acquired" : "busy";
}

static const struct sched_opclass tryrlock_class = {
    .verb = "tryrlock", .flags = OP_SHARED, .apply = tryrlock_apply, .reads_only = reads_only,
};

static bool write_free(const struct rwlock_impl *rw)
{
    return rw->writer < 0 && rw->readers == 0;
}

static void trylock_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct rwlock_impl *rw = rw_at(op);
    bool ok = write_free(rw);
    if (ok) {
        rw->writer = op->thread->id;
        rw->write_at = op->loc;
        rw->writing = true;
    }
    op->status = ok ? WEFT_OK : WEFT_EBUSY;
    op->note = ok ? "acquired" : "busy";
}

/* A write even when it finds the lock busy: unlike a write lock it is
** enabled while readers hold, and a read unlock (a read, OP_SHARED) turns
** its outcome around, so the two must not commute. */
static const struct sched_opclass trylock_class = {
    .verb = "trylock", .apply = trylock_apply,
};

int rwlock_try_at(weft_rwlock_t *h, bool write, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    struct rwlock_impl *rw = rwlock_of(x, h, at);
    struct rw_op r = { .op = { .cls = write ? &trylock_class : &tryrlock_class, .obj = &rw->obj,
                               .loc = at } };
    if (write)                        /* it meets the readers, as a write lock does */
        r.op.obj2 = &rw->drain;
    hold_room(x, rw, x->current->id, at);
    sched_visible(x, &r.op);
    return r.op.status;
}

/* ==========================================================================
** Timed locks (pthread_rwlock_timedrdlock, timedwrlock, clock...)
** ==========================================================================
** As the mutex's timed lock: a first step takes the lock if it can (POSIX:
** never a timeout then, however late), else starts the timer at the
** absolute deadline; a second waits until the lock can be taken or the
** timer is due, and when both are, which comes first is explored (under
** --timers=idle the lock wins). A timed waiter is in no queue: an unlock
** does not admit it, it takes the lock when its step runs. Both steps
** write the lock and meet its readers: dependent on all its steps.
*/

struct timed_op {
    struct sched_op op;
    struct sched_timer timer;
    int64_t deadline;                 /* absolute, on the virtual clock */
    bool write, must_wait;
};

static struct timed_op *timed_op(struct sched_op *op)
{
    return OP_OF(op, struct timed_op, op);
}

static bool timed_can_take(const struct rwlock_impl *rw, bool write)
{
    return write ? write_free(rw) : may_read(rw);
}

static void timed_take(struct rwlock_impl *rw, struct sched_op *op, bool write)
{
    op->status = WEFT_OK;
    if (!write) {
        take_read(rw, op->thread->id, op->loc);
        return;
    }
    rw->writer = op->thread->id;
    rw->write_at = op->loc;
    rw->writing = true;
}

static void timed_first_apply(struct exec *x, struct sched_op *op)
{
    struct timed_op *t = timed_op(op);
    if (timed_can_take(rw_at(op), t->write)) {
        timed_take(rw_at(op), op, t->write);
        return;
    }
    /* A deadline passed already is due at once: the lock may still come
    ** free first, a race the second step explores. */
    sched_timer_start_at(x, op->timer, t->deadline);
    t->must_wait = true;
    op->note = "blocks";
}

static bool timed_wait_enabled(struct exec *x, struct sched_op *op)
{
    return timed_can_take(rw_at(op), timed_op(op)->write) || sched_timer_due(x, op->timer);
}

static void timed_wait_apply(struct exec *x, struct sched_op *op)
{
    struct timed_op *t = timed_op(op);
    if (sched_timer_wins(x, op, timed_can_take(rw_at(op), t->write))) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "timed out";
        return;
    }
    timed_take(rw_at(op), op, t->write);
}

static sched_mask timed_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return timed_op(op)->write ? lock_blockers(x, op, how) : rlock_blockers(x, op, how);
}

static void timed_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "wants rwlock \"%s\" for %s (with timeout)", op->obj->name,
             ((const struct timed_op *)(const void *)op)->write ? "writing" : "reading");
}

static const struct sched_opclass timedrlock_class = {
    .verb = "timedrlock", .apply = timed_first_apply,
};
static const struct sched_opclass timedlock_class = {
    .verb = "timedlock", .apply = timed_first_apply,
};
static const struct sched_opclass timedrlock_wait_class = {
    .verb = "timedrlock (wait)", .enabled = timed_wait_enabled, .apply = timed_wait_apply,
    .blockers = timed_blockers, .describe_wait = timed_describe,
};
static const struct sched_opclass timedlock_wait_class = {
    .verb = "timedlock (wait)", .enabled = timed_wait_enabled, .apply = timed_wait_apply,
    .blockers = timed_blockers, .describe_wait = timed_describe,
};

int rwlock_timed_at(weft_rwlock_t *h, bool write, int64_t deadline, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    struct rwlock_impl *rw = rwlock_of(x, h, at);
    struct timed_op t = { .op = { .cls = write ? &timedlock_class : &timedrlock_class,
                                  .obj = &rw->obj, .obj2 = &rw->drain, .loc = at },
                          .deadline = deadline > 0 ? deadline : 0, .write = write };
    hold_room(x, rw, x->current->id, at);
    if (sched_timer_init(x, &t.op, &t.timer, 0) != 0)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    sched_visible(x, &t.op);
    if (!t.must_wait)
        return t.op.status;
    t.op.cls = write ? &timedlock_wait_class : &timedrlock_wait_class;
    t.op.note = NULL;
    sched_visible(x, &t.op);
    return t.op.status;
}

/* ==========================================================================
** The public call
** ========================================================================== */

/* Misuse that no interleaving can mend, reported before the step. */
static void check_use(struct exec *x, struct rwlock_impl *rw, int which, struct rw_op *r)
{
    struct sched_thread *self = x->current;
    const char *t = self->obj.name, *l = rw->obj.name;
    bool writes = rw->writing && rw->writer == self->id;
    self->pending = &r->op;           /* shown in the report as what it wants */
    if (which == 0 && writes)
        sched_fail(x, WEFT_SELF_DEADLOCK, r->op.loc, "thread \"%s\" read-locks rwlock \"%s\", "
                   "which it holds for writing", t, l);
    if (which == 2 && (writes || holds_of(rw, self->id)))
        sched_fail(x, WEFT_SELF_DEADLOCK, r->op.loc, "thread \"%s\" locks rwlock \"%s\" for "
                   "writing, which it already holds for %s", t, l, writes ? "writing" : "reading");
    self->pending = NULL;
    if (which == 1 && holds_of(rw, self->id) == 0)
        sched_fail(x, WEFT_ASSERTION, r->op.loc, "thread \"%s\" read-unlocks rwlock \"%s\", "
                   "which it does not hold for reading", t, l);
    if (which == 3 && !writes)
        sched_fail(x, WEFT_ASSERTION, r->op.loc, "thread \"%s\" unlocks rwlock \"%s\", which it "
                   "does not hold for writing", t, l);
}

void weft_rwlock_op_at(weft_rwlock_t *h, int which, const char *file, int line)
{
    static const struct sched_opclass *const first[] = {
        &rlock_class, &runlock_class, &lock_class, &unlock_class };
    struct exec *x = sync_exec();
    if (x == NULL || which < 0 || which > 3)
        return;
    struct sched_loc at = { file, line };
    struct rwlock_impl *rw = rwlock_of(x, h, at);
    const struct sched_opclass *cls = first[which];
    if (which == 1 && rw->policy == WEFT_RWLOCK_READER_PREFERRING)
        cls = &runlock_reader_preferring_class;
    struct rw_op r = { .op = { .cls = cls, .obj = &rw->obj, .loc = at },
                       .place = { .obj = &rw->obj } };
    if (which != 0)                   /* every step but a read lock's meets the writers */
        r.op.obj2 = &rw->drain;
    check_use(x, rw, which, &r);
    hold_room(x, rw, x->current->id, at);
    sched_visible(x, &r.op);
    if (!r.must_wait)
        return;
    r.op.cls = which == 0 ? &rlock_wait_class : &lock_wait_class;
    r.op.note = NULL;
    if (which == 0) {
        r.op.waits = &r.place;
        r.op.nwaits = 1;
    }
    sched_visible(x, &r.op);
}
