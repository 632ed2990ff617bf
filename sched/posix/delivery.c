/*
** delivery.c -- signals the program's threads send one another: raise,
** pthread_kill and kill of the program's own process make a signal
** pending, in a thread or in the process; sigwait, sigwaitinfo and
** sigtimedwait take one; sigpending reads them; pause and sigsuspend wait
** for a handler to run; a signal that a thread does not block is
** delivered as its disposition says.
**
** What a send does is decided in its step, from the threads' masks and the
** disposition as they are then (POSIX, as Linux does it):
**  - to a thread that blocks the signal: it is pending there; so it is
**    for a sigwait that waits for it, if the thread has a handler for it
**    (a sigwait for a signal the thread does not block is as Linux has it,
**    POSIX leaving it undefined: ignored, it is dropped; by default, it
**    ends the process);
**  - to the process: pending in the process when every thread blocks it or
**    every thread that does not waits for it in sigwait (the first of those
**    sigwaits to take a step takes it);
**  - otherwise it is delivered: dropped if ignored (SIG_IGN, or a default
**    that ignores: SIGCHLD, SIGURG, SIGWINCH, SIGCONT); the end of the
**    process if its default action terminates, reported as a crash at the
**    send; else to its handler. The sending thread runs the handler right
**    after the step when the signal goes to it, as POSIX delivers a signal
**    sent to oneself before the call returns; another thread runs it as it
**    next resumes (sched_thread.signal_due, x->run_due_signals): after the
**    step it was about to take, or in place of it if that step waits (the
**    core ends the wait for it: sched.c), in the pause or sigsuspend it
**    waits in, or as it starts.
** Where the handler runs is thus always between two steps of its thread,
** and the searches try the send before and after each of them. After a
** handler that ended a wait, the call waits again, or fails with EINTR
** where Linux fails it (posix_eintr_begin: sleeps, sem_wait, poll and
** select always; reads, writes, accept and connect unless every handler
** that ran has SA_RESTART). A signal sent to the process that several
** threads could take goes to each in turn, a choice (sched_choose_value)
** the searches explore; the sigwaits waiting for it count as one. pause
** begins in a step of its own, so a handler due before it runs then and
** the pause waits for the next one.
**
** Masks and dispositions change without steps, so every send depends on
** every step (OP_GLOBAL), as pthread_cancel does. Each signal number is an
** object of its own, named as the signal ("SIGTERM") and keyed by its
** number; a sigwait touches the objects of the signals it waits for.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <stdio.h>
#include <string.h>
#include "weft_pthread.h"
#include <sys/signalfd.h>
#include "posix/state.h"
#include "sync/stream.h"
#include "sync/sync.h"

#define BIT(sig) (1ull << ((sig) - 1))

/* A signal number's object: the steps that send or take it act on it. */
struct signal_obj {
    struct sched_obj obj;
    int sig;
};

/*
** Instances. A signal sent is an instance: how it was sent (si_code:
** SI_USER for kill, SI_TKILL for raise and pthread_kill, SI_QUEUE for
** sigqueue) and the value sigqueue gave it. Where signals are pending (a
** thread's, the process's) or due to a thread's handlers, a set keeps a bit
** each and each signal's instances, oldest first: realtime signals queue
** (POSIX: each instance sent is delivered or taken once), while a standard
** signal sent while it is pending merges with it (the first one stays).
*/
#define RT_FIRST 32                   /* the kernel's first realtime signal */

struct sig_instance {
    struct sig_instance *next;
    int code;
    union sigval value;
};

typedef struct sig_instance *sig_queue[POSIX_SIGNALS + 1];   /* by signal */

struct posix_sig_queues {
    sig_queue pending, due;
};

static bool queues(int sig) { return sig >= RT_FIRST; }

/* A new instance of sig, sent as how says, into the set *bits (q: its
** instances, NULL without memory for them): false when it merged. */
static bool instance_add(struct exec *x, uint64_t *bits, struct sig_instance **q, int sig,
                         const struct sig_instance *how)
{
    if ((*bits & BIT(sig)) && !queues(sig))
        return false;
    *bits |= BIT(sig);
    struct sig_instance *n = q ? arena_alloc(&x->arena, sizeof *n) : NULL;
    if (n == NULL)
        return true;
    *n = (struct sig_instance){ .code = how->code, .value = how->value };
    struct sig_instance **end = &q[sig];
    while (*end)
        end = &(*end)->next;
    *end = n;
    return true;
}

/* The oldest instance of sig, pending in *bits, is taken: how it was sent
** (SI_USER when that was not kept: a SIGPIPE of a write). */
static struct sig_instance instance_take(uint64_t *bits, struct sig_instance **q, int sig)
{
    struct sig_instance got = { .code = SI_USER };
    struct sig_instance *n = q ? q[sig] : NULL;
    if (n) {
        got = *n;
        q[sig] = n->next;
    }
    if (n == NULL || q[sig] == NULL)
        *bits &= ~BIT(sig);
    return got;
}

/* Every instance of sig in the set goes. */
static void instance_drop(uint64_t *bits, struct sig_instance **q, int sig)
{
    *bits &= ~BIT(sig);
    if (q)
        q[sig] = NULL;
}

/* Thread t's instances (made on first need; NULL without memory). */
static struct posix_sig_queues *queues_of(struct exec *x, struct posix_thread *t)
{
    if (t->queued == NULL)
        t->queued = arena_alloc(&x->arena, sizeof *t->queued);
    return t->queued;
}

struct posix_sigtable {
    struct signal_obj *of[POSIX_SIGNALS + 1];
    char names[POSIX_SIGNALS + 1][16];
    uint64_t process;                 /* pending in the process, bit sig - 1; only
                                         steps on sig's object change its bit */
    sig_queue process_queue;          /* their instances */
    uint64_t reset;                   /* handlers SA_RESETHAND put back to the default */
};

static const struct sched_objclass signal_objclass = { .name = "signal" };

