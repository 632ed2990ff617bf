/*
** timerfd.c -- timerfds on weft's virtual clock (tests/programs.sh). The
** kernel counts a timerfd's expirations by the clock, never late: each
** mode asserts what Linux gives, in every interleaving.
**   poll       a poll with a 100 ms timeout of a timer due at 5 ms: ready,
**              never timed out, whichever of the two weft runs first
**   periodic   every 10 ms from 10 ms: a read at 35 ms takes 3 (the timer
**              may fire before main sleeps, so it sleeps to a time, not
**              for one), the next read waits for the one at 40 ms: 1
**   gettime    what is left of 50 ms (0 once expired: main may come late),
**              settime's old value no more, then 0 once disarmed
**   errors     nonblocking: EAGAIN before the expiry; a write and a short
**              read EINVAL; a bad clock, flag or time EINVAL; not a timerfd
**   abstime    an absolute CLOCK_MONOTONIC time 20 ms ahead, read at 25 ms
**   arm        another thread arms it while main waits in epoll_wait (for
**              ever: with a timeout, the arming thread may come too late)
**   disarmed   a thread reads a timerfd nobody arms: a deadlock
*/
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int tfd;

static void arm(int fd, long first_ms, long every_ms)
{
    struct itimerspec its = { .it_interval = { every_ms / 1000, every_ms % 1000 * 1000000 },
                              .it_value = { first_ms / 1000, first_ms % 1000 * 1000000 } };
    assert(timerfd_settime(fd, 0, &its, NULL) == 0);
}

static uint64_t take(int fd)
{
    uint64_t n = 0;
    assert(read(fd, &n, sizeof n) == sizeof n);
    return n;
}

/* Sleep until ms after start on CLOCK_MONOTONIC. */
static void sleep_until(const struct timespec *start, long ms)
{
    struct timespec ts = { start->tv_sec, start->tv_nsec + ms * 1000000 };
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static struct timespec now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

static void mode_poll(void)
{
    arm(tfd, 5, 0);
    struct pollfd p = { .fd = tfd, .events = POLLIN | POLLOUT };
    assert(poll(&p, 1, 100) == 1 && p.revents == POLLIN);
    assert(take(tfd) == 1);
}

static void mode_periodic(void)
{
    struct timespec start = now();
    arm(tfd, 10, 10);
    sleep_until(&start, 35);
    assert(take(tfd) == 3);
    assert(take(tfd) == 1);
}

static void mode_gettime(void)
{
    struct itimerspec its, old;
    arm(tfd, 50, 0);
    assert(timerfd_gettime(tfd, &its) == 0);
    long left = its.it_value.tv_nsec;
    assert(its.it_value.tv_sec == 0 && left <= 50000000 && its.it_interval.tv_nsec == 0);
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    assert(left > 0 || poll(&p, 1, 0) == 1);          /* nothing left: it expired */
    memset(&its, 0, sizeof its);
    assert(timerfd_settime(tfd, 0, &its, &old) == 0);
    assert(old.it_value.tv_sec == 0 && old.it_value.tv_nsec <= left);   /* 0 once expired */
    assert(timerfd_gettime(tfd, &its) == 0 && its.it_value.tv_nsec == 0);
}

static void mode_errors(void)
{
    int nb = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    uint64_t n = 1;
    arm(nb, 5, 0);
    ssize_t got = read(nb, &n, sizeof n);
    assert(got == -1 ? errno == EAGAIN : n == 1);   /* before the expiry, or after */
    assert(write(nb, &n, sizeof n) == -1 && errno == EINVAL);
    assert(read(nb, &n, 4) == -1 && errno == EINVAL);
    assert(timerfd_create(12345, 0) == -1 && errno == EINVAL);
    assert(timerfd_create(CLOCK_MONOTONIC, 0x4000) == -1 && errno == EINVAL);
    struct itimerspec bad = { .it_value = { 0, 1000000000 } };
    assert(timerfd_settime(nb, 0, &bad, NULL) == -1 && errno == EINVAL);
    int p[2];
    assert(pipe(p) == 0);
    struct itimerspec its;
    assert(timerfd_gettime(p[0], &its) == -1 && errno == EINVAL);
    close(p[0]);
    close(p[1]);
    close(nb);
}

static void mode_abstime(void)
{
    struct timespec start = now();
    struct itimerspec its = { .it_value = { start.tv_sec, start.tv_nsec + 20000000 } };
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000;
    }
    assert(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0);
    sleep_until(&start, 25);
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    assert(poll(&p, 1, 0) == 1);
    assert(take(tfd) == 1);
}

static void *armer(void *arg)
{
    (void)arg;
    arm(tfd, 5, 0);
    return NULL;
}

static void mode_arm(void)
{
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN }, got;
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) == 0);
    pthread_t t;
    pthread_create(&t, NULL, armer, NULL);
    int n = epoll_wait(ep, &got, 1, -1);
    assert(n == 1 && got.events == EPOLLIN);
    assert(take(tfd) == 1);
    pthread_join(t, NULL);
    close(ep);
}

static void *reader(void *arg)
{
    (void)arg;
    take(tfd);
    return NULL;
}

static void mode_disarmed(void)
{
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*run)(void); } modes[] = {
        { "poll", mode_poll }, { "periodic", mode_periodic }, { "gettime", mode_gettime },
        { "errors", mode_errors }, { "abstime", mode_abstime }, { "arm", mode_arm },
        { "disarmed", mode_disarmed },
    };
    tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    assert(tfd >= 0);
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (argc > 1 && strcmp(argv[1], modes[i].name) == 0)
            modes[i].run();
    close(tfd);
    return 0;
}
