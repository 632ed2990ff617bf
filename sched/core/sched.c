/*
** sched.c -- runs one execution: scheduler loop, thread lifecycle, clock.
** The only file that switches fibers; the chooser (a strategy) picks the
** next thread, the primitives' opclasses say what operations mean.
** Invariant: one fiber runs at a time; between steps every live thread is
** parked. (How the loop runs on the parking thread's fiber: next_thread.)
*/
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sched.h"

/* ==========================================================================
** Execution state
** ========================================================================== */

static struct {
    const struct sched_config *cfg;
    const struct sched_chooser *chooser;
    struct sched_outcome *out;
    struct fiber scheduler;           /* the OS stack sched_run runs on */
    struct sched_thread *current;     /* running scenario thread, or NULL */
    struct fiber *running;            /* the fiber executing now */
    int last_tid;                     /* thread of the previous step */
    int64_t now;
    uint64_t epoch;
    uint64_t park_counter;
    struct sched_step *steps;
    uint32_t nsteps, steps_cap;
    bool failed, abandoned;
    sched_mask spinners, delayed;     /* threads with spinning set / after != 0 */
    bool any_symmetric;               /* a thread was spawned symmetric */
    sigjmp_buf on_crash;              /* where a crashed fiber escapes to */
} X;

struct sched_thread sched_thread_table[SCHED_MAX_THREADS];
int sched_thread_count;

struct sched_thread *sched_current(void) { return X.current; }
int64_t sched_now(void) { return X.now; }
uint64_t sched_epoch(void) { return X.epoch; }

const struct sched_step *sched_steps(uint32_t *n)
{
    *n = X.nsteps;
    return X.steps;
}

/* ==========================================================================
** Failure
** ========================================================================== */

static void outcome_set(enum weft_result r, int tid, struct sched_loc where,
                        const char *fmt, va_list ap)
{
    X.out->result = r;
    X.out->failing_tid = tid;
    X.out->where = where;
    vsnprintf(X.out->message, sizeof X.out->message, fmt, ap);
    X.failed = true;
}

/* From a scenario thread: record the failure and never resume this thread. */
_Noreturn void sched_fail(enum weft_result r, struct sched_loc where, const char *fmt, ...)
{
    struct sched_thread *t = X.current;
    va_list ap;
    va_start(ap, fmt);
    outcome_set(r, t ? t->id : -1, where, fmt, ap);
    va_end(ap);
    if (t == NULL) {                  /* misuse outside any execution */
        fprintf(stderr, "weft: %s\n", X.out->message);
        exit(2);
    }
    X.current = NULL;
    X.running = &X.scheduler;
    fiber_switch(&t->fiber, &X.scheduler, 1);
    abort();                          /* unreachable: failed threads stay parked */
}

_Noreturn void sched_crashed(int sig, void *addr, void *pc)
{
    struct sched_thread *t = X.current;
    struct sched_loc where = t->last_step ? X.steps[t->last_step - 1].loc : t->spawned_at;
    char *guard = t->fiber.stack;
    bool overflow = sig == SIGSEGV && (char *)addr >= guard &&
                    (char *)addr < guard + 4096;
    const char *file = where.file ? where.file : "?", *slash = strrchr(file, '/');
    (void)pc;                         /* no symbols for static functions: unused */
    sched_fail_in_apply(WEFT_CRASH, t, where, "%s (signal %d%s), after its step at %s:%d",
                        overflow ? "stack overflow" : strsignal(sig), sig,
                        (uintptr_t)addr < 4096 && sig == SIGSEGV ? ", NULL pointer" : "",
                        slash ? slash + 1 : file, where.line);
    siglongjmp(X.on_crash, 1);
}

void sched_fail_in_apply(enum weft_result r, struct sched_thread *t,
                         struct sched_loc where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    outcome_set(r, t ? t->id : -1, where, fmt, ap);
    va_end(ap);
}

/* ==========================================================================
** Threads
** ========================================================================== */

static struct sched_thread *next_thread(void);

/* Leave the running fiber for t's (t == NULL: the execution is over, back
** to sched_run's stack). dying: the running fiber is never resumed. */
static void switch_to(struct sched_thread *t, int dying)
{
    struct fiber *from = X.running, *to = t ? &t->fiber : &X.scheduler;
    X.current = t;
    if (t)
        t->state = T_RUNNING;
    if (from == to)
        return;
    X.running = to;
    fiber_switch(from, to, dying);
}