/* sig's object, made on first use (from the program's thread). */
static struct signal_obj *signal_object(struct exec *x, int sig, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    if (st && st->sigtable == NULL)
        st->sigtable = arena_alloc(&x->arena, sizeof *st->sigtable);
    if (st == NULL || st->sigtable == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for the signals' state");
    struct posix_sigtable *table = st->sigtable;
    if (table->of[sig] == NULL) {
        sched_signal_text(sig, table->names[sig], sizeof table->names[sig]);
        table->of[sig] = sync_object_new(x, &signal_objclass, sizeof *table->of[sig],
                                         table->names[sig], at);
        table->of[sig]->sig = sig;
        /* whichever thread uses it first: named by its number */
        object_rekey(x, &table->of[sig]->obj, sched_mix(0x7369676e616cULL, (uint64_t)sig));
    }
    return table->of[sig];
}

/* What is pending in the process (no table: no signal was ever sent). */
static uint64_t process_pending(const struct posix_exec *st)
{
    return st && st->sigtable ? st->sigtable->process : 0;
}

/* What is pending for thread tid: its own signals and the process's. */
static uint64_t pending_for(struct exec *x, int tid)
{
    struct posix_thread *t = posix_thread_at(x, tid);
    return (t ? t->sigpending : 0) | process_pending(x->program);
}

/* ==========================================================================
** Dispositions and actions
** ========================================================================== */

enum action { ACT_IGNORE, ACT_TERMINATE, ACT_HANDLER, ACT_STOP };

static enum action action_of(const struct sigaction *sa, int sig)
{
    if (sa->sa_handler == SIG_IGN)
        return ACT_IGNORE;
    if (sa->sa_handler != SIG_DFL)
        return ACT_HANDLER;
    switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
        return ACT_IGNORE;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return ACT_STOP;
    default:
        return ACT_TERMINATE;
    }
}

/* A handler the thread runs, on its stack while it runs: what its return
** puts back, and what a jump out of it (longjmp) must end instead. */
struct posix_handler {
    struct posix_handler *outer;      /* the handler it interrupted, or NULL */
    uint8_t outer_handling;           /* sched_thread.handling before it */
};

/* The running thread t calls sig's handler as the kernel would: sa_mask
** and sig itself (unless SA_NODEFER) blocked while it runs, the mask put
** back when it returns, and then what came meanwhile and that mask does
** not block delivered (sig again, say: the kernel does so as the handler
** returns). */
void posix_call_handler(struct exec *x, struct posix_thread *t, int sig,
                        const struct sigaction *sa, int code, union sigval value)
{
    uint64_t saved = t->sigmask;
    t->sigmask |= posix_sigset_bits(&sa->sa_mask);
    if (!(sa->sa_flags & SA_NODEFER))
        t->sigmask |= BIT(sig) & ~posix_unblockable();
    struct posix_handler h = { .outer = t->handlers, .outer_handling = x->current->handling };
    t->handlers = &h;
    x->current->handling = (uint8_t)sig;    /* its steps say so in reports */
    if (sa->sa_flags & SA_SIGINFO) {
        siginfo_t info = { .si_signo = sig, .si_code = code };
        if (code != SI_KERNEL) {      /* sent by a thread of the process */
            info.si_pid = getpid();
            info.si_uid = getuid();
            info.si_value = value;
        }
        sa->sa_sigaction(sig, &info, NULL);
    } else {
        sa->sa_handler(sig);
    }
    x->current->handling = h.outer_handling;
    t->handlers = h.outer;
    uint64_t held = t->sigmask & ~saved;
    t->sigmask = saved;
    if (pending_for(x, x->current->id) & held)
        posix_signals_unblocked(x, sync_current_loc(x));
}

/* As posix_call_handler; SA_RESETHAND puts the default back first. */
static void run_handler(struct exec *x, struct posix_thread *t, int sig,
                        const struct sigaction *sa, const struct sig_instance *how)
{
    if (sa->sa_flags & SA_RESETHAND) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigemptyset(&dfl.sa_mask);
        __wrap_sigaction(sig, &dfl, NULL);
        x->program->sigtable->reset |= BIT(sig);
    }
    posix_call_handler(x, t, sig, sa, how->code, how->value);
}

/* ==========================================================================
** Jumps out of handlers: setjmp, sigsetjmp, longjmp, siglongjmp
** ========================================================================== */

/*
** A handler that jumps out never returns, so nothing its return would undo
** is undone: on Linux the signal stays blocked after a longjmp, unless the
** jump goes to a sigsetjmp that saved the mask, which siglongjmp puts back
** (glibc's setjmp saves none). weft keeps each thread's mask itself, so the
** program's setjmp and sigsetjmp (weft_pthread.h) call glibc's without
** saving the process's mask, and note in the jmp_buf what the jump needs:
** the thread's mask, whether it was saved, which handler ran at the jump
** target, and how many timers weft had made. The jump leaves every handler
** above that one (their steps no longer say they are in a handler), and
** every call of weft's made since, interrupted waits among them, which
** never go on: their timers end (sched_timers_abandon). The note lives in
** words of the buffer's saved signal set that glibc does not use: it keeps
** 8 bytes of the process's mask there (and on x86-64 a shadow stack
** pointer after them), where the set holds 128.
*/
enum { NOTE_MASK, NOTE_HANDLER, NOTE_TIMERS, NOTE_MAGIC, NOTE_WORDS };
#define JMP_NOTE 12                   /* the note's first word in __saved_mask */
#define JMP_NOTED 0x7765667400000000ul   /* in NOTE_MAGIC, with savemask in bit 0 */
_Static_assert(sizeof(sigset_t) / sizeof(unsigned long) >= JMP_NOTE + NOTE_WORDS,
               "the jmp_buf's signal set holds weft's note");

int weft_jmp_note(struct __jmp_buf_tag *env, int savemask)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_self(x) : NULL;
    unsigned long *note = &env->__saved_mask.__val[JMP_NOTE];
    if (t == NULL) {                  /* not in an execution: glibc's own */
        note[NOTE_MAGIC] = 0;
        return savemask;
    }
    note[NOTE_MASK] = t->sigmask;
    note[NOTE_HANDLER] = (unsigned long)(uintptr_t)t->handlers;
    note[NOTE_TIMERS] = sched_timers_mark(x);
    note[NOTE_MAGIC] = JMP_NOTED | (savemask != 0);
    return 0;
}

/* The running thread t jumps to where it ran handler `to` (NULL: none):
** it leaves the handlers above it. */
static void leave_handlers(struct exec *x, struct posix_thread *t, struct posix_handler *to)
{
    struct sched_thread *st = x->current;
    if (t->handlers == NULL || t->handlers == to)
        return;
    while (t->handlers && t->handlers != to) {
        struct posix_handler *h = t->handlers;
        t->handlers = h->outer;
        st->handling = h->outer_handling;
    }
    /* At the target the thread runs its own code, in no call of weft's:
    ** none to interrupt or to fail with EINTR. Handlers that were still
    ** due after the one that jumped run as it next resumes. */
    st->interruptible = st->eintr = 0;
    st->signal_cut = false;
    if (t->sigdue)
        st->signal_due = true;
}

