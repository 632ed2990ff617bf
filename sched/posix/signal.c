/*
** signal.c -- signal masks and dispositions in a program:
** pthread_sigmask and sigprocmask keep each thread's mask, and sigaction
** and signal act on the process (SIGPIPE's on the execution). Either is
** no step while the thread is alone, and a step while others run, since a
** signal one of them sends (posix/delivery.c) may come before or after
** it; a signal the new mask unblocks is delivered before the call
** returns.
**
** A mask is a bit per signal 1..64 (the kernel's sigset), in the thread's
** record: every execution starts with main's empty, and a thread starts
** with its creator's (POSIX), which weft_pthread_create_at copies.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

/* Signals no mask holds: SIGKILL and SIGSTOP (the kernel drops them
** silently), and the two glibc keeps for itself (SIGCANCEL and SIGSETXID,
** __SIGRTMIN and the one after it), which its pthread_sigmask drops. */
uint64_t posix_unblockable(void)
{
    return 1ull << (SIGKILL - 1) | 1ull << (SIGSTOP - 1) | 1ull << (32 - 1) | 1ull << (33 - 1);
}

uint64_t posix_sigset_bits(const sigset_t *set)
{
    uint64_t bits = 0;
    for (int sig = 1; sig <= POSIX_SIGNALS; sig++)
        if (sigismember(set, sig) == 1)
            bits |= 1ull << (sig - 1);
    return bits & ~posix_unblockable();
}

/* What the kernel writes back: the mask's 64 signals; sigaddset would
** refuse glibc's own two, which a mask never holds. */
void posix_sigset_of(uint64_t bits, sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; sig <= POSIX_SIGNALS; sig++)
        if (bits & (1ull << (sig - 1)))
            sigaddset(set, sig);
}

/* The running thread's mask changed by how and set, the previous one in
** *old: 0, or EINVAL for a how that is none of the three when there is
** a set (with no set, Linux looks at nothing but old). Not a step. */
static bool alone(struct exec *x);

static int change_mask(struct exec *x, int how, const sigset_t *set, sigset_t *old)
{
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        return ENOMEM;
    uint64_t was = t->sigmask, now = was;
    if (set) {
        uint64_t bits = posix_sigset_bits(set);
        switch (how) {
        case SIG_BLOCK: now |= bits; break;
        case SIG_UNBLOCK: now &= ~bits; break;
        case SIG_SETMASK: now = bits; break;
        default: return EINVAL;
        }
    }
    if (now != was && !alone(x))      /* a signal may come before or after it */
        posix_signals_step(x, 0, sync_current_loc(x));
    t->sigmask = now;
    if (old)
        posix_sigset_of(was, old);
    if ((was & ~t->sigmask) == 0)    /* nothing unblocked */
        return 0;
    posix_signals_unblocked(x, sync_current_loc(x));
    return 0;
}

int weft_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    struct exec *x = sync_exec();
    return x ? change_mask(x, how, set, old) : pthread_sigmask(how, set, old);
}

/* In a program with threads, Linux's sigprocmask is the calling thread's
** pthread_sigmask, with -1 and errno for the error. */
int weft_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sigprocmask(how, set, old);
    int rc = change_mask(x, how, set, old);
    if (rc == 0)
        return 0;
    errno = rc;
    return -1;
}

/* glibc's signals of its own, and numbers no signal has. */
bool posix_bad_signal(int sig)
{
    return sig < 0 || sig > POSIX_SIGNALS || sig == 32 || sig == 33;
}

/* ==========================================================================
** Dispositions: sigaction and signal
** ========================================================================== */

/*
** A program's sigaction and signal (linked with --wrap, cli/loader.c) act
** on the real process as the C library's do, and every execution starts
** with the dispositions the program was loaded with: those the execution
** before changed are put back (posix_signals_reset). SIGPIPE's is the
** execution's own, never the process's: it decides what a write to a
** closed pipe or socket does (posix_sigpipe), so setting it is a step on
** an object that the write's delivery of SIGPIPE reads too, and the
** searches order the two (a thread that writes before main ignores
** SIGPIPE dies).
*/
struct posix_signals {
    struct sigaction loaded[POSIX_SIGNALS + 1];
    uint64_t changed;                 /* bit sig - 1: set since the last reset */
    struct sigaction sigpipe;         /* this execution's SIGPIPE disposition */
};

