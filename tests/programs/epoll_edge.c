/*
** epoll_edge.c -- edge-triggered epoll (EPOLLET) on the modelled pipes,
** sockets and eventfds (tests/programs.sh). Linux queues an EPOLLET entry
** when its file's wait queue is woken and reports it once; it comes again
** only after another wake-up, whatever is still unread. The modes that
** run one thread (semantics, out_edge) assert what Linux gives and are
** run natively too (gcc epoll_edge.c && ./a.out semantics).
**   drain        a reader reads a pipe until EAGAIN after each event, as
**                EPOLLET asks, while a writer writes three times and
**                closes: it gets every byte and the end, in every order
**   split        the classic EPOLLET bug: the reader reads one byte an
**                event and a writer writes "a" then "b", then waits for
**                the reader's answer: when both writes come before the
**                reader's wait, one event covers both, and the reader
**                waits for ever beside a byte it never reads (a deadlock
**                in some interleavings only); -DLEVEL watches level
**                triggered, and it always ends
**   accept_one   an acceptor that accepts one connection an event, two
**                clients that each wait for a byte back: the same bug on
**                a listening socket
**   out          a writer fills a nonblocking pipe until EAGAIN, waits
**                for EPOLLOUT and finishes, while a reader drains it
**   semantics    one thread: an eventfd's every write is an edge, even
**                with its count above 0; a reported entry is quiet until
**                a new write; EPOLL_CTL_MOD reports what is ready again; a
**                pipe's writer that closes is one more edge (EPOLLHUP);
**                with EPOLLONESHOT too, no edge comes until a MOD
**   out_edge     one thread: a read of a pipe that was not full gives its
**                writer no EPOLLOUT edge, one of a full pipe does
**   timerfd      one thread: a periodic timerfd left unread is one edge:
**                the kernel's timer stops until a read restarts it, so a
**                wait while five more periods pass times out; after the
**                read, the next expiry is an edge again
**   gettime      one thread: timerfd_gettime of an expired periodic timerfd
**                restarts it too (do_timerfd_gettime), unread: the next
**                expiry is an edge (weft waited for ever)
*/
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "loopback.h"

#ifdef LEVEL
#define TRIGGER 0
#else
#define TRIGGER EPOLLET
#endif

static int p[2], answer[2];

static void watch(int ep, int op, int fd, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.fd = fd };
    assert(epoll_ctl(ep, op, fd, &ev) == 0);
}

/* What one wait of at most timeout_ms reports for a single entry: its
** events, or 0. */
static uint32_t wait_one(int ep, int timeout_ms)
{
    struct epoll_event ev;
    int n = epoll_wait(ep, &ev, 1, timeout_ms);
    assert(n == 0 || n == 1);
    return n ? ev.events : 0;
}

static void *write_three(void *arg)
{
    (void)arg;
    assert(write(p[1], "a", 1) == 1);
    assert(write(p[1], "bc", 2) == 2);
    assert(write(p[1], "d", 1) == 1);
    close(p[1]);
    return NULL;
}

static void drain(void)
{
    int ep = epoll_create1(0);
    assert(ep >= 0 && pipe2(p, O_NONBLOCK) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET);
    pthread_t t;
    pthread_create(&t, NULL, write_three, NULL);
    int bytes = 0;
    for (bool open = true; open;) {
        assert(wait_one(ep, -1) != 0);
        for (;;) {                    /* read until EAGAIN: the next edge needs it */
            char buf[2];
            ssize_t got = read(p[0], buf, sizeof buf);
            if (got < 0) {
                assert(errno == EAGAIN);
                break;
            }
            bytes += (int)got;
            if (got == 0) {
                open = false;
                break;
            }
        }
    }
    assert(bytes == 4);
    pthread_join(t, NULL);
}

static void *write_split(void *arg)
{
    (void)arg;
    char c;
    assert(write(p[1], "a", 1) == 1);
    assert(write(p[1], "b", 1) == 1);
    assert(read(answer[0], &c, 1) == 1);   /* both taken */
    return NULL;
}

static void split(void)
{
    int ep = epoll_create1(0);
    assert(ep >= 0 && pipe(p) == 0 && pipe(answer) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | TRIGGER);
    pthread_t t;
    pthread_create(&t, NULL, write_split, NULL);
    char got[2];
    for (int i = 0; i < 2; i++) {
        assert(wait_one(ep, -1) & EPOLLIN);
        assert(read(p[0], &got[i], 1) == 1);   /* one byte an event: the bug */
    }
    assert(got[0] == 'a' && got[1] == 'b');
    assert(write(answer[1], "k", 1) == 1);
    pthread_join(t, NULL);
}

static struct sockaddr_in server;

static void *client(void *arg)
{
    (void)arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    char c;
    assert(connect(s, (struct sockaddr *)&server, sizeof server) == 0);
    assert(read(s, &c, 1) == 1);      /* the acceptor's greeting */
    close(s);
    return NULL;
}

