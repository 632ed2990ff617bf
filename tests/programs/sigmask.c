/*
** sigmask.c -- signal masks and pthread_kill's existence check
** (tests/programs.sh). `masks`: pthread_sigmask and sigprocmask per
** thread, as Linux and glibc give them: how, oldset, EINVAL, SIGKILL and
** SIGSTOP never blocked, a new thread starting with its creator's mask,
** main's empty in every execution. Two workers count under a mutex;
** -DNO_MASKS leaves out every mask call, and the search runs as many
** complete executions either way (a mask change commutes). `kill`:
** pthread_kill(t, 0) is 0 for a running thread, for itself and for one
** that ended unjoined, ESRCH after the join; a bad signal is EINVAL.
** `detached`: the check races a detached thread's end; -DSAYS_LIVE claims
** it is always 0, -DSAYS_GONE always ESRCH: each is broken at its line.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int count;

/* The mask's members among signals 1..64, as bits. */
static unsigned long long members(const sigset_t *set)
{
    unsigned long long bits = 0;
    for (int sig = 1; sig <= 64; sig++)
        if (sigismember(set, sig) == 1)
            bits |= 1ull << (sig - 1);
    return bits;
}

static __attribute__((unused)) unsigned long long mask_now(void)
{
    sigset_t now;
    memset(&now, 0xff, sizeof now);    /* the call must fill it */
    assert(pthread_sigmask(SIG_SETMASK, NULL, &now) == 0);
    return members(&now);
}

static __attribute__((unused)) unsigned long long bit(int sig) { return 1ull << (sig - 1); }

/* A mask call, left out with -DNO_MASKS. */
#ifdef NO_MASKS
#define MASK(call) ((void)0)
#else
#define MASK(call) call
#endif

static void *grandchild(void *arg)
{
    (void)arg;
    MASK(assert(mask_now() == (bit(SIGUSR1) | bit(SIGUSR2))));
    return NULL;
}

static void *worker(void *arg)
{
    (void)arg;
    MASK(assert(mask_now() == bit(SIGUSR1)));   /* its creator's, main's */
    sigset_t more;
    sigemptyset(&more);
    sigaddset(&more, SIGUSR2);
    MASK(assert(pthread_sigmask(SIG_BLOCK, &more, NULL) == 0));
    pthread_t g;
    pthread_create(&g, NULL, grandchild, NULL);
    pthread_join(g, NULL);
    pthread_mutex_lock(&mu);
    count++;
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void masks(void)
{
    sigset_t set, old;
    (void)old;
#ifndef NO_MASKS
    assert(mask_now() == 0);                    /* fresh in every execution */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    assert(pthread_sigmask(SIG_BLOCK, &set, &old) == 0 && members(&old) == 0);
    assert(mask_now() == (bit(SIGUSR1) | bit(SIGTERM)));
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    assert(pthread_sigmask(SIG_UNBLOCK, &set, &old) == 0);
    assert(members(&old) == (bit(SIGUSR1) | bit(SIGTERM)));
    assert(pthread_sigmask(42, &set, &old) == EINVAL);     /* a bad how: unchanged */
    assert(mask_now() == bit(SIGUSR1));
    assert(pthread_sigmask(42, NULL, &old) == 0 && members(&old) == bit(SIGUSR1));
    errno = 0;
    assert(sigprocmask(-1, &set, NULL) == -1 && errno == EINVAL);
    sigfillset(&set);                           /* SIGKILL and SIGSTOP are dropped */
    assert(sigprocmask(SIG_SETMASK, &set, &old) == 0 && members(&old) == bit(SIGUSR1));
    unsigned long long all = mask_now();
    assert(!(all & bit(SIGKILL)) && !(all & bit(SIGSTOP)));
    assert((all & bit(SIGINT)) && (all & bit(SIGRTMAX)));
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    assert(sigprocmask(SIG_SETMASK, &set, NULL) == 0 && mask_now() == bit(SIGUSR1));
#endif
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    sigemptyset(&set);
    MASK(assert(pthread_sigmask(SIG_SETMASK, &set, NULL) == 0));   /* its own only */
    pthread_mutex_lock(&mu);
    count++;
    pthread_mutex_unlock(&mu);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert(count == 3);
    MASK(assert(mask_now() == 0));
}

static sem_t done;

static void *posts(void *arg)
{
    (void)arg;
    sem_post(&done);
    return NULL;
}

static void kill_checks(void)
{
    pthread_t t;
    sem_init(&done, 0, 0);
    pthread_create(&t, NULL, posts, NULL);
    assert(pthread_kill(t, 0) == 0);
    assert(pthread_kill(pthread_self(), 0) == 0);
    assert(pthread_kill(t, -1) == EINVAL && pthread_kill(t, 65) == EINVAL);
    assert(pthread_kill(t, 32) == EINVAL);      /* glibc's own (SIGCANCEL) */
    sem_wait(&done);
    assert(pthread_kill(t, 0) == 0);            /* ended or not: not yet joined */
    pthread_join(t, NULL);
    assert(pthread_kill(t, 0) == ESRCH);
}

static void *ends(void *arg)
{
    return arg;
}

static void detached(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_create(&t, &attr, ends, NULL);
    int rc = pthread_kill(t, 0);
    assert(rc == 0 || rc == ESRCH);
#ifdef SAYS_LIVE
    assert(rc == 0);
#endif
#ifdef SAYS_GONE
    assert(rc == ESRCH);
#endif
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "masks";
    if (strcmp(mode, "kill") == 0)
        kill_checks();
    else if (strcmp(mode, "detached") == 0)
        detached();
    else
        masks();
    return 0;
}
