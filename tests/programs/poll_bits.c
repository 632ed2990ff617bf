/* poll_bits.c -- poll's bits for a socket pair's ends, as Linux's
** unix_poll gives them, each checked natively (tests/programs.sh). POLLHUP
** only once both directions are shut, POLLIN and POLLRDHUP (asked for)
** once the read side is, POLLOUT whatever the shutdowns (the write then
** fails), POLLERR only while a reset waits. weft gave a half-closed
** socket POLLHUP, and a closed peer POLLERR too, so a server loop that
** drops a connection on POLLHUP dropped a client that had only finished
** its request (shutdown SHUT_WR) and waited for the reply: the argument
** "server" runs that loop in a thread, which must reply. */
#define _GNU_SOURCE                   /* POLLRDHUP */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static short bits(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    assert(poll(&p, 1, 0) == (p.revents != 0));
    return p.revents;
}

static void table(void)
{
    int s[2], t[2], u[2];
    char c;
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    assert(bits(s[0], POLLIN | POLLOUT) == POLLOUT);
    shutdown(s[1], SHUT_WR);
    assert(bits(s[0], POLLIN | POLLRDHUP) == (POLLIN | POLLRDHUP));
    assert(bits(s[0], POLLOUT) == POLLOUT);
    assert(bits(s[1], POLLOUT) == POLLOUT);
    close(s[1]);
    assert(bits(s[0], POLLIN | POLLOUT | POLLRDHUP) == (POLLIN | POLLOUT | POLLHUP | POLLRDHUP));
    assert(bits(s[0], 0) == POLLHUP);
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, t) == 0);
    assert(write(t[1], "x", 1) == 1);
    close(t[1]);
    assert(bits(t[0], POLLIN) == (POLLIN | POLLHUP));
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, u) == 0);
    assert(write(u[0], "x", 1) == 1);
    close(u[1]);                      /* unread: a reset */
    assert(bits(u[0], POLLIN) == (POLLIN | POLLHUP | POLLERR));
    assert(read(u[0], &c, 1) == -1);
    assert(bits(u[0], POLLIN) == (POLLIN | POLLHUP));
}

static int sv[2];

/* Drops a connection on POLLHUP or POLLERR, else reads the request to its
** end and replies. */
static void *server(void *arg)
{
    (void)arg;
    char req[64];
    size_t got = 0;
    for (;;) {
        struct pollfd p = { .fd = sv[1], .events = POLLIN };
        poll(&p, 1, -1);
        if (p.revents & (POLLHUP | POLLERR))
            break;
        ssize_t n = read(sv[1], req + got, sizeof req - got);
        if (n <= 0) {
            assert(write(sv[1], "200", 3) == 3);
            break;
        }
        got += (size_t)n;
    }
    close(sv[1]);
    return NULL;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2 || strcmp(argv[1], "server") != 0) {
        table();
        return 0;
    }
    char reply[8];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    assert(write(sv[0], "GET /", 5) == 5);
    shutdown(sv[0], SHUT_WR);
    assert(read(sv[0], reply, sizeof reply) == 3);
    pthread_join(t, NULL);
    return 0;
}
