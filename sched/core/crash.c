/*
** crash.c -- turns a signal in a scenario thread into a reported failure.
** Handlers run on a stack of their own (a stack overflow leaves none), set
** up per OS thread for as long as a search runs there, and hand the signal
** to the execution running on that thread. A signal outside any scenario
** thread is weft's own bug, or the embedding program's: it is re-raised.
** A fault in a thread's guard region, or with its stack pointer below its
** stack, is a stack overflow (fiber_overflowed).
*/
#include <signal.h>
#include <ucontext.h>
#include <stdlib.h>
#include <string.h>
#include "core/sched.h"

#define CRASH_STACK_SIZE (64 * 1024)

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

/* The interrupted code's stack pointer, where the platform says (NULL
** elsewhere: only the fault address is then looked at). */
static const void *interrupted_sp(const void *uc)
{
#if defined(__linux__) && defined(__x86_64__)
    return (const void *)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#elif defined(__linux__) && defined(__aarch64__)
    return (const void *)((const ucontext_t *)uc)->uc_mcontext.sp;
#else
    (void)uc;
    return NULL;
#endif
}

static void on_signal(int sig, siginfo_t *info, void *uc)
{
    struct exec *x = exec_current();
    if (x == NULL || x->current == NULL) {  /* not in a scenario thread */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    bool overflow = (sig == SIGSEGV || sig == SIGBUS) &&
                    fiber_overflowed(&x->current->fiber, info->si_addr, interrupted_sp(uc));
    sched_crashed(x, sig, info->si_addr, overflow);
}

/* The handlers are the same for every search, so installing them again is
** harmless: no state says whether it was done. */
static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
}

int crash_enter(struct crash_guard *g)
{
    if (g->entered)
        return 0;
    if (g->stack == NULL) {
        g->stack = malloc(CRASH_STACK_SIZE);
        if (g->stack == NULL)
            return WEFT_ENOMEM;
        g->size = CRASH_STACK_SIZE;
    }
    stack_t ss = { .ss_sp = g->stack, .ss_size = g->size };
    if (sigaltstack(&ss, &g->saved) != 0)
        return WEFT_EINVAL;
    install_handlers();
    g->entered = true;
    return 0;
}

void crash_leave(struct crash_guard *g)
{
    if (!g->entered)
        return;
    sigaltstack(&g->saved, NULL);     /* what this OS thread had before */
    g->entered = false;
}
