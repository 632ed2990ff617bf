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
**   values    sigqueue of SIGRTMIN+2 with the values 1, 2 and 3 while it is
**             blocked: an SA_SIGINFO handler gets them in that order, each
**             with SI_QUEUE (weft: sigqueue was not supported).
**   codes     a worker takes with sigwaitinfo what main sends it: values
**             by pthread_sigqueue (SI_QUEUE), then a raise of its own
**             (SI_TKILL: Linux's tgkill; a sandbox may say SI_USER) and a
**             kill of the process (SI_USER).
*/
#define _GNU_SOURCE                   /* pthread_sigqueue */
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

static int seen[3];

static void record(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    int n = atomic_fetch_add(&runs, 1);
    assert(info->si_code == SI_QUEUE && n < 3);
    seen[n] = info->si_value.sival_int;
}

/* The next of set's signals: its code, and its value in *value. */
static int taken(const sigset_t *set, int *value)
{
    siginfo_t info;
    assert(sigwaitinfo(set, &info) > 0);
    *value = info.si_value.sival_int;
    return info.si_code;
}

static void *receiver(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 3);
    int value;
    for (int i = 1; i <= 3; i++)
        assert(taken(&set, &value) == SI_QUEUE && value == i);
    raise(SIGRTMIN + 3);
    int code = taken(&set, &value);
    assert(code == SI_TKILL || code == SI_USER);
    kill(getpid(), SIGRTMIN + 3);
    assert(taken(&set, &value) == SI_USER);
    return NULL;
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
    } else if (strcmp(mode, "values") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = record;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGRTMIN + 2, &sa, NULL);
        mask(SIG_BLOCK, SIGRTMIN + 2);
        for (int i = 1; i <= 3; i++)
            sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i });
        mask(SIG_UNBLOCK, SIGRTMIN + 2);
        assert(atomic_load(&runs) == 3 && seen[0] == 1 && seen[1] == 2 && seen[2] == 3);
    } else if (strcmp(mode, "codes") == 0) {
        mask(SIG_BLOCK, SIGRTMIN + 3);
        pthread_create(&t, NULL, receiver, NULL);
        for (int i = 1; i <= 3; i++)
            pthread_sigqueue(t, SIGRTMIN + 3, (union sigval){ .sival_int = i });
        pthread_join(t, NULL);
    } else {
        return 2;
    }
    return 0;
}
