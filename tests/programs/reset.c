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
**             first write: a SIGPIPE crash of a correct retry loop). */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
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
