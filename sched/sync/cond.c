/*
** cond.c -- condition variables with FIFO wake-up, optionally timed.
** A wait is two visible steps: "wait" releases the mutex and takes a ticket;
** "wake" waits in the condition's queue and retakes the mutex once
** signalled (or timed out) and the mutex is free. A signal marks the waiter
** with the oldest ticket; a pthread program's signal (cond_signal_any_at)
** marks any one waiter, the search exploring each, as POSIX allows and
** glibc does not promise otherwise. A timed wait may time out while another thread
** holds the mutex: it leaves the queue then (a later signal does not find
** it) and retakes the mutex in a third step. A waiter whose wake was
** interrupted (a cancelled program thread) after a signal marked it passes
** the signal on, as POSIX asks and glibc does.
*/
#include <stdio.h>
#include "sync/sync.h"

struct cond_impl {
    struct sched_obj obj;
    intptr_t tickets;                 /* wait order, for FIFO signalling */
};

/* Both steps of one wait. */
struct cond_op {
    struct sched_op op;
    intptr_t ticket;                  /* its place in the wait order */
    bool signalled;
    bool timed_out;                   /* left the queue; the mutex was held */
    struct waiter place;              /* wake: in the condition's queue */
    struct sched_timer timer;         /* a timed wait's, started by "wait" */
    int64_t until;                    /* its absolute deadline, or -1: a timeout */
};

static const struct sched_objclass cond_objclass = { .name = "cond" };

void weft_cond_init_at(weft_cond_t *c, const char *name, const char *file, int line)
{
    struct exec *x = exec_current();
    if (x)
        sched_handle_bind(x, &c->h_, sync_object_new(x, &cond_objclass, sizeof(struct cond_impl),
                                                     name, (struct sched_loc){ file, line }));
}

static struct cond_impl *cond_of(struct exec *x, weft_cond_t *c, struct sched_loc at)
{
    if (!sched_handle_live(x, &c->h_))
        weft_cond_init_at(c, NULL, at.file, at.line);
    return c->h_.impl_;
}

static struct cond_op *cond_op(struct sched_op *op) { return OP_OF(op, struct cond_op, op); }
static struct mutex_impl *its_mutex(const struct sched_op *op)
{
    return (struct mutex_impl *)op->obj2;
}

/* ==========================================================================
** Wait: release and take a ticket, then wake and retake
** ========================================================================== */

/* An untimed wait of a scenario that asks for spurious wake-ups may end
** without a signal. */
static bool may_wake_spuriously(const struct exec *x, const struct sched_op *op)
{
    return op->timer == NULL && x->cfg->scenario->spurious_wakeups != 0;
}

/* With spurious wake-ups a wait is where a waiting loop polls: it ends a
** loop turn, so a loop that keeps waking for nothing lets the thread it
** waits for run (fairness, sched.c). */
static void wait_apply(struct exec *x, struct sched_op *op)
{
    op->ends_turn = may_wake_spuriously(x, op);
    mutex_drop(its_mutex(op));
    cond_op(op)->ticket = ++((struct cond_impl *)op->obj)->tickets;
    if (op->timer)
        sync_timer_begin(x, op->timer, cond_op(op)->until);
}

static const struct sched_opclass wait_class = { .verb = "wait", .flags = OP_RELEASE_2ND,
                                                 .apply = wait_apply };

static bool wake_enabled(struct exec *x, struct sched_op *op)
{
    return (cond_op(op)->signalled || sched_timer_due(x, op->timer) ||
            may_wake_spuriously(x, op)) &&
           its_mutex(op)->holder < 0;
}

/* A signal that came first wins; otherwise the timer fires, or (untimed)
** the wake is spurious: the wait returns 0 with nothing having happened. */
static void wake_apply(struct exec *x, struct sched_op *op)
{
    bool signalled = cond_op(op)->signalled;
    mutex_take(its_mutex(op), op->thread->id, op->loc);
    op->status = signalled || op->timer == NULL ? WEFT_OK : WEFT_ETIMEDOUT;
    if (signalled)
        return;
    if (op->timer) {
        sched_timer_fire(x, op->timer);
        op->note = "timed out";
    } else {
        op->note = "spurious";
    }
}

static sched_mask wake_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    int holder = its_mutex(op)->holder;
    if (cond_op(op)->signalled && holder >= 0) {
        *how = WAIT_EXACT;
        return mask_one(&x->masks, holder);
    }
    return sync_wakers(x, op->thread, op->obj, how);
}

/* A timed wait whose deadline lies past the end of virtual time never
** times out, which the report says: it is most often a deadline read from
** another clock than the condition's (CLOCK_REALTIME's seconds since 1970
** against a CLOCK_MONOTONIC condition, pthread_condattr_setclock). */
static void wake_describe(const struct sched_op *op, char *buf, size_t n)
{
    bool never = op->timer && op->timer->deadline >= SCHED_TIME_HORIZON;
    if (OP_OF(op, const struct cond_op, op)->signalled)
        snprintf(buf, n, "was signalled on \"%s\", wants mutex \"%s\" back",
                 op->obj->name, op->obj2->name);
    else
        snprintf(buf, n, "waits on condition \"%s\" (released mutex \"%s\")%s",
                 op->obj->name, op->obj2->name,
                 never ? ", with a deadline more than 36 years away (from another clock "
                         "than the condition's?): it never times out" : "");
}

