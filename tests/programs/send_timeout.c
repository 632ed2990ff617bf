/* send_timeout.c -- SO_SNDTIMEO on a socket (tests/programs.sh). A write
** that waits for room longer than the send timeout fails with EAGAIN, or
** gives the bytes that went in, as on Linux; the timeout runs on weft's
** clock and races the reads that make room, as any timeout does. (weft
** accepted the option and ignored it: a write to a full socket that
** nobody reads was a deadlock.) main sets a 50 ms send timeout and a
** small send buffer, fills the socket, checks that a write with nobody
** reading gives up after 50 ms and that a long write gives what went in;
** then a reader thread drains the socket while main writes a record and
** asserts that it went: the reader may be slower than the timeout, an
** assertion. -DFIXED: main treats the timeout as a timeout (it writes the
** rest again). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int s[2];
static char buf[8192];

static void *reader(void *arg)
{
    (void)arg;
    usleep(10000);
    while (read(s[1], buf, sizeof buf) > 0)
        ;
    return NULL;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Non-blocking writes of one byte until the socket is full. */
static void fill(void)
{
    int flags = fcntl(s[0], F_GETFL);
    assert(fcntl(s[0], F_SETFL, flags | O_NONBLOCK) == 0);
    while (write(s[0], "x", 1) == 1)
        ;
    assert(errno == EAGAIN);
    assert(fcntl(s[0], F_SETFL, flags) == 0);
}

int main(void)
{
    struct timeval tv = { 0, 50000 }, got;
    socklen_t len = sizeof got;
    struct timespec t0;
    int sndbuf = 1;                   /* the least: 4,608 bytes, 6 small writes */
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    assert(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
    assert(setsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    assert(getsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0);
    assert(len == sizeof got && got.tv_sec == 0 && got.tv_usec >= 50000 && got.tv_usec < 60000);
    fill();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert(write(s[0], "y", 1) == -1 && errno == EAGAIN && ms_since(&t0) >= 50);
    assert(read(s[1], buf, sizeof buf) == 6);
    /* 5,000 bytes go in pieces of 2,240 (half the buffer, less 64): two
    ** fit, the third waits and times out */
    assert(write(s[0], buf, 5000) == 4480);
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    ssize_t n = write(s[0], buf, 100);
#ifdef FIXED
    while (n == -1 && errno == EAGAIN)
        n = write(s[0], buf, 100);
#endif
    assert(n == 100);
    shutdown(s[0], SHUT_WR);
    pthread_join(t, NULL);
    return 0;
}