/* A thread that has just started runs its prologue to its first visible
** operation and then returns to whoever started it (a spawn, or sched_run). */
static void back_to_starter(struct sched_thread *t, int dying)
{
    struct fiber *starter = t->starter;
    t->starter = NULL;
    X.current = t->starter_thread;
    X.running = starter;
    fiber_switch(&t->fiber, starter, dying);
}

/* Runs on the thread's own fiber; never returns. */
static void thread_main(void *arg)
{
    struct sched_thread *t = arg;
    t->fn(t->arg);
    t->state = T_FINISHED;
    if (t->starter)
        back_to_starter(t, 1);
    else
        switch_to(next_thread(), 1);
    abort();
}

/* Run t's prologue, from the running fiber, until t first parks. */
static void start(struct sched_thread *t)
{
    t->starter = X.running;
    t->starter_thread = X.current;
    X.current = t;
    X.running = &t->fiber;
    t->state = T_RUNNING;
    fiber_switch(t->starter, &t->fiber, 0);
}

static struct sched_thread *thread_create(const char *name, void (*fn)(void *), void *arg,
                                          struct sched_loc at)
{
    if (sched_thread_count == SCHED_MAX_THREADS)
        return NULL;
    struct sched_thread *t = &sched_thread_table[sched_thread_count];
    if (t->fiber.stack == NULL && fiber_stack_alloc(&t->fiber, X.cfg->stack_size) != 0)
        return NULL;
    struct fiber keep = t->fiber;     /* the stack is reused across executions */
    memset(t, 0, sizeof *t);
    t->fiber = keep;
    t->id = sched_thread_count++;
    t->fn = fn;
    t->arg = arg;
    t->spawned_at = at;
    t->obj.kind = OBJ_THREAD;
    sched_object_register(&t->obj, name);
    fiber_prepare(&t->fiber, thread_main, t);
    return t;
}

/* The last thread spawned symmetric with fn and arg, or -1. */
static int symmetric_sibling(void (*fn)(void *), void *arg)
{
    for (int i = sched_thread_count - 1; i >= 0; i--)
        if (sched_thread_table[i].fn == fn && sched_thread_table[i].arg == arg &&
            sched_thread_table[i].sym_prev != -2)
            return i;
    return -1;
}

struct sched_thread *sched_spawn(const char *name, void (*fn)(void *), void *arg,
                                 struct sched_loc at, bool symmetric)
{
    struct sched_thread *parent = X.current;
    int sibling = symmetric ? symmetric_sibling(fn, arg) : -1;
    struct sched_thread *t = thread_create(name, fn, arg, at);
    if (t)
        t->sym_prev = symmetric ? sibling : -2;   /* -2: not symmetric */
    X.any_symmetric |= symmetric;
    if (t == NULL) {
        sched_fail_in_apply(WEFT_ASSERTION, parent, at,
                            "cannot spawn \"%s\": more than %d threads or no memory for a stack",
                            name, SCHED_MAX_THREADS);
        return NULL;
    }
    start(t);                         /* run its prologue to its first visible op */
    X.current = parent;
    return t;
}

/* ==========================================================================
** Visible operations
** ========================================================================== */

void sched_visible(struct sched_op *op)
{
    struct sched_thread *t = X.current;
    op->handed = false;
    op->idle = false;
    op->timed_out = false;
    t->pending = op;
    t->state = T_PARKED;
    t->park_seq = ++X.park_counter;
    if (t->starter)
        back_to_starter(t, 0);        /* a prologue ends here */
    else
        switch_to(next_thread(), 0);  /* returns when t's op has been applied */
}

int sched_op_objects_many(const struct sched_op *op, const struct sched_obj **o)
{
    int m = 0;
    const struct sched_obj *all[SCHED_MAX_OBJS];
    int n = op->cls->touches(op, all, SCHED_MAX_OBJS - 2);
    for (int i = 0; i < n; i++) {     /* once each: a select may name a channel twice */
        int j = 0;
        while (j < m && o[j] != all[i])
            j++;
        if (j == m)
            o[m++] = all[i];
    }
    return m;
}

bool sched_deadline_passed(const struct sched_op *op)
{
    return op->deadline >= 0 && X.now >= op->deadline;
}

