/* reset.c -- a socket closed with bytes unread resets its peer
** (tests/programs.sh). On Linux, closing a stream socket whose receive
** queue holds unread bytes resets the connection: the peer's next read
** that finds nothing more fails with ECONNRESET, once, and then gives the
** end of the stream; writes fail with EPIPE. So does closing a listening
** socket that queued a connection it never accepted. (weft gave the end
** of the stream: a client that treats ECONNRESET as an error passed.) The
** mode is the first argument:
**   single    one thread writes a request, closes the other end unread
**             and reads: -1 ECONNRESET, then 0, then a write gets EPIPE;
**   listener  a client's request is queued on a listening socket that is
**             closed without accepting it: the client's read is a reset;
**   server    a server thread closes its end without reading the
**             client's request; the client, which may already wait in
**             read, asserts it gets the end of the stream: it may get a
**             reset. -DFIXED: the server reads the request first: a pass.
**   dgram     a SOCK_DGRAM pair's close resets nothing (Linux);
**   tcp       a TCP server closes a connection it accepted: the client's
**             first write still goes out (TCP tells it nothing of the
**             peer's reader), the reset that answers it fails the second
**             with EPIPE, and the client reads the end (weft failed the
**             first write: a SIGPIPE crash of a correct retry loop);
**   tcpunread the server closes it with the client's request unread: the
**             reset is already there, and the client's next write takes
**             it (ECONNRESET, no SIGPIPE), the one after fails with EPIPE,
**             and a read then finds the end (weft: EPIPE, a SIGPIPE);
**   queued    a TCP listener is shut down with the client's connection
**             queued: its first write is a reset (weft: EPIPE);
**   race      a TCP server thread closes a connection it accepted while
**             the client writes three bytes and reads: every order gives
**             one of Linux's four answers (the close is one step there;
**             weft's two steps gave a fifth: a write between them went
**             out, the next failed with EPIPE, and the read was a reset);
**   shut      what a poll finds on a shut-down listener: POLLHUP over TCP;
**             a Unix one POLLIN, and POLLIN | POLLHUP once shut both ways
**             (weft: POLLIN for all three). */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int sv[2];

static void *server(void *arg)
{
    (void)arg;
#ifdef FIXED
    char req[3];
    assert(read(sv[1], req, sizeof req) == 3);
#endif
    close(sv[1]);
    return NULL;
}

static void single(int type)
{
    char c;
    assert(socketpair(AF_UNIX, type, 0, sv) == 0);
    assert(write(sv[0], "req", 3) == 3);
    close(sv[1]);
    if (type == SOCK_DGRAM) {         /* the peer's close ends nothing */
        assert(recv(sv[0], &c, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN);
        return;
    }
    assert(read(sv[0], &c, 1) == -1 && errno == ECONNRESET);
    assert(read(sv[0], &c, 1) == 0);
    assert(write(sv[0], "x", 1) == -1 && errno == EPIPE);
}

/* A listening loopback socket on port, and a client connected to it. */
static int connected(int port, int *l)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *l = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(*l, (struct sockaddr *)&a, sizeof a) == 0 && listen(*l, 4) == 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    return c;
}

static void tcp(void)
{
    int l, c = connected(47131, &l);
    char b[4];
    close(accept(l, NULL, NULL));
    assert(read(c, b, sizeof b) == 0);
    assert(write(c, "req", 3) == 3);
    assert(write(c, "req", 3) == -1 && errno == EPIPE);
    close(c);
    close(l);
}

static void tcp_unread(void)
{
    int l, c = connected(47133, &l);
    char b[4];
    int s = accept(l, NULL, NULL);
    assert(write(c, "req", 3) == 3);
    close(s);
    assert(write(c, "req", 3) == -1 && errno == ECONNRESET);
    assert(write(c, "req", 3) == -1 && errno == EPIPE);
    assert(read(c, b, sizeof b) == 0);
    close(c);
    close(l);
}

