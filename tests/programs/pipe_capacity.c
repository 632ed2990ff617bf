/* pipe_capacity.c -- how much a pipe holds, as Linux counts it: 16 pages
** of 4,096 bytes, a write's tail sharing the last page only when it fits
** there (tests/programs.sh; the counts below are a native run's). So a
** writer of 2,049-byte records fills a pipe after 16 of them, 32,784 bytes,
** and one that must not block with a reader that waits for 20 records
** deadlocks (weft counted 65,536 bytes: "pass" where Linux hangs). With
** the argument "deadlock", a writer thread writes 20 records of 2,049
** bytes before main reads any: a deadlock; -DFIXED: 16 records, a pass. */
#define _GNU_SOURCE                   /* pipe2 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#ifdef FIXED
#define RECORDS 16
#else
#define RECORDS 20
#endif

static char buf[100000];
static int p[2];

/* Non-blocking writes of n bytes into an empty pipe until one is refused. */
static int writes_that_fit(size_t n, long *bytes)
{
    int q[2], writes = 0;
    ssize_t got;
    assert(pipe2(q, O_NONBLOCK) == 0);
    *bytes = 0;
    while ((got = write(q[1], buf, n)) > 0) {
        *bytes += got;
        writes++;
        if ((size_t)got < n)
            break;
    }
    assert(got > 0 || errno == EAGAIN);
    close(q[0]);
    close(q[1]);
    return writes;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < RECORDS; i++)
        assert(write(p[1], buf, 2049) == 2049);
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct { size_t size; int writes; long bytes; } linux_says[] = {
        { 100, 640, 64000 }, { 1500, 32, 48000 }, { 2000, 32, 64000 }, { 2049, 16, 32784 },
        { 3000, 16, 48000 }, { 4096, 16, 65536 }, { 5000, 11, 54096 }, { 8192, 8, 65536 },
        { 100000, 1, 65536 },
    };
    if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
        assert(pipe(p) == 0);
        pthread_t t;
        pthread_create(&t, NULL, writer, NULL);
        pthread_join(t, NULL);        /* reads only once the writer is done */
        char in[2049];
        for (int i = 0; i < RECORDS; i++)
            assert(read(p[0], in, sizeof in) == 2049);
        return 0;
    }
    for (size_t i = 0; i < sizeof linux_says / sizeof *linux_says; i++) {
        long bytes;
        assert(writes_that_fit(linux_says[i].size, &bytes) == linux_says[i].writes);
        assert(bytes == linux_says[i].bytes);
    }
    return 0;
}