static bool thread_enabled(struct sched_thread *t)
{
    if (t->state != T_PARKED)
        return false;
    return t->pending->handed || t->pending->cls->enabled(t, t->pending);
}

static sched_mask enabled_threads(void)
{
    sched_mask m = 0;
    for (int i = 0; i < sched_thread_count; i++)
        if (thread_enabled(&sched_thread_table[i]))
            m |= SCHED_BIT(i);
    return m;
}

/* Earliest deadline after now among parked threads, or -1. */
static int64_t next_deadline(void)
{
    int64_t best = -1;
    for (int i = 0; i < sched_thread_count; i++) {
        struct sched_thread *t = &sched_thread_table[i];
        if (t->state != T_PARKED || t->pending->deadline < 0 || t->pending->deadline <= X.now)
            continue;
        if (best < 0 || t->pending->deadline < best)
            best = t->pending->deadline;
    }
    return best;
}

/*
** Fairness, after CHESS, for threads that spin: a thread whose steps since
** its last yield repeat exactly those of the loop turn before (the same
** operations on the same objects at the same lines: a polling loop, a
** busy wait) lets every thread that was enabled then make progress before
** it runs again. So a polling loop can neither starve the threads it waits
** for nor keep other pollers busy, and the search stays finite; a first
** yield, or one after different work, restricts nothing. When every enabled
** thread is spinning, time moves to the next deadline if there is one
** (polling loops end); otherwise the waits are dropped and the spinning
** goes on until the step bound: a livelock.
*/
static sched_mask fair_threads(sched_mask enabled)
{
    if (X.delayed == 0 && (enabled & ~X.spinners))
        return enabled;               /* the common case: nobody spins */
    bool all_spinning = true;
    for (int i = 0; i < sched_thread_count; i++)
        if ((enabled & SCHED_BIT(i)) && !sched_thread_table[i].spinning)
            all_spinning = false;
    int64_t d = all_spinning ? next_deadline() : -1;
    if (d >= 0) {
        X.now = d;
        enabled = enabled_threads();
    }
    sched_mask fair = 0;
    for (int i = 0; i < sched_thread_count; i++)
        if ((enabled & SCHED_BIT(i)) && !(sched_thread_table[i].after & enabled))
            fair |= SCHED_BIT(i);
    if (fair)
        return fair;
    for (int i = 0; i < sched_thread_count; i++)
        sched_thread_table[i].after = 0;
    X.delayed = 0;
    return enabled;
}

/*
** Symmetry: a symmetric thread does not take its first step while the
** sibling spawned before it could take its own first step instead. Any
** execution is a relabelling of one where siblings start in spawn order.
*/
static sched_mask symmetric_threads(sched_mask enabled)
{
    if (!X.any_symmetric)
        return enabled;
    sched_mask allowed = enabled;
    for (int i = 0; i < sched_thread_count; i++) {
        struct sched_thread *t = &sched_thread_table[i];
        if (t->sym_prev >= 0 && t->last_step == 0 && (enabled & SCHED_BIT(t->sym_prev)) &&
            sched_thread_table[t->sym_prev].last_step == 0)
            allowed &= ~SCHED_BIT(i);
    }
    return allowed;
}

static void record_step(struct sched_thread *t, struct sched_op *op)
{
    struct sched_step *s = &X.steps[X.nsteps++];
    s->tid = (uint16_t)t->id;
    s->cls = op->cls;
    if (op->obj)
        op->obj->users |= SCHED_BIT(t->id);
    if (op->obj2)
        op->obj2->users |= SCHED_BIT(t->id);
    s->obj_id = op->obj ? op->obj->id : -1;
    s->obj2_id = op->obj2 ? op->obj2->id : -1;
    s->loc = op->loc;
    s->time = X.now;
    s->timed = op->deadline >= 0;
    X.out->timed |= s->timed;
    s->note = op->note;
    s->note_a = op->note_a;
    s->note_b = op->note_b;
    t->last_step = X.nsteps;
    if (X.chooser->after_step)
        X.chooser->after_step(X.chooser->self, s);
}

