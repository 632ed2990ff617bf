/* closed_while_waiting.c -- a poll or select that waits while another
** thread closes one of its numbers (tests/programs.sh; found by an audit,
** each checked natively with a sleep before the close). Linux scans every
** number again when the call wakes: a poll finds the closed one POLLNVAL
** even when a dup keeps the pipe open, and a select that is already
** waiting reports it ready and never fails with EBADF. (weft gave the
** poll's entry no bits, and failed the select with EBADF.)
**   poll    T polls {p[0], d = dup(p[0])}; main closes p[0], writes a
**           byte: the poll cannot end before the close, so entry 0 is
**           POLLNVAL in every order, entry 1 POLLIN when the byte came;
**   select  T selects on two pipes; main closes the first (its write
**           after the close succeeds: the select holds the file), writes
**           to the second: a select that held the file does not fail. */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

static int p[2], q[2], d, r;
static struct pollfd pf[2];

static void *poller(void *arg)
{
    (void)arg;
    pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
    pf[1] = (struct pollfd){ .fd = d, .events = POLLIN };
    r = poll(pf, 2, -1);
    return NULL;
}

static void *selector(void *arg)
{
    (void)arg;
    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    FD_SET(q[0], &in);
    r = select((p[0] > q[0] ? p[0] : q[0]) + 1, &in, NULL, NULL, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    bool poll_mode = argc < 2 || strcmp(argv[1], "select") != 0;
    signal(SIGPIPE, SIG_IGN);
    assert(pipe(p) == 0 && pipe(q) == 0);
    if (poll_mode)
        d = dup(p[0]);
    pthread_t t;
    pthread_create(&t, NULL, poll_mode ? poller : selector, NULL);
    if (getenv("NATIVE"))
        usleep(100000);
    close(p[0]);
    ssize_t w = write(p[1], "x", 1);
    if (!poll_mode)
        assert(write(q[1], "x", 1) == 1);
    pthread_join(t, NULL);
    if (poll_mode)
        assert(pf[0].revents == POLLNVAL && r == 1 + (pf[1].revents == POLLIN));
    else
        assert(!(w == 1 && r == -1));
    return 0;
}
