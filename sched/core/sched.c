/*
** sched.c -- runs one execution: scheduler loop, thread lifecycle, clock.
** The only file that switches fibers; the chooser (a strategy) picks the
** next thread, the primitives' opclasses say what operations mean.
** Invariant: one fiber runs at a time; between steps every live thread is
** parked. (How the loop runs on the parking thread's fiber: next_thread.)
*/
#include <ctype.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>
#include "core/race.h"
#include "core/registry.h"
#include "core/sched.h"

_Thread_local struct exec *exec_running_;

/* How sched_run's stack is reached by a jump (x->on_crash). */
enum { ESCAPE_SETUP = 1, ESCAPE_CRASH = 2 };

/* ==========================================================================
** Call chains (only when a report re-runs a schedule to show them)
** ========================================================================== */

static void thread_main(void *arg);
static void body_main(void *arg);

struct chain_walk {
    struct sched_chain *chain;
    uintptr_t anchor;                 /* an address in weft's innermost frame to skip */
    bool past;                        /* that frame was seen */
};

/* One frame, innermost first: skip weft's frames up to the one holding
** the anchor (the operation lives in the frame of weft's public call),
** then keep the scenario's, up to the thread's own function. While
** backtracing, a frame's CFA is the stack pointer of the frame after it
** (the callee's CFA, where the caller's frame begins): the first frame
** whose value is above the anchor is the caller of the one holding it. */
static _Unwind_Reason_Code chain_frame(struct _Unwind_Context *ctx, void *arg)
{
    struct chain_walk *w = arg;
    uintptr_t ip = _Unwind_GetIP(ctx);
    if (!w->past && !(w->past = _Unwind_GetCFA(ctx) > w->anchor))
        return _URC_NO_REASON;
    void *fn = ip ? _Unwind_FindEnclosingFunction((void *)(ip - 1)) : NULL;
    if (ip == 0 || fn == (void *)thread_main || fn == (void *)body_main)
        return _URC_END_OF_STACK;
    w->chain->pc[w->chain->n++] = (const void *)ip;
    return w->chain->n == SCHED_CHAIN_MAX ? _URC_END_OF_STACK : _URC_NO_REASON;
}

/* On t's own stack: the chain of the calls that led to the frame holding
** anchor. Unwinding is slow, hence only when asked for. */
__attribute__((noinline, cold)) static void capture_chain(struct sched_thread *t,
                                                       const void *anchor)
{
    struct chain_walk w = { &t->chain, (uintptr_t)anchor, false };
    w.chain->n = 0;
    _Unwind_Backtrace(chain_frame, &w);
}

/* ==========================================================================
** Failure
** ========================================================================== */

static void outcome_set(struct exec *x, enum weft_result r, int tid, struct sched_loc where,
                        const char *fmt, va_list ap)
{
    x->outcome.result = r;
    x->outcome.failing_tid = tid;
    x->outcome.where = where;
    vsnprintf(x->outcome.message, sizeof x->outcome.message, fmt, ap);
    x->failed = true;
}

/* From a scenario thread: record the failure and never resume this thread.
** From a scenario's setup (no thread runs yet): leave the setup. */
_Noreturn void sched_fail(struct exec *x, enum weft_result r, struct sched_loc where,
                          const char *fmt, ...)
{
    struct sched_thread *t = x->current;
    va_list ap;
    if (t && x->chains)
        capture_chain(t, __builtin_frame_address(0));
    va_start(ap, fmt);
    outcome_set(x, r, t ? t->id : -1, where, fmt, ap);
    va_end(ap);
    if (t == NULL)
        siglongjmp(x->on_crash, ESCAPE_SETUP);
    if (x->on_switch)
        x->on_switch(x, NULL);
    x->current = NULL;
    x->running = &x->scheduler;
    fiber_switch(&t->fiber, &x->scheduler, 1);
    abort();                          /* unreachable: failed threads stay parked */
}

void sched_fail_in_apply(struct exec *x, enum weft_result r, struct sched_thread *t,
                         struct sched_loc where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    outcome_set(x, r, t ? t->id : -1, where, fmt, ap);
    va_end(ap);
}

_Noreturn void sched_crashed(struct exec *x, int sig, void *addr, bool overflow)
{
    struct sched_thread *t = x->current;
    struct sched_loc where = t->last_step ? x->steps[t->last_step - 1].loc : t->spawned_at;
    const char *file = where.file ? where.file : "?", *slash = strrchr(file, '/');
    if (overflow)
        sched_fail_in_apply(x, WEFT_CRASH, t, where,
                            "stack overflow of its %zu KB stack (signal %d), after its step "
                            "at %s:%d (weft run --stack-size SIZE gives every thread more)",
                            t->fiber.stack_size / 1024, sig, slash ? slash + 1 : file, where.line);
    else
        sched_fail_in_apply(x, WEFT_CRASH, t, where, "%s (signal %d%s), after its step at %s:%d",
                            strsignal(sig), sig,
                            (uintptr_t)addr < 4096 && sig == SIGSEGV ? ", NULL pointer" : "",
                            slash ? slash + 1 : file, where.line);
    if (x->on_switch)
        x->on_switch(x, NULL);
    fiber_abandon(&t->fiber, &x->scheduler);
    siglongjmp(x->on_crash, ESCAPE_CRASH);
}

/* ==========================================================================
** Enabled sets, kept incrementally
** ==========================================================================
** Whether a parked thread's operation is enabled depends only on the state
** of the objects the operation acts on (sched_op_objects: the objects the
** searches judge dependence by, so a step changes the state of no object
** its own operation does not list), on a partner completing it
** (sched_complete), on a joined thread ending, and for a timed operation
** on the clock. So each thread keeps its last answer, and only threads
** that may have changed are asked again before a choice: one that parked
** or finished, the watchers of the objects a step acted on, one a partner
** completed, those joining a thread that ended, and, at every choice,
** those whose operation is timed or acts on more than SCHED_WATCH_MAX
** objects. A step costs time in the threads it affects, not in all the
** threads there are. That bookkeeping costs more than asking a handful of
** threads, so an execution starts by asking every thread and switches to
** it once SCHED_WATCH_FROM threads exist (watch_all). Built with
** -DWEFT_CHECK_ENABLED_SETS, every set is checked against asking every
** thread.
*/

/* t's answer may have changed: ask again before the next choice. */
static void recheck(struct exec *x, struct sched_thread *t)
{
    if (x->watching && !t->recheck) {
        t->recheck = true;
        x->recheck[x->nrecheck++] = t->id;
    }
}

void sched_thread_changed(struct exec *x, struct sched_thread *t)
{
    recheck(x, t);
}

static void recheck_watchers(struct exec *x, const struct sched_obj *o)
{
    if (!x->watching)
        return;
    for (struct sched_watch *w = o->watchers; w; w = w->next)
        recheck(x, w->thread);
}

static void set_enabled(struct exec *x, struct sched_thread *t, bool on)
{
    if (!x->watching)
        return;
    uint64_t *w = &x->enabled_words[t->id / 64];
    *w = on ? *w | MASK_WORD(t->id) : *w & ~MASK_WORD(t->id);
    t->enabled = on;
}

/* t parked with op: its answer now, and the objects whose state op's
** enabledness reads, watched for the steps that may change it. */
static void unwatch(struct sched_thread *t);

static void watch_op(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    if (!x->watching)
        return;
    if (t->nwatch || t->always_recheck)   /* watched already (watch_all) */
        unwatch(t);
    if (op->cls->enabled == NULL) {   /* always enabled */
        set_enabled(x, t, true);
        return;
    }
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = op->timer ? 0 : sched_op_objects(op, objs);
    if (op->timer || n > SCHED_WATCH_MAX) {   /* due as the clock moves; or too many */
        t->always_recheck = true;
        recheck(x, t);
        return;
    }
    for (int i = 0; i < n; i++) {
        struct sched_watch *w = &t->watch[i];
        w->thread = t;
        w->obj = (struct sched_obj *)objs[i];
        w->prev = NULL;
        w->next = w->obj->watchers;
        if (w->next)
            w->next->prev = w;
        w->obj->watchers = w;
    }
    t->nwatch = n;
    set_enabled(x, t, sched_thread_enabled(x, t));   /* op may be completed (by a
                                         partner before watching began) or
                                         interrupted (a cancelled thread) */
}

/* t's pending operation is being performed: nothing to watch until t parks
** again (watch_op) or finishes (thread_main). */
static void unwatch(struct sched_thread *t)
{
    for (int i = 0; i < t->nwatch; i++) {
        struct sched_watch *w = &t->watch[i];
        if (w->prev)
            w->prev->next = w->next;
        else
            w->obj->watchers = w->next;
        if (w->next)
            w->next->prev = w->prev;
    }
    t->nwatch = 0;
    t->always_recheck = false;
}

/* op's step changed its objects: whoever watches them may have changed. */
static void recheck_after(struct exec *x, const struct sched_op *op)
{
    if (!x->watching)
        return;
    if (op->cls->objects == NULL) {   /* the common case, without a copy */
        if (op->obj)
            recheck_watchers(x, op->obj);
        if (op->obj2)
            recheck_watchers(x, op->obj2);
        if (op->timer)
            recheck_watchers(x, op->timer->clock);
        return;
    }
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = sched_op_objects(op, objs);
    for (int i = 0; i < n; i++)
        recheck_watchers(x, objs[i]);
}

