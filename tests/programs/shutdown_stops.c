/* shutdown_stops.c -- a thread blocked on a socket is stopped with
** shutdown(2) on that socket, the idiom that works on Linux (a close does
** not wake it) (tests/programs.sh). The argument picks the call:
**   read    the reader waits in read(); shutdown(SHUT_RD): it returns 0
**   write   the writer waits in write() on a full socket pair;
**           shutdown(SHUT_WR): it returns what went in, or -1 EPIPE
**   poll    after shutdown(SHUT_RD), poll(POLLIN) finds the socket readable
** (weft once shut the read end for writers only: the read and the poll
** waited for ever, and so did the writer: deadlocks Linux never has.) */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];
static const char *mode;
static char big[1 << 20];             /* more than a socket pair holds */

static void *blocked(void *arg)
{
    (void)arg;
    if (strcmp(mode, "write") == 0) {
        ssize_t n = write(sv[0], big, sizeof big);
        assert((n > 0 && n < (ssize_t)sizeof big) || (n == -1 && errno == EPIPE));
    } else {
        char c;
        assert(read(sv[0], &c, 1) == 0);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    signal(SIGPIPE, SIG_IGN);
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    if (strcmp(mode, "poll") == 0) {
        assert(shutdown(sv[0], SHUT_RD) == 0);
        struct pollfd p = { .fd = sv[0], .events = POLLIN };
        assert(poll(&p, 1, -1) == 1 && (p.revents & POLLIN));
        char c;
        assert(read(sv[0], &c, 1) == 0);
        return 0;
    }
    pthread_t t;
    pthread_create(&t, NULL, blocked, NULL);
    assert(shutdown(sv[0], strcmp(mode, "write") == 0 ? SHUT_WR : SHUT_RD) == 0);
    pthread_join(t, NULL);
    return 0;
}
