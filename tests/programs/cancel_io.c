/*
** cancel_io.c -- the I/O calls are cancellation points (tests/programs.sh).
** A worker waits in one call, main cancels it and joins it: the worker's
** cleanup handler ran and its join sees PTHREAD_CANCELED, whether the
** request comes before the call (acted on at once) or while the worker
** waits there (the wait ends). The argument picks the call:
**   read      read of an empty pipe
**   data      the same, main writes a byte first: the worker may read it
**             or not, and waits in its next read
**   write     a write of more than a pipe holds that nobody reads: what
**             went in before the wait is returned (the request stays),
**             the next write waits and is cancelled
**   recv      recv on a socket pair
**   poll      poll of an empty pipe, no timeout
**   ppoll     ppoll of an empty pipe, no timeout
**   select    select of an empty pipe, no timeout
**   pselect   pselect of an empty pipe, no timeout
**   epoll     epoll_wait on an empty pipe, no timeout
**   accept    accept on a listening socket nobody connects to
**   sleep     poll of no descriptor, 10 s: a sleep
** Each passes in every interleaving; -DNO_CANCEL leaves the request out
** (the join waits for ever: a deadlock); -DCLAIM_NOTHING_WRITTEN claims
** that no write returned (false: the one the cancel cut did).
*/
#include <assert.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static int ends[2], listener, cleaned, bytes_read;
static long written;
static const char *mode;

static void cleanup(void *arg)
{
    (void)arg;
    cleaned = 1;
}

static void close_it(void *fd)
{
    close((int)(long)fd);
}

/* The call the mode names, once; every one of them waits for ever. */
static void wait_once(void)
{
    static char big[70000];
    char c;
    if (strcmp(mode, "read") == 0 || strcmp(mode, "data") == 0) {
        bytes_read += (int)read(ends[0], &c, 1);
    } else if (strcmp(mode, "write") == 0) {
        ssize_t k = write(ends[1], big, sizeof big);
        assert(k == 65536);           /* what fits; never cancelled with bytes in */
        written += k;
    } else if (strcmp(mode, "recv") == 0) {
        (void)recv(ends[0], &c, 1, 0);
    } else if (strcmp(mode, "poll") == 0 || strcmp(mode, "ppoll") == 0) {
        struct pollfd p = { .fd = ends[0], .events = POLLIN };
        if (mode[0] == 'p' && mode[1] == 'o')
            (void)poll(&p, 1, -1);
        else
            (void)ppoll(&p, 1, NULL, NULL);
    } else if (strcmp(mode, "select") == 0 || strcmp(mode, "pselect") == 0) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(ends[0], &rd);
        if (mode[0] == 's')
            (void)select(ends[0] + 1, &rd, NULL, NULL, NULL);
        else
            (void)pselect(ends[0] + 1, &rd, NULL, NULL, NULL, NULL);
    } else if (strcmp(mode, "epoll") == 0) {
        int ep = epoll_create1(0);
        struct epoll_event ev = { .events = EPOLLIN }, got;
        assert(epoll_ctl(ep, EPOLL_CTL_ADD, ends[0], &ev) == 0);
        pthread_cleanup_push(close_it, (void *)(long)ep);
        (void)epoll_wait(ep, &got, 1, -1);
        pthread_cleanup_pop(1);
    } else if (strcmp(mode, "accept") == 0) {
        (void)accept(listener, NULL, NULL);
    } else {
        (void)poll(NULL, 0, 10000);
    }
}

static void *worker(void *arg)
{
    pthread_cleanup_push(cleanup, NULL);
    for (;;)
        wait_once();
    pthread_cleanup_pop(0);
    return arg;
}

static void make_ends(void)
{
    if (strcmp(mode, "recv") == 0) {
        assert(socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
    } else if (strcmp(mode, "accept") == 0) {
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        listener = socket(AF_INET, SOCK_STREAM, 0);
        assert(bind(listener, (struct sockaddr *)&a, sizeof a) == 0);
        assert(listen(listener, 1) == 0);
    } else {
        assert(pipe(ends) == 0);
    }
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    signal(SIGPIPE, SIG_IGN);
    make_ends();
    pthread_t t;
    void *result;
    pthread_create(&t, NULL, worker, NULL);
    if (strcmp(mode, "data") == 0)
        assert(write(ends[1], "x", 1) == 1);
#ifndef NO_CANCEL
    assert(pthread_cancel(t) == 0);
#endif
    assert(pthread_join(t, &result) == 0);
    assert(result == PTHREAD_CANCELED);
    assert(cleaned == 1);
    assert(bytes_read <= 1 && (written == 0 || written == 65536));
#ifdef CLAIM_NOTHING_WRITTEN
    assert(written == 0);             /* false: a write the cancel cut returned */
#endif
    return 0;
}