void weft_longjmp(struct __jmp_buf_tag *env, int val)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_self(x) : NULL;
    const unsigned long *note = &env->__saved_mask.__val[JMP_NOTE];
    if (t && (note[NOTE_MAGIC] & ~1ul) == JMP_NOTED) {
        sched_timers_abandon(x, note[NOTE_TIMERS]);
        leave_handlers(x, t, (struct posix_handler *)(uintptr_t)note[NOTE_HANDLER]);
        if (note[NOTE_MAGIC] & 1) {   /* sigsetjmp(env, 1): its mask comes back */
            sigset_t mask;
            posix_sigset_of(note[NOTE_MASK], &mask);
            weft_pthread_sigmask(SIG_SETMASK, &mask, NULL);
        }
    }
    longjmp(env, val);
}

/* The process ends by sig's default action, at the step at. */
static _Noreturn void terminated(struct exec *x, int sig, const char *how, struct sched_loc at)
{
    char name[16];
    sched_signal_text(sig, name, sizeof name);
    struct posix_exec *st = x->program;
    if (st && st->sigtable && (st->sigtable->reset & BIT(sig)))
        sched_fail(x, WEFT_CRASH, at, "%s %s: its default action ends the process (SA_RESETHAND "
                   "put the default back when its handler last ran)", name, how);
    sched_fail(x, WEFT_CRASH, at, "%s %s: its default action ends the process (block it "
               "in every thread and take it with sigwait, or give it a handler)", name, how);
}

/* sig reaches the running thread t, which does not block it: acted on as
** its disposition is now. */
static void act_here(struct exec *x, struct posix_thread *t, int sig,
                     const struct sig_instance *sent, const char *how, struct sched_loc at)
{
    struct sigaction sa;
    posix_disposition(x, sig, &sa);
    switch (action_of(&sa, sig)) {
    case ACT_TERMINATE:
        terminated(x, sig, how, at);
    case ACT_HANDLER:
        run_handler(x, t, sig, &sa, sent);
        break;
    default:                          /* ignored; a stop never gets here */
        break;
    }
}

/* x->run_due_signals: the running thread, just resumed, runs the handlers
** due in it, lowest signal first. The calls a handler makes are calls of
** their own: no cancellation points of the call it interrupted, nor
** failing with EINTR as it does. Whether that call, if its wait was
** interrupted, fails with EINTR: when a handler ran and the call always
** fails so, or fails so unless every handler that ran has SA_RESTART
** (always if cut, the wait interrupted, has a timer: signal(7) has it so
** for a socket's SO_RCVTIMEO and SO_SNDTIMEO, and the other waits that
** SA_RESTART restarts have none). */
static bool run_due_signals(struct exec *x, const struct sched_op *cut)
{
    struct sched_thread *st = x->current;
    struct posix_thread *t = posix_thread_self(x);
    uint8_t interruptible = st->interruptible, eintr = st->eintr;
    st->interruptible = st->eintr = 0;
    st->signal_due = false;
    bool ran = false, restart = true;
    while (t && t->sigdue) {
        int sig = __builtin_ctzll(t->sigdue) + 1;
        struct sig_instance sent = instance_take(&t->sigdue, t->queued ? t->queued->due : NULL,
                                                 sig);
        struct sigaction sa;
        posix_disposition(x, sig, &sa);
        if (action_of(&sa, sig) == ACT_HANDLER) {
            ran = true;
            restart &= (sa.sa_flags & SA_RESTART) != 0;
        }
        act_here(x, t, sig, &sent, "reaches a thread whose handler for it was reset",
                 sync_current_loc(x));
    }
    st->interruptible = interruptible;
    st->eintr = eintr;
    if (eintr == POSIX_EINTR_UNLESS_RESTART && cut && cut->timer)
        eintr = POSIX_EINTR_ALWAYS;
    return ran && (eintr == POSIX_EINTR_ALWAYS || (eintr == POSIX_EINTR_UNLESS_RESTART && !restart));
}

void posix_eintr_begin(struct exec *x, int how)
{
    x->current->eintr = (uint8_t)how;
    x->current->signal_cut = false;
}

bool posix_eintr_end(struct exec *x)
{
    bool cut = x->current->signal_cut;
    x->current->eintr = 0;
    x->current->signal_cut = false;
    return cut;
}

void posix_signals_due(struct exec *x)
{
    if (x->current->signal_due)
        run_due_signals(x, NULL);
}

/* ==========================================================================
** Sending: raise, pthread_kill, kill
** ========================================================================== */

enum sent {
    SENT_PENDING,                     /* in the target thread */
    SENT_PROCESS,                     /* in the process */
    SENT_DROPPED,                     /* ignored, or its thread has ended */
    SENT_TERMINATES,
    SENT_HANDLER,                     /* to the sender's handler */
    SENT_DUE,                         /* to the handler of another thread, which
                                         runs it as it next resumes */
    SENT_STOPS                        /* would stop the process */
};

struct send_op {
    struct sched_op op;
    int sig;
    int target;                       /* thread id, or -1: the process */
    struct sig_instance how;          /* si_code, and sigqueue's value */
    struct sigaction disposition;     /* as the step found it */
    enum sent sent;
    int taker;                        /* a thread it goes to (the lowest), -1: none */
    int takers;                       /* of how many (a signal to the process) */
};

/* Does thread t take sig now (act on it), rather than leave it pending?
** A sigwait takes a signal its thread blocks; one it does not block is
** acted on as if it did not wait (Linux: ignored, it is dropped; its
** default ends the process), except that the sigwait takes it over a
** handler. (POSIX leaves sigwait for unblocked signals undefined.) */
static bool takes_now(const struct posix_thread *t, int sig, enum action act)
{
    if (t->sigmask & BIT(sig))
        return false;
    return !(t->sigwaiting & BIT(sig)) || act != ACT_HANDLER;
}

/* Does t's sigwait take sig? */
static bool sigwait_takes(const struct posix_thread *t, int sig, enum action act)
{
    return (t->sigwaiting & BIT(sig)) && !takes_now(t, sig, act);
}

/* sig's handler is due in thread tid: it runs it as it next resumes,
** after the step it waits to take, or in place of it if that step waits
** (the core ends the wait, sched_visible: as the kernel interrupts a call
** for a handler; pause and sigsuspend go on). The searches order the send
** with every step of tid, so each place between two of its steps is
** tried. */
static enum sent make_due(struct exec *x, int tid, int sig, const struct sig_instance *how)
{
    struct posix_thread *t = posix_thread_at(x, tid);
    struct sched_thread *st = sched_thread(x, tid);
    struct posix_sig_queues *q = queues_of(x, t);
    instance_add(x, &t->sigdue, q ? q->due : NULL, sig, how);
    if (!st->signal_due) {
        st->signal_since = x->nsteps; /* this step's: its wait may end from here on */
        st->signal_due_at = x->now;
    }
    st->signal_due = true;
    x->run_due_signals = run_due_signals;
    x->interrupts = true;
    sched_thread_changed(x, st);      /* a wait is interrupted: it may step now */
    return SENT_DUE;
}