static const struct sched_opclass wake_class = {
    .verb = "wake", .flags = OP_ACQUIRE_2ND, .enabled = wake_enabled, .apply = wake_apply,
    .blockers = wake_blockers, .describe_wait = wake_describe,
};

/* A timed wait's wake: a signal that came first wins, and the waiter
** then waits for the mutex; otherwise the timer may fire at any time, even
** while another thread holds the mutex (no OP_ACQUIRE_2ND: it is enabled
** together with the holder's unlock). */
static bool timed_wake_enabled(struct exec *x, struct sched_op *op)
{
    if (cond_op(op)->signalled)
        return its_mutex(op)->holder < 0;
    return sched_timer_due(x, op->timer);
}

static void timed_wake_apply(struct exec *x, struct sched_op *op)
{
    if (cond_op(op)->signalled) {
        mutex_take(its_mutex(op), op->thread->id, op->loc);
        op->status = WEFT_OK;
        return;
    }
    sched_timer_fire(x, op->timer);
    op->status = WEFT_ETIMEDOUT;
    op->note = "timed out";
    if (its_mutex(op)->holder < 0)
        mutex_take(its_mutex(op), op->thread->id, op->loc);
    else
        cond_op(op)->timed_out = true;    /* retaken in a step of its own */
}

static const struct sched_opclass timed_wake_class = {
    .verb = "wake", .enabled = timed_wake_enabled, .apply = timed_wake_apply,
    .blockers = wake_blockers, .describe_wait = wake_describe,
};

/* After a timeout while the mutex was held: a lock of the mutex (its obj),
** at the wait's line. */
static bool retake_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    return ((struct mutex_impl *)op->obj)->holder < 0;
}

static void retake_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    mutex_take((struct mutex_impl *)op->obj, op->thread->id, op->loc);
}

static sched_mask retake_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    int holder = ((struct mutex_impl *)op->obj)->holder;
    *how = WAIT_EXACT;
    return holder >= 0 ? mask_one(&x->masks, holder) : MASK_NONE;
}

static void retake_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "timed out, wants mutex \"%s\" back", op->obj->name);
}

static const struct sched_opclass retake_class = {
    .verb = "retake", .flags = OP_ACQUIRE, .enabled = retake_enabled,
    .apply = retake_apply, .blockers = retake_blockers, .describe_wait = retake_describe,
};

/* The wait's last steps: wake (and retake after a timeout). An
** interrupted wake that a signal had marked passes the signal on. A
** request that comes before the wake's step ends it even when a signal
** or the timeout came first: glibc's waiter is still in its cancellable
** wait until it runs again, and acts on the request then. */
static int wait_end(struct exec *x, weft_cond_t *c, struct cond_op *w)
{
    bool timed = w->op.timer != NULL && !w->op.timer->idle_rule;
    if (x->current->interruptible)
        x->current->interruptible = SCHED_INTERRUPT_ANY;
    w->op.cls = timed ? &timed_wake_class : &wake_class;
    w->place.obj = w->op.obj;
    w->op.waits = &w->place;
    w->op.nwaits = 1;
    sched_visible(x, &w->op);
    if (x->current->interrupted) {
        x->current->interruptible = 0;   /* the wait is over: nothing more ends */
        if (w->signalled)
            weft_cond_signal_at(c, 0, w->op.loc.file, w->op.loc.line);
        return w->op.status;
    }
    if (!w->timed_out)
        return w->op.status;
    int status = w->op.status;
    w->op.cls = &retake_class;
    w->op.obj = w->op.obj2;
    w->op.obj2 = NULL;
    w->op.waits = NULL;
    w->op.nwaits = 0;
    w->op.timer = NULL;
    w->op.note = NULL;
    sched_visible(x, &w->op);
    return status;
}

/* A wait: untimed (ms < 0, no deadline), or timed, ms from its first step
** or until the absolute deadline (>= 0). */
static int cond_wait(weft_cond_t *c, weft_mutex_t *m, int64_t ms, int64_t until,
                     const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    struct cond_impl *cv = cond_of(x, c, at);
    struct mutex_impl *mx = mutex_of(x, m, at);
    if (mx->kind == WEFT_MUTEX_GO && mx->holder < 0)   /* Go: held by anyone will do */
        sched_fail(x, WEFT_ASSERTION, at, "wait on condition \"%s\" with Go mutex \"%s\" "
                   "unlocked", cv->obj.name, mx->obj.name);
    if (mx->kind != WEFT_MUTEX_GO && mx->holder != x->current->id)
        sched_fail(x, WEFT_ASSERTION, at, "wait on condition \"%s\" without holding mutex \"%s\"",
                   cv->obj.name, mx->obj.name);
    if (mx->depth > 1)
        sched_fail(x, WEFT_ASSERTION, at, "wait on condition \"%s\" with recursive mutex \"%s\" "
                   "locked %d times", cv->obj.name, mx->obj.name, mx->depth);
    struct cond_op w = { .op = { .cls = &wait_class, .obj = &cv->obj, .obj2 = &mx->obj,
                                 .loc = at }, .until = until };
    bool timed = ms >= 0 || until >= 0;
    if (timed && sched_timer_init(x, &w.op, &w.timer, ms > 0 ? sched_ms_to_ns(ms) : 0) != 0)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    sched_visible(x, &w.op);
    return wait_end(x, c, &w);
}

