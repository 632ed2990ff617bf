/*
** thread_np.c -- the calls a program makes about a thread that change
** nothing weft explores: its name (pthread_setname_np, getname_np), its
** scheduling policy and priority, its CPU affinity. Real programs make
** them as they start their threads; glibc's versions would read weft's
** pthread_t (a small number naming the thread) as a pointer and crash
** (so would its pthread_getattr_np, whose attributes are the thread's
** here: detached or not, policy, priority, and its fiber's stack). Here
** each checks its thread and arguments as glibc does and returns, with no
** step: weft runs every interleaving whatever the policy, the priority or
** the CPUs, so none of them changes what the search explores. A name set
** is kept and given back; reports keep naming threads by their start
** function.
**
** The non-portable joins are steps: pthread_tryjoin_np gives EBUSY while
** the thread runs; pthread_timedjoin_np and pthread_clockjoin_np wait for
** its end or for their absolute deadline on the virtual clock, the timeout
** racing every step as every timed wait's does. Whether a thread has ended
** is decided by its last step, whichever that is, so these steps depend
** on every step (OP_GLOBAL, as pthread_kill(t, 0) in signal.c): the
** searches try each before and after each of the other threads' steps.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <errno.h>
#include <string.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"
#include "core/fiber.h"
#include "core/mask.h"

#define NAME_MAX_NP 16                /* glibc's TASK_COMM_LEN, with the NUL */

/* The record of thread th in this execution, or NULL (ESRCH): none, or
** joined already (its id is no one's any more). */
static struct posix_thread *named(pthread_t th)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_named(x, th) : NULL;
    return t && !t->joined ? t : NULL;
}

int weft_pthread_setname_np_at(pthread_t th, const char *name, const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    if (name == NULL || strlen(name) >= NAME_MAX_NP)
        return ERANGE;
    memcpy(t->np_name, name, strlen(name) + 1);
    return 0;
}

int weft_pthread_getname_np_at(pthread_t th, char *buf, size_t len, const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    const char *name = t->np_name[0] ? t->np_name : t->start_name ? t->start_name
                     : sched_thread(sync_exec(), (int)(th - 1))->obj.name;
    if (buf == NULL || len < strlen(name) + 1)
        return ERANGE;
    memcpy(buf, name, strlen(name) + 1);
    return 0;
}

int weft_pthread_getschedparam_at(pthread_t th, int *policy, struct sched_param *param,
                                  const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    *policy = t->policy;
    memset(param, 0, sizeof *param);
    param->sched_priority = t->priority;
    return 0;
}

int weft_pthread_setschedparam_at(pthread_t th, int policy, const struct sched_param *param,
                                  const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    if (param == NULL || (policy != SCHED_OTHER && policy != SCHED_FIFO && policy != SCHED_RR &&
                          policy != SCHED_BATCH && policy != SCHED_IDLE))
        return EINVAL;
    int lo = sched_get_priority_min(policy), hi = sched_get_priority_max(policy);
    if (param->sched_priority < lo || param->sched_priority > hi)
        return EINVAL;
    t->policy = policy;
    t->priority = param->sched_priority;
    return 0;
}

int weft_pthread_affinity_at(pthread_t th, size_t size, void *set, int get, const char *file,
                             int line)
{
    (void)file;
    (void)line;
    if (named(th) == NULL)
        return ESRCH;
    if (set == NULL || size == 0)
        return EINVAL;
    if (get) {                        /* every CPU weft runs on: one */
        memset(set, 0, size);
        ((unsigned char *)set)[0] = 1;
    }
    return 0;
}

