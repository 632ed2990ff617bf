/* signalfd.c -- a descriptor that signals make readable (tests/programs.sh).
** Main blocks SIGUSR1 and SIGUSR2 before it starts a thread (which inherits
** the mask, as Linux programs do) and makes the signalfd; modes:
**   wait      the reader reads twice: main's pthread_kill of it (SIGUSR1)
**             and sigqueue of the process (SIGUSR2, value 42), in either
**             order, each record saying how it was sent
**   poll      the reader waits in poll, then reads both in one read
**   epoll     the reader waits in epoll_wait, then reads
**   nonblock  SFD_NONBLOCK: EAGAIN, then raise's signal; the errors; the
**             mask updated; close
**   order     the reader takes SIGUSR1 for the first signal, but main
**             sends SIGUSR2 first: fails when it reads between the two
**   lost      the reader waits for a signal that nobody sends: a deadlock
*/
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int sfd;

static struct signalfd_siginfo take(void)
{
    struct signalfd_siginfo si;
    assert(read(sfd, &si, sizeof si) == sizeof si);
    return si;
}

/* Either order: each signal once, with how it was sent. */
static void check_both(const struct signalfd_siginfo *a, const struct signalfd_siginfo *b)
{
    const struct signalfd_siginfo *u1 = a->ssi_signo == SIGUSR1 ? a : b;
    const struct signalfd_siginfo *u2 = u1 == a ? b : a;
    assert(u1->ssi_signo == SIGUSR1 && u1->ssi_code == SI_TKILL);
    assert(u2->ssi_signo == SIGUSR2 && u2->ssi_code == SI_QUEUE && u2->ssi_int == 42);
    assert(u1->ssi_pid == (uint32_t)getpid() && u2->ssi_pid == (uint32_t)getpid());
}

static void *reader(void *arg)
{
    (void)arg;
    struct signalfd_siginfo a = take(), b = take();
    check_both(&a, &b);
    return NULL;
}

static void *poller(void *arg)
{
    (void)arg;
    struct pollfd p = { .fd = sfd, .events = POLLIN };
    assert(poll(&p, 1, -1) == 1 && p.revents == POLLIN);
    struct signalfd_siginfo si[4];
    ssize_t n = read(sfd, si, sizeof si);   /* one or both */
    assert(n == sizeof si[0] || n == 2 * sizeof si[0]);
    if (n == sizeof si[0])
        si[1] = take();
    check_both(&si[0], &si[1]);
    return NULL;
}

static void *epoller(void *arg)
{
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) == 0);
    for (int got = 0; got < 2;) {
        assert(epoll_wait(ep, &ev, 1, -1) == 1 && ev.events == EPOLLIN);
        struct signalfd_siginfo si[2];
        got += (int)(read(sfd, si, sizeof si) / sizeof si[0]);
    }
    close(ep);
    return NULL;
}

static void *first_is_usr1(void *arg)
{
    (void)arg;
    assert(take().ssi_signo == SIGUSR1);
    take();
    return NULL;
}

static void *lonely(void *arg)
{
    (void)arg;
    take();                           /* nobody sends */
    return NULL;
}

static void send_both(pthread_t t)
{
    pthread_kill(t, SIGUSR1);
    sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 42 });
}

static void nonblock(const sigset_t *mask)
{
    sfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
    assert(sfd >= 0);
    struct signalfd_siginfo si;
    assert(read(sfd, &si, sizeof si) == -1 && errno == EAGAIN);
    assert(read(sfd, &si, sizeof si - 1) == -1 && errno == EINVAL);
    assert(write(sfd, &si, sizeof si) == -1 && errno == EINVAL);
    assert(signalfd(-1, mask, 0x4000) == -1 && errno == EINVAL);
    int p[2];
    assert(pipe(p) == 0);
    assert(signalfd(p[0], mask, 0) == -1 && errno == EINVAL);
    raise(SIGUSR1);                   /* blocked: pending in main */
    struct pollfd pf = { .fd = sfd, .events = POLLIN };
    assert(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
    assert(read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1);
    assert(si.ssi_code == SI_TKILL);
    raise(SIGUSR2);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    assert(signalfd(sfd, &one, 0) == sfd);   /* SIGUSR2 no longer read */
    assert(read(sfd, &si, sizeof si) == -1 && errno == EAGAIN);
    assert(signalfd(sfd, mask, 0) == sfd);
    assert(read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR2);
    assert(close(sfd) == 0);
    assert(read(sfd, &si, sizeof si) == -1 && errno == EBADF);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "wait";
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    assert(pthread_sigmask(SIG_BLOCK, &mask, NULL) == 0);
    if (strcmp(mode, "nonblock") == 0) {
        nonblock(&mask);
        return 0;
    }
    sfd = signalfd(-1, &mask, 0);
    assert(sfd >= 0);
    pthread_t t;
    if (strcmp(mode, "poll") == 0)
        pthread_create(&t, NULL, poller, NULL);
    else if (strcmp(mode, "epoll") == 0)
        pthread_create(&t, NULL, epoller, NULL);
    else if (strcmp(mode, "lost") == 0)
        pthread_create(&t, NULL, lonely, NULL);
    else if (strcmp(mode, "order") == 0)
        pthread_create(&t, NULL, first_is_usr1, NULL);
    else
        pthread_create(&t, NULL, reader, NULL);
    if (strcmp(mode, "order") == 0) {
        sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 42 });
        pthread_kill(t, SIGUSR1);
    } else if (strcmp(mode, "lost") != 0) {
        send_both(t);
    }
    pthread_join(t, NULL);
    close(sfd);
    return 0;
}
