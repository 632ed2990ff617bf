/*
** signal_thread.c -- signals between a program's own threads
** (tests/programs.sh; the argument picks the mode). The common shape: main
** blocks SIGINT and SIGTERM, so every thread it starts inherits the mask,
** and one thread takes them with sigwait; a client asks for shutdown with
** kill(getpid(), SIGTERM).
**   shutdown    as above: passes, whichever thread runs first.
**   late_mask   the worker is started before main blocks the signals: it
**               does not block SIGTERM, so the kernel may hand it to the
**               worker, whose default action ends the process (a crash).
**   nobody      nobody sends: main joins a thread that waits forever.
**   to_thread   pthread_kill of the signal thread itself, with SIGUSR1.
**   timed       sigtimedwait with a 1 s timeout, in a loop until a flag
**               another thread sets after it sends; both orders pass.
**   pending     a blocked raise stays pending (sigpending shows it) until
**               pthread_sigmask unblocks it: its handler has run when
**               the call returns.
**   reset       a handler with SA_RESETHAND: the second raise ends the
**               process.
**   ignored     SIG_IGN: raise drops it.
**   other       pthread_kill of a worker with a handler: the worker runs
**               it between two of its steps, whichever, or has ended
**               (the signal is lost).
**   interrupted the worker may wait in sem_wait when the signal comes:
**               the handler runs in the wait, and sem_wait fails with
**               EINTR (whatever SA_RESTART says); the worker waits again.
**   eintr       as interrupted, but the worker takes a failed sem_wait for
**               a permit (an assertion fails).
**   restart     the worker may wait in a read of a pipe; the handler has
**               SA_RESTART, so the read goes on after it: passes.
**   no_restart  as restart without SA_RESTART: the read fails with EINTR
**               (an assertion fails).
**   timed_restart as restart, but a recv of a socket with SO_RCVTIMEO:
**               Linux fails it with EINTR whatever SA_RESTART says (an
**               assertion fails).
**   resumed     the worker waits for a mutex main holds: the handler runs
**               in the wait, which goes on (no EINTR for mutexes).
**   nap         nanosleep(5 s) in the worker: 0, or -1 with EINTR and
**               what was left of the 5 s.
**   in_join     main waits in pthread_join for a worker that signals it,
**               then waits for main's handler to have run: the handler
**               runs in the join, which goes on (run after the join, it
**               would never run: the worker would spin for ever).
**   choice      kill(getpid()) with a handler that two threads do not
**               block: either may run it (POSIX: any thread that does not
**               block it), and both ways are explored.
**   suspend     main blocks SIGUSR1 and waits with sigsuspend until a
**               notifier's kill(getpid(), SIGUSR1) runs its handler.
**   pause_race  main tests a flag, then pauses: a notifier's signal that
**               comes between the two is lost, and main pauses forever.
**   ign_drops   SIG_IGN discards a pending signal (POSIX).
**   late_handler main installs its handler after starting the notifier
**               that signals it: the signal may come first (a crash).
**   unblocked   a sigwait for SIGTERM that the thread does not block: the
**               signal ends the process, as on Linux.
**   wrong_mask  sigsuspend with a mask that still blocks the pending
**               SIGUSR1: it waits forever, and the report says why.
**   second_of_set main raises SIGTERM and sigwaits for SIGINT or SIGTERM,
**               then asserts it took SIGINT (it fails): the step is named
**               by the signal it took (audit 21: by the set's first).
*/
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static sigset_t stops;
static int got;                       /* what the signal thread took */
static volatile sig_atomic_t handled;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int stop_requested;

static void *signal_waiter(void *arg)
{
    (void)arg;
    int sig = 0;
    assert(sigwait(&stops, &sig) == 0);
    got = sig;
    return NULL;
}

