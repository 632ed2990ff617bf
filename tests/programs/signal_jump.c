/*
** signal_jump.c -- a handler that leaves by siglongjmp or longjmp
** (tests/programs.sh; the argument picks the mode). A handler that jumps
** out never returns, so what its return would undo stays as the jump
** leaves it, as on Linux: the signal stays blocked, unless the jump goes
** to a sigsetjmp that saved the mask, which the jump puts back.
**   saved     sigsetjmp(env, 1): each of two raises runs the handler,
**             which jumps back; the mask saved before the first raise
**             unblocks SIGUSR1 again, so both run (passes).
**   unsaved   sigsetjmp(env, 0): SIGUSR1 stays blocked after the jump, so
**             the second raise stays pending (passes: sigpending says so).
**   plain     setjmp and longjmp, as unsaved (glibc's setjmp saves no
**             mask).
**   timed     a worker in a 5 s nanosleep, interrupted by main's
**             pthread_kill: its handler jumps out of the sleep, whose call
**             never goes on (its timer must not stay armed), and the worker
**             waits for main's sem_post, 10 s later (passes). The worker
**             takes SIGUSR2 only in the sleep: it is blocked before (the
**             jump target is not set yet) and after (a jump back to it
**             would wait for a second post).
**   again     as timed, 40 times over: a pinger signals the worker each
**             time it is ready, and the worker's handler jumps out of its
**             sleep (or out of the sem_post before it) each time. weft
**             keeps a timer per thread: the 40 abandoned sleeps' timers
**             must not pile up (passes).
**   exit      20 workers in turn, each sleeping until main's pthread_kill
**             runs its handler, which calls pthread_exit: the sleep the
**             handler interrupted never goes on (passes).
**   after     as saved, then main fails an assertion after a mutex
**             lock: the report's steps after the jump are main's own, not
**             the handler's.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static sigjmp_buf senv;
static jmp_buf env;
static volatile sig_atomic_t hits;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static sem_t posted;

static void jump_saved(int sig)
{
    (void)sig;
    hits++;
    siglongjmp(senv, 1);
}

static void jump_plain(int sig)
{
    (void)sig;
    hits++;
    longjmp(env, 1);
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int usr1_pending(void)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGUSR1);
}

/* SIGUSR2 blocked or unblocked (how) in the calling thread. */
static void usr2(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(how, &set, NULL);
}

/* fn handles SIGUSR2, which main blocks: its threads unblock it once
** they are ready for it. */
static void usr2_to(void (*fn)(int))
{
    handle(SIGUSR2, fn);
    usr2(SIG_BLOCK);
}

static void raise_twice(int save)
{
    handle(SIGUSR1, jump_saved);
    for (int i = 0; i < 2; i++)
        if (sigsetjmp(senv, save) == 0) {
            pthread_kill(pthread_self(), SIGUSR1);
            assert(!save && i == 1);  /* blocked: pending, no jump */
        }
}

static void *sleeper(void *arg)
{
    (void)arg;
    struct timespec five = { 5, 0 };
    if (sigsetjmp(senv, 1) == 0) {
        usr2(SIG_UNBLOCK);
        nanosleep(&five, NULL);
        usr2(SIG_BLOCK);
    }
    while (sem_wait(&posted) != 0)
        assert(errno == EINTR);
    return NULL;
}

enum { AGAIN = 40 };
static pthread_t sleeper_thread;
static sem_t ready;

static void *sleep_again(void *arg)
{
    (void)arg;
    for (volatile int i = 0; i < AGAIN; i++)
        if (sigsetjmp(senv, 1) == 0) {
            usr2(SIG_UNBLOCK);
            sem_post(&ready);
            struct timespec five = { 5, 0 };
            for (;;)                  /* until the signal comes */
                nanosleep(&five, NULL);
        }
    return NULL;
}

static void *pinger(void *arg)
{
    (void)arg;
    for (int i = 0; i < AGAIN; i++) {
        while (sem_wait(&ready) != 0)
            assert(errno == EINTR);
        pthread_kill(sleeper_thread, SIGUSR2);
    }
    return NULL;
}

static void exit_thread(int sig)
{
    (void)sig;
    hits++;
    pthread_exit(NULL);
}

static void *sleep_forever(void *arg)
{
    (void)arg;
    usr2(SIG_UNBLOCK);
    struct timespec five = { 5, 0 };
    while (hits >= 0)                 /* until the signal comes */
        nanosleep(&five, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "saved";
    if (strcmp(mode, "saved") == 0 || strcmp(mode, "after") == 0) {
        raise_twice(1);
        assert(hits == 2 && !usr1_pending());
        if (strcmp(mode, "after") == 0) {
            pthread_mutex_lock(&mu);
            assert(hits == 3);
        }
    } else if (strcmp(mode, "unsaved") == 0) {
        raise_twice(0);
        assert(hits == 1 && usr1_pending());
    } else if (strcmp(mode, "plain") == 0) {
        handle(SIGUSR1, jump_plain);
        for (int i = 0; i < 2; i++)
            if (setjmp(env) == 0)
                pthread_kill(pthread_self(), SIGUSR1);
        assert(hits == 1 && usr1_pending());
    } else if (strcmp(mode, "timed") == 0) {
        pthread_t t;
        usr2_to(jump_saved);
        sem_init(&posted, 0, 0);
        pthread_create(&t, NULL, sleeper, NULL);
        struct timespec two = { 2, 0 }, ten = { 10, 0 };
        nanosleep(&two, NULL);
        pthread_kill(t, SIGUSR2);
        nanosleep(&ten, NULL);
        sem_post(&posted);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "again") == 0) {
        pthread_t p;
        usr2_to(jump_saved);
        sem_init(&ready, 0, 0);
        pthread_create(&sleeper_thread, NULL, sleep_again, NULL);
        pthread_create(&p, NULL, pinger, NULL);
        pthread_join(sleeper_thread, NULL);
        pthread_join(p, NULL);
        assert(hits == AGAIN);
    } else if (strcmp(mode, "exit") == 0) {
        usr2_to(exit_thread);
        for (int i = 0; i < 20; i++) {
            pthread_t t;
            pthread_create(&t, NULL, sleep_forever, NULL);
            pthread_kill(t, SIGUSR2);
            pthread_join(t, NULL);
        }
        assert(hits == 20);
    } else {
        fprintf(stderr, "signal_jump: no mode %s\n", mode);
        return 2;
    }
    return 0;
}