static void send_to_thread(struct exec *x, struct send_op *s, enum action act)
{
    struct posix_thread *t = posix_thread_at(x, s->target);
    if (t == NULL || sched_thread(x, s->target)->state == T_FINISHED) {
        s->sent = SENT_DROPPED;
        s->op.note = "its thread has ended: lost";
        return;
    }
    if (!takes_now(t, s->sig, act)) {
        s->sent = SENT_PENDING;
        bool was = (t->sigpending & BIT(s->sig)) != 0;
        struct posix_sig_queues *q = queues_of(x, t);
        bool queued = instance_add(x, &t->sigpending, q ? q->pending : NULL, s->sig, &s->how);
        s->op.note = sigwait_takes(t, s->sig, act) ? "to the sigwait of thread %d"
                   : !queued ? "already pending in thread %d: merged"
                   : was ? "queued in thread %d behind the pending one"
                         : "pending: thread %d blocks it";
        s->op.note_a = s->target;
        return;
    }
    s->sent = act == ACT_IGNORE ? SENT_DROPPED : act == ACT_TERMINATE ? SENT_TERMINATES
            : act == ACT_STOP ? SENT_STOPS
            : s->target == x->current->id ? SENT_HANDLER
                                          : make_due(x, s->target, s->sig, &s->how);
    s->taker = s->target;
    s->takers = 1;
}

/* The threads that would take sig now, sent to the process: how many
** (with how many sigwaits would take it in *waiters), or, for nth >= 0,
** the nth of them. */
static int takers_of(struct exec *x, int sig, enum action act, int nth, int *waiters)
{
    int takers = 0;
    for (int i = 0; i < x->nthreads; i++) {
        struct sched_thread *st = x->threads[i];
        struct posix_thread *t = st->daemon ? NULL : posix_thread_at(x, i);
        if (t == NULL || st->state == T_FINISHED)
            continue;
        if (waiters)
            *waiters += sigwait_takes(t, sig, act);
        if (takes_now(t, sig, act) && takers++ == nth)
            return i;
    }
    return takers;
}

/* To the process: the threads that would take it now, and those that wait
** for it in sigwait, decide. Where more than one could get it, which one
** the kernel picks is a choice the searches explore (POSIX: any thread
** that does not block it): each thread that would run a handler, the
** action (ignored, or the end) when it is the same whichever thread takes
** it, and the sigwaits, as one (the first of them to step takes it). */
static void send_to_process(struct exec *x, struct send_op *s, enum action act)
{
    int waiters = 0, takers = takers_of(x, s->sig, act, -1, &waiters);
    int options = (act == ACT_HANDLER ? takers : takers > 0) + (waiters > 0);
    int pick = options > 1 ? sched_choose_value(x, options) : 0;
    s->takers = takers + waiters;
    if (takers == 0 || (waiters > 0 && pick == options - 1)) {
        struct posix_sigtable *table = x->program->sigtable;   /* (made by the send) */
        s->sent = SENT_PROCESS;
        bool was = (table->process & BIT(s->sig)) != 0;
        bool queued = instance_add(x, &table->process, table->process_queue, s->sig, &s->how);
        s->op.note = !queued ? "already pending: merged" : waiters ? "to a sigwait"
                   : was ? "queued behind the pending one" : "pending: every thread blocks it";
        return;
    }
    int taker = takers_of(x, s->sig, act, act == ACT_HANDLER ? pick : 0, NULL);
    s->sent = act == ACT_IGNORE ? SENT_DROPPED : act == ACT_TERMINATE ? SENT_TERMINATES
            : act == ACT_STOP ? SENT_STOPS
            : taker == x->current->id ? SENT_HANDLER : make_due(x, taker, s->sig, &s->how);
    s->taker = taker;
}

static void send_apply(struct exec *x, struct sched_op *op)
{
    struct send_op *s = OP_OF(op, struct send_op, op);
    posix_disposition(x, s->sig, &s->disposition);
    enum action act = action_of(&s->disposition, s->sig);
    if (s->target >= 0)
        send_to_thread(x, s, act);
    else
        send_to_process(x, s, act);
    switch (s->sent) {
    case SENT_DROPPED: op->note = op->note ? op->note : "ignored"; break;
    case SENT_TERMINATES: op->note = "ends the process"; break;
    case SENT_HANDLER:
        op->note = s->takers > 1 ? "to its handler (a choice of %d threads)" : "to its handler";
        op->note_a = s->takers;
        break;
    case SENT_DUE:
        op->note = s->takers > 1 ? "to the handler of thread %d (a choice of %d)"
                                 : "to the handler of thread %d";
        op->note_a = s->taker;
        op->note_b = s->takers;
        break;
    default: break;                   /* pending: noted where it was decided */
    }
}

/* Masks and dispositions change between steps: every send depends on
** every step. */
static const struct sched_opclass raise_class = { .verb = "raise", .flags = OP_GLOBAL,
                                                  .apply = send_apply };
static const struct sched_opclass pthread_kill_class = { .verb = "pthread_kill",
                                                         .flags = OP_GLOBAL, .apply = send_apply };
static const struct sched_opclass kill_class = { .verb = "kill", .flags = OP_GLOBAL,
                                                 .apply = send_apply };

/* What the sender does after its step. */
static void after_send(struct exec *x, struct send_op *s)
{
    char name[16], whom[160];
    sched_signal_text(s->sig, name, sizeof name);
    switch (s->sent) {
    case SENT_TERMINATES:
        if (s->target < 0)
            snprintf(whom, sizeof whom, "is sent to the process, and thread %d \"%s\" does "
                     "not block it", s->taker, sched_thread(x, s->taker)->obj.name);
        else
            snprintf(whom, sizeof whom, "is %s thread %d \"%s\", which does not block it",
                     s->target == x->current->id ? "raised in" : "sent to", s->target,
                     sched_thread(x, s->target)->obj.name);
        terminated(x, s->sig, whom, s->op.loc);
    case SENT_HANDLER:
        run_handler(x, posix_thread_self(x), s->sig, &s->disposition, &s->how);
        posix_signals_unblocked(x, s->op.loc);
        return;
    case SENT_STOPS:
        sched_fail(x, WEFT_UNSUPPORTED, s->op.loc, "%s would stop the process: job control "
                   "is not supported by weft yet (README: Running a pthread program)", name);
    default:
        return;
    }
}

static void send_signal(struct exec *x, const struct sched_opclass *cls, int sig, int target,
                        struct sig_instance how, struct sched_loc at)
{
    struct send_op s = { .op = { .cls = cls, .obj = &signal_object(x, sig, at)->obj, .loc = at },
                         .sig = sig, .target = target, .how = how };
    sched_visible(x, &s.op);
    after_send(x, &s);
}