static void *timed_waiter(void *arg)
{
    (void)arg;
    struct timespec second = { 1, 0 };
    for (;;) {
        siginfo_t info;
        int sig = sigtimedwait(&stops, &info, &second);
        if (sig > 0) {
            assert(info.si_signo == sig);
            got = sig;
            return NULL;
        }
        assert(errno == EAGAIN);
        pthread_mutex_lock(&mu);
        int stop = stop_requested;
        pthread_mutex_unlock(&mu);
        if (stop)
            return NULL;
    }
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *client(void *arg)
{
    (void)arg;
    kill(getpid(), SIGTERM);
    return NULL;
}

static void *timed_client(void *arg)
{
    (void)arg;
    kill(getpid(), SIGTERM);
    pthread_mutex_lock(&mu);
    stop_requested = 1;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    handled++;
}

static sem_t go;

static void *locker(void *arg)
{
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    if (arg)
        while (sem_wait(&go) != 0)
            assert(errno == EINTR);   /* a handler ran in the wait */
    return NULL;
}

/* The waits a handler may interrupt (the interrupt modes). */
static int pipe_fds[2];

static void *interrupted_waiter(void *arg)
{
    const char *mode = arg;
    if (strcmp(mode, "eintr") == 0) {
        assert(sem_wait(&go) == 0);   /* EINTR when the handler comes first */
    } else if (strcmp(mode, "resumed") == 0) {
        assert(pthread_mutex_lock(&mu) == 0);
        pthread_mutex_unlock(&mu);
    } else if (strcmp(mode, "nap") == 0) {
        struct timespec five = { 5, 0 }, left = { 9, 9 };
        if (nanosleep(&five, &left) != 0)
            assert(errno == EINTR && left.tv_nsec == 0 && left.tv_sec > 0 && left.tv_sec <= 5);
    } else if (strcmp(mode, "timed_restart") == 0) {
        char c;
        ssize_t n = recv(pipe_fds[0], &c, 1, 0);
        assert(n == 1 || errno != EINTR);   /* (EAGAIN: its 5 s ran out) */
    } else {                          /* restart, no_restart */
        char c;
        assert(read(pipe_fds[0], &c, 1) == 1);
    }
    return NULL;
}

/* main signals a worker that may be waiting (or not yet, or no longer),
** then lets it go on. */
static void interrupt_run(const char *mode)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    int timed = strcmp(mode, "timed_restart") == 0;
    sa.sa_flags = strcmp(mode, "restart") == 0 || timed ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&go, 0, 0);
    if (timed) {
        struct timeval five = { 5, 0 };
        assert(socketpair(AF_UNIX, SOCK_STREAM, 0, pipe_fds) == 0);
        assert(setsockopt(pipe_fds[0], SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five) == 0);
    } else {
        assert(pipe(pipe_fds) == 0);
    }
    pthread_t t;
    pthread_mutex_lock(&mu);
    pthread_create(&t, NULL, interrupted_waiter, (void *)mode);
    pthread_kill(t, SIGUSR1);
    pthread_mutex_unlock(&mu);
    sem_post(&go);
    assert(write(pipe_fds[1], "x", 1) == 1);
    pthread_join(t, NULL);
    assert(handled == 1 || (handled == 0 && (strcmp(mode, "nap") == 0 || timed)));   /* (its
                                          wait may have timed out and ended first) */
}

static atomic_int flag;
static pthread_t main_thread;

static void on_notice(int sig)
{
    (void)sig;
    atomic_store(&flag, 1);
}

/* in_join: tells main, then waits until main's handler has run. */
static void *waits_for_handler(void *arg)
{
    (void)arg;
    pthread_kill(main_thread, SIGUSR1);
    while (!atomic_load(&flag))
        sched_yield();
    return NULL;
}

static void *notifier(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    if (arg)
        pthread_kill(main_thread, SIGUSR1);
    else
        kill(getpid(), SIGUSR1);
    return NULL;
}

static void block_stops(void)
{
    assert(pthread_sigmask(SIG_BLOCK, &stops, NULL) == 0);
}