int weft_pthread_getattr_np_at(pthread_t th, pthread_attr_t *attr, const char *file, int line)
{
    (void)file;
    (void)line;
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_getattr_np(th, attr);
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    int rc = pthread_attr_init(attr);
    if (rc != 0)
        return rc;
    struct sched_param param = { .sched_priority = t->priority };
    pthread_attr_setdetachstate(attr, t->detached ? PTHREAD_CREATE_DETACHED
                                                  : PTHREAD_CREATE_JOINABLE);
    pthread_attr_setschedpolicy(attr, t->policy);
    pthread_attr_setschedparam(attr, &param);
    const struct fiber *f = &sched_thread(x, (int)(th - 1))->fiber;
    if (f->stack) {                   /* its usable bytes, above the guard */
        pthread_attr_setstack(attr, (char *)f->stack + f->guard, f->stack_size);
        pthread_attr_setguardsize(attr, f->guard);
    }
    return 0;
}

/* A thread's CPU-time clock, spelled as Linux spells one (its number in
** place of the kernel's thread id); clock_gettime reads the virtual clock
** for it, as for every clock: a step takes no time. */
int weft_pthread_getcpuclockid_at(pthread_t th, clockid_t *clock, const char *file, int line)
{
    (void)file;
    (void)line;
    if (sync_exec() == NULL)
        return pthread_getcpuclockid(th, clock);
    if (named(th) == NULL)
        return ESRCH;
    *clock = (clockid_t)(~(unsigned)th << 3 | 6);   /* MAKE_THREAD_CPUCLOCK(tid, SCHED) */
    return 0;
}

/* ==========================================================================
** pthread_tryjoin_np, pthread_timedjoin_np, pthread_clockjoin_np
** ========================================================================== */

struct np_join {
    struct sched_op op;
    struct sched_timer timer;
    int64_t until;                    /* the absolute deadline (x->now's ns) */
    int target;                       /* the thread joined, by weft id */
    const char *target_name;          /* for reports */
    bool joined;                      /* it had ended: the join took place */
    bool must_wait;                   /* a timed join's first step found it running */
};

static struct np_join *np_join_of(const struct sched_op *op)
{
    return OP_OF(op, struct np_join, op);
}

static bool target_ended(struct exec *x, const struct np_join *j)
{
    return x->threads[j->target]->state == T_FINISHED;
}

/* The join takes place: its step names the thread and acquires what the
** thread did (the race detector's clock of its end, core/race.c). */
static void np_join_done(struct exec *x, struct sched_op *op)
{
    struct np_join *j = np_join_of(op);
    j->joined = true;
    x->threads[j->target]->joined = true;
    op->obj = &x->threads[j->target]->obj;
    op->status = WEFT_OK;
}

static void tryjoin_apply(struct exec *x, struct sched_op *op)
{
    if (target_ended(x, np_join_of(op))) {
        np_join_done(x, op);
        return;
    }
    op->status = WEFT_EBUSY;
    op->idle = true;                  /* a poll that changed nothing */
    op->note = "busy";
}

/* A timed join's first step: joined if the thread has ended, else its
** timer starts and it waits in a second step. */
static void timedjoin_apply(struct exec *x, struct sched_op *op)
{
    struct np_join *j = np_join_of(op);
    if (target_ended(x, j)) {
        np_join_done(x, op);
        return;
    }
    sync_timer_begin(x, op->timer, j->until);
    j->must_wait = true;
    op->note = "blocks";
}

/* Waiting: the thread's end and the timeout may both be ready; which
** comes first is explored (under --timers=idle the end wins). */
static bool timedjoin_wait_enabled(struct exec *x, struct sched_op *op)
{
    return target_ended(x, np_join_of(op)) || sched_timer_due(x, op->timer);
}

static void timedjoin_wait_apply(struct exec *x, struct sched_op *op)
{
    if (sched_timer_wins(x, op, target_ended(x, np_join_of(op)))) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "timed out";
        return;
    }
    np_join_done(x, op);
}

static sched_mask timedjoin_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    *how = WAIT_EXACT;
    return mask_one(&x->masks, np_join_of(op)->target);
}

static void timedjoin_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits for thread \"%s\" to return (with timeout)",
             np_join_of(op)->target_name);
}

