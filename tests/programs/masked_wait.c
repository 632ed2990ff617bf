/*
** masked_wait.c -- ppoll, pselect, epoll_pwait and epoll_pwait2 wait with
** the mask they are given (tests/programs.sh). A reader blocks SIGUSR1 and
** waits on an empty pipe with SIGUSR1 unblocked for the call alone; main
** stops it with pthread_kill, whose handler sets a flag. The call swaps
** the mask in as it begins, so the signal reaches the handler only inside
** it, which then fails with EINTR, and the reader sees the flag: every
** execution ends (the mode names the call). weft ignored the mask: the
** signal stayed pending and the reader waited forever, a deadlock.
** `pending`: the signal is pending before the call, which takes it at once.
** `unmasked`: the racy way, unblocking around a plain poll: the handler may
** run between the flag's test and the poll, which then waits forever.
*/
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int fds[2];
static const char *mode;

static void on_usr1(int sig) { (void)sig; stop = 1; }

/* One wait on fds[0] with SIGUSR1 unblocked (old): the call's result. */
static int wait_once(const sigset_t *old, int ep)
{
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    struct epoll_event ev;
    if (strcmp(mode, "pselect") == 0) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(fds[0], &rd);
        return pselect(fds[0] + 1, &rd, NULL, NULL, NULL, old);
    }
    if (strcmp(mode, "epoll_pwait") == 0)
        return epoll_pwait(ep, &ev, 1, -1, old);
    if (strcmp(mode, "epoll_pwait2") == 0)
        return epoll_pwait2(ep, &ev, 1, NULL, old);
    if (strcmp(mode, "unmasked") == 0) {
        sigset_t blocked;
        pthread_sigmask(SIG_SETMASK, old, &blocked);
        int n = poll(&p, 1, -1);
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &blocked, NULL);
        errno = e;
        return n;
    }
    return ppoll(&p, 1, NULL, old);
}

static void *reader(void *arg)
{
    (void)arg;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    if (strcmp(mode, "pending") == 0)
        raise(SIGUSR1);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[0] };
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) == 0);
    while (!stop) {
        int n = wait_once(&old, ep);
        assert(n == -1 && errno == EINTR);   /* nothing is ever written */
    }
    close(ep);
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "ppoll";
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    assert(pipe(fds) == 0);
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    if (strcmp(mode, "pending") != 0)
        pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    return 0;
}
