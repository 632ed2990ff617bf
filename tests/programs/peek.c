/*
** peek.c -- recv, recvfrom and recvmsg with MSG_PEEK (and MSG_DONTWAIT)
** on the modelled sockets (tests/programs.sh): a peek gives the bytes the
** next read will give and leaves them there. The mode picks the socket:
**   stream    a socket pair: a writer sends "hello" then "world"; the
**             reader peeks, waiting for bytes, then reads what it peeked
**   dgram     a datagram socket pair: a peek of 2 bytes of a message, a
**             recvmsg peek that says MSG_TRUNC, then the whole message
**   unix      Unix datagram sockets made by socket(): recvfrom's peek
**             gives the sender's name, and the message stays
**   waitall   MSG_PEEK with MSG_WAITALL: not supported, named at its line
** -DPEEK_CONSUMES claims a peek takes the bytes: broken at its line.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int sv[2];

static void *writer(void *arg)
{
    (void)arg;
    assert(send(sv[1], "hello", 5, 0) == 5);
    assert(send(sv[1], "world", 5, 0) == 5);
    return NULL;
}

static void stream(void)
{
    char buf[16] = { 0 };
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    assert(recv(sv[0], buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT) == -1 && errno == EAGAIN);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    ssize_t peeked = recv(sv[0], buf, 3, MSG_PEEK);   /* waits for the first bytes */
    assert(peeked == 3 && memcmp(buf, "hel", 3) == 0);
#ifdef PEEK_CONSUMES
    assert(recv(sv[0], buf, 2, MSG_DONTWAIT) == 2 && memcmp(buf, "lo", 2) == 0);
#endif
    ssize_t got = recv(sv[0], buf, 5, 0);
    assert(got == 5 && memcmp(buf, "hello", 5) == 0);
    pthread_join(t, NULL);
    assert(recv(sv[0], buf, sizeof buf, MSG_PEEK) == 5 && memcmp(buf, "world", 5) == 0);
    assert(read(sv[0], buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0);
    close(sv[0]);
    close(sv[1]);
}

static void dgram(void)
{
    char buf[16] = { 0 };
    assert(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    assert(recv(sv[0], buf, 2, MSG_PEEK) == 2 && memcmp(buf, "he", 2) == 0);
    struct iovec iov = { buf, 3 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    assert(recvmsg(sv[0], &m, MSG_PEEK) == 3 && m.msg_flags == MSG_TRUNC);
    assert(recv(sv[0], buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    assert(recv(sv[0], buf, sizeof buf, 0) == 5 && memcmp(buf, "world", 5) == 0);
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
}

static void unix_named(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/tmp/peek-a.sock" };
    struct sockaddr_un b = { .sun_family = AF_UNIX, .sun_path = "/tmp/peek-b.sock" };
    int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert(bind(sa, (struct sockaddr *)&a, sizeof a) == 0);
    assert(bind(sb, (struct sockaddr *)&b, sizeof b) == 0);
    assert(sendto(sb, "ping", 4, 0, (struct sockaddr *)&a, sizeof a) == 4);
    char buf[8];
    struct sockaddr_un from;
    socklen_t len = sizeof from;
    assert(recvfrom(sa, buf, sizeof buf, MSG_PEEK, (struct sockaddr *)&from, &len) == 4);
    assert(strcmp(from.sun_path, b.sun_path) == 0);
    assert(recvfrom(sa, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL) == 4);
    assert(memcmp(buf, "ping", 4) == 0);
    assert(recv(sa, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT) == -1 && errno == EAGAIN);
    close(sa);
    close(sb);
}

static void waitall(void)
{
    char buf[4];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    assert(send(sv[1], "ab", 2, 0) == 2);
    recv(sv[0], buf, sizeof buf, MSG_PEEK | MSG_WAITALL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "stream";
    if (strcmp(mode, "stream") == 0)
        stream();
    else if (strcmp(mode, "dgram") == 0)
        dgram();
    else if (strcmp(mode, "unix") == 0)
        unix_named();
    else if (strcmp(mode, "waitall") == 0)
        waitall();
    else
        return 2;
    return 0;
}