/* main blocks the signals (before or after starting the worker), starts
** the signal thread and a client, and joins them. */
static int shutdown_run(void *(*waiter)(void *), void *(*sender)(void *), int mask_late)
{
    pthread_t w, s, c;
    if (!mask_late)
        block_stops();
    pthread_create(&w, NULL, worker, NULL);
    if (mask_late)
        block_stops();
    pthread_create(&s, NULL, waiter, NULL);
    if (sender)
        pthread_create(&c, NULL, sender, NULL);
    pthread_join(w, NULL);
    pthread_join(s, NULL);
    if (sender)
        pthread_join(c, NULL);
    return got;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "shutdown";
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    if (strcmp(mode, "shutdown") == 0)
        assert(shutdown_run(signal_waiter, client, 0) == SIGTERM);
    else if (strcmp(mode, "late_mask") == 0)
        assert(shutdown_run(signal_waiter, client, 1) == SIGTERM);
    else if (strcmp(mode, "nobody") == 0)
        shutdown_run(signal_waiter, NULL, 0);
    else if (strcmp(mode, "timed") == 0)
        assert(shutdown_run(timed_waiter, timed_client, 0) == SIGTERM ||
               (got == 0 && stop_requested));
    else if (strcmp(mode, "to_thread") == 0) {
        pthread_t s;
        sigaddset(&stops, SIGUSR1);
        block_stops();
        pthread_create(&s, NULL, signal_waiter, NULL);
        assert(pthread_kill(s, SIGUSR1) == 0);
        pthread_join(s, NULL);
        assert(got == SIGUSR1);
    } else if (strcmp(mode, "pending") == 0) {
        sigset_t usr1, now;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        signal(SIGUSR1, on_signal);
        pthread_sigmask(SIG_BLOCK, &usr1, NULL);
        raise(SIGUSR1);
        assert(handled == 0);
        sigpending(&now);
        assert(sigismember(&now, SIGUSR1) == 1);
        pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
        assert(handled == 1);
        sigpending(&now);
        assert(sigismember(&now, SIGUSR1) == 0);
    } else if (strcmp(mode, "reset") == 0) {
        struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR2, &sa, NULL);
        raise(SIGUSR2);
        assert(handled == 1);
        raise(SIGUSR2);
    } else if (strcmp(mode, "ignored") == 0) {
        signal(SIGUSR1, SIG_IGN);
        raise(SIGUSR1);
        sigset_t now;
        sigpending(&now);
        assert(sigismember(&now, SIGUSR1) == 0);
    } else if (strcmp(mode, "other") == 0 || strcmp(mode, "interrupted") == 0) {
        pthread_t t;
        int waits = strcmp(mode, "interrupted") == 0;
        signal(SIGUSR1, on_signal);
        sem_init(&go, 0, 0);
        pthread_create(&t, NULL, locker, waits ? &go : NULL);
        pthread_kill(t, SIGUSR1);
        sem_post(&go);
        pthread_join(t, NULL);
        assert(handled <= 1);
    } else if (strcmp(mode, "choice") == 0) {
        pthread_t t;
        signal(SIGUSR1, on_signal);
        pthread_create(&t, NULL, locker, NULL);
        kill(getpid(), SIGUSR1);
        pthread_join(t, NULL);
        assert(handled == 1);
    } else if (strcmp(mode, "in_join") == 0) {
        pthread_t t;
        main_thread = pthread_self();
        signal(SIGUSR1, on_notice);
        pthread_create(&t, NULL, waits_for_handler, NULL);
        assert(pthread_join(t, NULL) == 0);
        assert(atomic_load(&flag) == 1);
    } else if (strcmp(mode, "eintr") == 0 || strcmp(mode, "restart") == 0 ||
               strcmp(mode, "no_restart") == 0 || strcmp(mode, "resumed") == 0 ||
               strcmp(mode, "nap") == 0 || strcmp(mode, "timed_restart") == 0) {
        interrupt_run(mode);
    } else if (strcmp(mode, "suspend") == 0) {
        pthread_t t;
        sigset_t usr1, old;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        signal(SIGUSR1, on_notice);
        pthread_sigmask(SIG_BLOCK, &usr1, &old);
        pthread_create(&t, NULL, notifier, NULL);
        while (!atomic_load(&flag))
            sigsuspend(&old);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "ign_drops") == 0) {
        sigset_t usr1, now;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        pthread_sigmask(SIG_BLOCK, &usr1, NULL);
        raise(SIGUSR1);
        signal(SIGUSR1, SIG_IGN);
        sigpending(&now);
        assert(sigismember(&now, SIGUSR1) == 0);
    } else if (strcmp(mode, "late_handler") == 0) {
        pthread_t t;
        main_thread = pthread_self();
        pthread_create(&t, NULL, notifier, &t);
        signal(SIGUSR1, on_notice);
        while (!atomic_load(&flag))   /* never waits: the handler runs here */
            sched_yield();
        pthread_join(t, NULL);
    } else if (strcmp(mode, "unblocked") == 0) {
        pthread_t c;
        int sig;
        pthread_create(&c, NULL, client, NULL);
        sigwait(&stops, &sig);
        pthread_join(c, NULL);
    } else if (strcmp(mode, "wrong_mask") == 0) {
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        signal(SIGUSR1, on_notice);
        pthread_sigmask(SIG_BLOCK, &usr1, NULL);
        raise(SIGUSR1);
        sigsuspend(&usr1);            /* should be the mask before the block */
    } else if (strcmp(mode, "second_of_set") == 0) {
        int sig = 0;
        block_stops();
        raise(SIGTERM);
        sigwait(&stops, &sig);
        assert(sig == SIGINT);
    } else if (strcmp(mode, "pause_race") == 0) {
        pthread_t t;
        main_thread = pthread_self();
        signal(SIGUSR1, on_notice);
        pthread_create(&t, NULL, notifier, &t);
        if (!atomic_load(&flag))
            pause();
        pthread_join(t, NULL);
    }
    return 0;
}
