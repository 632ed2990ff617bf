/*
** crash.c -- turns a signal in a scenario thread into a reported failure.
** Handlers run on their own stack (a stack overflow has none left) and hand
** the signal to the scheduler, which jumps out of the crashed fiber. A
** signal outside any scenario thread is weft's own bug: it is re-raised.
*/
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include "sched.h"

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void *fault_pc(void *uc_arg)
{
    ucontext_t *uc = uc_arg;
#if defined(__x86_64__)
    return (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (void *)uc->uc_mcontext.pc;
#else
    (void)uc;
    return NULL;
#endif
}

static void on_signal(int sig, siginfo_t *info, void *uc)
{
    if (sched_current() == NULL) {     /* not in a scenario thread */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    sched_crashed(sig, info->si_addr, fault_pc(uc));
}

void crash_install(void)
{
    static bool installed;
    static char altstack[64 * 1024];
    if (installed)
        return;
    installed = true;
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
}
