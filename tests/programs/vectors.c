/*
** vectors.c -- readv, writev, sendto, recvfrom, sendmsg and recvmsg on the
** modelled descriptors, with Linux's results (tests/programs.sh). The mode:
**   pipe     two threads' writevs into one pipe are each one write (never
**            interleaved), read back by readv across other boundaries;
**            EINVAL for a count Linux refuses, ENOTSOCK for sendto;
**            -DA_FIRST claims one order, which the other breaks
**   dgram    a datagram socket pair keeps each sendmsg one message:
**            recvmsg cuts a long one (MSG_TRUNC), gives no ancillary
**            data and no sender address; sendto and recvfrom alike;
**            ENOENT for a name no socket of the program is bound to
**   stream   a Unix stream socket pair: sendto with an address EISCONN,
**            recvfrom with no sender address
**   inet     loopback TCP: sendto's address ignored, recvfrom's empty;
**            a Unix socket: EOPNOTSUPP unconnected, the server's path as
**            the sender's address once connected
**   stdout   writev to standard output, kept for the report (exit 3)
**   control  ancillary data: not supported yet, at its line
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

static int fds[2];

static void *writes_a(void *arg)
{
    (void)arg;
    struct iovec v[3] = { { "AA", 2 }, { "AAAA", 4 }, { "aa", 2 } };
    assert(writev(fds[1], v, 3) == 8);
    return NULL;
}

static void *writes_b(void *arg)
{
    (void)arg;
    struct iovec v[2] = { { "BBBBB", 5 }, { "bbb", 3 } };
    assert(writev(fds[1], v, 2) == 8);
    return NULL;
}

static void pipe_mode(void)
{
    pipe(fds);
    pthread_t a, b;
    pthread_create(&a, NULL, writes_a, NULL);
    pthread_create(&b, NULL, writes_b, NULL);
    char first[5], rest[11];
    struct iovec in[2] = { { first, 5 }, { rest, 11 } };
    ssize_t got = 0;
    while (got < 16) {                /* a pipe read may return early: read on */
        struct iovec left[2];
        int n = 0;
        if (got < 5)
            left[n++] = (struct iovec){ first + got, (size_t)(5 - got) };
        size_t r = got > 5 ? (size_t)(got - 5) : 0;
        left[n++] = (struct iovec){ rest + r, 11 - r };
        ssize_t k = readv(fds[0], left, n);
        assert(k > 0);
        got += k;
    }
    char all[17];
    memcpy(all, in[0].iov_base, 5);
    memcpy(all + 5, in[1].iov_base, 11);
    all[16] = 0;
    assert(strcmp(all, "AAAAAAaaBBBBBbbb") == 0 || strcmp(all, "BBBBBbbbAAAAAAaa") == 0);
#ifdef A_FIRST
    assert(strcmp(all, "AAAAAAaaBBBBBbbb") == 0);   /* broken: either writev may go first */
#endif
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    struct iovec none[1];
    errno = 0;
    assert(writev(fds[1], none, -1) == -1 && errno == EINVAL);
    errno = 0;
    assert(readv(fds[0], none, 1025) == -1 && errno == EINVAL);
    assert(readv(fds[0], none, 0) == 0);
    errno = 0;
    assert(sendto(fds[1], "x", 1, 0, NULL, 0) == -1 && errno == ENOTSOCK);
    close(fds[1]);
    char c;
    struct iovec one = { &c, 1 };
    assert(readv(fds[0], &one, 1) == 0);          /* the end of the stream */
}

static void *sends_messages(void *arg)
{
    (void)arg;
    struct iovec v[2] = { { "hello ", 6 }, { "world", 5 } };
    struct msghdr m = { .msg_iov = v, .msg_iovlen = 2 };
    assert(sendmsg(fds[1], &m, 0) == 11);
    assert(sendto(fds[1], "second", 6, 0, NULL, 0) == 6);
    assert(send(fds[1], "third", 5, 0) == 5);
    return NULL;
}