int posix_signals_snapshot(struct posix_program *p)
{
    if (p->signals == NULL && (p->signals = calloc(1, sizeof *p->signals)) == NULL)
        return -1;
    for (int sig = 1; sig <= POSIX_SIGNALS; sig++)
        if (!posix_bad_signal(sig))
            sigaction(sig, NULL, &p->signals->loaded[sig]);
    p->signals->sigpipe = p->signals->loaded[SIGPIPE];
    return 0;
}

void posix_signals_reset(struct posix_program *p)
{
    struct posix_signals *s = p->signals;
    for (int sig = 1; s && s->changed; sig++)
        if (s->changed & (1ull << (sig - 1))) {
            sigaction(sig, &s->loaded[sig], NULL);
            s->changed &= ~(1ull << (sig - 1));
        }
    if (s)
        s->sigpipe = s->loaded[SIGPIPE];
}

void posix_signals_release(struct posix_program *p)
{
    free(p->signals);
    p->signals = NULL;
}

/* The dispositions of x's program; NULL when x runs a scenario file. */
static struct posix_signals *signals_of(struct exec *x)
{
    if (!posix_is_program(x->cfg->scenario))
        return NULL;
    return ((struct posix_program *)posix_program_of(x))->signals;
}

void posix_disposition(struct exec *x, int sig, struct sigaction *sa)
{
    struct posix_signals *s = signals_of(x);
    if (s && sig == SIGPIPE)
        *sa = s->sigpipe;
    else
        sigaction(sig, NULL, sa);
}

/* SIGPIPE's object, made on first use (from the program's thread). */
static struct sched_obj *sigpipe_object(struct exec *x, struct sched_loc at)
{
    static const struct sched_objclass disposition_objclass = { .name = "signal" };
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for SIGPIPE's disposition");
    if (st->sigpipe == NULL) {
        st->sigpipe = sync_object_new(x, &disposition_objclass, sizeof *st->sigpipe,
                                      "SIGPIPE", at);
        /* whichever thread uses it first (a sigaction, a write to a closed
        ** pipe): one name, as DPOR and the classes need */
        object_rekey(x, st->sigpipe, sched_mix(0x7369677069706555ULL, 0));
    }
    return st->sigpipe;
}

struct disposition_op {
    struct sched_op op;
    const struct sigaction *act;
    struct sigaction old;
    enum { SIGPIPE_KILLS, SIGPIPE_IGNORED, SIGPIPE_BLOCKED, SIGPIPE_HANDLED } delivery;
};

static const char *handler_note(const struct sigaction *sa)
{
    return sa->sa_handler == SIG_IGN ? "ignored" : sa->sa_handler == SIG_DFL ? "default"
                                                                             : "a handler";
}

static void set_sigpipe_apply(struct exec *x, struct sched_op *op)
{
    struct disposition_op *d = OP_OF(op, struct disposition_op, op);
    struct posix_signals *s = signals_of(x);
    d->old = s->sigpipe;
    if (d->act)
        s->sigpipe = *d->act;
    op->idle = d->act == NULL;
    op->note = d->act ? handler_note(d->act) : NULL;
}

static bool set_sigpipe_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    return OP_OF(op, struct disposition_op, op)->act == NULL;
}

static const struct sched_opclass set_sigpipe_class = {
    .verb = "sigaction", .apply = set_sigpipe_apply, .reads_only = set_sigpipe_reads_only,
};

/* Is the calling thread the execution's only one not finished? Then no
** step of another can come before or after its own: a change it makes
** needs no step (the usual signal(SIGPIPE, SIG_IGN) at the top of main). */
static bool alone(struct exec *x)
{
    for (int i = 0; i < x->nthreads; i++)
        if (x->threads[i] != x->current && x->threads[i]->state != T_FINISHED)
            return false;
    return true;
}

