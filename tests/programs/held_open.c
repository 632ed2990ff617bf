/* held_open.c -- a call that waits on a descriptor holds its file open
** (tests/programs.sh). A worker announces itself, then waits in a call on
** a pipe or socket; main closes that descriptor once it has seen the
** announcement. On Linux the waiting call keeps a reference to the file,
** so the close only takes the number away: the call is not woken, the
** pipe keeps its reader (or writer), the socket's peer sees no end, and
** the ends close when the call returns. (weft closed the ends at once:
** each mode below passed, exhaustive, or failed where Linux does not.)
** The mode is the first argument:
**   read    main writes a byte after the close: the reader may get it
**           (the write does not fail with EPIPE), an assertion;
**   socket  main then reads the socket's other end for its end of
**           stream: a deadlock with the reader;
**   poll    main's write after the close succeeds: an assertion that
**           says it cannot;
**   select  the same with select, whose steps say "select";
**   write   a writer blocked on a full pipe finishes after main closes
**           its descriptor, and main reads every byte before the end: a
**           pass (main got the end of stream early);
**   accept  a server blocked in accept is not woken by the close of the
**           listening socket: a deadlock at main's join. -DFIXED: main
**           stops it with shutdown(SHUT_RDWR), which wakes the accept
**           with EINVAL, as on Linux: a pass.
**   held    the accept holds the listening socket after the close: main's
**           connect then is queued for it, and the accept returns it (a
**           pass; weft refused the connect, and main's join waited for
**           ever). If the close comes before the accept's call, the accept
**           fails with EBADF and the connect is refused. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mode;
static int ends[2], listening;
static atomic_int closed;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t announced = PTHREAD_COND_INITIALIZER;
static int ready;
static char big[100000];
static ssize_t wrote;
static int accepted = -1;

static void announce(void)
{
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&announced);
    pthread_mutex_unlock(&m);
}

static void *worker(void *arg)
{
    (void)arg;
    char c;
    struct pollfd p = { .fd = ends[0], .events = POLLIN };
    announce();
    if (strcmp(mode, "read") == 0) {
        if (read(ends[0], &c, 1) == 1)    /* written after the close */
            assert(!atomic_load(&closed));
    } else if (strcmp(mode, "socket") == 0) {
        (void)read(ends[0], &c, 1);
    } else if (strcmp(mode, "poll") == 0) {
        (void)poll(&p, 1, -1);
    } else if (strcmp(mode, "select") == 0) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(ends[0], &rd);
        (void)select(ends[0] + 1, &rd, NULL, NULL, NULL);
    } else if (strcmp(mode, "write") == 0) {
        wrote = write(ends[1], big, sizeof big);
    } else if (strcmp(mode, "held") == 0) {
        accepted = accept(listening, NULL, NULL);
        assert(accepted >= 0 || errno == EBADF);
    } else {
        int s = accept(listening, NULL, NULL);
        assert(s == -1 && errno == EINVAL);
    }
    return NULL;
}

static struct sockaddr_in address(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(47125) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A listening loopback socket. */
static int listener(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = address();
    assert(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    assert(listen(s, 4) == 0);
    return s;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(mode, "socket") == 0)
        assert(socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
    else if (strcmp(mode, "accept") == 0 || strcmp(mode, "held") == 0)
        listening = listener();
    else
        assert(pipe(ends) == 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&m);
    while (!ready)
        pthread_cond_wait(&announced, &m);
    pthread_mutex_unlock(&m);
    char c, in[8192];
    ssize_t n, total = 0;
    if (strcmp(mode, "read") == 0) {
        close(ends[0]);
        atomic_store(&closed, 1);
        (void)write(ends[1], "x", 1);
    } else if (strcmp(mode, "socket") == 0) {
        close(ends[0]);
        assert(read(ends[1], &c, 1) == 0);
        close(ends[1]);
    } else if (strcmp(mode, "poll") == 0 || strcmp(mode, "select") == 0) {
        close(ends[0]);
        assert(write(ends[1], "x", 1) == -1 && errno == EPIPE);
    } else if (strcmp(mode, "write") == 0) {
        close(ends[1]);
        while ((n = read(ends[0], in, sizeof in)) > 0)
            total += n;
    } else if (strcmp(mode, "held") == 0) {
        close(listening);
        int k = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = address();
        int rc = connect(k, (struct sockaddr *)&a, sizeof a);
        assert(rc == 0 || errno == ECONNREFUSED);
        pthread_join(t, NULL);
        assert((rc == 0) == (accepted >= 0));
        close(k);
        if (accepted >= 0)
            close(accepted);
        return 0;
    } else {
#ifdef FIXED
        shutdown(listening, SHUT_RDWR);
#else
        close(listening);
#endif
    }
    pthread_join(t, NULL);
    if (strcmp(mode, "write") == 0)   /* (-1: the write came after the close) */
        assert(wrote == -1 ? total == 0 : total == wrote);
    return 0;
}
