/* pipe_edges.c -- what Linux answers at the edges of a pipe's life, each
** checked natively (tests/programs.sh): a 0-byte write to a pipe whose
** reader is gone returns 0 (no EPIPE, no SIGPIPE); poll finds a widowed
** write end writable with POLLERR, and a widowed empty read end POLLHUP
** alone; and a poll that waits on two pipes, woken by a write to one after
** the other's descriptor was closed, finds POLLNVAL for the closed one
** (Linux scans every descriptor again when a poll wakes); O_NONBLOCK set
** through one descriptor holds for its dup (a flag of the open file that
** both name: weft kept it per descriptor, and the dup's read blocked). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

static int a[2], b[2];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t polling = PTHREAD_COND_INITIALIZER;
static int announced;

static void *closer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    while (!announced)
        pthread_cond_wait(&polling, &m);
    pthread_mutex_unlock(&m);
    close(a[0]);
    assert(write(b[1], "x", 1) == 1);
    return NULL;
}

int main(void)
{
    int p[2], q[2];
    char c = 0;
    assert(pipe(p) == 0 && pipe(q) == 0);
    close(p[0]);
    assert(write(p[1], &c, 0) == 0);
    struct pollfd out = { .fd = p[1], .events = POLLOUT };
    assert(poll(&out, 1, 0) == 1 && out.revents == (POLLOUT | POLLERR));
    close(q[1]);
    struct pollfd in = { .fd = q[0], .events = POLLIN };
    assert(poll(&in, 1, 0) == 1 && in.revents == POLLHUP);
    int r[2];
    assert(pipe(r) == 0);
    int d = dup(r[0]);
    assert(fcntl(r[0], F_SETFL, fcntl(r[0], F_GETFL) | O_NONBLOCK) == 0);
    assert(fcntl(d, F_GETFL) & O_NONBLOCK);
    assert(read(d, &c, 1) == -1 && errno == EAGAIN);

    assert(pipe(a) == 0 && pipe(b) == 0);
    pthread_t t;
    pthread_create(&t, NULL, closer, NULL);
    pthread_mutex_lock(&m);
    announced = 1;
    pthread_cond_signal(&polling);
    pthread_mutex_unlock(&m);
    struct pollfd two[2] = { { .fd = a[0], .events = POLLIN }, { .fd = b[0], .events = POLLIN } };
    int n = poll(two, 2, -1);
    assert(n >= 1 && two[0].revents == POLLNVAL);
    pthread_join(t, NULL);
    return 0;
}