/* sigaction for a program: SIGPIPE's a step (above), any other signal's
** the process's, noted to be put back before the next execution. */
int __wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct exec *x = sync_exec();
    struct posix_signals *s = x ? signals_of(x) : NULL;
    if (s == NULL || posix_bad_signal(sig) || sig == 0 || sig == SIGKILL || sig == SIGSTOP ||
        sig != SIGPIPE) {
        if (s && act && !posix_bad_signal(sig) && sig != 0 && !alone(x))
            posix_signals_step(x, sig, sync_current_loc(x));   /* ordered with sends */
        int rc = sigaction(sig, act, old);
        if (rc == 0 && s && act) {
            s->changed |= 1ull << (sig - 1);
            posix_signals_ignored(x, sig, act);
        }
        return rc;
    }
    struct sigaction was = s->sigpipe;
    if (alone(x)) {
        if (act)
            s->sigpipe = *act;
    } else {
        struct disposition_op d = { .op = { .cls = &set_sigpipe_class,
                                            .obj = sigpipe_object(x, sync_current_loc(x)),
                                            .loc = sync_current_loc(x) },
                                    .act = act };
        sched_visible(x, &d.op);
        was = d.old;
    }
    if (act)
        posix_signals_ignored(x, sig, act);
    if (old)
        *old = was;
    return 0;
}

/* signal, as glibc's: BSD semantics (the handler stays; calls restart). */
void (*__wrap_signal(int sig, void (*handler)(int)))(int)
{
    struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;
    sigemptyset(&sa.sa_mask);
    if (sig > 0 && sig <= POSIX_SIGNALS)
        sigaddset(&sa.sa_mask, sig);
    return __wrap_sigaction(sig, &sa, &old) == 0 ? old.sa_handler : SIG_ERR;
}

static void deliver_apply(struct exec *x, struct sched_op *op)
{
    struct disposition_op *d = OP_OF(op, struct disposition_op, op);
    struct posix_signals *s = signals_of(x);
    struct posix_thread *t = posix_thread_self(x);
    d->old = s->sigpipe;
    op->idle = true;
    if (t && (t->sigmask & (1ull << (SIGPIPE - 1)))) {
        d->delivery = SIGPIPE_BLOCKED;
        t->sigpending |= 1ull << (SIGPIPE - 1);   /* for a sigwait or an unblock */
        op->note = "blocked: it stays pending";
    } else if (s->sigpipe.sa_handler == SIG_IGN) {
        d->delivery = SIGPIPE_IGNORED;
        op->note = "ignored";
    } else if (s->sigpipe.sa_handler == SIG_DFL) {
        d->delivery = SIGPIPE_KILLS;
        op->note = "kills the process";
    } else {
        d->delivery = SIGPIPE_HANDLED;
        op->note = "to its handler";
        if (s->sigpipe.sa_flags & SA_RESETHAND) {
            s->sigpipe.sa_handler = SIG_DFL;
            op->idle = false;
        }
    }
}

static bool deliver_reads_only(struct exec *x, struct sched_op *op)
{
    (void)op;
    struct posix_signals *s = signals_of(x);
    return s->sigpipe.sa_handler == SIG_IGN || s->sigpipe.sa_handler == SIG_DFL ||
           !(s->sigpipe.sa_flags & SA_RESETHAND);
}

static const struct sched_opclass deliver_class = {
    .verb = "raise", .apply = deliver_apply, .reads_only = deliver_reads_only,
};

bool posix_sigpipe(struct exec *x, struct sched_loc at)
{
    struct sigaction sa;
    if (signals_of(x) == NULL)        /* a scenario file's: the process's */
        return sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL;
    struct disposition_op d = { .op = { .cls = &deliver_class, .obj = sigpipe_object(x, at),
                                        .loc = at } };
    sched_visible(x, &d.op);
    if (d.delivery == SIGPIPE_HANDLED)
        posix_call_handler(x, posix_thread_self(x), SIGPIPE, &d.old, SI_KERNEL,
                           (union sigval){ 0 });
    return d.delivery == SIGPIPE_KILLS;
}