static void dgram_mode(void)
{
    socketpair(AF_UNIX, SOCK_DGRAM, 0, fds);
    pthread_t t;
    pthread_create(&t, NULL, sends_messages, NULL);
    char a[4], b[3], control[64];
    struct iovec v[2] = { { a, 4 }, { b, 3 } };
    struct sockaddr_un from;
    memset(&from, 0x55, sizeof from);
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = v,
                        .msg_iovlen = 2, .msg_control = control,
                        .msg_controllen = sizeof control };
    assert(recvmsg(fds[0], &m, 0) == 7);          /* "hello w", the rest dropped */
    assert(memcmp(a, "hell", 4) == 0 && memcmp(b, "o w", 3) == 0);
    assert(m.msg_flags == MSG_TRUNC && m.msg_controllen == 0 && m.msg_namelen == 0);
    assert(from.sun_family == 0x5555);            /* no sender address written */
    char buf[16];
    socklen_t len = sizeof from;
    assert(recvfrom(fds[0], buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 6);
    assert(memcmp(buf, "second", 6) == 0 && len == 0);
    struct iovec whole = { buf, sizeof buf };
    m = (struct msghdr){ .msg_iov = &whole, .msg_iovlen = 1 };
    assert(recvmsg(fds[0], &m, 0) == 5 && m.msg_flags == 0 && memcmp(buf, "third", 5) == 0);
    pthread_join(t, NULL);
    struct sockaddr_un to = { .sun_family = AF_UNIX, .sun_path = "/tmp/nowhere" };
    errno = 0;                        /* a name no socket of the program has */
    assert(sendto(fds[0], "x", 1, 0, (struct sockaddr *)&to, sizeof to) == -1 &&
           errno == ENOENT);
}

static void stream_mode(void)
{
    socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
    struct sockaddr_un to = { .sun_family = AF_UNIX, .sun_path = "/tmp/nowhere" };
    errno = 0;
    assert(sendto(fds[0], "x", 1, 0, (struct sockaddr *)&to, sizeof to) == -1 &&
           errno == EISCONN);
    assert(sendto(fds[0], "xy", 2, 0, NULL, 0) == 2);
    assert(sendto(fds[0], "z", 1, 0, (struct sockaddr *)&to, 0) == 1);   /* length 0: none */
    char buf[8];
    struct sockaddr_un from;
    memset(&from, 0x55, sizeof from);
    socklen_t len = sizeof from;
    assert(recvfrom(fds[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 3);
    assert(memcmp(buf, "xyz", 3) == 0 && len == 0 && from.sun_family == 0x5555);
}

static int server_fd;

static void *serves(void *arg)
{
    (void)arg;
    int s = accept(server_fd, NULL, NULL);
    char buf[8];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    assert(recvfrom(s, buf, 3, MSG_WAITALL, (struct sockaddr *)&from, &len) == 3);
    assert(memcmp(buf, "abc", 3) == 0 && len == 0);
    assert(send(s, "ok", 2, 0) == 2);
    close(s);
    return NULL;
}

static void inet_mode(void)
{
    server_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons(7070),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert(bind(server_fd, (struct sockaddr *)&at, sizeof at) == 0);
    listen(server_fd, 1);
    pthread_t t;
    pthread_create(&t, NULL, serves, NULL);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(c, (struct sockaddr *)&at, sizeof at) == 0);
    struct sockaddr_in elsewhere = { .sin_family = AF_INET, .sin_port = htons(1),
                                     .sin_addr.s_addr = htonl(0x01020304) };
    assert(sendto(c, "abc", 3, 0, (struct sockaddr *)&elsewhere, sizeof elsewhere) == 3);
    char buf[2];
    struct iovec v = { buf, 2 };
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
    assert(recvmsg(c, &m, MSG_WAITALL) == 2 && memcmp(buf, "ok", 2) == 0);
    pthread_join(t, NULL);

    struct sockaddr_un path = { .sun_family = AF_UNIX, .sun_path = "/tmp/weft-vectors.sock" };
    int l = socket(AF_UNIX, SOCK_STREAM, 0), u = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    assert(sendto(u, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&path, sizeof path) == -1 &&
           errno == EOPNOTSUPP);
    assert(bind(l, (struct sockaddr *)&path, sizeof path) == 0 && listen(l, 1) == 0);
    assert(connect(u, (struct sockaddr *)&path, sizeof path) == 0);
    int s = accept(l, NULL, NULL);
    assert(write(s, "hi", 2) == 2);
    struct sockaddr_un from;
    socklen_t len = sizeof from;
    assert(recvfrom(u, buf, 2, 0, (struct sockaddr *)&from, &len) == 2);
    assert(len == sizeof path && strcmp(from.sun_path, path.sun_path) == 0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "pipe";
    if (strcmp(mode, "pipe") == 0) {
        pipe_mode();
    } else if (strcmp(mode, "dgram") == 0) {
        dgram_mode();
    } else if (strcmp(mode, "stream") == 0) {
        stream_mode();
    } else if (strcmp(mode, "inet") == 0) {
        inet_mode();
    } else if (strcmp(mode, "stdout") == 0) {
        struct iovec v[3] = { { "gathered", 8 }, { " for ", 5 }, { "the report\n", 11 } };
        assert(writev(1, v, 3) == 24);
        return 3;
    } else if (strcmp(mode, "control") == 0) {
        socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
        char control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec v = { "x", 1 };
        struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = control,
                            .msg_controllen = sizeof control };
        sendmsg(fds[0], &m, 0);
    }
    return 0;
}