/* Asking every thread, past the inline word: a function of its own, so
** that the loop below saves no registers for it. */
static __attribute__((noinline, cold)) sched_mask ask_every_thread_big(struct exec *x)
{
    struct mask_builder b = MASK_BUILDER_INIT;
    for (int i = 0; i < x->nthreads; i++)
        if (sched_thread_enabled(x, x->threads[i]))
            mask_build_add(&b, i);
    return mask_build_done(&x->masks, &b);
}

/* Asking every thread (while few exist). */
static sched_mask ask_every_thread(struct exec *x)
{
    if (x->nthreads >= MASK_INLINE)
        return ask_every_thread_big(x);
    uint64_t lo = 0;                  /* one word, no builder, no table */
    for (int i = 0; i < x->nthreads; i++)
        if (sched_thread_enabled(x, x->threads[i]))
            lo |= (uint64_t)1 << i;
    return mask_of_word(lo);
}

/* SCHED_WATCH_FROM threads exist: from now on keep the sets by watching
** (the thread being stepped, if any, is watched when it parks again). */
static void watch_all(struct exec *x)
{
    x->watching = true;
    for (int i = 0; i < x->nthreads; i++) {
        struct sched_thread *t = x->threads[i];
        if (t->state == T_PARKED && t != x->current)
            watch_op(x, t, t->pending);
        else
            set_enabled(x, t, t->state == T_PARKED);
    }
}

/* The threads whose pending operation can be performed now, as watched. */
static sched_mask watched_threads(struct exec *x)
{
    int keep = 0;
    for (int i = 0; i < x->nrecheck; i++) {
        struct sched_thread *t = x->threads[x->recheck[i]];
        set_enabled(x, t, sched_thread_enabled(x, t));
        if (t->always_recheck && t->state == T_PARKED)
            x->recheck[keep++] = t->id;
        else
            t->recheck = false;
    }
    x->nrecheck = keep;
    return mask_from_words(&x->masks, x->enabled_words, ((size_t)x->nthreads + 63) / 64);
}

/* The threads whose pending operation can be performed now. */
static inline sched_mask enabled_threads(struct exec *x)
{
    return x->watching ? watched_threads(x) : ask_every_thread(x);
}

#ifdef WEFT_CHECK_ENABLED_SETS
static void check_enabled_set(struct exec *x, sched_mask kept)
{
    if (!mask_eq(ask_every_thread(x), kept)) {
        fprintf(stderr, "weft: enabled set kept incrementally differs at step %u\n", x->nsteps);
        abort();
    }
}
#else
static void check_enabled_set(struct exec *x, sched_mask kept) { (void)x; (void)kept; }
#endif

/* ==========================================================================
** Handles' keys
** ========================================================================== */

/* A name's hash, the folder left out. */
static uint64_t base_name_hash(const char *path)
{
    const char *slash = strrchr(path, '/');
    return sched_text_key(slash ? slash + 1 : path);
}

/*
** DPOR's wakeup trees name objects by key, and a checkpoint carries them to
** another process (a resume, a supervisor's new child), where the heap,
** the stacks and the modules lie elsewhere (ASLR). So a handle is named by
** where it lives, not by its address: its place in the block weft_alloc or
** a program's malloc handed out (named by the thread that asked and when:
** the order in which threads allocate differs between schedules), or
** among the bytes the arena handed out, or in its thread's stack,
** or in the module (by file name) it is a global of. Only a handle in none
** of those (malloc's memory, an AddressSanitizer build's fake stack) is
** named by its address, a key of this process alone; x->address_keys
** says so, and a checkpoint then says its position cannot move (checkpoint.c).
*/
uint64_t sched_handle_key(struct exec *x, const void *h)
{
    uintptr_t at = (uintptr_t)h;
    uint64_t offset, key;
    if (arena_block_key(&x->arena, h, &key))
        return key;
    if (arena_offset(&x->arena, h, &offset))
        return sched_mix(0x6172656e61ULL, offset);
    for (int i = 0; i < x->nthreads; i++) {
        const struct fiber *f = &x->threads[i]->fiber;
        uintptr_t low = (uintptr_t)f->stack + f->guard, top = low + f->stack_size;
        if (f->stack && at >= low && at < top)
            return sched_mix(x->threads[i]->obj.key, top - at);
    }
    Dl_info info;
    if (dladdr(h, &info) && info.dli_fname && info.dli_fbase)
        return sched_mix(base_name_hash(info.dli_fname), at - (uintptr_t)info.dli_fbase);
    x->address_keys = true;
    return sched_mix(0x68616e646c65ULL, at);
}

/* ==========================================================================
** Threads
** ========================================================================== */

static struct sched_thread *next_thread(struct exec *x);

/* Leave the running fiber for t's (t == NULL: the execution is over, back
** to sched_run's stack). dying: the running fiber is never resumed. */
static inline __attribute__((always_inline)) void switch_to(struct exec *x,
                                                           struct sched_thread *t, int dying)
{
    struct fiber *from = x->running, *to = t ? &t->fiber : &x->scheduler;
    x->current = t;
    if (t)
        t->state = T_RUNNING;
    if (from == to)
        return;
    if (x->on_switch)
        x->on_switch(x, t);
    x->running = to;
    fiber_switch(from, to, dying);
}

/* A thread that returns holding an owned lock leaves it held for good:
** fail there, naming the lock and where it was taken. */
static void check_nothing_held(struct exec *x, struct sched_thread *t)
{
    for (struct sched_obj *o = x->objects; o; o = o->next_in_exec) {
        struct sched_loc at = { NULL, 0 };
        if (o->cls->holds == NULL || o->cls->holds(o, t->id, &at) == 0)
            continue;
        const char *file = at.file ? at.file : "?", *slash = strrchr(file, '/');
        sched_fail(x, WEFT_ASSERTION, at, "thread \"%s\" returned without unlocking %s \"%s\" "
                   "(locked at %s:%d)", t->obj.name, o->cls->name, o->name,
                   slash ? slash + 1 : file, at.line);
    }
}

/*
** Detached threads (weft.h). The execution ends when the body and every
** thread not detached have returned, as a process exits: detached threads
** still running or blocked then are stopped, which is neither a failure
** nor a leak. So that a detached thread may also take its steps before
** that end, the end is a step of its own once a thread was detached, taken
** by the last thread not detached to return, one that depends on every
** other step (the searches reverse it with each of them). Even when every
** detached thread has finished by then: the end could have come before
** their steps, and without a step of its own DPOR would find no race to
** reverse.
*/
static const struct sched_opclass return_class = { .verb = "return",
                                                   .flags = OP_GLOBAL | OP_ENDS_ALL };

void sched_detach(struct exec *x, struct sched_thread *t)
{
    if (t->detached || t->state == T_FINISHED)
        return;
    t->detached = true;
    x->live_joinable--;
    x->live_detached++;
    x->detached_ever++;
}

/*
** A join that a cancellation request or a signal's handler may interrupt
** (exec.h) is interrupted if its step comes before its thread ends, and
** performed if after: so, once a request or a handler was made in the
** execution (x->interrupts), the end of a thread is a step of its own, on
** the thread's object as a join is, and the searches order it with the
** join's step both ways. Every thread's end then, not only one that a
** thread waits to join: whether one waits depends on steps that commute
** with the end, and a step that comes or not with the order of steps that
** commute would hide races from DPOR. Before, and in scenarios, no end is
** a step.
*/
static const struct sched_opclass end_class = { .verb = "end" };

/*
** Once a thread was detached, every return of a thread not detached is a
** step too (an end_class one): which return is the last, the one that
** ends the execution, depends on their order, and a detached thread may
** join one that returned while the body runs on. Those returns write one
** object, made when first needed and named by no thread (as the clock is),
** so the searches order them with one another; so does the spawn of a
** thread not detached (one more return before the end: sync/thread.c).
** The last return then takes the end step above after its own, since
** which is the last is known only once the others' steps ran. Before the
** first detach a return is no step; that detach is ordered with every
** step (sync/thread.c), so each return also comes after it.
*/
static const struct sched_objclass returns_objclass = { .name = "threads not detached" };

struct sched_obj *sched_returns_object(struct exec *x, struct sched_loc at)
{
    if (x->returns == NULL) {
        x->returns = object_new(x, &returns_objclass, sizeof *x->returns, NULL);
        if (x->returns == NULL)
            sched_fail(x, WEFT_ASSERTION, at, "out of memory for the threads' returns");
        object_rekey(x, x->returns, sched_mix(0x72657475726e73ULL, 0));
    }
    return x->returns;
}

/* t's body has returned: a step of its own when a join may be interrupted
** or when detached threads could run on after it; then the end of the
** execution, if t is the last thread not detached, is a step when
** detached threads could run instead. */
static void thread_returns(struct exec *x, struct sched_thread *t)
{
    bool joinable = !t->detached;
    bool counted = joinable && x->detached_ever > 0;
    if (x->interrupts || counted) {   /* a cancelled thread ends where it was */
        struct sched_loc at = t->cancelled ? t->cancelled_at : t->spawned_at;
        struct sched_op op = { .cls = &end_class, .obj = &t->obj,
                               .obj2 = counted ? sched_returns_object(x, at) : NULL,
                               .loc = at, .note = t->cancelled ? "cancelled" : NULL };
        sched_visible(x, &op);
    }
    if (joinable && x->live_joinable == 1 && x->detached_ever > 0) {
        struct sched_op op = { .cls = &return_class, .loc = t->spawned_at };
        sched_visible(x, &op);
    }
    if (t->detached)
        x->live_detached--;
    else
        x->live_joinable--;
}

