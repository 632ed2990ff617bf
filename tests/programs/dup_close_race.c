/*
** dup_close_race.c -- the close of one of two descriptors of a pipe end,
** while another thread closes or makes the other (tests/programs.sh).
** Whether a dup keeps the end is decided in the close's step, which the
** other thread's step is ordered with. The mode picks the race:
**   two_closes  two threads close the two numbers of the write end: the
**               reader then sees the end of the stream (each close
**               decided before its step that the other kept the end: a
**               false deadlock)
**   dup_close   a thread dups the write end while main closes it: the
**               reader sees the end only once every copy is closed, and
**               the dup's write goes in (the end was closed under the dup,
**               whose write failed)
**   dup2_read   main dup2s another pipe onto the number a thread reads: it
**               reads one pipe or the other, never EBADF (its step came
**               after the dup2 and failed: the call now reads the file the
**               number names at its step)
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static int p[2], copy;

static void *closer(void *arg)
{
    (void)arg;
    assert(close(copy) == 0);
    return NULL;
}

static int other[2];

static void *reader(void *arg)
{
    (void)arg;
    char c;
    assert(read(p[0], &c, 1) == 1);
    return NULL;
}

static void *duper(void *arg)
{
    (void)arg;
    int d = dup(p[1]);
    assert(d >= 0 || errno == EBADF);
    if (d >= 0) {
        assert(write(d, "d", 1) == 1);
        close(d);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "two_closes";
    char buf[4];
    pthread_t t;
    assert(pipe(p) == 0);
    if (strcmp(mode, "two_closes") == 0) {
        assert((copy = dup(p[1])) >= 0);
        pthread_create(&t, NULL, closer, NULL);
        assert(close(p[1]) == 0);
        pthread_join(t, NULL);
        assert(read(p[0], buf, 1) == 0);
    } else if (strcmp(mode, "dup2_read") == 0) {
        assert(pipe(other) == 0);
        assert(write(other[1], "o", 1) == 1 && write(p[1], "p", 1) == 1);
        pthread_create(&t, NULL, reader, NULL);
        assert(dup2(other[0], p[0]) == p[0]);
        pthread_join(t, NULL);
    } else {
        pthread_create(&t, NULL, duper, NULL);
        assert(close(p[1]) == 0);
        ssize_t r = read(p[0], buf, sizeof buf);
        assert(r == 0 || r == 1);
        pthread_join(t, NULL);
    }
    return 0;
}
