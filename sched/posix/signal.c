/*
** signal.c -- signal masks and pthread_kill's existence check in a program:
** pthread_sigmask and sigprocmask keep each thread's mask as bookkeeping
** (weft delivers no asynchronous signal, so a mask changes what no other
** thread sees: no step, no scheduling point); pthread_kill(t, 0) is a
** step that reads whether t's lifetime is over. A real signal sent with
** pthread_kill stays unsupported (program.c names it at its line).
**
** A mask is a bit per signal 1..64 (the kernel's sigset), in the thread's
** record: every execution starts with main's empty, and a thread starts
** with its creator's (POSIX), which weft_pthread_create_at copies.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

#define KERNEL_SIGNALS 64             /* _NSIG - 1: what a mask can hold */

/* Signals no mask holds: SIGKILL and SIGSTOP (the kernel drops them
** silently), and the two glibc keeps for itself (SIGCANCEL and SIGSETXID,
** __SIGRTMIN and the one after it), which its pthread_sigmask drops. */
static uint64_t unblockable(void)
{
    return 1ull << (SIGKILL - 1) | 1ull << (SIGSTOP - 1) | 1ull << (32 - 1) | 1ull << (33 - 1);
}

static uint64_t bits_of(const sigset_t *set)
{
    uint64_t bits = 0;
    for (int sig = 1; sig <= KERNEL_SIGNALS; sig++)
        if (sigismember(set, sig) == 1)
            bits |= 1ull << (sig - 1);
    return bits & ~unblockable();
}

/* What the kernel writes back: the mask's 64 signals; sigaddset would
** refuse glibc's own two, which a mask never holds. */
static void set_of(uint64_t bits, sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; sig <= KERNEL_SIGNALS; sig++)
        if (bits & (1ull << (sig - 1)))
            sigaddset(set, sig);
}

/* The running thread's mask changed by how and set, the previous one in
** *old: 0, or EINVAL for a how that is none of the three when there is
** a set (with no set, Linux looks at nothing but old). Not a step. */
static int change_mask(struct exec *x, int how, const sigset_t *set, sigset_t *old)
{
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        return ENOMEM;
    uint64_t was = t->sigmask;
    if (set) {
        uint64_t bits = bits_of(set);
        switch (how) {
        case SIG_BLOCK: t->sigmask |= bits; break;
        case SIG_UNBLOCK: t->sigmask &= ~bits; break;
        case SIG_SETMASK: t->sigmask = bits; break;
        default: return EINVAL;
        }
    }
    if (old)
        set_of(was, old);
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

/* ==========================================================================
** pthread_kill
** ========================================================================== */

/* Whether the target's lifetime is over depends on where its end falls
** among the other threads' steps: the check depends on every step, as
** pthread_cancel does (cancel.c), so the searches try it before and after
** each of the target's. */
static const struct sched_opclass kill_check_class = { .verb = "pthread_kill 0",
                                                      .flags = OP_GLOBAL };

/* glibc's signals of its own, and numbers no signal has: EINVAL. */
static bool bad_signal(int sig)
{
    return sig < 0 || sig > KERNEL_SIGNALS || sig == 32 || sig == 33;
}

/* pthread_kill(th, 0): 0 while th's lifetime lasts, which is until it is
** joined, or until it ends if it is detached (glibc 2.34 and later:
** an ended thread not yet joined is still there); ESRCH after, or for a
** pthread_t that names no thread of this execution. */
int weft_pthread_kill_at(pthread_t th, int sig, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_kill(th, sig);
    if (bad_signal(sig))
        return EINVAL;
    if (sig != 0)
        return weft_program_unsupported_at("pthread_kill with a signal", file, line);
    struct posix_thread *t = posix_thread_named(x, th);
    if (t == NULL)
        return ESRCH;
    if (th - 1 == (pthread_t)x->current->id)
        return 0;
    struct sched_op op = { .cls = &kill_check_class, .loc = { file, line } };
    sched_visible(x, &op);
    bool ended = sched_thread(x, (int)(th - 1))->state == T_FINISHED;
    return t->joined || (t->detached && ended) ? ESRCH : 0;
}
