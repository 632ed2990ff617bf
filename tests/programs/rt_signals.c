/*
** rt_signals.c -- realtime signals queue, standard ones merge (POSIX;
** tests/programs.sh; the argument picks the mode). weft merged every
** signal sent while one was pending, so each mode below but "standard"
** failed where Linux passes.
**   handler   SIGRTMIN blocked, raised three times, then unblocked: its
**             handler runs three times before pthread_sigmask returns.
**   sigwait   a sender kills the process three times with SIGRTMIN+1,
**             which every thread blocks; main takes the three with
**             sigwaitinfo (weft: a deadlock on the second).
**   due       main sends SIGRTMIN twice to a worker that does not block
**             it; the worker waits in a loop for its handler to have run
**             twice (weft: a livelock).
**   standard  SIGUSR1 blocked, raised three times, then unblocked: the
**             three are one, the handler runs once.
**   ignored   three SIGRTMIN pending, then SIG_IGN: all three go, and a
**             handler installed after never runs.
*/
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static atomic_int runs;

static void count(int sig)
{
    (void)sig;
    atomic_fetch_add(&runs, 1);
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(how, &set, NULL);
}

/* Raised three times while blocked, then unblocked: how often it ran. */
static int raised_thrice(int sig)
{
    handle(sig, count);
    mask(SIG_BLOCK, sig);
    for (int i = 0; i < 3; i++)
        raise(sig);
    mask(SIG_UNBLOCK, sig);
    return atomic_load(&runs);
}

static void *sender(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        kill(getpid(), SIGRTMIN + 1);
    return NULL;
}

static void *twice_handled(void *arg)
{
    (void)arg;
    while (atomic_load(&runs) < 2)
        sched_yield();
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "handler";
    pthread_t t;
    if (strcmp(mode, "handler") == 0) {
        assert(raised_thrice(SIGRTMIN) == 3);
    } else if (strcmp(mode, "standard") == 0) {
        assert(raised_thrice(SIGUSR1) == 1);
    } else if (strcmp(mode, "sigwait") == 0) {
        mask(SIG_BLOCK, SIGRTMIN + 1);
        pthread_create(&t, NULL, sender, NULL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGRTMIN + 1);
        for (int i = 0; i < 3; i++) {
            siginfo_t info;
            assert(sigwaitinfo(&set, &info) == SIGRTMIN + 1);
        }
        pthread_join(t, NULL);
    } else if (strcmp(mode, "due") == 0) {
        handle(SIGRTMIN, count);
        pthread_create(&t, NULL, twice_handled, NULL);
        pthread_kill(t, SIGRTMIN);
        pthread_kill(t, SIGRTMIN);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "ignored") == 0) {
        mask(SIG_BLOCK, SIGRTMIN);
        for (int i = 0; i < 3; i++)
            raise(SIGRTMIN);
        handle(SIGRTMIN, SIG_IGN);
        handle(SIGRTMIN, count);
        mask(SIG_UNBLOCK, SIGRTMIN);
        assert(atomic_load(&runs) == 0);
    } else {
        return 2;
    }
    return 0;
}