static void queued(void)
{
    int l, c = connected(47135, &l);
    assert(shutdown(l, SHUT_RD) == 0);
    assert(write(c, "req", 3) == -1 && errno == ECONNRESET);
    assert(write(c, "req", 3) == -1 && errno == EPIPE);
    close(c);
    close(l);
}

/* What a poll for POLLIN finds on a listener of this family shut down how. */
static short shut_listener(int family, int how)
{
    struct sockaddr_storage a = { .ss_family = (sa_family_t)family };
    socklen_t len = sizeof(struct sockaddr_in);
    if (family == AF_INET) {
        ((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
        struct sockaddr_un *u = (struct sockaddr_un *)&a;
        snprintf(u->sun_path, sizeof u->sun_path, "/tmp/weft-reset-%d.sock", (int)getpid());
        unlink(u->sun_path);
        len = sizeof *u;
    }
    int l = socket(family, SOCK_STREAM, 0);
    assert(bind(l, (struct sockaddr *)&a, len) == 0 && listen(l, 4) == 0);
    assert(shutdown(l, how) == 0);
    struct pollfd p = { .fd = l, .events = POLLIN };
    assert(poll(&p, 1, 0) == 1);
    close(l);
    if (family == AF_UNIX)
        unlink(((struct sockaddr_un *)&a)->sun_path);
    return p.revents;
}

static int race_l;

static void *closer(void *arg)
{
    (void)arg;
    close(accept(race_l, NULL, NULL));
    return NULL;
}

static void race(void)
{
    static const char *const linux_gives[] = {
        "1 -104 -32 0",                /* closed after the first write: unread */
        "1 -32 -32 0",                 /* before it: a FIN, the write goes out */
        "1 1 -104 0", "1 1 1 -104",    /* after the second, after the third */
    };
    int c = connected(47137, &race_l);
    pthread_t t;
    pthread_create(&t, NULL, closer, NULL);
    char got[64] = "", b[4];
    for (int i = 0; i < 4; i++) {
        ssize_t r = i < 3 ? write(c, "x", 1) : read(c, b, 1);
        snprintf(got + strlen(got), sizeof got - strlen(got), i ? " %d" : "%d",
                 r < 0 ? -errno : (int)r);
    }
    pthread_join(t, NULL);
    int known = 0;
    for (int i = 0; i < 4; i++)
        known |= strcmp(got, linux_gives[i]) == 0;
    assert(known);
    close(c);
    close(race_l);
}

static void listener(void)
{
    int l, c = connected(47129, &l);
    char b[4];
    assert(write(c, "req", 3) == 3);
    close(l);
    assert(read(c, b, sizeof b) == -1 && errno == ECONNRESET);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "single";
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(mode, "single") == 0) {
        single(SOCK_STREAM);
    } else if (strcmp(mode, "dgram") == 0) {
        single(SOCK_DGRAM);
    } else if (strcmp(mode, "listener") == 0) {
        listener();
    } else if (strcmp(mode, "tcp") == 0) {
        tcp();
    } else if (strcmp(mode, "tcpunread") == 0) {
        tcp_unread();
    } else if (strcmp(mode, "race") == 0) {
        race();
    } else if (strcmp(mode, "queued") == 0) {
        queued();
    } else if (strcmp(mode, "shut") == 0) {
        assert(shut_listener(AF_INET, SHUT_RD) == POLLHUP);
        assert(shut_listener(AF_INET, SHUT_RDWR) == POLLHUP);
        assert(shut_listener(AF_UNIX, SHUT_RD) == POLLIN);
        assert(shut_listener(AF_UNIX, SHUT_RDWR) == (POLLIN | POLLHUP));
    } else {
        char c;
        assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        assert(write(sv[0], "req", 3) == 3);
        pthread_t t;
        pthread_create(&t, NULL, server, NULL);
        assert(read(sv[0], &c, 1) == 0);  /* the end of the reply */
        pthread_join(t, NULL);
    }
    return 0;
}