static const struct sched_opclass exit_class = { .verb = "exit", .flags = OP_GLOBAL };

/* Has a thread other than t ended without a join (a detached pthread, one
** nobody joined)? Its steps could have come after an exit that stopped it
** instead, so the exit must be a step that the searches reverse with them:
** without one, DPOR finds no race to reverse. */
static bool unjoined_ended(const struct exec *x, const struct sched_thread *t)
{
    for (int i = 0; i < x->nthreads; i++) {
        const struct sched_thread *u = x->threads[i];
        if (u != t && u->state == T_FINISHED && !u->joined)
            return true;
    }
    return false;
}

void sched_exit(struct exec *x, struct sched_loc at, const char *note)
{
    struct sched_thread *t = x->current;
    if (x->live_joinable + x->live_detached > 1 || unjoined_ended(x, t)) {
        struct sched_op op = { .cls = &exit_class, .loc = at, .note = note };
        sched_visible(x, &op);
        x->outcome.ender = t->id;     /* its step stopped every other thread */
    }
    t->state = T_FINISHED;
    race_thread_end(x, t);
    switch_to(x, NULL, 1);
    abort();                          /* unreachable: the execution is over */
}

/* Runs on the thread's own fiber; never returns. The execution is the one
** that prepared the fiber, whichever OS thread runs it. */
static void thread_main(void *arg)
{
    struct sched_thread *t = arg;
    t->fn(t->arg);
    struct exec *x = exec_current();
    if (x->narmed)                    /* calls left by a jump (pthread_exit in a
                                         signal handler that ended a wait) */
        sched_timers_abandon(x, 0);
    if (t->buffered)                  /* its stores are seen before its end is */
        x->drain_stores(x);
    if (t->id != 0)                   /* the body may end like a program's main */
        check_nothing_held(x, t);
    thread_returns(x, t);
    t->state = T_FINISHED;
    set_enabled(x, t, false);
    recheck_watchers(x, &t->obj);     /* its joiners */
    race_thread_end(x, t);
    switch_to(x, next_thread(x), 1);
    abort();
}

/*
** A spawned thread starts in a step of its own: it is created parked on
** its start operation, which changes nothing and commutes with everything,
** and its code runs only once the search schedules it. So none of the
** child's code runs inside its parent's spawn step, and whatever it does
** before its first visible operation may come before or after anything
** its parent does next.
*/
static const struct sched_opclass start_class = { .verb = "start", .flags = OP_LOCAL };

static void park_on_start(struct exec *x, struct sched_thread *t, struct sched_loc at)
{
    t->start = (struct sched_op){ .cls = &start_class, .thread = t, .loc = at, .idle = true };
    t->pending = &t->start;
    t->ask = t->start.cls->enabled;
    t->state = T_PARKED;
    t->park_seq = ++x->park_counter;
    watch_op(x, t, t->pending);
}

static const struct sched_objclass thread_objclass = { .name = "thread" };

/* The enabled sets' room for threads_cap threads (enabled_threads). */
static bool enabled_room(struct exec *x)
{
    size_t words = ((size_t)x->threads_cap + 63) / 64, had = x->enabled_nwords;
    if (x->recheck_cap < x->threads_cap) {
        int *recheck = realloc(x->recheck, (size_t)x->threads_cap * sizeof *recheck);
        if (recheck == NULL)
            return false;
        x->recheck = recheck;
        x->recheck_cap = x->threads_cap;
    }
    if (words > had) {
        uint64_t *more = realloc(x->enabled_words, words * sizeof *more);
        if (more == NULL)
            return false;
        memset(more + had, 0, (words - had) * sizeof *more);
        x->enabled_words = more;
        x->enabled_nwords = words;
    }
    return true;
}

/* Room for one more thread: its slot, its record, and a place for the
** timer it may arm (at most one each); false without memory. Records are
** kept, with their stacks, for the executions that follow. */
static bool thread_room(struct exec *x)
{
    if (x->nthreads == x->threads_cap) {
        int cap = x->threads_cap ? 2 * x->threads_cap : 16;
        struct sched_thread **more = realloc(x->threads, (size_t)cap * sizeof *more);
        if (more == NULL)
            return false;
        memset(more + x->threads_cap, 0, (size_t)(cap - x->threads_cap) * sizeof *more);
        x->threads = more;
        x->threads_cap = cap;
    }
    if (!enabled_room(x))
        return false;
    if (x->armed_cap < x->threads_cap) {
        struct sched_timer **armed = realloc(x->armed, (size_t)x->threads_cap * sizeof *armed);
        if (armed == NULL)
            return false;
        x->armed = armed;
        x->armed_cap = x->threads_cap;
    }
    if (x->threads[x->nthreads] == NULL)
        x->threads[x->nthreads] = calloc(1, sizeof **x->threads);
    return x->threads[x->nthreads] != NULL;
}

/* name, or for the second thread of that name "name#2", the third
** "name#3", and so on: the columns of a report, its lists of threads and
** the JSON tell them apart. buf: room for the longer name. */
static const char *distinct_name(const struct exec *x, const char *name, char *buf, size_t n)
{
    if (name == NULL)                 /* "thread#id" already */
        return NULL;
    size_t len = strlen(name);
    int same = 0;
    for (int i = 0; i < x->nthreads; i++) {
        const char *other = x->threads[i]->obj.name;
        same += strncmp(other, name, len) == 0 &&
                (other[len] == '\0' || (other[len] == '#' && isdigit((unsigned char)other[len + 1])));
    }
    if (same == 0)
        return name;
    snprintf(buf, n, "%s#%d", name, same + 1);
    return buf;
}

/* A new thread, or NULL without memory for it or its stack. */
static struct sched_thread *thread_create(struct exec *x, const char *name,
                                          void (*fn)(void *), void *arg, struct sched_loc at)
{
    if (x->nthreads == INT32_MAX || !thread_room(x))
        return NULL;
    struct sched_thread *t = x->threads[x->nthreads];
    size_t stack = x->spawn_stack_size > x->cfg->stack_size ? x->spawn_stack_size
                                                            : x->cfg->stack_size;
    if (t->fiber.stack && t->fiber.stack_size < stack)
        fiber_stack_free(&t->fiber);  /* a larger one asked for: kept for later */
    if (t->fiber.stack == NULL && fiber_stack_alloc(&t->fiber, stack) != 0)
        return NULL;
    char unique[SCHED_NAME_MAX];
    name = distinct_name(x, name, unique, sizeof unique);
    struct fiber keep = t->fiber;     /* the stack is reused across executions */
    memset(t, 0, offsetof(struct sched_thread, watch));   /* the rest is written
                                         before it is read (exec.h) */
    t->fiber = keep;
    t->id = x->nthreads++;
    x->live_joinable++;
    t->fn = fn;
    t->arg = arg;
    t->spawned_at = at;
    t->sym_prev = -2;
    t->chain.n = 0;                   /* its start step has no chain */
    if (!race_thread_begin(x, t, x->current)) {
        x->nthreads--;
        x->live_joinable--;
        return NULL;
    }
    t->obj.cls = &thread_objclass;
    t->obj.thread = t->id;
    object_register(x, &t->obj, name);
    fiber_prepare(&t->fiber, thread_main, t);
    if (x->nthreads == SCHED_WATCH_FROM)
        watch_all(x);
    return t;
}

/* The last thread spawned symmetric with fn and arg, or -1. */
static int symmetric_sibling(struct exec *x, void (*fn)(void *), void *arg)
{
    for (int i = x->nthreads - 1; i >= 0; i--)
        if (x->threads[i]->fn == fn && x->threads[i]->arg == arg && x->threads[i]->sym_prev != -2)
            return i;
    return -1;
}

struct sched_thread *sched_spawn(struct exec *x, const char *name, void (*fn)(void *),
                                 void *arg, struct sched_loc at, bool symmetric)
{
    struct sched_thread *parent = x->current;
    int sibling = symmetric ? symmetric_sibling(x, fn, arg) : -1;
    struct sched_thread *t = thread_create(x, name, fn, arg, at);
    x->any_symmetric |= symmetric;
    if (t == NULL) {
        sched_fail_in_apply(x, WEFT_ASSERTION, parent, at,
                            "cannot spawn \"%s\": no memory for thread %d or its stack",
                            name, x->nthreads);
        return NULL;
    }
    if (symmetric)
        t->sym_prev = sibling;
    park_on_start(x, t, at);
    return t;
}

void sched_thread_daemon(struct exec *x, struct sched_thread *t)
{
    (void)x;
    t->daemon = true;
}

struct sched_thread *sched_spawn_background(struct exec *x, const char *name,
                                            void (*fn)(void *), void *arg, struct sched_loc at,
                                            struct sched_op *first)
{
    struct sched_thread *t = sched_spawn(x, name, fn, arg, at, false);
    if (t == NULL)
        return NULL;
    t->daemon = true;
    x->live_joinable--;               /* the execution ends without it */
    if (!race_thread_begin(x, t, NULL)) {   /* it inherits nothing of its
                                         spawner's: what it releases is said
                                         by each of its steps (race.h) */
        sched_fail_in_apply(x, WEFT_ASSERTION, x->current, at, "out of memory for a clock");
        return NULL;
    }
    first->thread = t;
    first->completed = first->idle = first->stutter = first->held = first->interrupted = false;
    t->pending = first;               /* instead of its start: see sched.h */
    t->ask = first->cls->enabled;
    watch_op(x, t, first);
    recheck(x, t);
    return t;
}

