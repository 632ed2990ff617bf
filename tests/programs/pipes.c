/*
** pipes.c -- pipes and socket pairs between threads (weft run, issue 10):
** bytes arrive in order, the end of a stream after the last close, EPIPE
** on a closed read end, EAGAIN on an empty non-blocking pipe, a write
** longer than the pipe's capacity waiting for the reader, poll and select,
** and a real file's descriptor passing through. Passes in every
** interleaving. The argument picks one part (1 to 5): their interleavings
** would multiply.
*/
#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIG 70000                     /* more than a pipe holds */

static int fds[2];
static int sv[2];
static char big[BIG];

static void *say_hello(void *arg)
{
    (void)arg;
    assert(write(fds[1], "hel", 3) == 3);
    assert(write(fds[1], "lo", 2) == 2);
    assert(close(fds[1]) == 0);
    return NULL;
}

/* Bytes in order, then the end of the stream. */
static void pipe_in_order(void)
{
    pthread_t t;
    char buf[16] = { 0 };
    size_t got = 0;
    ssize_t n;
    assert(pipe(fds) == 0);
    pthread_create(&t, NULL, say_hello, NULL);
    while ((n = read(fds[0], buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    assert(n == 0 && got == 5 && memcmp(buf, "hello", 5) == 0);
    pthread_join(t, NULL);
    close(fds[0]);
}

static void *echo(void *arg)
{
    (void)arg;
    char buf[8];
    ssize_t n;
    while ((n = recv(sv[1], buf, sizeof buf, 0)) > 0)
        assert(send(sv[1], buf, (size_t)n, MSG_NOSIGNAL) == n);
    close(sv[1]);
    return NULL;
}

/* A socket pair both ways; shutdown ends one direction; EPIPE after the
** peer closed, without SIGPIPE under MSG_NOSIGNAL. */
static void socketpair_echo(void)
{
    pthread_t t;
    char buf[8];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_create(&t, NULL, echo, NULL);
    assert(send(sv[0], "ping", 4, 0) == 4);
    assert(recv(sv[0], buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "ping", 4) == 0);
    assert(shutdown(sv[0], SHUT_WR) == 0);
    assert(read(sv[0], buf, sizeof buf) == 0);
    pthread_join(t, NULL);
    assert(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
    close(sv[0]);
}

/* Non-blocking: EAGAIN on empty; poll and select see what is there. */
static void nonblocking_and_poll(void)
{
    char c;
    int p[2];
    assert(pipe2(p, O_NONBLOCK) == 0);
    assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    assert(read(p[0], &c, 1) == -1 && errno == EAGAIN);
    struct pollfd pf = { .fd = p[0], .events = POLLIN };
    assert(poll(&pf, 1, 0) == 0);
    assert(write(p[1], "z", 1) == 1);
    assert(poll(&pf, 1, -1) == 1 && (pf.revents & POLLIN));
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    assert(select(p[0] + 1, &rd, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &rd));
    assert(read(p[0], &c, 1) == 1 && c == 'z');
    struct timeval tv = { 0, 1000 };
    assert(select(p[0] + 1, &rd, NULL, NULL, &tv) == 0);   /* times out: virtual time */
    close(p[1]);
    assert(poll(&pf, 1, -1) == 1 && (pf.revents & POLLHUP));
    close(p[0]);
}

/* Bytes stay in order across the ring's wrap and growth. */
static void in_order_across_the_ring(void)
{
    char a[200], b[300];
    int p[2];
    assert(pipe(p) == 0);
    memset(a, 'a', 200);
    assert(write(p[1], a, 200) == 200 && read(p[0], b, 100) == 100);
    memset(a, 'b', 100);
    assert(write(p[1], a, 100) == 100);       /* wraps */
    memset(a, 'c', 100);
    assert(write(p[1], a, 100) == 100);       /* grows */
    assert(read(p[0], b, sizeof b) == 300);
    for (int i = 0; i < 300; i++)
        assert(b[i] == (i < 100 ? 'a' : i < 200 ? 'b' : 'c'));
    close(p[0]);
    close(p[1]);
}

static void *drain(void *arg)
{
    static char sink[BIG];
    size_t got = 0;
    ssize_t n;
    (void)arg;
    while ((n = read(fds[0], sink + got, sizeof sink - got)) > 0)
        got += (size_t)n;
    assert(got == BIG && sink[BIG - 1] == 'b');
    return NULL;
}

/* A write longer than the pipe waits for its reader. */
static void write_longer_than_pipe(void)
{
    pthread_t t;
    memset(big, 'b', sizeof big);
    assert(pipe(fds) == 0);
    pthread_create(&t, NULL, drain, NULL);
    assert(write(fds[1], big, sizeof big) == BIG);
    close(fds[1]);
    pthread_join(t, NULL);
    close(fds[0]);
}

int main(int argc, char **argv)
{
    static void (*const parts[])(void) = {
        pipe_in_order, socketpair_echo, nonblocking_and_poll, write_longer_than_pipe,
        in_order_across_the_ring,
    };
    int part = argc > 1 ? atoi(argv[1]) : 0;
    assert(part >= 1 && part <= 5);
    int devnull = open("/dev/null", O_WRONLY);
    assert(devnull >= 0 && write(devnull, "x", 1) == 1);   /* a real file passes through */
    close(devnull);
    parts[part - 1]();
    return 0;
}