/* pthread_kill: 0 while th's lifetime lasts (until it is joined, or until
** it ends if it is detached: glibc 2.34 and later keep an ended thread
** not yet joined); ESRCH after, or for a pthread_t that names no thread of
** this execution. Signal 0 only asks that: a step that reads whether th's
** lifetime is over, which depends on every step (its end may fall anywhere
** among the other threads' steps). */
static const struct sched_opclass kill_check_class = { .verb = "pthread_kill 0",
                                                      .flags = OP_GLOBAL };

static const struct sched_opclass pthread_sigqueue_class = {
    .verb = "pthread_sigqueue", .flags = OP_GLOBAL, .apply = send_apply,
};

/* pthread_kill (SI_TKILL) or pthread_sigqueue (SI_QUEUE, with a value). */
static int signal_thread(struct exec *x, pthread_t th, int sig, const struct sched_opclass *cls,
                         struct sig_instance how, struct sched_loc at)
{
    if (posix_bad_signal(sig))
        return EINVAL;
    struct posix_thread *t = posix_thread_named(x, th);
    if (t == NULL)
        return ESRCH;
    int tid = (int)(th - 1);
    if (sig != 0) {
        send_signal(x, cls, sig, tid, how, at);   /* to an ended thread: lost */
    } else if (tid == x->current->id) {
        return 0;
    } else {
        struct sched_op op = { .cls = &kill_check_class, .loc = at };
        sched_visible(x, &op);
    }
    bool ended = sched_thread(x, tid)->state == T_FINISHED;
    return t->joined || (t->detached && ended) ? ESRCH : 0;
}

int weft_pthread_kill_at(pthread_t th, int sig, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_kill(th, sig);
    return signal_thread(x, th, sig, &pthread_kill_class, (struct sig_instance){ .code = SI_TKILL },
                         posix_loc(file, line));
}

int weft_pthread_sigqueue_at(pthread_t th, int sig, union sigval value, const char *file,
                             int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_sigqueue(th, sig, value);
    return signal_thread(x, th, sig, &pthread_sigqueue_class,
                         (struct sig_instance){ .code = SI_QUEUE, .value = value },
                         posix_loc(file, line));
}

int weft_raise_at(int sig, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return raise(sig);
    if (posix_bad_signal(sig) || sig == 0) {
        errno = EINVAL;
        return sig == 0 ? 0 : -1;
    }
    send_signal(x, &raise_class, sig, x->current->id, (struct sig_instance){ .code = SI_TKILL },
                posix_loc(file, line));
    return 0;
}

static const struct sched_opclass sigqueue_class = { .verb = "sigqueue", .flags = OP_GLOBAL,
                                                     .apply = send_apply };
static const struct sched_opclass kernel_send_class = { .verb = "send", .flags = OP_GLOBAL,
                                                        .apply = send_apply };

/* Would sig sent to the process now merge with one sent before: pending
** in the process (a thread's own pending one is another queue, as in
** Linux), or due to the handler of a thread that has not run it yet? */
static bool outstanding(struct exec *x, int sig)
{
    struct posix_exec *st = x->program;
    if (st == NULL)
        return false;
    if (st->sigtable && (st->sigtable->process & BIT(sig)))
        return true;
    for (int i = 0; i < st->cap && i < x->nthreads; i++)
        if (st->threads[i] && (st->threads[i]->sigdue & BIT(sig)) &&
            x->threads[i]->state != T_FINISHED)
            return true;
    return false;
}

bool posix_signal_caught(struct exec *x, int sig)
{
    struct sigaction d;
    posix_disposition(x, sig, &d);
    enum action act = action_of(&d, sig);
    return !outstanding(x, sig) && (act == ACT_HANDLER || takers_of(x, sig, act, -1, NULL) == 0);
}

void posix_signal_from_kernel(struct exec *x, int sig, struct sched_loc at)
{
    send_signal(x, &kernel_send_class, sig, -1, (struct sig_instance){ .code = SI_KERNEL }, at);
}

void posix_signal_from_timer(struct exec *x, int sig, int tid, union sigval value,
                             struct sched_loc at)
{
    send_signal(x, &kernel_send_class, sig, tid,
                (struct sig_instance){ .code = SI_TIMER, .value = value }, at);
}

/* kill or sigqueue of the program's own process (a kill's pid may be 0:
** its group, which is it); any other process is outside the program, not
** supported. */
static int signal_process(struct exec *x, pid_t pid, int sig, const struct sched_opclass *cls,
                          struct sig_instance how, const char *file, int line)
{
    if ((pid != 0 || cls == &sigqueue_class) && pid != getpid())
        return weft_program_unsupported_at(cls == &kill_class ? "kill of another process"
                                           : "sigqueue to another process", file, line);
    if (posix_bad_signal(sig)) {
        errno = EINVAL;
        return -1;
    }
    if (sig != 0)
        send_signal(x, cls, sig, -1, how, posix_loc(file, line));
    return 0;
}

int weft_kill_at(pid_t pid, int sig, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return kill(pid, sig);
    return signal_process(x, pid, sig, &kill_class, (struct sig_instance){ .code = SI_USER },
                          file, line);
}

int weft_sigqueue_at(pid_t pid, int sig, union sigval value, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sigqueue(pid, sig, value);
    return signal_process(x, pid, sig, &sigqueue_class,
                          (struct sig_instance){ .code = SI_QUEUE, .value = value }, file, line);
}

/* ==========================================================================
** Masks and dispositions, while other threads run
** ========================================================================== */

/* A thread's mask or a disposition changes without a step while the thread
** is alone; while others run, a signal one of them sends may come before
** or after the change, so the change is a step, ordered with the sends
** (which depend on every step). It changes nothing itself: the thread
** makes the change as the step returns, before any other step. */
static const struct sched_opclass mask_class = { .verb = "pthread_sigmask" };
static const struct sched_opclass action_class = { .verb = "sigaction" };

void posix_signals_step(struct exec *x, int sig, struct sched_loc at)
{
    struct sched_op op = { .cls = sig ? &action_class : &mask_class, .loc = at,
                           .obj = sig ? &signal_object(x, sig, at)->obj : NULL };
    sched_visible(x, &op);
}

/* sig is now ignored: where it is pending, it is discarded (POSIX, for a
** pending signal set to SIG_IGN, or to SIG_DFL whose default ignores it). */
void posix_signals_ignored(struct exec *x, int sig, const struct sigaction *act)
{
    struct posix_exec *st = x->program;
    if (st == NULL || st->sigtable == NULL || action_of(act, sig) != ACT_IGNORE)
        return;
    for (int i = 0; i < st->cap; i++) {
        if (st->threads[i] == NULL)
            continue;
        struct posix_sig_queues *q = st->threads[i]->queued;
        instance_drop(&st->threads[i]->sigpending, q ? q->pending : NULL, sig);
        instance_drop(&st->threads[i]->sigdue, q ? q->due : NULL, sig);
    }
    instance_drop(&st->sigtable->process, st->sigtable->process_queue, sig);
}