/* Perform t's pending operation; false when that ended the execution. */
static bool step(struct sched_thread *t)
{
    struct sched_op *op = t->pending;
    struct sched_thread *was = X.current;
    X.current = t;                    /* a spawn's parent, a failure's thread */
    if (!op->handed)
        op->cls->apply(t, op);
    X.current = was;
    if (X.failed || X.abandoned) {
        if (X.failed)
            record_step(t, op);
        return false;
    }
    bool yield = op->cls == &sched_yield_class;
    if (!yield && !op->idle && X.delayed)   /* progress: those waiting on t may go */
        for (int i = 0; i < sched_thread_count; i++)
            if ((sched_thread_table[i].after &= ~SCHED_BIT(t->id)) == 0)
                X.delayed &= ~SCHED_BIT(i);
    if (yield) {
        t->spinning = t->spun = t->turns > 0 && t->turn == t->last_turn;
        t->last_turn = t->turn;
        t->turn = 0;
        t->turns++;
    } else {                          /* this loop turn's signature so far */
        t->spinning = false;
        t->turn = (t->turn ^ (uintptr_t)op->cls ^ ((uint64_t)(op->obj ? op->obj->id : -1) << 20) ^
                   ((uint64_t)op->loc.line << 40)) * 0x100000001b3ULL;
    }
    /* A yield changed nothing, so who is enabled now is who was before it. */
    t->after = t->spinning ? enabled_threads() & ~SCHED_BIT(t->id) : 0;
    X.spinners = t->spinning ? X.spinners | SCHED_BIT(t->id) : X.spinners & ~SCHED_BIT(t->id);
    X.delayed = t->after ? X.delayed | SCHED_BIT(t->id) : X.delayed & ~SCHED_BIT(t->id);
    record_step(t, op);
    t->pending = NULL;
    X.last_tid = t->id;
    return true;
}

int sched_choose_value(int n)
{
    if (n <= 1)
        return 0;
    int v = X.chooser->pick_value(X.chooser->self, n);
    if (v < 0) {
        X.abandoned = true;
        return 0;
    }
    return v;
}

/* ==========================================================================
** The loop
** ========================================================================== */

/* Nothing can run and no deadline is pending: pass, leak or deadlock. */
static void classify_end(void)
{
    bool main_done = sched_thread_table[0].state == T_FINISHED;
    int stuck = -1;
    for (int i = 0; i < sched_thread_count; i++)
        if (sched_thread_table[i].state != T_FINISHED) {
            stuck = i;
            break;
        }
    if (stuck < 0) {
        X.out->result = WEFT_PASS;
        return;
    }
    int blocked = 0;
    for (int i = 0; i < sched_thread_count; i++)
        blocked += sched_thread_table[i].state != T_FINISHED;
    X.out->result = main_done ? WEFT_LEAK : WEFT_DEADLOCK;
    X.out->failing_tid = main_done ? stuck : 0;
    snprintf(X.out->message, sizeof X.out->message, main_done
             ? "the scenario body returned while %d thread%s stay blocked forever"
             : "%d threads are blocked forever and no timer is pending",
             blocked, blocked == 1 ? "" : "s");
    struct sched_op *op = sched_thread_table[X.out->failing_tid].pending;
    X.out->where = op->loc;
    X.failed = true;
}

/*
** The step bound was reached. The threads that stepped in the last stretch
** are the spinning ones; the report names them and who waits on them.
*/
/*
** The step bound was reached. The threads that stepped in the last stretch
** are the running ones. It is a livelock only if each of them is spinning
** (its last loop turn repeated the one before, see fair_threads); otherwise
** the execution is merely long, and it is cut: not a failure, but the
** search can no longer claim to be exhaustive.
*/
static void step_bound_reached(struct sched_outcome *out)
{
    uint32_t window = X.nsteps / 10 > 50 ? X.nsteps / 10 : 50;
    uint32_t since = X.nsteps > window ? X.nsteps - window : 0;
    int last = -1;                    /* the spinner that stepped last */
    bool spin = true;
    out->spinning = 0;
    for (int i = 0; i < sched_thread_count; i++) {
        struct sched_thread *t = &sched_thread_table[i];
        if (t->state != T_PARKED || t->last_step <= since)
            continue;
        out->spinning |= SCHED_BIT(i);
        spin &= t->spun;
        if (last < 0 || t->last_step > sched_thread_table[last].last_step)
            last = i;
    }
    if (!spin || last < 0) {
        out->cut = true;
        return;
    }
    out->result = WEFT_LIVELOCK;
    out->failing_tid = last;
    out->where = sched_thread_table[last].pending->loc;
    snprintf(out->message, sizeof out->message,
             "still spinning after %u steps (the step bound)", X.nsteps);
    X.failed = true;
}