static void accept_one(void)
{
    int l = loopback_listener(&server);   /* backlog 1: two connections wait */
    int ep = epoll_create1(0);
    watch(ep, EPOLL_CTL_ADD, l, EPOLLIN | TRIGGER);
    pthread_t a, b;
    pthread_create(&a, NULL, client, NULL);
    pthread_create(&b, NULL, client, NULL);
    for (int i = 0; i < 2; i++) {
        assert(wait_one(ep, -1) & EPOLLIN);
        int c = accept(l, NULL, NULL);   /* one an event: the bug */
        assert(c >= 0 && write(c, "h", 1) == 1);
        close(c);
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
}

static char page[4096];

static void *read_all(void *arg)
{
    (void)arg;
    static char buf[65536];
    long total = 0;
    ssize_t got;
    while ((got = read(p[0], buf, sizeof buf)) > 0)
        total += got;
    assert(got == 0 && total == 65536 + 1);
    return NULL;
}

static void out(void)
{
    int ep = epoll_create1(0);
    assert(ep >= 0 && pipe(p) == 0);
    static char sixteen[65536];
    assert(write(p[1], sixteen, sizeof sixteen) == 65536);   /* 16 pages: full */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    watch(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET);
    assert(wait_one(ep, 0) == 0);                 /* full: not ready */
    pthread_t t;
    pthread_create(&t, NULL, read_all, NULL);
    while (write(p[1], "x", 1) != 1) {
        assert(errno == EAGAIN);
        assert(wait_one(ep, -1) & EPOLLOUT);
    }
    close(p[1]);
    pthread_join(t, NULL);
}

static void semantics(void)
{
    int ep = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK);
    uint64_t one = 1, v;
    assert(ep >= 0 && efd >= 0 && pipe(p) == 0);
    watch(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET);
    assert(wait_one(ep, 0) == 0);                 /* nothing yet */
    assert(write(efd, &one, sizeof one) == sizeof one);
    assert(wait_one(ep, 0) == EPOLLIN);
    assert(wait_one(ep, 0) == 0);                 /* reported, nothing new */
    assert(write(efd, &one, sizeof one) == sizeof one);
    assert(wait_one(ep, 0) == EPOLLIN);           /* a write is an edge, count 2 */
    watch(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLET);
    assert(wait_one(ep, 0) == EPOLLIN);           /* MOD: ready, so reported */
    assert(read(efd, &v, sizeof v) == sizeof v && v == 2);
    assert(wait_one(ep, 0) == 0);
    watch(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLET | EPOLLONESHOT);
    assert(write(efd, &one, sizeof one) == sizeof one);
    assert(wait_one(ep, 0) == EPOLLIN);
    assert(write(efd, &one, sizeof one) == sizeof one);
    assert(wait_one(ep, 0) == 0);                 /* one shot: disabled */
    watch(ep, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLET | EPOLLONESHOT);
    assert(wait_one(ep, 0) == EPOLLIN);           /* re-armed, and ready */
    assert(read(efd, &v, sizeof v) == sizeof v && v == 2);
    watch(ep, EPOLL_CTL_DEL, efd, 0);

    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET);
    assert(write(p[1], "ab", 2) == 2);
    assert(wait_one(ep, 0) == EPOLLIN);
    char c;
    assert(read(p[0], &c, 1) == 1);
    assert(wait_one(ep, 10) == 0);                /* "b" is there, but no edge */
    close(p[1]);
    assert(wait_one(ep, 0) == (EPOLLIN | EPOLLHUP));   /* the close is one */
    assert(wait_one(ep, 0) == 0);
}

static void out_edge(void)
{
    int ep = epoll_create1(0);
    assert(ep >= 0 && pipe(p) == 0);
    watch(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET);
    assert(wait_one(ep, 0) == EPOLLOUT);          /* added while writable */
    assert(wait_one(ep, 0) == 0);
    char c;
    assert(write(p[1], "a", 1) == 1 && read(p[0], &c, 1) == 1);
    assert(wait_one(ep, 0) == 0);                 /* the pipe was not full */
    static char buf[65536];
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    long filled = 0;
    for (ssize_t put; (put = write(p[1], page, sizeof page)) > 0;)
        filled += put;
    assert(errno == EAGAIN && filled == 65536);   /* a's page was freed */
    assert(wait_one(ep, 0) == 0);
    assert(read(p[0], buf, 4096) == 4096);        /* a page of a full pipe */
    assert(wait_one(ep, 0) == EPOLLOUT);
}

/* A timerfd every 10 ms, watched edge-triggered by *ep, its first expiry
** reported. */
static int every_10ms_reported(int *ep)
{
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec every_10ms = { .it_interval = { 0, 10000000 }, .it_value = { 0, 10000000 } };
    *ep = epoll_create1(0);
    assert(*ep >= 0 && t >= 0 && timerfd_settime(t, 0, &every_10ms, NULL) == 0);
    watch(*ep, EPOLL_CTL_ADD, t, EPOLLIN | EPOLLET);
    assert(wait_one(*ep, -1) == EPOLLIN);
    return t;
}

static void timerfd(void)
{
    int ep, t = every_10ms_reported(&ep);
    assert(wait_one(ep, 50) == 0);                /* no read: no more edges */
    uint64_t n;
    assert(read(t, &n, sizeof n) == sizeof n && n >= 5);
    assert(wait_one(ep, -1) == EPOLLIN);          /* restarted by the read */
}

static void gettime(void)
{
    int ep, t = every_10ms_reported(&ep);
    struct itimerspec left;
    assert(timerfd_gettime(t, &left) == 0);
    assert(wait_one(ep, -1) == EPOLLIN);          /* restarted by the gettime */
    uint64_t n;
    assert(read(t, &n, sizeof n) == sizeof n && n >= 2);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "drain";
    if (strcmp(mode, "drain") == 0)
        drain();
    else if (strcmp(mode, "split") == 0)
        split();
    else if (strcmp(mode, "accept_one") == 0)
        accept_one();
    else if (strcmp(mode, "out") == 0)
        out();
    else if (strcmp(mode, "semantics") == 0)
        semantics();
    else if (strcmp(mode, "out_edge") == 0)
        out_edge();
    else if (strcmp(mode, "timerfd") == 0)
        timerfd();
    else if (strcmp(mode, "gettime") == 0)
        gettime();
    else
        return 2;
    return 0;
}