int weft_cond_timedwait_at(weft_cond_t *c, weft_mutex_t *m, int64_t ms,
                           const char *file, int line)
{
    return cond_wait(c, m, ms, -1, file, line);
}

int cond_wait_until_at(weft_cond_t *c, weft_mutex_t *m, int64_t deadline, const char *file,
                       int line)
{
    return cond_wait(c, m, -1, deadline > 0 ? deadline : 0, file, line);
}

/* ==========================================================================
** Signal and broadcast
** ========================================================================== */

/* Under the idle rule a waiter whose deadline has passed has timed out
** already; otherwise it times out only in its own step. */
static bool timed_out(const struct exec *x, const struct sched_timer *t)
{
    return t && t->idle_rule && sched_timer_reached(x, t);
}

/* The waiter with the oldest ticket that is still waiting, or NULL. */
static struct cond_op *oldest_waiter(struct exec *x, struct cond_impl *cv)
{
    struct cond_op *best = NULL;
    for (struct waiter *w = sched_waiters_of(&cv->obj); w; w = w->next) {
        struct cond_op *c = cond_op(w->op);
        if (c->signalled || c->timed_out || timed_out(x, c->op.timer))
            continue;
        if (best == NULL || c->ticket < best->ticket)
            best = c;
    }
    return best;
}

enum signal_kind { SIGNAL_OLDEST, SIGNAL_ALL, SIGNAL_ANY };

struct signal_op {
    struct sched_op op;
    enum signal_kind kind;
};

/* Which one of the waiters a signal wakes, the choice explored; NULL when
** none waits. They are taken in ticket order, so that a choice means the
** same waiter in every execution that reaches it. */
static struct cond_op *any_waiter(struct exec *x, struct cond_impl *cv)
{
    int n = 0;
    for (struct waiter *w = sched_waiters_of(&cv->obj); w; w = w->next) {
        struct cond_op *c = cond_op(w->op);
        n += !(c->signalled || c->timed_out || timed_out(x, c->op.timer));
    }
    if (n == 0)
        return NULL;
    int k = sched_choose_value(x, n);  /* the k-th oldest */
    struct cond_op *best = NULL;
    for (int i = 0; i <= k; i++) {    /* n is small: a queue of waiting threads */
        struct cond_op *next = NULL;
        for (struct waiter *w = sched_waiters_of(&cv->obj); w; w = w->next) {
            struct cond_op *c = cond_op(w->op);
            if (c->signalled || c->timed_out || timed_out(x, c->op.timer) ||
                (best && c->ticket <= best->ticket))
                continue;
            if (next == NULL || c->ticket < next->ticket)
                next = c;
        }
        best = next;
    }
    return best;
}

static void signal_apply(struct exec *x, struct sched_op *op)
{
    struct cond_impl *cv = (struct cond_impl *)op->obj;
    enum signal_kind kind = OP_OF(op, struct signal_op, op)->kind;
    int woken = 0;
    struct cond_op *w;
    while ((w = kind == SIGNAL_ANY ? any_waiter(x, cv) : oldest_waiter(x, cv)) != NULL) {
        w->signalled = true;
        woken++;
        if (kind != SIGNAL_ALL)
            break;
    }
    op->note = woken ? "woke %d" : "no waiter";
    op->note_a = woken;
}

static const struct sched_opclass signal_class = { .verb = "signal", .apply = signal_apply };
static const struct sched_opclass broadcast_class = { .verb = "broadcast", .apply = signal_apply };

static void signal_at(weft_cond_t *c, enum signal_kind kind, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    struct sched_loc at = { file, line };
    struct signal_op s = { .op = { .cls = kind == SIGNAL_ALL ? &broadcast_class : &signal_class,
                                   .obj = &cond_of(x, c, at)->obj, .loc = at },
                           .kind = kind };
    sched_visible(x, &s.op);
}

void weft_cond_signal_at(weft_cond_t *c, int all, const char *file, int line)
{
    signal_at(c, all ? SIGNAL_ALL : SIGNAL_OLDEST, file, line);
}

void cond_signal_any_at(weft_cond_t *c, const char *file, int line)
{
    signal_at(c, SIGNAL_ANY, file, line);
}