static void exec_reset(const struct sched_config *cfg, const struct sched_chooser *ch,
                       struct sched_outcome *out)
{
    static bool scheduler_ready;
    if (!scheduler_ready) {
        fiber_init_main(&X.scheduler);
        scheduler_ready = true;
    }
    if (X.steps_cap < (uint32_t)cfg->max_steps + 1) {
        free(X.steps);
        X.steps_cap = (uint32_t)cfg->max_steps + 1;
        X.steps = calloc(X.steps_cap, sizeof *X.steps);
        if (X.steps == NULL) {
            fprintf(stderr, "weft: out of memory for %u steps\n", X.steps_cap);
            exit(2);
        }
    }
    sched_arena_reset();
    sched_objects_reset();
    X.cfg = cfg;
    X.chooser = ch;
    X.running = &X.scheduler;
    X.out = out;
    memset(out, 0, sizeof *out);
    out->failing_tid = -1;
    sched_thread_count = 0;
    X.current = NULL;
    X.last_tid = -1;
    X.now = 0;
    X.epoch++;
    X.park_counter = 0;
    X.nsteps = 0;
    X.failed = X.abandoned = false;
    X.spinners = X.delayed = 0;
    X.any_symmetric = false;
}

static void body_main(void *arg)
{
    const struct weft_scenario *s = arg;
    s->body();
}

static int pick(sched_mask enabled)
{
    if ((enabled & (enabled - 1)) == 0) {   /* one thread: no choice to make */
        int tid = __builtin_ctzll(enabled);
        return X.chooser->forced(X.chooser->self, tid) ? tid : -1;
    }
    return X.chooser->pick_thread(X.chooser->self, enabled, X.last_tid);
}

/*
** The scheduler's loop, run on the fiber of the thread that just parked (or
** finished): pick the next thread, apply its operation, and return it, to
** be resumed; NULL when the execution is over (every thread finished, a
** deadlock, a failure, the step bound, or the chooser gave up). Running it
** there means a switch goes straight to the next thread, and none happens
** when the same thread goes on; sched_run's own stack only starts an
** execution and sees it end.
*/
static struct sched_thread *next_thread(void)
{
    while (!X.failed && !X.abandoned) {
        sched_mask enabled = enabled_threads();
        if (enabled == 0) {
            int64_t d = next_deadline();
            if (d < 0) {
                classify_end();
                return NULL;
            }
            X.now = d;
            continue;
        }
        if (X.nsteps >= (uint32_t)X.cfg->max_steps) {
            step_bound_reached(X.out);
            return NULL;
        }
        enabled = fair_threads(symmetric_threads(enabled));
        int tid = pick(enabled);
        if (tid < 0) {
            X.abandoned = true;
            return NULL;
        }
        struct sched_thread *t = &sched_thread_table[tid];
        return step(t) ? t : NULL;
    }
    return NULL;
}

void sched_run(const struct sched_config *cfg, const struct sched_chooser *ch,
               struct sched_outcome *out)
{
    exec_reset(cfg, ch, out);
    if (cfg->scenario->setup)
        cfg->scenario->setup();
    struct sched_loc at = { cfg->scenario->file, cfg->scenario->line };
    struct sched_thread *main_thread = thread_create("main", body_main, (void *)cfg->scenario, at);
    if (main_thread)
        main_thread->sym_prev = -2;
    if (main_thread == NULL) {
        fprintf(stderr, "weft: cannot allocate a thread stack\n");
        exit(2);
    }
    crash_install();
    /* No signal mask saved: that would be a system call per execution, and
    ** the handlers (SA_NODEFER) leave the mask as it was. */
    if (sigsetjmp(X.on_crash, 0) != 0) {   /* a scenario thread crashed */
        X.current = NULL;
        X.running = &X.scheduler;
        out->abandoned = false;
        return;
    }
    start(main_thread);
    switch_to(next_thread(), 0);      /* back here when the execution is over */
    X.current = NULL;
    out->abandoned = X.abandoned && !X.failed;
}

void sched_shutdown(void)
{
    for (int i = 0; i < SCHED_MAX_THREADS; i++)
        if (sched_thread_table[i].fiber.stack)
            fiber_stack_free(&sched_thread_table[i].fiber);
    free(X.steps);
    X.steps = NULL;
    X.steps_cap = 0;
    sched_arena_free();
}