static const struct sched_opclass tryjoin_class = {
    .verb = "tryjoin", .flags = OP_GLOBAL, .apply = tryjoin_apply,
};
static const struct sched_opclass timedjoin_class = {
    .verb = "timedjoin", .flags = OP_GLOBAL, .apply = timedjoin_apply,
};
static const struct sched_opclass timedjoin_wait_class = {
    .verb = "timedjoin (wait)", .flags = OP_GLOBAL | OP_PASSIVE,
    .enabled = timedjoin_wait_enabled, .apply = timedjoin_wait_apply,
    .blockers = timedjoin_blockers, .describe_wait = timedjoin_describe,
};

/* The thread's record, or why it cannot be joined (glibc's answers): ESRCH
** for no thread of this execution, EINVAL for one detached or joined. */
static int joinable(struct exec *x, pthread_t th, struct posix_thread **t)
{
    *t = posix_thread_named(x, th);
    if (*t == NULL || sched_thread(x, (int)(th - 1)) == NULL)
        return ESRCH;
    return (*t)->detached || (*t)->joined ? EINVAL : 0;
}

/* After a join took place: the thread is gone, its result given. */
static int take_result(struct exec *x, struct posix_thread *t, void **result)
{
    t->joined = true;
    t->joined_by = x->current->id + 1;
    if (result)
        *result = t->result;
    return 0;
}

int weft_pthread_tryjoin_np_at(pthread_t th, void **result, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_tryjoin_np(th, result);
    struct posix_thread *t;
    int rc = joinable(x, th, &t);
    if (rc != 0)
        return rc;
    if (th - 1 == (pthread_t)x->current->id)
        return EBUSY;                 /* glibc: the caller has not ended */
    struct np_join j = { .op = { .cls = &tryjoin_class, .loc = { file, line } },
                         .target = (int)(th - 1) };
    sched_visible(x, &j.op);
    return j.joined ? take_result(x, t, result) : EBUSY;
}

static bool bad_deadline(clockid_t clock, const struct timespec *deadline)
{
    return deadline->tv_nsec < 0 || deadline->tv_nsec >= 1000000000 ||
           (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC);
}

/* The two steps of a timed join, a cancellation point as pthread_join is. */
static bool timed_join(struct exec *x, int target, int64_t until, const char *file, int line)
{
    struct np_join j = { .op = { .cls = &timedjoin_class, .loc = { file, line } },
                         .target = target, .until = until,
                         .target_name = sched_thread(x, target)->obj.name };
    if (sched_timer_init(x, &j.op, &j.timer, 0) != 0)
        sched_fail(x, WEFT_ASSERTION, j.op.loc, "out of memory for a timer");
    posix_cancel_enter(x, false, file, line);
    sched_visible(x, &j.op);
    if (j.must_wait && !j.op.interrupted) {
        j.op.cls = &timedjoin_wait_class;
        j.op.note = NULL;
        sched_visible(x, &j.op);
    }
    if (posix_cancel_leave(x))
        posix_cancel_now(x, file, line);
    return j.joined;
}

/* pthread_clockjoin_np, and pthread_timedjoin_np on CLOCK_REALTIME: the
** deadline is absolute on the virtual clock, however late the call's step
** comes; without one, a plain join. */
int weft_pthread_clockjoin_np_at(pthread_t th, void **result, clockid_t clock,
                                 const struct timespec *deadline, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_clockjoin_np(th, result, clock, deadline);
    if (deadline == NULL)
        return weft_pthread_join_at(th, result, file, line);
    struct posix_thread *t;
    int rc = joinable(x, th, &t);
    if (rc != 0)
        return rc;
    if (th - 1 == (pthread_t)x->current->id)
        return EDEADLK;
    if (bad_deadline(clock, deadline))
        return EINVAL;
    int64_t until = posix_virtual_deadline(clock, deadline);
    return timed_join(x, (int)(th - 1), until, file, line) ? take_result(x, t, result) : ETIMEDOUT;
}
