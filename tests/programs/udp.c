/*
** udp.c -- UDP sockets between the program's threads (tests/programs.sh):
** datagrams over 127.0.0.1 (and ::1) in the execution's own namespace.
** The mode (the first argument) picks the program:
**   echo      a server bound to 127.0.0.1 (port 0: weft picks one) answers
**             each datagram to the address recvfrom gave; the client,
**             unbound, takes a port as it sends
**   connected a client connects to the server and uses send and recv,
**             write and read; a third socket's datagram to the connected
**             client is dropped, as Linux drops it; AF_UNSPEC dissolves
**   v6        the echo over [::1]
**   lost      a datagram to a port nobody is bound to is lost, the send
**             says it went; the errors Linux gives
**   race      the server binds its port in its own thread while main
**             sends at once: a datagram sent before the bind is lost and
**             the server waits for ever (a deadlock); with -DFIXED main
**             waits for the server's bind first (a semaphore)
**   outside   a send to an address outside this machine: named at its line
**   shutdown  shutdown of a UDP socket: named at its line
*/
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int server_fd;
static struct sockaddr_in server_at;
static sem_t bound;

static void *echo(void *arg)
{
    int rounds = (int)(long)arg;
    for (int i = 0; i < rounds; i++) {
        char buf[16];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(server_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        assert(n > 0 && len == sizeof from && from.sin_family == AF_INET);
        assert(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && from.sin_port != 0);
        assert(sendto(server_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) == n);
    }
    return NULL;
}

static void serve(int rounds, pthread_t *t)
{
    server_fd = socket(AF_INET, SOCK_DGRAM, 0);
    server_at = (struct sockaddr_in){ .sin_family = AF_INET,
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof server_at;
    assert(bind(server_fd, (struct sockaddr *)&server_at, sizeof server_at) == 0);
    assert(getsockname(server_fd, (struct sockaddr *)&server_at, &len) == 0);
    assert(server_at.sin_port != 0);
    pthread_create(t, NULL, echo, (void *)(long)rounds);
}

static void echo_mode(void)
{
    pthread_t t;
    serve(2, &t);
    int c = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    char buf[16];
    for (int i = 0; i < 2; i++) {
        const char *word = i ? "pong" : "ping";
        assert(sendto(c, word, 4, 0, (struct sockaddr *)&server_at, sizeof server_at) == 4);
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        assert(recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 4);
        assert(memcmp(buf, word, 4) == 0 && from.sin_port == server_at.sin_port);
    }
    pthread_join(t, NULL);
    close(c);
    close(server_fd);
}

static void connected(void)
{
    pthread_t t;
    serve(1, &t);
    int c = socket(AF_INET, SOCK_DGRAM, 0), other = socket(AF_INET, SOCK_DGRAM, 0);
    assert(connect(c, (struct sockaddr *)&server_at, sizeof server_at) == 0);
    struct sockaddr_in me, peer;
    socklen_t len = sizeof me, plen = sizeof peer;
    assert(getsockname(c, (struct sockaddr *)&me, &len) == 0 && me.sin_port != 0);
    assert(getpeername(c, (struct sockaddr *)&peer, &plen) == 0);
    assert(peer.sin_port == server_at.sin_port);
    /* a stranger's datagram to the connected client is dropped */
    assert(sendto(other, "xx", 2, 0, (struct sockaddr *)&me, sizeof me) == 2);
    assert(send(c, "hello", 5, 0) == 5);
    char buf[16];
    assert(recv(c, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    pthread_join(t, NULL);
    struct pollfd p = { .fd = c, .events = POLLIN | POLLOUT };
    assert(poll(&p, 1, 0) == 1 && p.revents == POLLOUT);   /* the stranger's is gone */
    assert(write(c, "w", 1) == 1);     /* to the server: nobody reads it now */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    assert(connect(c, &unspec, sizeof unspec) == 0);
    assert(send(c, "x", 1, 0) == -1 && errno == EDESTADDRREQ);
    assert(sendto(other, "yy", 2, 0, (struct sockaddr *)&me, sizeof me) == 2);
    assert(recv(c, buf, sizeof buf, MSG_DONTWAIT) == 2 && memcmp(buf, "yy", 2) == 0);
    close(c);
    close(other);
    close(server_fd);
}

static void *echo6(void *arg)
{
    int s = (int)(long)arg;
    char buf[16];
    struct sockaddr_in6 from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    assert(n > 0 && from.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
    assert(sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len) == n);
    return NULL;
}

static void v6(void)
{
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
                              .sin6_port = htons(9006) };
    assert(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    pthread_t t;
    pthread_create(&t, NULL, echo6, (void *)(long)s);
    int c = socket(AF_INET6, SOCK_DGRAM, 0);
    a.sin6_addr = in6addr_loopback;
    assert(sendto(c, "six", 3, 0, (struct sockaddr *)&a, sizeof a) == 3);
    char buf[8];
    assert(recv(c, buf, sizeof buf, 0) == 3 && memcmp(buf, "six", 3) == 0);
    pthread_join(t, NULL);
    close(c);
    close(s);
}

static void lost(void)
{
    int c = socket(AF_INET, SOCK_DGRAM, 0), tcp = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in nobody = { .sin_family = AF_INET, .sin_port = htons(9999),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert(bind(tcp, (struct sockaddr *)&nobody, sizeof nobody) == 0);   /* TCP's port 9999 */
    assert(sendto(c, "lost", 4, 0, (struct sockaddr *)&nobody, sizeof nobody) == 4);
    char buf[8];
    assert(recv(c, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN);
    assert(send(c, "x", 1, 0) == -1 && errno == EDESTADDRREQ);
    struct sockaddr_in zero = nobody;
    zero.sin_port = 0;
    assert(sendto(c, "x", 1, 0, (struct sockaddr *)&zero, sizeof zero) == -1 && errno == EINVAL);
    assert(sendto(c, "x", 1, 0, (struct sockaddr *)&nobody, 3) == -1 && errno == EINVAL);
    static char big[65508];
    assert(sendto(c, big, sizeof big, 0, (struct sockaddr *)&nobody, sizeof nobody) == -1 &&
           errno == EMSGSIZE);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    assert(bind(u, (struct sockaddr *)&nobody, sizeof nobody) == 0);     /* UDP's: free */
    int again = socket(AF_INET, SOCK_DGRAM, 0);
    assert(bind(again, (struct sockaddr *)&nobody, sizeof nobody) == -1 && errno == EADDRINUSE);
    assert(listen(u, 1) == -1 && errno == EOPNOTSUPP);
    int type = 0;
    socklen_t tlen = sizeof type;
    assert(getsockopt(u, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_DGRAM);
    close(again);
    close(u);
    close(tcp);
    close(c);
}

static void *late_server(void *arg)
{
    (void)arg;
    server_fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert(bind(server_fd, (struct sockaddr *)&server_at, sizeof server_at) == 0);
    sem_post(&bound);
    char buf[8];
    assert(recv(server_fd, buf, sizeof buf, 0) == 5);
    return NULL;
}

static void race(void)
{
    server_at = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(9000),
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    sem_init(&bound, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, late_server, NULL);
#ifdef FIXED
    sem_wait(&bound);
#endif
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    assert(sendto(c, "hello", 5, 0, (struct sockaddr *)&server_at, sizeof server_at) == 5);
    pthread_join(t, NULL);
    close(c);
    close(server_fd);
}

static void outside(void)
{
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in dns = { .sin_family = AF_INET, .sin_port = htons(53) };
    inet_pton(AF_INET, "192.0.2.1", &dns.sin_addr);
    sendto(c, "q", 1, 0, (struct sockaddr *)&dns, sizeof dns);
}

static void shut(void)
{
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    shutdown(c, SHUT_RDWR);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "echo";
    if (strcmp(mode, "echo") == 0)
        echo_mode();
    else if (strcmp(mode, "connected") == 0)
        connected();
    else if (strcmp(mode, "v6") == 0)
        v6();
    else if (strcmp(mode, "lost") == 0)
        lost();
    else if (strcmp(mode, "race") == 0)
        race();
    else if (strcmp(mode, "outside") == 0)
        outside();
    else if (strcmp(mode, "shutdown") == 0)
        shut();
    else
        return 2;
    return 0;
}
