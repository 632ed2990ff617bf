/*
** cancel.c -- deferred cancellation: pthread_cancel, the cancellation
** points weft models (pthread_testcancel, pthread_join, the condition
** variable waits, sem_wait, sem_timedwait and sem_clockwait,
** nanosleep, usleep, sleep; the I/O calls are points through
** posix_cancel_enter and leave too: posix/io.c),
** pthread_setcancelstate and pthread_setcanceltype, the cleanup handlers
** of pthread_cleanup_push and pthread_cleanup_pop, and PTHREAD_CANCELED as
** the result a join of a cancelled thread sees.
**
** pthread_cancel is a visible step that depends on every other (OP_GLOBAL),
** so the searches try the request before and after each step of the
** target, and what the target's code reads of it between two steps is
** what a real thread would. A target acts on a request at a cancellation
** point, in the point's own step: the step of a join, a sem_wait or a
** sleep that finds a request there ends unperformed (the core's
** interrupt, exec.h), whether it could have been performed or waits; so
** the searches order the request against that very step. A condition
** variable's wait has two steps (release the mutex, then wake and retake
** it): a request there on entry is acted on at once, one that comes while
** it waits ends the wait, and the mutex is retaken before the handlers
** run, as POSIX requires. A wait that was performed (a signal taken, a
** permit, a joined thread) is not undone: the request stays for the next
** point. Limit: a sleep is a step that commutes with every other, so DPOR
** does not order a request before and after it (dfs does).
** Acting runs the cleanup handlers (last pushed first), then the keys'
** destructors, and ends the thread with PTHREAD_CANCELED.
**
** Asynchronous cancellation (PTHREAD_CANCEL_ASYNCHRONOUS) is accepted and
** acted on at the same points as deferred cancellation: weft has no way to
** stop a thread between two of its instructions.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

/* The core's interrupt follows the request and whether it may be acted on. */
static void update_interrupt(struct exec *x, int tid, const struct posix_thread *t)
{
    struct sched_thread *st = sched_thread(x, tid);
    if (st) {
        bool was = st->interrupt;
        st->interrupt = t->cancel_requested && !t->cancel_disabled && !t->cancelling;
        uint32_t after = x->current && x->current->last_step ? x->current->last_step - 1 : 0;
        if (st->interrupt && !was)    /* made by the caller's code after its last step */
            st->interrupt_since = after;
        x->interrupts |= st->interrupt;
        sched_thread_changed(x, st);
    }
}

/* Pop and run every cleanup handler, last pushed first. */
void posix_cleanup_run_all(struct posix_thread *t)
{
    while (t->cleanups) {
        struct weft_cleanup_ *c = t->cleanups;
        t->cleanups = c->next;
        c->fn(c->arg);
    }
}

/* The running thread acts on its cancellation request: never returns. */
static _Noreturn void act_on_cancel(struct exec *x, struct posix_thread *t, const char *file,
                                    int line)
{
    t->cancel_requested = false;
    t->cancelling = true;             /* as glibc: no second cancellation in handlers,
                                         though its state still reads enabled */
    x->current->cancelled = true;     /* (the report of a lock it leaves held) */
    x->current->cancelled_at = posix_loc(file, line);   /* its end's step is there */
    update_interrupt(x, x->current->id, t);
    posix_cleanup_run_all(t);
    if (t->exit_to == NULL)
        sched_fail(x, WEFT_ASSERTION, posix_loc(file, line), "cancelled outside a thread");
    t->result = PTHREAD_CANCELED;
    longjmp(*t->exit_to, 1);
}

static bool actionable(const struct posix_thread *t)
{
    return t && t->cancel_requested && !t->cancel_disabled && !t->cancelling;
}

void posix_cancel_enter(struct exec *x, bool blocked_only, const char *file, int line)
{
    struct posix_thread *t = posix_thread_self(x);
    if (blocked_only && actionable(t))
        act_on_cancel(x, t, file, line);
    x->current->interruptible = blocked_only ? SCHED_INTERRUPT_BLOCKED : SCHED_INTERRUPT_ANY;
    x->current->interrupted = false;
}

bool posix_cancel_leave(struct exec *x)
{
    struct sched_thread *self = x->current;
    bool interrupted = self->interrupted;
    self->interruptible = 0;
    self->interrupted = false;
    return interrupted;
}

void posix_cancel_now(struct exec *x, const char *file, int line)
{
    act_on_cancel(x, posix_thread_self(x), file, line);
}

/* ==========================================================================
** The calls
** ========================================================================== */

static const struct sched_opclass cancel_class = { .verb = "cancel", .flags = OP_GLOBAL };
/* pthread_testcancel's step: ends a loop turn like a yield, but is not
** local, so that the searches order it against every pthread_cancel. */
static const struct sched_opclass testcancel_class = { .verb = "testcancel", .flags = OP_YIELD };

int weft_pthread_cancel_at(pthread_t th, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_cancel(th);
    struct posix_exec *st = posix_state(x);
    struct sched_thread *target = st && th >= 1 && th <= (pthread_t)x->nthreads
                                ? sched_thread(x, (int)(th - 1)) : NULL;
    struct posix_thread *t = target ? posix_thread_at(x, target->id) : NULL;
    if (t == NULL)
        return ESRCH;
    struct sched_op op = { .cls = &cancel_class, .loc = { file, line } };
    sched_visible(x, &op);
    if (target->state != T_FINISHED) {
        t->cancel_requested = true;
        update_interrupt(x, target->id, t);
        /* Thread ends are steps from this step on (sched.c), even while the
        ** target has cancellation disabled: its pthread_setcancelstate is
        ** no step, and the searches would not order it with the others' ends. */
        x->interrupts = true;
    }
    return 0;
}

void weft_pthread_testcancel_at(const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL) {
        pthread_testcancel();
        return;
    }
    struct sched_op op = { .cls = &testcancel_class, .loc = { file, line } };
    sched_visible(x, &op);            /* a request may come before or after */
    struct posix_thread *t = posix_thread_self(x);
    if (actionable(t))
        act_on_cancel(x, t, file, line);
}

int weft_pthread_setcancelstate(int state, int *old)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_setcancelstate(state, old);
    if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
        return EINVAL;
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        return ENOMEM;
    if (old)
        *old = t->cancel_disabled ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
    t->cancel_disabled = state == PTHREAD_CANCEL_DISABLE;
    update_interrupt(x, x->current->id, t);
    return 0;
}

int weft_pthread_setcanceltype(int type, int *old)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_setcanceltype(type, old);
    if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
        return EINVAL;
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        return ENOMEM;
    if (old)
        *old = t->cancel_async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED;
    t->cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
    return 0;
}

void weft_pthread_cleanup_push_(struct weft_cleanup_ *c)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_self(x) : NULL;
    if (t == NULL) {
        c->next = NULL;               /* outside an execution: run by pop only */
        return;
    }
    c->next = t->cleanups;
    t->cleanups = c;
}

void weft_pthread_cleanup_pop_(struct weft_cleanup_ *c, int execute)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_self(x) : NULL;
    if (t && t->cleanups == c)
        t->cleanups = c->next;
    if (execute)
        c->fn(c->arg);
}
