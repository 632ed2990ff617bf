/* eventfd.c -- an eventfd between the program's threads (tests/programs.sh).
** Its count is modelled as Linux has it, each read and write a step: a read
** takes the count (EFD_SEMAPHORE: 1 of it) and waits while it is 0, a write
** adds its value; poll and epoll see POLLIN while the count is not 0. (An
** eventfd was a real descriptor, its reads and writes no steps: a worker
** that reads before main writes passed, "exhaustive".) The mode is the
** first argument:
**   rules   one thread: the count, EFD_SEMAPHORE, EAGAIN, EINVAL for short
**           reads and writes and for 2^64 - 1, a write that would pass
**           2^64 - 2, poll bits, eventfd_read and eventfd_write;
**   race    a worker's non-blocking read may come before main's write:
**           an assertion;
**   wake    a worker waits in epoll_wait, then reads, while main writes
**           twice: a pass in every order;
**   once    the same, main writing once: the worker waits for ever, in a
**           wait the report names by the program's own spellings. */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int efd;

static void rules(void)
{
    uint64_t v, big = UINT64_MAX - 1, all = UINT64_MAX;
    int e = eventfd(3, EFD_NONBLOCK), s = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE);
    char small[4];
    assert(e >= 0 && s >= 0);
    assert(read(e, small, sizeof small) == -1 && errno == EINVAL);
    assert(read(e, &v, sizeof v) == 8 && v == 3);
    assert(read(e, &v, sizeof v) == -1 && errno == EAGAIN);
    struct pollfd p = { .fd = e, .events = POLLIN | POLLOUT };
    assert(poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
    assert(eventfd_write(e, 2) == 0 && eventfd_write(e, 5) == 0);
    assert(poll(&p, 1, 0) == 1 && p.revents == (POLLIN | POLLOUT));
    assert(eventfd_read(e, &v) == 0 && v == 7);
    assert(write(e, &all, sizeof all) == -1 && errno == EINVAL);
    assert(write(e, small, sizeof small) == -1 && errno == EINVAL);
    assert(write(e, &big, sizeof big) == 8);
    v = 1;
    assert(write(e, &v, sizeof v) == -1 && errno == EAGAIN);
    assert(poll(&p, 1, 0) == 1 && p.revents == POLLIN);
    v = 2;
    assert(write(s, &v, sizeof v) == 8);
    assert(read(s, &v, sizeof v) == 8 && v == 1);
    assert(read(s, &v, sizeof v) == 8 && v == 1);
    assert(read(s, &v, sizeof v) == -1 && errno == EAGAIN);
    close(e);
    close(s);
}

static void *reader(void *arg)
{
    (void)arg;
    uint64_t v;
    assert(read(efd, &v, sizeof v) == 8);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    uint64_t v, got = 0;
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
    while (got < 2) {
        assert(epoll_wait(ep, &ev, 1, -1) == 1 && ev.events == EPOLLIN);
        assert(read(efd, &v, sizeof v) == 8);
        got += v;
    }
    assert(got == 2);
    close(ep);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "rules";
    if (strcmp(mode, "rules") == 0) {
        rules();
        return 0;
    }
    bool race = strcmp(mode, "race") == 0, once = strcmp(mode, "once") == 0;
    efd = eventfd(0, race ? EFD_NONBLOCK : 0);
    pthread_t t;
    pthread_create(&t, NULL, race ? reader : waiter, NULL);
    uint64_t one = 1;
    assert(write(efd, &one, sizeof one) == 8);
    if (!race && !once)
        assert(write(efd, &one, sizeof one) == 8);
    pthread_join(t, NULL);
    close(efd);
    return 0;
}