/* ==========================================================================
** Unblocking: a pending signal is delivered before the mask call returns
** ========================================================================== */

struct take_op {
    struct sched_op op;
    uint64_t set;                     /* signals it may take */
    int sig;                          /* what it took, or 0 */
    struct sig_instance got;          /* how that was sent */
};

/* The lowest signal of set pending for op's thread: its own first, then
** the process's (Linux dequeues them so). */
static void take_apply(struct exec *x, struct sched_op *op)
{
    struct take_op *k = OP_OF(op, struct take_op, op);
    struct posix_thread *t = posix_thread_at(x, op->thread->id);
    uint64_t own = t ? t->sigpending & k->set : 0;
    uint64_t process = process_pending(x->program) & k->set;
    if (own || process) {
        k->sig = __builtin_ctzll(own ? own : process) + 1;
        struct posix_sigtable *table = x->program->sigtable;
        k->got = own ? instance_take(&t->sigpending, t->queued ? t->queued->pending : NULL, k->sig)
                     : instance_take(&table->process, table->process_queue, k->sig);
    }
    if (k->sig) {                     /* the step is named by the signal it took */
        int waited = __builtin_popcountll(k->set);
        struct signal_obj *taken = x->program->sigtable->of[k->sig];
        if (taken)                    /* (made by the wait for each signal of its set) */
            op->obj = &taken->obj;
        op->note = waited > 1 ? "one of %d waited for" : NULL;
        op->note_a = waited;
    } else {
        op->idle = true;
    }
}

static const struct sched_opclass unblocked_class = { .verb = "deliver", .apply = take_apply };

/* Deliver to the running thread what its mask no longer blocks: its own
** pending signals at once, the process's in a step (another thread's
** sigwait may take them first). How many went to handlers. */
int posix_signals_unblocked(struct exec *x, struct sched_loc at)
{
    struct posix_thread *t = posix_thread_self(x);
    int handled = 0;
    while (t && x->program->sigtable) {   /* (no table: no signal was ever sent) */
        uint64_t ready = pending_for(x, x->current->id) & ~t->sigmask;
        if (ready == 0)
            break;
        int sig = __builtin_ctzll(ready) + 1;
        struct sig_instance sent;
        if (t->sigpending & BIT(sig)) {
            sent = instance_take(&t->sigpending, t->queued ? t->queued->pending : NULL, sig);
        } else {
            struct take_op k = { .op = { .cls = &unblocked_class,
                                         .obj = &signal_object(x, sig, at)->obj, .loc = at },
                                 .set = BIT(sig) };
            sched_visible(x, &k.op);
            if (k.sig == 0)
                continue;
            sent = k.got;
        }
        struct sigaction sa;
        posix_disposition(x, sig, &sa);
        handled += action_of(&sa, sig) == ACT_HANDLER;
        act_here(x, t, sig, &sent, "is unblocked while pending", at);
    }
    return handled;
}

/* ==========================================================================
** sigwait, sigwaitinfo, sigtimedwait, sigpending
** ========================================================================== */

struct sigwait_op {
    struct take_op take;
    struct sched_timer timer;
    bool must_wait, poll;
    struct signal_obj *objs[POSIX_SIGNALS];
    int nobjs;
};

static struct sigwait_op *sigwait_op(const struct sched_op *op)
{
    return OP_OF(OP_OF(op, struct take_op, op), struct sigwait_op, take);
}

static int sigwait_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct sigwait_op *w = sigwait_op(op);
    int n = 0;
    for (int i = 0; i < w->nobjs && n < max; i++)
        objs[n++] = &w->objs[i]->obj;
    return n;
}

static bool anything_pending(struct exec *x, struct sched_op *op)
{
    return (pending_for(x, op->thread->id) & sigwait_op(op)->take.set) != 0;
}

static bool sigwait_enabled(struct exec *x, struct sched_op *op)
{
    return anything_pending(x, op);
}

/* A timed wait's first step: takes, fails (a poll) or starts its timer. */
static void timed_start_apply(struct exec *x, struct sched_op *op)
{
    struct sigwait_op *w = sigwait_op(op);
    take_apply(x, op);
    if (w->take.sig || w->poll)
        return;
    op->idle = false;
    sched_timer_start(x, op->timer);
    w->must_wait = true;
    op->note = "waits";
}

static bool timed_enabled(struct exec *x, struct sched_op *op)
{
    return anything_pending(x, op) || sched_timer_due(x, op->timer);
}

/* A signal pending when the wait's step runs is taken, even past its
** timeout: Linux's do_sigtimedwait dequeues once more after it wakes. */
static void timed_apply(struct exec *x, struct sched_op *op)
{
    if (!anything_pending(x, op) && sched_timer_wins(x, op, false)) {
        op->note = "timed out";
        return;
    }
    take_apply(x, op);
}

static sched_mask sigwait_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return sync_wakers(x, op->thread, op->obj, how);
}

/* "waits in sigwait for SIGINT or SIGTERM" */
static void sigwait_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct sigwait_op *w = sigwait_op(op);
    size_t len = (size_t)snprintf(buf, n, "waits in %s for ", op->cls->verb);
    for (int i = 0; i < w->nobjs && len < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == w->nobjs ? " or " : ", ";
        len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, w->objs[i]->obj.name);
    }
    if (w->nobjs == 0 && len < n)
        snprintf(buf + len, n - len, "no signal (an empty set)");
}

#define SIGWAIT_CLASS(name, verb_, enabled_, apply_)                                      \
    static const struct sched_opclass name = {                                            \
        .verb = verb_, .enabled = enabled_, .apply = apply_, .objects = sigwait_objects,  \
        .blockers = sigwait_blockers, .describe_wait = sigwait_describe }
SIGWAIT_CLASS(sigwait_class, "sigwait", sigwait_enabled, take_apply);
SIGWAIT_CLASS(sigwaitinfo_class, "sigwaitinfo", sigwait_enabled, take_apply);
SIGWAIT_CLASS(timed_start_class, "sigtimedwait", NULL, timed_start_apply);
SIGWAIT_CLASS(timed_class, "sigtimedwait", timed_enabled, timed_apply);

