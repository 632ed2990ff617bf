/* receive_timeout.c -- SO_RCVTIMEO on a socket (tests/programs.sh). A
** read that waits longer than the receive timeout fails with EAGAIN, as
** on Linux; the timeout runs on weft's clock and races the reply, as any
** timeout does. (weft accepted the option and ignored it: a read with no
** reply coming was a deadlock.) main sets a 50 ms timeout, checks that a
** read with nothing coming gives up after 50 ms, then waits for a server
** thread's reply and asserts that it came: the reply may be slower than
** the timeout, an assertion. -DFIXED: main treats the timeout as a
** timeout (it reads again). */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int s[2];

static void *server(void *arg)
{
    (void)arg;
    usleep(10000);
    assert(write(s[1], "r", 1) == 1);
    return NULL;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
    struct timeval tv = { 0, 50000 }, got;
    socklen_t len = sizeof got;
    struct timespec t0;
    char c;
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    assert(setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    assert(getsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0);
    assert(len == sizeof got && got.tv_sec == 0 && got.tv_usec >= 50000 && got.tv_usec < 60000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert(recv(s[0], &c, 1, 0) == -1 && errno == EAGAIN && ms_since(&t0) >= 50);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    ssize_t n = recv(s[0], &c, 1, 0);
#ifdef FIXED
    while (n == -1 && errno == EAGAIN)
        n = recv(s[0], &c, 1, 0);
#endif
    assert(n == 1);
    pthread_join(t, NULL);
    return 0;
}
