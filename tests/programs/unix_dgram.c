/*
** unix_dgram.c -- Unix datagram and seqpacket sockets made by socket(),
** named in the execution's own namespace (tests/programs.sh). The mode:
**   dgram      a logger bound to a path receives from a client bound to a
**              path of its own (sendto) and an unnamed one (connect, send):
**              each message whole, each sender's address as Linux gives
**              it, a reply to the named client by recvfrom's address;
**              Linux's errors (ENOENT, ECONNREFUSED, EPROTOTYPE, EPERM,
**              ENOTCONN, EOPNOTSUPP), ECONNREFUSED once the logger closed
**   seqpacket  listen, connect, accept; each send one message, cut to the
**              buffer; the peer's close ends the stream; a stream socket
**              cannot connect to it (EPROTOTYPE)
**   lost       the logger waits for a second message nobody sends: a
**              deadlock on the queue named by its path
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un address(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, path);
    return a;
}

static socklen_t length(const char *path)
{
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static int bound(int type, const char *path)
{
    int s = socket(AF_UNIX, type, 0);
    struct sockaddr_un a = address(path);
    assert(bind(s, (struct sockaddr *)&a, length(path)) == 0);
    return s;
}

static void *named_client(void *arg)
{
    (void)arg;
    int s = bound(SOCK_DGRAM, "/tmp/weft-a.sock");
    struct sockaddr_un logger = address("/tmp/weft-log.sock");
    assert(sendto(s, "from a", 6, 0, (struct sockaddr *)&logger, length(logger.sun_path)) == 6);
    char reply[8];
    assert(recv(s, reply, sizeof reply, 0) == 5 && memcmp(reply, "ack a", 5) == 0);
    close(s);
    return NULL;
}

static void *unnamed_client(void *arg)
{
    (void)arg;
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un logger = address("/tmp/weft-log.sock");
    assert(connect(s, (struct sockaddr *)&logger, length(logger.sun_path)) == 0);
    assert(send(s, "from b, longer", 14, 0) == 14);
    close(s);
    return NULL;
}

static void errors(int logger)
{
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un none = address("/tmp/weft-none.sock"), abstract = { AF_UNIX, "" };
    errno = 0;
    assert(send(s, "x", 1, 0) == -1 && errno == ENOTCONN);
    errno = 0;
    assert(sendto(s, "x", 1, 0, (struct sockaddr *)&none, length(none.sun_path)) == -1 &&
           errno == ENOENT);
    memcpy(abstract.sun_path, "\0weft", 5);
    errno = 0;
    assert(connect(s, (struct sockaddr *)&abstract, offsetof(struct sockaddr_un, sun_path) + 5)
           == -1 && errno == ECONNREFUSED);
    errno = 0;
    assert(listen(logger, 1) == -1 && errno == EOPNOTSUPP);
    int st = bound(SOCK_STREAM, "/tmp/weft-stream.sock");
    assert(listen(st, 1) == 0);
    struct sockaddr_un stream = address("/tmp/weft-stream.sock");
    errno = 0;
    assert(connect(s, (struct sockaddr *)&stream, length(stream.sun_path)) == -1 &&
           errno == EPROTOTYPE);
    /* c is connected to d: nobody else may send to c (EPERM) */
    int c = bound(SOCK_DGRAM, "/tmp/weft-c.sock"), d = bound(SOCK_DGRAM, "/tmp/weft-d.sock");
    struct sockaddr_un to_c = address("/tmp/weft-c.sock"), to_d = address("/tmp/weft-d.sock");
    assert(connect(c, (struct sockaddr *)&to_d, length(to_d.sun_path)) == 0);
    errno = 0;
    assert(sendto(s, "x", 1, 0, (struct sockaddr *)&to_c, length(to_c.sun_path)) == -1 &&
           errno == EPERM);
    assert(sendto(d, "y", 1, 0, (struct sockaddr *)&to_c, length(to_c.sun_path)) == 1);
    int type = 0;
    socklen_t tlen = sizeof type;
    assert(getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_DGRAM);
    close(s);
    close(st);
    close(c);
    close(d);
}

static void dgram(void)
{
    int logger = bound(SOCK_DGRAM, "/tmp/weft-log.sock");
    errors(logger);
    pthread_t a, b;
    pthread_create(&a, NULL, named_client, NULL);
    pthread_create(&b, NULL, unnamed_client, NULL);
    int from_a = 0, from_b = 0;
    for (int i = 0; i < 2; i++) {
        char msg[8];
        struct sockaddr_un from;
        memset(&from, 0, sizeof from);
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(logger, msg, sizeof msg, 0, (struct sockaddr *)&from, &len);
        if (n == 6) {                 /* "from a", named */
            assert(memcmp(msg, "from a", 6) == 0 && len == length("/tmp/weft-a.sock"));
            assert(strcmp(from.sun_path, "/tmp/weft-a.sock") == 0);
            assert(sendto(logger, "ack a", 5, 0, (struct sockaddr *)&from, len) == 5);
            from_a++;
        } else {                      /* "from b, longer" cut to 8, unnamed */
            assert(n == 8 && memcmp(msg, "from b, ", 8) == 0 && len == 0);
            from_b++;
        }
    }
    assert(from_a == 1 && from_b == 1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    int late = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un to = address("/tmp/weft-log.sock");
    assert(connect(late, (struct sockaddr *)&to, length(to.sun_path)) == 0);
    close(logger);
    errno = 0;
    assert(send(late, "x", 1, 0) == -1 && errno == ECONNREFUSED);
}

static void *seq_client(void *arg)
{
    (void)arg;
    int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un at = address("/tmp/weft-seq.sock");
    assert(connect(s, (struct sockaddr *)&at, length(at.sun_path)) == 0);
    assert(send(s, "first message", 13, 0) == 13);
    assert(write(s, "second", 6) == 6);
    close(s);
    return NULL;
}

static void seqpacket(void)
{
    int l = bound(SOCK_SEQPACKET, "/tmp/weft-seq.sock");
    assert(listen(l, 1) == 0);
    pthread_t t;
    pthread_create(&t, NULL, seq_client, NULL);
    int s = accept(l, NULL, NULL);
    char buf[8];
    assert(recv(s, buf, 5, 0) == 5 && memcmp(buf, "first", 5) == 0);   /* the rest dropped */
    assert(read(s, buf, sizeof buf) == 6 && memcmp(buf, "second", 6) == 0);
    assert(read(s, buf, sizeof buf) == 0);                              /* the peer closed */
    pthread_join(t, NULL);
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un at = address("/tmp/weft-seq.sock");
    errno = 0;
    assert(connect(st, (struct sockaddr *)&at, length(at.sun_path)) == -1 && errno == EPROTOTYPE);
}

static void lost(void)
{
    int logger = bound(SOCK_DGRAM, "/tmp/weft-log.sock");
    pthread_t b;
    pthread_create(&b, NULL, unnamed_client, NULL);
    char msg[16];
    assert(recv(logger, msg, sizeof msg, 0) == 14);
    recv(logger, msg, sizeof msg, 0);     /* nobody sends a second */
    pthread_join(b, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "dgram";
    if (strcmp(mode, "seqpacket") == 0)
        seqpacket();
    else if (strcmp(mode, "lost") == 0)
        lost();
    else
        dgram();
    return 0;
}