/* Wait for a signal of set: its number, or 0 when a timed wait timed out.
** timeout NULL: no limit. */
static int wait_for_signal(struct exec *x, const sigset_t *set, const struct timespec *timeout,
                           const struct sched_opclass *cls, siginfo_t *info, struct sched_loc at)
{
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a thread's signals");
    struct sigwait_op w = { .take = { .op = { .cls = cls, .loc = at },
                                      .set = posix_sigset_bits(set) } };
    for (int sig = 1; sig <= POSIX_SIGNALS; sig++)
        if (w.take.set & BIT(sig))
            w.objs[w.nobjs++] = signal_object(x, sig, at);
    w.take.op.obj = w.nobjs ? &w.objs[0]->obj : NULL;
    if (timeout) {
        int64_t ns = (int64_t)timeout->tv_sec * 1000000000 + timeout->tv_nsec;
        w.poll = ns == 0;
        w.take.op.cls = &timed_start_class;
        if (sched_timer_init(x, &w.take.op, &w.timer, ns) != 0)
            sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    }
    t->sigwaiting = w.take.set;
    sched_visible(x, &w.take.op);
    if (w.must_wait) {
        w.take.op.cls = &timed_class;
        w.take.op.note = NULL;
        sched_visible(x, &w.take.op);
    }
    t->sigwaiting = 0;
    if (info && w.take.sig) {
        memset(info, 0, sizeof *info);
        info->si_signo = w.take.sig;
        info->si_code = w.take.got.code;
        info->si_pid = getpid();
        info->si_uid = getuid();
        info->si_value = w.take.got.value;
    }
    return w.take.sig;
}

int weft_sigwait_at(const sigset_t *set, int *sig, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sigwait(set, sig);
    if (set == NULL || sig == NULL)
        return EFAULT;
    *sig = wait_for_signal(x, set, NULL, &sigwait_class, NULL, posix_loc(file, line));
    return 0;
}

int weft_sigtimedwait_at(const sigset_t *set, siginfo_t *info, const struct timespec *timeout,
                         const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timeout ? sigtimedwait(set, info, timeout) : sigwaitinfo(set, info);
    if (set == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
                    timeout->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -1;
    }
    posix_eintr_begin(x, POSIX_EINTR_ALWAYS);   /* a handler for a signal not in set */
    int sig = wait_for_signal(x, set, timeout, timeout ? &timed_start_class : &sigwaitinfo_class,
                              info, posix_loc(file, line));
    if (posix_eintr_end(x))
        errno = EINTR;
    else if (sig == 0)
        errno = EAGAIN;
    return sig ? sig : -1;
}

/* sigpending: a step that reads what is pending for the caller. */
static const struct sched_opclass sigpending_class = { .verb = "sigpending",
                                                       .flags = OP_GLOBAL };

int weft_sigpending_at(sigset_t *set, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sigpending(set);
    struct sched_op op = { .cls = &sigpending_class, .loc = posix_loc(file, line) };
    sched_visible(x, &op);
    posix_sigset_of(pending_for(x, x->current->id), set);
    return 0;
}

/* ==========================================================================
** signalfd reads: sigwaitinfo's taking, shown as a read of the descriptor
** ========================================================================== */

struct sched_obj *posix_signal_object(struct exec *x, int sig, struct sched_loc at)
{
    return &signal_object(x, sig, at)->obj;
}

const uint64_t *posix_signals_shared(struct exec *x, struct sched_loc at)
{
    signal_object(x, SIGHUP, at);     /* makes the table */
    return &x->program->sigtable->process;
}

/* A signalfd's read: unlike a sigwait it takes no signal as it is sent
** (sigwaiting stays 0: the kernel's signalfd waits beside the signal's
** delivery, it is no taker), only those left pending. */
struct sfd_read_op {
    struct sched_op op;
    const struct stream_bits *bits;   /* its mask as the step finds it */
    struct signalfd_siginfo *out;
    int room, got;
    bool nonblock;
};

static struct sfd_read_op *sfd_read_op(const struct sched_op *op)
{
    return OP_OF(op, struct sfd_read_op, op);
}

static bool sfd_pending(struct exec *x, struct sched_op *op)
{
    return (pending_for(x, op->thread->id) & sfd_read_op(op)->bits->want) != 0;
}

/* Step notes are string literals, kept past the execution: a signal's
** name, alone or with how many more the read took. */
#define SFD_NOTE(sig) [sig] = { #sig, #sig " and %d more" }
static const char *const sfd_notes[][2] = {
    SFD_NOTE(SIGHUP), SFD_NOTE(SIGINT), SFD_NOTE(SIGQUIT), SFD_NOTE(SIGILL),
    SFD_NOTE(SIGTRAP), SFD_NOTE(SIGABRT), SFD_NOTE(SIGBUS), SFD_NOTE(SIGFPE),
    SFD_NOTE(SIGUSR1), SFD_NOTE(SIGSEGV), SFD_NOTE(SIGUSR2), SFD_NOTE(SIGPIPE),
    SFD_NOTE(SIGALRM), SFD_NOTE(SIGTERM), SFD_NOTE(SIGSTKFLT), SFD_NOTE(SIGCHLD),
    SFD_NOTE(SIGCONT), SFD_NOTE(SIGTSTP), SFD_NOTE(SIGTTIN), SFD_NOTE(SIGTTOU),
    SFD_NOTE(SIGURG), SFD_NOTE(SIGXCPU), SFD_NOTE(SIGXFSZ), SFD_NOTE(SIGVTALRM),
    SFD_NOTE(SIGPROF), SFD_NOTE(SIGWINCH), SFD_NOTE(SIGIO), SFD_NOTE(SIGPWR),
    SFD_NOTE(SIGSYS),
};

/* "read signalfd 101 (SIGUSR1)", "(SIGRTMIN+2 and 1 more)" */
static void sfd_note(struct sched_op *op, int sig, int more)
{
    bool named = sig < (int)(sizeof sfd_notes / sizeof sfd_notes[0]) && sfd_notes[sig][0];
    op->note = named ? sfd_notes[sig][more > 0]
             : sig >= SIGRTMIN ? (more ? "SIGRTMIN+%d and %d more" : "SIGRTMIN+%d")
                               : (more ? "signal %d and %d more" : "signal %d");
    op->note_a = named ? more : sig >= SIGRTMIN ? sig - SIGRTMIN : sig;
    op->note_b = more;
}

/* One record of a signal taken, as the kernel fills it (signalfd_copyinfo). */
static void sfd_record(struct signalfd_siginfo *r, int sig, const struct sig_instance *got)
{
    memset(r, 0, sizeof *r);
    r->ssi_signo = (uint32_t)sig;
    r->ssi_code = got->code;
    if (got->code != SI_KERNEL) {     /* sent by a thread of the process */
        r->ssi_pid = (uint32_t)getpid();
        r->ssi_uid = (uint32_t)getuid();
    }
    r->ssi_int = got->value.sival_int;
    r->ssi_ptr = (uint64_t)(uintptr_t)got->value.sival_ptr;
}

