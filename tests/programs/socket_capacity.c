/* socket_capacity.c -- how much a Unix socket pair holds, as Linux counts
** it: its sender is charged each write's sk_buff (at least 768 bytes, for
** a write of 1 to 192 bytes) until the reader has read all of it, and a
** write waits while the charge is at or past the 212,992-byte send buffer
** (tests/programs.sh; every count below is a native run's, Linux 6 on
** x86-64). weft counted 65,536 bytes, so "the writer fills the socket
** before anyone reads" deadlocks of a few hundred small messages passed.
**
** No argument: the counts. "wake": a writer blocked on a full socket goes
** on only once reads bring the charge to a quarter of the buffer: main
** reads 208 of its 279 one-byte writes, then joins it, a deadlock when the
** last write waited (-DFIXED: 209, a pass). "deadlock":
** a worker sends 300 records of 100 bytes before main reads any: Linux
** blocks it after 278; -DFIXED sends 250, a pass. "pieces": two threads
** each write 40,000 bytes at once; a stream socket takes a write in
** sk_buffs of at most 36,544 bytes, so the other's may come between them
** (an assertion that each write arrives whole fails). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef FIXED
#define RECORDS 250
#define WAKE_READS 209
#else
#define RECORDS 300
#define WAKE_READS 208
#endif

static char buf[240000];
static int sv[2];

/* Non-blocking writes of n bytes into a new socket pair of this type
** (sndbuf: SO_SNDBUF to ask for, 0 none) until one is refused: how many,
** and the bytes they took. The socket then polls without POLLOUT. */
static int writes_that_fit(int type, int sndbuf, size_t n, long *bytes)
{
    int q[2], writes = 0;
    ssize_t got;
    assert(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, q) == 0);
    if (sndbuf)
        assert(setsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
    *bytes = 0;
    while ((got = write(q[0], buf, n)) > 0) {
        *bytes += got;
        writes++;
        if ((size_t)got < n)
            break;
    }
    assert(got > 0 || errno == EAGAIN);
    struct pollfd p = { .fd = q[0], .events = POLLOUT };
    assert(poll(&p, 1, 0) == 0);
    close(q[0]);
    close(q[1]);
    return writes;
}

static void counts(void)
{
    static const struct { int type, sndbuf; size_t size; int writes; long bytes; } linux_says[] = {
        { SOCK_STREAM, 0, 1, 278, 278 },          { SOCK_STREAM, 0, 200, 167, 33400 },
        { SOCK_STREAM, 0, 1000, 93, 93000 },      { SOCK_STREAM, 0, 3000, 49, 147000 },
        { SOCK_STREAM, 0, 3776, 49, 185024 },     { SOCK_STREAM, 0, 3777, 44, 166188 },
        { SOCK_STREAM, 0, 4096, 44, 180224 },     { SOCK_STREAM, 0, 5000, 34, 170000 },
        { SOCK_STREAM, 0, 8192, 24, 196608 },     { SOCK_STREAM, 0, 16384, 13, 212992 },
        { SOCK_STREAM, 0, 36544, 6, 219264 },     { SOCK_STREAM, 0, 65536, 4, 233152 },
        { SOCK_DGRAM, 0, 1, 278, 278 },           { SOCK_DGRAM, 0, 3777, 26, 98202 },
        { SOCK_DGRAM, 0, 8192, 13, 106496 },      { SOCK_DGRAM, 0, 16384, 11, 180224 },
        { SOCK_DGRAM, 0, 65536, 4, 262144 },      { SOCK_SEQPACKET, 0, 1000, 93, 93000 },
        { SOCK_STREAM, 1, 1, 6, 6 },              { SOCK_STREAM, 1, 100, 6, 600 },
        { SOCK_STREAM, 10000, 1, 27, 27 },        { SOCK_STREAM, 10000, 5000, 4, 20000 },
        { SOCK_STREAM, 4096, 10000, 1, 8064 },    { SOCK_DGRAM, 1, 1, 6, 6 },
    };
    for (size_t i = 0; i < sizeof linux_says / sizeof *linux_says; i++) {
        long bytes;
        assert(writes_that_fit(linux_says[i].type, linux_says[i].sndbuf, linux_says[i].size,
                               &bytes) == linux_says[i].writes);
        assert(bytes == linux_says[i].bytes);
    }
    int q[2], v;
    socklen_t len = sizeof v;
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, q) == 0);
    assert(getsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 212992);
    v = 10000;
    assert(setsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0);
    assert(getsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 20000);
    v = 1;
    assert(setsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0);
    assert(getsockopt(q[0], SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 4608);
    close(q[0]);
    close(q[1]);
    assert(socketpair(AF_UNIX, SOCK_DGRAM, 0, q) == 0);   /* a datagram: the buffer less 32 */
    assert(write(q[0], buf, 212960) == 212960);
    assert(write(q[0], buf, 212961) == -1 && errno == EMSGSIZE);
    close(q[0]);
    close(q[1]);
}

static sem_t filled;

static void *one_byte_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 278; i++)
        assert(write(sv[0], buf, 1) == 1);
    sem_post(&filled);
    assert(write(sv[0], buf, 1) == 1);  /* waits if it comes before the reads:
                                          278 * 768 bytes are charged */
    return NULL;
}

static void wake(void)
{
    char c;
    pthread_t t;
    sem_init(&filled, 0, 0);
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_create(&t, NULL, one_byte_writer, NULL);
    sem_wait(&filled);
    for (int i = 0; i < WAKE_READS; i++)
        assert(read(sv[1], &c, 1) == 1);
    pthread_join(t, NULL);            /* 208 reads leave 70 * 768 bytes charged,
                                         more than a quarter of 212,992: a writer
                                         that waits still waits; 209 wake it */
}

static void *record_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < RECORDS; i++)
        assert(write(sv[0], buf, 100) == 100);
    return NULL;
}

static void deadlock(void)
{
    char in[100];
    pthread_t t;
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_create(&t, NULL, record_writer, NULL);
    pthread_join(t, NULL);            /* reads only once the writer is done */
    for (int i = 0; i < RECORDS; i++)
        assert(read(sv[1], in, sizeof in) == (ssize_t)sizeof in);
}

static void *big_writer(void *arg)
{
    static char mine[2][40000];
    int me = (int)(long)arg;
    memset(mine[me], 'a' + me, sizeof mine[me]);
    assert(write(sv[0], mine[me], sizeof mine[me]) == (ssize_t)sizeof mine[me]);
    return NULL;
}

static void pieces(void)
{
    static char in[80000];
    pthread_t t[2];
    size_t got = 0;
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, big_writer, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    while (got < sizeof in)
        got += (size_t)read(sv[1], in + got, sizeof in - got);
    assert(in[39999] == in[0]);       /* the first write arrived whole */
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "wake") == 0)
        wake();
    else if (argc > 1 && strcmp(argv[1], "deadlock") == 0)
        deadlock();
    else if (argc > 1 && strcmp(argv[1], "pieces") == 0)
        pieces();
    else
        counts();
    return 0;
}
