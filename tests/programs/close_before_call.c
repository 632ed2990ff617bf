/* close_before_call.c -- a worker announces itself under a mutex, then
** reads (or, by the argument, writes or polls) through a pipe end that
** main closes once it has seen the announcement (tests/programs.sh). The
** worker looks its descriptor up when its call begins, but the call comes
** after main's close when main is quicker: on Linux it fails with EBADF
** (a poll: POLLNVAL). (weft once let such a read or poll go on with the
** end main had closed: it blocked for ever on the byte the close had
** dropped, a deadlock no run has; the write passed.) -DFIXED: main joins
** the worker before it closes. */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static int ends[2];
static const char *mode;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t announced = PTHREAD_COND_INITIALIZER;
static int ready;

static void *worker(void *arg)
{
    (void)arg;
    char c;
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&announced);
    pthread_mutex_unlock(&m);
    struct pollfd p = { .fd = ends[0], .events = POLLIN };
    if (strcmp(mode, "write") == 0)
        assert(write(ends[1], "y", 1) == 1);
    else if (strcmp(mode, "poll") == 0)
        assert(poll(&p, 1, -1) == 1 && p.revents == POLLIN);
    else
        assert(read(ends[0], &c, 1) == 1);
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    assert(pipe(ends) == 0);
    assert(write(ends[1], "x", 1) == 1);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&m);
    while (!ready)
        pthread_cond_wait(&announced, &m);
    pthread_mutex_unlock(&m);
#ifdef FIXED
    pthread_join(t, NULL);
#endif
    close(strcmp(mode, "write") == 0 ? ends[1] : ends[0]);
#ifndef FIXED
    pthread_join(t, NULL);
#endif
    return 0;
}