/* ==========================================================================
** Visible operations and wait queues
** ========================================================================== */

static void enqueue(struct waiter *w)
{
    struct sched_obj *o = w->obj;
    w->next = NULL;
    w->prev = o->waiters_tail;
    if (o->waiters_tail)
        o->waiters_tail->next = w;
    else
        o->waiters = w;
    o->waiters_tail = w;
    w->queued = true;
}

static void dequeue(struct waiter *w)
{
    struct sched_obj *o = w->obj;
    if (!w->queued)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        o->waiters = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        o->waiters_tail = w->prev;
    w->queued = false;
}

/* An operation that is performed, or completed, waits no longer. */
static void leave_queues(struct sched_op *op)
{
    for (int i = 0; i < op->nwaits; i++)
        dequeue(&op->waits[i]);
}

static bool at_spin_edge(const struct sched_thread *t);

static void timer_end(struct exec *x, struct sched_timer *t);

/* Park the running thread t with op; returns when op's step is over.
** (Every step comes here: inlined.) */
static inline __attribute__((always_inline)) void park(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    op->completed = false;
    op->idle = op->stutter = op->held = op->interrupted = false;
    op->spin_edge = x->cfg->exact_spins && at_spin_edge(t);
    for (int i = 0; i < op->nwaits; i++) {
        op->waits[i].op = op;
        enqueue(&op->waits[i]);
    }
    t->pending = op;
    t->ask = op->cls->enabled;
    t->state = T_PARKED;
    t->park_seq = ++x->park_counter;
    if (x->watching)
        watch_op(x, t, op);
    switch_to(x, next_thread(x), 0);
}

/* t resumed after op's step with signal handlers due, or its wait cut
** short by one: they run now (they wait for it to resume); then the wait
** goes on, or the call fails with EINTR (t->signal_cut). Apart from
** sched_visible, which every step runs, so that its own code stays short. */
static __attribute__((noinline, cold)) void after_signal(struct exec *x, struct sched_thread *t,
                                                         struct sched_op *op, const char *note)
{
    for (;;) {
        bool cut = t->signal_cut;     /* its wait, interrupted by a signal */
        t->signal_cut = false;
        bool fails = t->signal_due && x->run_due_signals(x, cut ? op : NULL);
        if (!cut)
            return;
        if (fails)
            break;
        op->note = note;              /* the handlers ran in the wait, which goes on */
        park(x, t, op);
    }
    t->signal_cut = true;             /* the call fails with EINTR */
    if (op->timer && op->timer->deadline >= 0)
        timer_end(x, op->timer);
}

void sched_visible(struct exec *x, struct sched_op *op)
{
    struct sched_thread *t = x->current;
    if (t->buffered && !(op->cls->flags & OP_BUFFERED))
        x->drain_stores(x);           /* a step of its own, before op's */
    fiber_check_stack(&t->fiber);     /* nothing runs on an overflowed stack */
    op->thread = t;
    if (x->chains)
        capture_chain(t, op);
    const char *note = op->note;
    park(x, t, op);
    if (__builtin_expect(t->signal_cut || t->signal_due, 0))
        after_signal(x, t, op, note);
}

void sched_complete(struct exec *x, struct sched_op *op)
{
    race_complete(x, op);
    op->completed = true;
    if (op->thread->pending == op)
        op->thread->ask = NULL;       /* enabled from now on */
    leave_queues(op);
    recheck(x, op->thread);
}

int sched_op_objects_many(const struct sched_op *op, const struct sched_obj **o)
{
    int m = 0;
    const struct sched_obj *all[SCHED_MAX_OBJS];
    int n = op->cls->objects(op, all, SCHED_MAX_OBJS - 2);
    for (int i = 0; i < n; i++) {     /* once each: a select may name a channel twice */
        int j = 0;
        while (j < m && o[j] != all[i])
            j++;
        if (j == m)
            o[m++] = all[i];
    }
    if (op->timer)
        o[m++] = op->timer->clock;
    return m;
}


/* ==========================================================================
** Timers
** ========================================================================== */

static const struct sched_objclass clock_objclass = { .name = "clock" };

struct sched_obj *sched_clock(struct exec *x)
{
    if (x->clock == NULL) {           /* one a run, whichever thread reads it first */
        x->clock = object_new(x, &clock_objclass, sizeof *x->clock, "clock");
        if (x->clock)                 /* (its maker's count of objects made is as before) */
            object_rekey(x, x->clock, sched_mix(0x636c6f636bULL, 0));
    }
    return x->clock;
}

int sched_timer_init(struct exec *x, struct sched_op *op, struct sched_timer *t, int64_t ns)
{
    if (sched_clock(x) == NULL)
        return WEFT_ENOMEM;
    *t = (struct sched_timer){ .timeout = ns > 0 ? ns : 0, .deadline = -1, .clock = x->clock,
                               .idle_rule = x->cfg->timers_idle,
                               .tid = x->current ? x->current->id : -1,
                               .made = ++x->timers_made };
    op->timer = t;
    return 0;
}

void sched_timer_start(struct exec *x, struct sched_timer *t)
{
    if (t->deadline >= 0)             /* a new wait of the same operation */
        timer_end(x, t);
    t->starts++;
    t->began = x->now;
    t->deadline = t->timeout > INT64_MAX - x->now ? INT64_MAX : x->now + t->timeout;
    x->armed[x->narmed++] = t;
    /* Under --timers=idle a timer stopped before it could fire still cut
    ** away the orders where it fired first: the summary says so. */
    x->outcome.timed |= t->idle_rule;
}

/* A timer lives in its operation, in the frame of the call that made it.
** A jump out of a signal handler (longjmp, posix/delivery.c) leaves every
** call the thread made since the jump target was set: their timers, which
** the calls would have ended, end here. (Calls that were in progress at
** the target, their waits interrupted by handlers, made theirs before.) */
uint64_t sched_timers_mark(struct exec *x)
{
    return x->timers_made;
}

void sched_timers_abandon(struct exec *x, uint64_t mark)
{
    int tid = x->current->id;
    for (int i = x->narmed - 1; i >= 0; i--)
        if (x->armed[i]->tid == tid && x->armed[i]->made > mark)
            timer_end(x, x->armed[i]);
}

void sched_timer_start_at(struct exec *x, struct sched_timer *t, int64_t deadline)
{
    sched_timer_start(x, t);
    t->deadline = deadline;
}

void sched_timer_stop(struct exec *x, struct sched_timer *t)
{
    if (t->deadline >= 0)
        timer_end(x, t);
}

void sched_timer_fire(struct exec *x, struct sched_timer *t)
{
    t->fired = true;
    t->fired_at_once = t->deadline <= t->began;
    if (t->deadline > x->now)
        x->now = t->deadline;
}

bool sched_timer_wins(struct exec *x, struct sched_op *op, bool could_go)
{
    if (!sched_timer_due(x, op->timer) ||
        (could_go && (op->timer->idle_rule || sched_choose_value(x, 2) == 0)))
        return false;
    sched_timer_fire(x, op->timer);
    return true;
}

