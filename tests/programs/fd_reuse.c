/*
** fd_reuse.c -- a descriptor number closed and taken again (tests/programs.sh).
** A worker still holds the number of main's first pipe when main closes
** that pipe and makes a second one, which takes the same numbers; the
** worker's call then reaches the second pipe. The argument picks the call:
**   write   the worker writes to the first pipe's write end: its byte
**           lands in the second pipe, ahead of main's (an assertion)
**   close   the worker closes the first pipe's read end: it may close the
**           second pipe's, and main's write there then fails (EPIPE), or
**           its read (EBADF; it blocked for ever once, which Linux never does)
**   poll    the worker polls the first pipe's read end, with no timeout
**           but nothing to wait for: it finds it open (and empty), closed
**           (POLLNVAL) or the second pipe (readable, once main wrote)
** -DFIXED: main joins the worker before it closes the first pipe (every
** mode passes). -DCLAIM_NEVER_CLOSED (poll): claims the worker never
** finds the number closed (false: it may).
*/
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int first[2], second[2];
static const char *mode;
static short seen;

static void *worker(void *arg)
{
    (void)arg;
    if (strcmp(mode, "write") == 0) {
        (void)write(first[1], "x", 1);    /* meant the first pipe */
    } else if (strcmp(mode, "close") == 0) {
        (void)close(first[0]);
    } else {
        struct pollfd p = { .fd = first[0], .events = POLLIN };
        if (poll(&p, 1, 0) == 1)
            seen = p.revents;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "write";
    signal(SIGPIPE, SIG_IGN);
    assert(pipe(first) == 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
#ifdef FIXED
    pthread_join(t, NULL);
#endif
    close(first[0]);                  /* (EBADF when the worker closed it first) */
    close(first[1]);
    assert(pipe(second) == 0);
    if (strcmp(mode, "close") != 0)   /* (main closed both: it takes both again) */
        assert(second[0] == first[0] && second[1] == first[1]);
    char c = 0;
    assert(write(second[1], "y", 1) == 1);
    if (strcmp(mode, "poll") != 0) {
        assert(read(second[0], &c, 1) == 1);
        assert(c == 'y');
    }
#ifndef FIXED
    pthread_join(t, NULL);
#endif
#ifdef CLAIM_NEVER_CLOSED
    assert(seen != POLLNVAL);
#endif
    return 0;
}