/* Take what is pending of the mask, as take_apply does, a record each. */
static void sfd_read_apply(struct exec *x, struct sched_op *op)
{
    struct sfd_read_op *r = sfd_read_op(op);
    struct posix_thread *t = posix_thread_at(x, op->thread->id);
    struct posix_sigtable *table = x->program->sigtable;
    int first = 0;
    while (r->got < r->room) {
        uint64_t own = t ? t->sigpending & r->bits->want : 0;
        uint64_t process = table ? table->process & r->bits->want : 0;
        if ((own | process) == 0)
            break;
        int sig = __builtin_ctzll(own ? own : process) + 1;
        struct sig_instance got = own ? instance_take(&t->sigpending,
                                                      t->queued ? t->queued->pending : NULL, sig)
                                      : instance_take(&table->process, table->process_queue, sig);
        sfd_record(&r->out[r->got++], sig, &got);
        first = first ? first : sig;
    }
    op->idle = r->got == 0;           /* (a nonblocking read that finds none) */
    if (first)
        sfd_note(op, first, r->got - 1);
}

static bool sfd_only_looks(struct exec *x, struct sched_op *op)
{
    return !sfd_pending(x, op);
}

static int sfd_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct stream_bits *b = sfd_read_op(op)->bits;
    int n = 0;
    objs[n++] = op->obj;
    for (int i = 0; i < b->nobjs && n < max; i++)
        objs[n++] = b->objs[i];
    return n;
}

static sched_mask sfd_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    const struct stream_bits *b = sfd_read_op(op)->bits;
    return sync_wakers(x, op->thread, b->nobjs ? b->objs[0] : op->obj, how);
}

/* "waits to read from "signalfd 101" (none of SIGUSR1, SIGTERM is pending)" */
static void sfd_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct stream_bits *b = sfd_read_op(op)->bits;
    size_t len = (size_t)snprintf(buf, n, "waits to read from \"%s\" (%s", op->obj->name,
                                  b->nobjs ? "none of " : "its mask is empty)");
    for (int i = 0; i < b->nobjs && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", b->objs[i]->name);
    if (b->nobjs && len < n)
        snprintf(buf + len, n - len, " is pending)");
}

static const struct sched_opclass sfd_read_class = {
    .verb = "read", .enabled = sfd_pending, .apply = sfd_read_apply, .objects = sfd_objects,
    .blockers = sfd_blockers, .describe_wait = sfd_describe,
};
static const struct sched_opclass sfd_try_class = {
    .verb = "read", .apply = sfd_read_apply, .objects = sfd_objects,
    .reads_only = sfd_only_looks,
};

int posix_signalfd_read(struct exec *x, struct sched_obj *fd_obj, const struct stream_bits *b,
                        struct signalfd_siginfo *out, int room, bool nonblock,
                        struct sched_loc at)
{
    struct sfd_read_op r = { .op = { .cls = nonblock ? &sfd_try_class : &sfd_read_class,
                                     .obj = fd_obj, .loc = at },
                             .bits = b, .out = out, .room = room, .nonblock = nonblock };
    sched_visible(x, &r.op);
    return r.got;
}

/* ==========================================================================
** pause and sigsuspend: wait for a handler to run
** ========================================================================== */

/* Enabled once a send made a handler due in the thread (make_due asks the
** scheduler to look again); the thread runs it as the step returns. */
static bool handler_due(struct exec *x, struct sched_op *op)
{
    (void)x;
    return op->thread->signal_due;
}

static sched_mask suspend_blockers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return sync_wakers(x, op->thread, NULL, how);
}

/* A pause or sigsuspend: its thread's record and the execution's signals,
** for the report of a wait that never ends. */
struct suspend_op {
    struct sched_op op;
    const struct posix_thread *t;
    const struct posix_exec *st;
};

/* "waits in sigsuspend for a signal to its handler (SIGUSR1 is pending,
** blocked by the mask it waits with)" */
static void suspend_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct suspend_op *w = OP_OF(op, const struct suspend_op, op);
    bool pause = strncmp(op->cls->verb, "pause", 5) == 0;
    size_t len = (size_t)snprintf(buf, n, "waits in %s for a signal to its handler",
                                  pause ? "pause" : "sigsuspend");
    uint64_t pending = (w->t->sigpending | process_pending(w->st)) & w->t->sigmask;
    if (pending == 0 || len >= n)
        return;
    int sig = __builtin_ctzll(pending) + 1;
    snprintf(buf + len, n - len, " (%s is pending, blocked by %s)",
             w->st->sigtable ? w->st->sigtable->names[sig] : "a signal",
             pause ? "its mask" : "the mask it waits with");
}

/* pause begins in a step of its own: a handler made due before it runs
** then, and pause waits for the next signal (the lost wake-up of a flag
** tested before pause). sigsuspend swaps the mask and waits in one step. */
static const struct sched_opclass pause_enter_class = { .verb = "pause" };
static const struct sched_opclass pause_class = {
    .verb = "pause (wait)", .enabled = handler_due, .blockers = suspend_blockers,
    .describe_wait = suspend_describe };
static const struct sched_opclass sigsuspend_class = {
    .verb = "sigsuspend", .enabled = handler_due, .blockers = suspend_blockers,
    .describe_wait = suspend_describe };

int weft_pause_at(const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pause();
    struct suspend_op w = { .op = { .cls = &pause_enter_class, .loc = posix_loc(file, line) },
                            .t = posix_thread_self(x), .st = posix_state(x) };
    if (w.t == NULL || w.st == NULL)
        sched_fail(x, WEFT_ASSERTION, w.op.loc, "out of memory for a thread's signals");
    sched_visible(x, &w.op);          /* a handler due already runs as it returns */
    w.op.cls = &pause_class;
    sched_visible(x, &w.op);          /* returns once a handler ran */
    errno = EINTR;
    return -1;
}

/* sigsuspend: mask in place of the thread's until a handler has run; a
** pending signal the mask unblocks is delivered at once. */
int weft_sigsuspend_at(const sigset_t *mask, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sigsuspend(mask);
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL || mask == NULL) {
        errno = EFAULT;
        return -1;
    }
    struct sched_loc at = posix_loc(file, line);
    uint64_t saved = t->sigmask;
    t->sigmask = posix_sigset_bits(mask);
    if (posix_signals_unblocked(x, at) == 0) {
        struct suspend_op w = { .op = { .cls = &sigsuspend_class, .loc = at }, .t = t,
                                .st = posix_state(x) };
        sched_visible(x, &w.op);
    }
    t->sigmask = saved;
    errno = EINTR;
    return -1;
}