void sched_signal_text(int sig, char *buf, size_t n)
{
    const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
    if (abbrev)
        snprintf(buf, n, "SIG%s", abbrev);
    else if (sig == SIGRTMIN)
        snprintf(buf, n, "SIGRTMIN");
    else if (sig > SIGRTMIN && sig <= SIGRTMAX)
        snprintf(buf, n, "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(buf, n, "signal %d", sig);
}

void sched_ms_text(int64_t ns, char *buf, size_t n)
{
    long long ms = (long long)(ns / 1000000), frac = (long long)(ns % 1000000);
    int digits = 6;
    if (frac == 0) {
        snprintf(buf, n, "%lld", ms);
        return;
    }
    while (frac % 10 == 0) {          /* 0.250000 -> 0.25 */
        frac /= 10;
        digits--;
    }
    snprintf(buf, n, "%lld.%0*lld", ms, digits, frac);
}

void sched_time_text(int64_t ns, char *buf, size_t n)
{
    char ms[32];
    sched_ms_text(ns, ms, sizeof ms);
    snprintf(buf, n, "%sms", ms);
}

/* Notes take two ints: whole milliseconds, microseconds or nanoseconds. */
void sched_output(struct exec *x, int which, const void *p, size_t n)
{
    struct sched_output *o = &x->output[which != 0];
    if (o->text == NULL && n > 0)
        o->text = arena_alloc(&x->arena, SCHED_OUTPUT_MAX);
    size_t room = o->text ? SCHED_OUTPUT_MAX - o->len : 0;
    size_t k = n < room ? n : room;
    if (k)
        memcpy(o->text + o->len, p, k);
    o->len += k;
    o->more += n - k;
}

void sched_duration_note(struct sched_op *op, int64_t ns)
{
    static const struct { int64_t per; const char *fmt; } units[] = {
        { 1000000, "%dms" }, { 1000, "%dus" }, { 1, "%dns" },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ns % units[i].per == 0 && ns / units[i].per <= INT32_MAX) {
            op->note = units[i].fmt;
            op->note_a = (int)(ns / units[i].per);
            return;
        }
}

/* A timer's wait is over (its operation was performed). */
static void timer_end(struct exec *x, struct sched_timer *t)
{
    for (int i = 0; i < x->narmed; i++)
        if (x->armed[i] == t) {
            x->armed[i] = x->armed[--x->narmed];
            break;
        }
    t->deadline = -1;
}


/* Every enabled thread spins, one of them on the clock, and no timer is
** due: where the clock goes (twice what it says, 1 ms on at least), or -1
** at the horizon. Real time passes while threads spin: a loop that waits
** for a time it computed (`while (weft_now() < end) weft_yield();`) would
** otherwise wait for ever, a false livelock. */
static int64_t time_passes(const struct exec *x)
{
    int64_t step = x->now > sched_ms_to_ns(1) ? x->now : sched_ms_to_ns(1);
    if (x->now >= SCHED_TIME_HORIZON)
        return -1;
    return x->now > SCHED_TIME_HORIZON - step ? SCHED_TIME_HORIZON : x->now + step;
}

/*
** A kernel timer (an alarm, a POSIX timer's signal: sync/timer.c) is never
** late: the kernel sends its signal at the deadline, whatever the threads
** are doing. A thread's timeout may be taken late, as a scheduler may run
** the woken thread late, but no timer fires past the deadline of a kernel
** timer that would go off: a sleep of 5 s does not end before an alarm of
** 1 s whose handler interrupts it. One that would not go off then (its
** signal blocked, or left to its default action) holds nothing back. The
** kernel timer's fire depends on every step, so the searches order it
** with each step it holds back.
*/
void sched_kernel_timer_add(struct exec *x, struct sched_kernel_timer *k)
{
    k->next = x->kernel_timers;
    x->kernel_timers = k;
}

bool sched_timer_held_back(struct exec *x, const struct sched_timer *t)
{
    for (const struct sched_kernel_timer *k = x->kernel_timers; k; k = k->next) {
        int64_t due = k->due(x, k->arg, t);
        if (due >= 0 && due < t->deadline)
            return true;
    }
    return false;
}

/* Earliest deadline after now among started timers, or -1. */
static int64_t next_deadline(struct exec *x)
{
    int64_t best = -1;
    for (int i = 0; i < x->narmed; i++) {
        int64_t d = x->armed[i]->deadline;
        if (d > x->now && d < SCHED_TIME_HORIZON && (best < 0 || d < best))
            best = d;
    }
    return best;
}

/* ==========================================================================
** Fairness and symmetry: which enabled threads the chooser may pick
** ==========================================================================
** Both filters only ever remove a thread from the choice, and both are
** functions of the execution so far, so every search sees them alike. Why
** the searches stay sound under them:
**
** Fairness (after CHESS's fair scheduler, Musuvathi and Qadeer, PLDI 2008,
** for threads that poll). A loop turn is what a thread does between two
** of its yields (weft_yield, a sleep, a wait that timed out); its
** signature is the operations, their objects and lines, in order, and the
** time any clock read saw. A thread spins when the turn it just ended has
** the signature of one of its last SCHED_TURN_MEMORY turns: the same turn
** again, or a cycle (A B A B: a round-robin poll, or a poll whose branch
** follows a flag another thread flips). A spinning thread lets every thread
** enabled at its yield make progress (a step that is neither a yield nor
** a read that changed nothing) before it starts another turn. CHESS lowers
** a yielding thread below those not scheduled since its last yield; weft
** delays only spinning threads, and until those threads move, not merely
** run, so a yield outside a loop, or after different work, delays nothing.
**
** What is never lost. The filter only removes choices, as a function of
** the execution so far, so every search explores the same smaller tree;
** when nobody else could run, the waits are dropped, so it never makes a
** deadlock. It removes exactly the executions in which a spinning thread t
** starts a turn while some thread enabled at t's yield has not moved. The
** premise: a turn that comes round again is a stutter, it changes nothing
** another thread can see (its reads only read, its polls find nothing, a
** lock it takes is given back before anyone else tries it) and leaves t
** where the turn began (at the loop head, carrying nothing to the next
** turn). Then from any execution E that the filter forbids, delete the
** turn of t that made it spin: what remains is an execution of the
** program (nothing anyone did depended on that turn) that ends in the same
** state, with the same failure if any, and is shorter. Repeating this
** ends in an execution the filter allows (a thread's first turn never
** spins), so every failure and every end state of E is still reached.
** That is why a terminating program loses nothing whose polling loops
** wait, and a fair program (every loop ends once the thread it waits for
** moves) is explored to the end: each spinner is held after at most one
** cycle and one turn while others can move. Sleep sets and DPOR reason
** about operations that change state inside that tree and lose no class,
** and preemption bounding counts nothing for the switch away from a
** delayed spinner (it is not in the filtered set: CHESS's free switch at a
** yield). When every enabled thread spins, time moves to the next
** deadline if there is one (--timers=idle); otherwise spinning goes on to
** the step bound: a livelock, since only stutters can run. But when one
** of them read the clock in its spinning turn, time passes first
** (time_passes): its next turn may see a deadline go by.
**
** The limit: where the premise fails, behaviours are lost, not only
** interleavings. (1) A loop whose repeating turns change shared state (a
** producer that sends, a counter or a flag it bumps each turn) is delayed
** too: states that need it to go round more than one cycle and a turn
** while another enabled thread waits (the counter at 5 before anyone
** reads it) are not explored. (2) A loop that carries state from turn to
** turn (give up after five failed polls) would look the same each turn if
** the signature held only steps. So it also holds the values the code
** compared (sched_turn_compared: the compiler's trace-cmp hooks), and a
** loop whose count moves is not a stutter; what it carries and does not
** compare during the loop, or compares in code weft did not compile, is
** still unseen. A count can go on a long time, and a loop whose deadline
** moves by a period goes on forever, so a loop that keeps the same path
** (the steps and the outcome of each comparison) with moving values is
** held back after SCHED_MOVING_TURNS turns all the same (would_spin), and
** the summary says so. A deadline read from weft's clock is part of the
** path, so a loop that polls until a deadline is explored to it. (A hash
** of the thread's stack at its yield would see every local, but the stack
** holds leftovers of the search's own frames, which differ between runs
** of the same schedule: tried, and it made replays nondeterministic.)
**
** Symmetry. Threads spawned symmetric with the same function and argument
** behave alike (weft.h states this promise). A symmetric thread does not
** take its first step while its sibling spawned before it could take its
** own first step instead: any execution is a relabelling of one where
** siblings start in spawn order, with the same failure. The filter never
** takes a thread away once allowed (siblings' first operations are the
** same, so they are enabled together), which is what sleep sets and DPOR
** need of the choice sets; when DPOR wants to reverse a race by starting a
** held-back sibling first, the sibling before it is tried instead, and the
** reversal is found up to renaming.
*/
static sched_mask fair_threads(struct exec *x, sched_mask enabled)
{
    if (mask_empty(x->delayed) &&
        (mask_empty(x->spinners) || !mask_empty(mask_minus(&x->masks, enabled, x->spinners))))
        return enabled;               /* the common case: nobody spins */
    bool all_spinning = true, on_clock = false;
    MASK_FOR(i, enabled) {
        all_spinning &= x->threads[i]->spinning;
        on_clock |= x->threads[i]->spun_on_clock;
    }
    int64_t d = all_spinning && x->cfg->timers_idle ? next_deadline(x) : -1;
    if (d < 0 && all_spinning && on_clock)
        d = time_passes(x);
    if (d >= 0) {                     /* time moved: who can run now (DPOR's
                                         reversals ask whether a step or the
                                         clock let a thread run: x->runnable) */
        x->now = d;
        x->runnable = enabled = enabled_threads(x);
    }
    struct mask_builder fair = MASK_BUILDER_INIT;
    MASK_FOR(i, enabled)
        if (!mask_meets(x->threads[i]->after, enabled))
            mask_build_add(&fair, i);
    sched_mask m = mask_build_done(&x->masks, &fair);
    if (!mask_empty(m)) {
        x->outcome.held_back |= !mask_eq(m, enabled);
        return m;
    }
    for (int i = 0; i < x->nthreads; i++)
        x->threads[i]->after = MASK_NONE;
    x->delayed = MASK_NONE;
    return enabled;
}

static sched_mask symmetric_threads(struct exec *x, sched_mask enabled)
{
    if (!x->any_symmetric)
        return enabled;
    struct mask_builder allowed = MASK_BUILDER_INIT;
    MASK_FOR(i, enabled) {
        struct sched_thread *t = x->threads[i];
        if (!(t->sym_prev >= 0 && !t->acted && t->pending != &t->start &&
              mask_has(enabled, t->sym_prev) && !x->threads[t->sym_prev]->acted))
            mask_build_add(&allowed, i);
    }
    return mask_build_done(&x->masks, &allowed);
}

/* Is sig among the first of t's last SCHED_TURN_MEMORY turns' (recent or
** recent_paths)? */
static bool seen_in(const struct sched_thread *t, const uint64_t *last, uint64_t sig)
{
    uint32_t n = t->turns < SCHED_TURN_MEMORY ? t->turns : SCHED_TURN_MEMORY;
    for (uint32_t i = 0; i < n; i++)
        if (last[i] == sig)
            return true;
    return false;
}

/* Was t's turn number `turn` (< t->turns, recent) a repeat of one before? */
static bool was_repeat(const struct sched_thread *t, uint32_t turn)
{
    return (t->recent_repeats >> (turn % SCHED_TURN_MEMORY)) & 1;
}

/*
** Does a turn with signature sig close a cycle: does it repeat the turn d
** back, for some d, with each of the d - 1 turns between a repeat too? A
** loop whose body ends two turns (a sleep, then a yield) and counts its
** retries in one of them has one turn that repeats while the other moves:
** that loop is not going round the same way.
*/
static bool closes_cycle(const struct sched_thread *t, uint64_t sig)
{
    uint32_t n = t->turns < SCHED_TURN_MEMORY ? t->turns : SCHED_TURN_MEMORY;
    for (uint32_t d = 1; d <= n; d++) {
        if (t->recent[(t->turns - d) % SCHED_TURN_MEMORY] != sig)
            continue;
        uint32_t i = 1;
        while (i < d && was_repeat(t, t->turns - i))
            i++;
        if (i == d)
            return true;
    }
    return false;
}

/*
** Would t spin if its turn ended now? When the turn closes a cycle of
** recent ones, values and all. When it only took a recent turn's path (the
** same steps, the same outcome of every comparison) with other values, it
** is a loop whose state moves: a count of retries that will run out, a
** deadline it moves each turn, or a counter nothing ever reads. weft cannot
** tell them apart, so it lets such a loop go round SCHED_MOVING_TURNS times
** while others wait, then holds it back as a spin, and the summary says so.
*/
static bool moved_too_long(const struct sched_thread *t, uint32_t moving)
{
    return moving >= SCHED_MOVING_TURNS && seen_in(t, t->recent_paths, t->path);
}

static bool would_spin(const struct sched_thread *t, uint32_t moving)
{
    return closes_cycle(t, t->turn) || moved_too_long(t, moving);
}

/*
** Is t's next operation at the edge of a spin (op.h, spin_edge)? It ends a
** spin when t's last step was a spinning yield: who may run before it
** depends on who moved since. It may begin one when the turn so far has
** the signature of a recent whole turn: if it ends the turn (a yield, a
** wait that times out, a poll that comes again, which only its step
** tells), t spins, and whom t
** then waits for depends on who could run at that moment. Either way the
** order of every other step around it changes which executions the
** fairness rule allows, so sleep sets and DPOR must not swap them.
*/
static bool at_spin_edge(const struct sched_thread *t)
{
    return t->spinning || would_spin(t, t->moving + 1);
}

/* What op does, to which object (by id), from which line. */
static uint64_t key_with_id(const struct sched_op *op, int id)
{
    return ((uintptr_t)op->cls ^ ((uint64_t)id << 20) ^ ((uint64_t)op->loc.line << 40)) +
           op->site * 0x9e3779b97f4a7c15ULL;
}

static uint64_t step_key(const struct sched_op *op)
{
    return key_with_id(op, op->obj ? op->obj->id : -1);
}

/* Which of the objects t made this turn o is (0 for its first), or -1:
** t made o when o's key is t's key mixed with its count (object.c). */
static int made_this_turn(const struct sched_thread *t, const struct sched_obj *o, int id)
{
    if (t->made == t->turn_made || id < t->turn_objects)   /* the common cases: it made
                                                          none, or o before the turn */
        return -1;
    for (uint32_t m = t->turn_made + 1; m <= t->made && m <= t->turn_made + 8; m++)
        if (o->key == sched_mix(t->obj.key, m))
            return (int)(m - t->turn_made - 1);
    return -1;
}

/* What op contributes to t's loop turn: step_key, but an object t made
** during the turn is named by its place among those, not by its id, so a
** loop that makes a new timer each turn (Go's time.After in a select)
** repeats its turns. */
static inline __attribute__((always_inline)) uint64_t turn_key(const struct sched_thread *t,
                                                                const struct sched_op *op)
{
    int id = op->obj ? op->obj->id : -1;
    int fresh = op->obj ? made_this_turn(t, op->obj, id) : -1;
    return key_with_id(op, fresh >= 0 ? -2 - fresh : id);
}

/* Has t polled like this (op, a step that changes nothing) since it last
** changed something or ended a turn? */
static bool polled_before(const struct sched_thread *t, const struct sched_op *op)
{
    uint64_t key = step_key(op);
    for (uint32_t i = 0; i < t->npolls; i++)
        if (t->polls[i] == key)
            return true;
    return false;
}

/* t's loop turn ends: is it spinning (would_spin)? */
static void end_turn(struct exec *x, struct sched_thread *t)
{
    t->last_turn_began = t->turn_began;
    t->turn_began = x->nsteps;
    t->turn_objects = x->nobjects;
    t->turn_made = t->made;
    bool repeat = seen_in(t, t->recent, t->turn);
    t->moving += !repeat && seen_in(t, t->recent_paths, t->path);
    /* A timer's thread fires by the clock, at most once per receive of
    ** its channel (it holds one value): it never polls. */
    bool cycle = closes_cycle(t, t->turn);
    t->spinning = t->spun = !t->daemon && (cycle || moved_too_long(t, t->moving));
    t->spin_moved = t->spinning && !cycle;
    t->spins_in_row = t->spinning ? t->spins_in_row + 1 : 0;
    uint8_t bit = (uint8_t)(1u << (t->turns % SCHED_TURN_MEMORY));
    t->recent_repeats = (uint8_t)(repeat ? t->recent_repeats | bit : t->recent_repeats & ~bit);
    t->spun_on_clock = t->spinning && t->turn_clock;
    t->turn_clock = false;
    t->recent[t->turns % SCHED_TURN_MEMORY] = t->turn;
    t->recent_paths[t->turns % SCHED_TURN_MEMORY] = t->path;
    t->turn = t->path = 0;
    t->turns++;
    t->npolls = 0;
}

/* op, t's step, is part of its loop turn. (Every step comes here: inlined.) */
static inline __attribute__((always_inline)) void add_to_turn(struct exec *x, struct sched_thread *t, const struct sched_op *op)
{
    uint64_t key = turn_key(t, op);
    t->turn = (t->turn ^ key) * 0x100000001b3ULL;
    t->path = (t->path ^ key) * 0x100000001b3ULL;
    if (op->obj && op->obj == x->clock) { /* the time it read: a deadline nears */
        t->turn_clock = true;
        t->turn = (t->turn ^ (uint64_t)x->now) * 0x100000001b3ULL;
        t->path = (t->path ^ (uint64_t)x->now) * 0x100000001b3ULL;
    }
    if (sched_op_progress(op))
        t->npolls = 0;
    else if (t->npolls < SCHED_POLL_MEMORY)
        t->polls[t->npolls++] = step_key(op);
}

/* The running thread's code compared a with b at pc, with outcome (-1, 0,
** 1 or a switch's case; sync/compare.c). The values are part of its loop
** turn (a loop's counter, a retry budget, anything it keeps in a local and
** branches on), the outcome is part of its path (would_spin). The pc tells
** two comparisons apart; within one process it names the same code in
** every execution, and turns are only ever compared within one execution. */
void sched_turn_compared(struct exec *x, uintptr_t pc, uint64_t a, uint64_t b, int outcome)
{
    struct sched_thread *t = x->current;
    uint64_t h = (t->turn ^ pc) * 0x100000001b3ULL;
    h = (h ^ a) * 0x100000001b3ULL;
    t->turn = (h ^ b) * 0x100000001b3ULL;
    t->path = (t->path ^ (pc + (uint64_t)(int64_t)outcome)) * 0x100000001b3ULL;
}

/*
** After t's step: its loop-turn signature, and whom it now waits for. A
** yield ends a loop turn, and so does a wait that timed out. So does a
** poll that comes again (a step that changed nothing, like one since t
** last changed something): a loop that polls without yielding, as C code
** spins on an atomic (`while (!atomic_load(&ready)) ;`), a failed
** try-lock or a compare-and-swap, went round, and the turn ended just
** before it. Only polls count: a loop whose steps change state (a
** producer's lock, push, unlock) is not a spin unless it yields, so the
** rule delays no such loop the program did not mark.
*/
static void note_turn(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    bool yield = (op->cls->flags & OP_YIELD) || (op->timer && op->timer->fired) ||
                 op->ends_turn;
    bool progress = sched_op_progress(op);
    if (progress && !(op->cls->flags & OP_YIELD))   /* (a yield changes nothing) */
        x->last_progress = x->nsteps + 1;
    /* those waiting on t may go */
    if (!yield && progress && !mask_empty(x->delayed))
        for (int i = 0; i < x->nthreads; i++) {
            struct sched_thread *w = x->threads[i];
            if (mask_empty(w->after = mask_without(&x->masks, w->after, t->id))) {
                x->delayed = mask_without(&x->masks, x->delayed, i);
                w->moving = 0;        /* held until the others moved: its
                                         loop may go round freely again */
            }
        }
    if (yield) {
        end_turn(x, t);
    } else if (!progress && polled_before(t, op)) {
        end_turn(x, t);               /* before op: op begins the next turn */
        add_to_turn(x, t, op);
    } else {                          /* this loop turn's signature so far */
        t->spinning = t->awaiting;
        add_to_turn(x, t, op);
    }
    if (!t->spinning) {               /* the common case: two tests, no set made */
        t->after = MASK_NONE;
        t->awaiting = false;
        if (!mask_empty(x->spinners))
            mask_del(&x->masks, &x->spinners, t->id);
        if (!mask_empty(x->delayed))
            mask_del(&x->masks, &x->delayed, t->id);
        return;
    }
    /* It waits for whoever can run now. Nobody, when its turn ended while
    ** it held what the others wait for (a timed-out wait on a condition
    ** retakes the mutex): then for whoever can run after its next step
    ** that lets anyone (the next wait, which releases the mutex), before
    ** the turn goes round again (that wait times out again). */
    t->after = mask_without(&x->masks, enabled_threads(x), t->id);
    t->awaiting = mask_empty(t->after);
    x->outcome.held_moving |= !t->awaiting && t->spin_moved;
    mask_add(&x->masks, &x->spinners, t->id);
    if (!mask_empty(t->after))
        mask_add(&x->masks, &x->delayed, t->id);
    else
        mask_del(&x->masks, &x->delayed, t->id);
}

/* ==========================================================================
** Steps
** ========================================================================== */

/* The objects op acts on have been used by t (reports). Apart from
** record_step, which then stays a leaf: a set past 64 threads is made by
** a call. */
static void note_users(struct exec *x, struct sched_thread *t, struct sched_op *op)
{
    if (op->obj)
        mask_add(&x->masks, &op->obj->users, t->id);
    if (op->obj2)
        mask_add(&x->masks, &op->obj2->users, t->id);
}

/* A re-run for a report (chains captured): the step's call chain, and
** whether it preempts, that is whether the thread of the step before was
** among those the chooser could pick (enabled), as the searches count. */
static void record_detail(struct exec *x, const struct sched_op *op)
{
    if (x->ndetails == x->details_cap) {
        uint32_t cap = x->details_cap ? 2 * x->details_cap : 16;
        struct sched_detail *d = realloc(x->details, cap * sizeof *d);
        if (d == NULL)
            return;                   /* a report without the cases, no more */
        x->details = d;
        x->details_cap = cap;
    }
    struct sched_detail *d = &x->details[x->ndetails++];
    d->step = x->nsteps;
    op->cls->describe_step(op, d->text, sizeof d->text);
}

/* A thread of the program, not t, that could have run when t's timer
** fired instead, or -1. */
static int32_t passed_by(struct exec *x, struct sched_thread *t, const struct sched_op *op,
                         sched_mask enabled)
{
    if (op->timer == NULL || !op->timer->fired || op->timer->fired_at_once)
        return -1;                    /* (a deadline past when the wait began raced nothing) */
    MASK_FOR(i, enabled)
        if (i != t->id && !x->threads[i]->daemon)
            return i;
    return -1;
}

__attribute__((noinline, cold)) static void record_story(struct exec *x, struct sched_thread *t,
                                                         const struct sched_op *op,
                                                         sched_mask enabled)
{
    x->chains[x->nsteps] = t->chain;
    x->steps[x->nsteps].preempts = x->last_tid >= 0 && t->id != x->last_tid &&
                                   mask_has(enabled, x->last_tid);
    int32_t passed = passed_by(x, t, op, x->runnable);   /* (held-back spinners too) */
    x->steps[x->nsteps].passed_by = passed;
    x->steps[x->nsteps].passed_spinning = passed >= 0 && x->threads[passed]->spinning;
    if (op->cls->describe_step)
        record_detail(x, op);
}

static void record_step(struct exec *x, struct sched_thread *t, struct sched_op *op,
                        sched_mask enabled)
{
    if (x->chains)
        record_story(x, t, op, enabled);
    struct sched_step *s = &x->steps[x->nsteps++];
    s->tid = (uint32_t)t->id;
    s->cls = op->cls;
    s->obj_id = op->obj ? op->obj->id : -1;
    s->loc = op->loc;
    s->time = x->now;
    s->timed = op->timer && op->timer->idle_rule;
    x->outcome.timed |= s->timed;
    s->note = op->note;
    s->handler = t->handling;
    s->note_a = op->note_a;
    s->note_b = op->note_b;
    t->last_step = x->nsteps;
    if (x->chooser->after_step)
        x->chooser->after_step(x->chooser->self, s);
}

/* Does op wait, unless its timer fires? A wait a signal's handler ends:
** one that could go on only by its timer firing had not yet timed out
** when the handler came (had it, its step would have come before the
** send's: the searches try that order too). */
static bool waits_untimed(struct exec *x, struct sched_op *op)
{
    if (op->cls->enabled == NULL)
        return false;
    struct sched_timer *tm = op->timer;
    int64_t deadline = tm ? tm->deadline : -1;
    if (deadline >= 0)
        tm->deadline = SCHED_TIME_HORIZON;    /* (never due) */
    bool waits = !op->cls->enabled(x, op);
    if (deadline >= 0)
        tm->deadline = deadline;
    return waits;
}

/* Did op's timer reach its deadline before t's handler became due? Then
** the wait was over when the signal came (a nanosleep returns 0, the
** handler runs after), however late its step is taken. */
static bool timed_out_first(const struct sched_thread *t, const struct sched_op *op)
{
    return op->timer && op->timer->deadline >= 0 && op->timer->deadline <= t->signal_due_at;
}

/* Perform t's pending operation, picked among enabled; false when that
** ended the execution. */
static bool step(struct exec *x, struct sched_thread *t, sched_mask enabled)
{
    struct sched_op *op = t->pending;
    struct sched_thread *was = x->current;
    bool waited = op->timer && op->timer->deadline >= 0;   /* its timer ends here */
    unsigned starts = op->timer ? op->timer->starts : 0;
    if (op->nwaits)
        leave_queues(op);
    if (x->watching)
        unwatch(t);
    x->current = t;                   /* a spawn's parent, a failure's thread */
    bool by_signal = false;
    if (t->interruptible && t->interrupt && !op->completed &&   /* exec.h */
        (t->interruptible == SCHED_INTERRUPT_ANY ||
         (op->cls->enabled && !op->cls->enabled(x, op)))) {
        op->completed = op->interrupted = t->interrupted = true;
        op->note = "interrupted";
    } else if (t->signal_due && !op->completed && !timed_out_first(t, op) &&
               (t->signal_cuts_all || waits_untimed(x, op))) {
        op->completed = op->interrupted = t->signal_cut = by_signal = true;
        op->note = "interrupted by a signal";
    }
    if (!op->completed && op->cls->apply) {
        op->cls->apply(x, op);
        if (x->watching)              /* a step without apply changes nothing */
            recheck_after(x, op);
    }
    x->current = was;
    if (waited && op->timer->starts == starts && !by_signal)   /* (not if it began another
                                                                  wait, or may wait on) */
        timer_end(x, op->timer);
    race_step(x, t, op);
    if (!x->abandoned || x->failed)
        note_users(x, t, op);
    if (x->failed || x->abandoned) {
        if (x->failed)
            record_step(x, t, op, enabled);
        return false;
    }
    note_turn(x, t, op);
    record_step(x, t, op, enabled);
    t->acted |= op != &t->start;
    t->pending = NULL;
    x->last_tid = t->id;
    return !x->failed;                /* the chooser's after_step may end it there */
}

int sched_choose_value(struct exec *x, int n)
{
    if (n <= 1)
        return 0;
    int v = x->chooser->pick_value(x->chooser->self, n);
    if (v < 0) {
        x->abandoned = true;
        return 0;
    }
    return v;
}

/* ==========================================================================
** How an execution ends
** ========================================================================== */

/* Nothing can run and no deadline is pending: pass, leak or deadlock. */
static void classify_end(struct exec *x)
{
    struct sched_outcome *out = &x->outcome;
    bool main_done = x->threads[0]->state == T_FINISHED;
    int stuck = -1, blocked = 0;
    for (int i = 0; i < x->nthreads; i++)     /* once main returned, detached ones may stay */
        if (x->threads[i]->state != T_FINISHED && !x->threads[i]->daemon &&
            !(main_done && x->threads[i]->detached)) {
            stuck = stuck < 0 ? i : stuck;
            blocked++;
        }
    if (stuck < 0) {
        out->result = WEFT_PASS;
        return;
    }
    out->result = main_done ? WEFT_LEAK : WEFT_DEADLOCK;
    out->failing_tid = main_done ? stuck : 0;
    snprintf(out->message, sizeof out->message, main_done
             ? "the scenario body returned while %d thread%s stay blocked forever"
             : "%d threads are blocked forever and no timer is pending",
             blocked, blocked == 1 ? "" : "s");
    out->where = x->threads[out->failing_tid]->pending->loc;
    x->failed = true;
}

/* The execution is a livelock: the threads in spinning spin, last the one
** that stepped last; message says since when (a printf format of nsteps). */
static void spun_forever(struct exec *x, sched_mask spinning, int last, const char *message)
{
    struct sched_outcome *out = &x->outcome;
    out->spinning = spinning;
    out->result = WEFT_LIVELOCK;
    out->failing_tid = last;
    out->where = x->threads[last]->pending->loc;
    snprintf(out->message, sizeof out->message, message, x->nsteps);
    x->failed = true;
}

/*
** Nothing can change any more, before the step bound: every thread that
** can run is spinning (see fair_threads), by a turn it repeated exactly
** (not one that moved on by a count), that began after the last step
** anyone took that changed anything, so it saw everything there is to see
** and only polled, and no timer is armed that could fire and change
** something. That turn also began after the thread was seen to spin, so
** what weft does for a spinning thread (a select takes another of its
** ready cases: sync/chan.c, fair_cases) had its chance and changed
** nothing. Then every step from here is a poll that finds what it found
** before, whichever thread takes it: the threads spin for ever.
*/
static bool nothing_can_change(struct exec *x, sched_mask enabled)
{
    if (x->narmed > 0 || !mask_empty(mask_minus(&x->masks, enabled, x->spinners)))
        return false;
    MASK_FOR(i, enabled) {
        const struct sched_thread *t = x->threads[i];
        if (!t->spinning || t->spin_moved || t->spun_on_clock || t->spins_in_row < 2 ||
            t->last_turn_began < x->last_progress)
            return false;
    }
    return true;
}

/* The spinner of enabled that stepped last. */
static int last_to_step(struct exec *x, sched_mask enabled)
{
    int last = -1;
    MASK_FOR(i, enabled)
        if (last < 0 || x->threads[i]->last_step > x->threads[last]->last_step)
            last = i;
    return last;
}

/*
** The step bound was reached. The threads that stepped in the last stretch
** are the running ones. It is a livelock only if each of them is spinning
** (its last loop turn repeated a recent one, see fair_threads), none of
** them only because its values kept changing (a loop that counts to 6000
** ends), and none of them finished in that stretch (one that did may have
** just ended the spin: the step bound fell as the loop was ending);
** otherwise the execution is merely long, and it is cut: not a failure,
** but the search can no longer claim to be exhaustive.
*/
static void step_bound_reached(struct exec *x)
{
    struct sched_outcome *out = &x->outcome;
    uint32_t window = x->nsteps / 10 > 50 ? x->nsteps / 10 : 50;
    uint32_t since = x->nsteps > window ? x->nsteps - window : 0;
    bool spin = true;
    out->spinning = MASK_NONE;
    for (int i = 0; i < x->nthreads; i++) {
        struct sched_thread *t = x->threads[i];
        if (t->last_step <= since || t->daemon)
            continue;                 /* (a timer's firings are time passing) */
        spin &= t->state != T_FINISHED;
        if (t->state != T_PARKED)
            continue;
        mask_add(&x->masks, &out->spinning, i);
        spin &= t->spun && !t->spin_moved;
    }
    if (!spin || mask_empty(out->spinning)) {
        out->cut = true;
        return;
    }
    spun_forever(x, out->spinning, last_to_step(x, out->spinning),
                 "still spinning after %u steps (the step bound)");
}

/* ==========================================================================
** The loop
** ========================================================================== */

static int pick(struct exec *x, sched_mask enabled)
{
    const struct sched_chooser *ch = x->chooser;
    if (mask_single(enabled)) {       /* one thread: no choice to make */
        int tid = mask_first(enabled);
        return ch->forced(ch->self, tid) ? tid : -1;
    }
    return ch->pick_thread(ch->self, enabled, x->last_tid);
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
static struct sched_thread *next_thread(struct exec *x)
{
    while (!x->failed && !x->abandoned) {
        if (x->live_joinable == 0) {  /* only detached threads are left: stop them */
            x->outcome.ender = x->live_detached > 0 ? x->last_tid : -1;
            classify_end(x);
            return NULL;
        }
        sched_mask enabled = enabled_threads(x);
        check_enabled_set(x, enabled);
        if (mask_empty(enabled)) {
            int64_t d = x->cfg->timers_idle ? next_deadline(x) : -1;
            if (d < 0) {
                classify_end(x);
                return NULL;
            }
            x->now = d;
            continue;
        }
        if (x->nsteps >= (uint32_t)x->cfg->max_steps) {
            step_bound_reached(x);
            return NULL;
        }
        if (!mask_empty(x->spinners) && nothing_can_change(x, enabled)) {
            spun_forever(x, enabled, last_to_step(x, enabled),
                         "still spinning at step %u, with nothing left that could "
                         "change what it polls");
            return NULL;
        }
        x->runnable = enabled;
        enabled = fair_threads(x, symmetric_threads(x, enabled));
        int tid = pick(x, enabled);
        if (tid < 0) {
            x->abandoned = true;
            return NULL;
        }
        struct sched_thread *t = x->threads[tid];
        return step(x, t, enabled) ? t : NULL;
    }
    return NULL;
}

/* Fresh state for the next execution; stacks and arena chunks are kept. */
static int exec_reset(struct exec *x, const struct sched_config *cfg,
                      const struct sched_chooser *ch)
{
    if (!x->scheduler_ready) {
        fiber_init_main(&x->scheduler);
        x->scheduler_ready = true;
    }
    if (x->steps_cap < (uint32_t)cfg->max_steps + 1) {
        free(x->steps);
        free(x->chains_buf);
        x->chains_buf = NULL;
        x->steps_cap = (uint32_t)cfg->max_steps + 1;
        x->steps = calloc(x->steps_cap, sizeof *x->steps);
        if (x->steps == NULL) {
            x->steps_cap = 0;
            return WEFT_ENOMEM;
        }
    }
    if (cfg->capture_chains && x->chains_buf == NULL)
        x->chains_buf = calloc(x->steps_cap, sizeof *x->chains_buf);
    if (cfg->capture_chains && x->chains_buf == NULL)
        return WEFT_ENOMEM;
    x->chains = cfg->capture_chains ? x->chains_buf : NULL;
    x->ndetails = 0;
    arena_reset(&x->arena);
    x->objects = NULL;
    x->objects_tail = &x->objects;
    x->nobjects = 0;
    x->clock = NULL;
    x->returns = NULL;
    x->kernel_timers = NULL;
    x->narmed = 0;
    x->shadow = NULL;
    x->memory_cells = NULL;
    x->program = NULL;
    x->on_switch = NULL;
    memset(x->output, 0, sizeof x->output);
    x->atomic_site.addr = NULL;
    x->shadow_oom = x->memory_unchecked = false;
    x->cfg = cfg;
    x->chooser = ch;
    x->running = &x->scheduler;
    memset(&x->outcome, 0, sizeof x->outcome);
    x->outcome.failing_tid = -1;
    x->outcome.ender = -1;
    x->nthreads = 0;
    x->current = NULL;
    x->last_tid = -1;
    x->now = 0;
    x->epoch = registry_next_epoch();
    x->park_counter = 0;
    x->made = 0;
    x->nsteps = 0;
    x->interrupts = false;
    x->failed = x->abandoned = false;
    x->spinners = x->delayed = MASK_NONE;
    x->last_progress = 0;
    x->any_symmetric = false;
    x->live_joinable = x->live_detached = x->detached_ever = 0;
    x->nrecheck = 0;
    x->watching = false;
    if (x->enabled_nwords)
        memset(x->enabled_words, 0, x->enabled_nwords * sizeof *x->enabled_words);
    return 0;
}

static void body_main(void *arg)
{
    const struct weft_scenario *s = arg;
    s->body();
}

int sched_run(struct exec *x, const struct sched_config *cfg, const struct sched_chooser *ch)
{
    int rc = exec_reset(x, cfg, ch);
    if (rc)
        return rc;
    struct exec *outer = exec_running_;
    exec_running_ = x;
    /* No signal mask saved: that would be a system call per execution, and
    ** the handlers (SA_NODEFER) leave the mask as it was. */
    int escaped = sigsetjmp(x->on_crash, 0);
    if (escaped) {                    /* a crash, or a failure in setup */
        if (escaped == ESCAPE_CRASH)
            fiber_landed(&x->scheduler);
        x->current = NULL;
        x->running = &x->scheduler;
        x->outcome.abandoned = false;
        exec_running_ = outer;
        return 0;
    }
    if (cfg->scenario->setup)
        cfg->scenario->setup();
    struct sched_loc at = { cfg->scenario->file, cfg->scenario->line };
    struct sched_thread *main_thread = thread_create(x, "main", body_main,
                                                     (void *)cfg->scenario, at);
    if (main_thread == NULL) {
        exec_running_ = outer;
        return WEFT_ENOMEM;
    }
    switch_to(x, main_thread, 0);     /* back here when the execution is over */
    x->current = NULL;
    x->outcome.abandoned = x->abandoned && !x->failed;
    exec_running_ = outer;
    return 0;
}

/* ==========================================================================
** The context
** ========================================================================== */

struct exec *sched_new(void)
{
    struct exec *x = calloc(1, sizeof *x);
    if (x)
        x->objects_tail = &x->objects;
    return x;
}

void sched_free(struct exec *x)
{
    if (x == NULL)
        return;
    for (int i = 0; i < x->threads_cap && x->threads[i]; i++) {
        fiber_stack_free(&x->threads[i]->fiber);
        free(x->threads[i]);
    }
    free(x->threads);
    free(x->armed);
    free(x->recheck);
    free(x->enabled_words);
    mask_table_free(&x->masks);
    free(x->steps);
    free(x->chains_buf);
    free(x->details);
    arena_free(&x->arena);
    crash_leave(&x->crash);
    free(x->crash.stack);
    free(x);
}

struct sched_obj *sched_object_by_id(struct exec *x, int id)
{
    for (struct sched_obj *o = x->objects; o; o = o->next_in_exec)
        if (o->id == id)
            return o;
    return NULL;
}
