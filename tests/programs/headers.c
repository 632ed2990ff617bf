/*
** headers.c -- a program may include, after weft's header, every system
** header that declares a call weft renames (tests/programs.sh): it
** compiles, and here it ignores SIGPIPE, so a write to a pipe whose read
** end is closed fails with EPIPE instead of ending the program.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int p[2];
    signal(SIGPIPE, SIG_IGN);
    assert(pipe(p) == 0);
    assert(close(p[0]) == 0);
    assert(write(p[1], "x", 1) == -1 && errno == EPIPE);
    close(p[1]);
    return 0;
}
