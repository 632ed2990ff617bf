/*
** sockets.c -- loopback sockets between the program's threads (weft run,
** issue 10): a TCP echo server on a port the system... weft picks (port 0
** and getsockname), a Unix socket at a path (no file is made), a refused
** connection, a listener closed with a connection never accepted, poll on
** a listening socket. Passes in every interleaving. The argument picks
** one part (1 to 3).
*/
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listening;

static void *echo_once(void *arg)
{
    (void)arg;
    struct pollfd p = { .fd = listening, .events = POLLIN };
    assert(poll(&p, 1, -1) == 1 && (p.revents & POLLIN));
    int c = accept(listening, NULL, NULL);
    assert(c >= 0);
    char buf[16];
    ssize_t n;
    while ((n = read(c, buf, sizeof buf)) > 0)
        assert(write(c, buf, (size_t)n) == n);
    close(c);
    return NULL;
}

/* One exchange with the echo server through client socket s. */
static void ping(int s)
{
    char buf[4];
    assert(send(s, "ping", 4, 0) == 4);
    assert(recv(s, buf, 4, MSG_WAITALL) == 4 && memcmp(buf, "ping", 4) == 0);
    shutdown(s, SHUT_WR);
    assert(read(s, buf, sizeof buf) == 0);
    close(s);
}

static void tcp_echo(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int one = 1;
    listening = socket(AF_INET, SOCK_STREAM, 0);
    assert(setsockopt(listening, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    assert(bind(listening, (struct sockaddr *)&a, sizeof a) == 0);
    assert(listen(listening, 4) == 0);
    assert(getsockname(listening, (struct sockaddr *)&a, &len) == 0 && a.sin_port != 0);
    pthread_t t;
    pthread_create(&t, NULL, echo_once, NULL);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(s, (struct sockaddr *)&a, sizeof a) == 0);
    ping(s);
    pthread_join(t, NULL);
    close(listening);
}

static void unix_echo(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/nonexistent/weft-echo.sock" };
    listening = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(bind(listening, (struct sockaddr *)&a, sizeof a) == 0);
    assert(listen(listening, 1) == 0);
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(bind(other, (struct sockaddr *)&a, sizeof a) == -1 && errno == EADDRINUSE);
    close(other);
    pthread_t t;
    pthread_create(&t, NULL, echo_once, NULL);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(connect(s, (struct sockaddr *)&a, sizeof a) == 0);
    ping(s);
    pthread_join(t, NULL);
    close(listening);
}

static void refused_and_closed(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(s, (struct sockaddr *)&a, sizeof a) == -1 && errno == ECONNREFUSED);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 1) == 0);
    assert(connect(s, (struct sockaddr *)&a, sizeof a) == 0);
    close(l);                         /* never accepted: Linux resets it */
    char c;
    assert(read(s, &c, 1) == -1 && errno == ECONNRESET);
    assert(read(s, &c, 1) == 0);
    close(s);
}

int main(int argc, char **argv)
{
    static void (*const parts[])(void) = { tcp_echo, unix_echo, refused_and_closed };
    int part = argc > 1 ? atoi(argv[1]) : 0;
    assert(part >= 1 && part <= 3);
    parts[part - 1]();
    return 0;
}
