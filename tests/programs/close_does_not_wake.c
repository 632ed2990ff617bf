/* close_does_not_wake.c -- main closes the read end of a pipe to stop a
** reader thread (tests/programs.sh). On Linux closing a descriptor does
** not wake a thread already blocked reading it, so when the reader reads
** first main's join waits forever. A read or write of a descriptor this
** execution closed is a step on what it was an end of, so DPOR tries the
** read before the close (it passed in 1 execution). -DFIXED: close the
** write end, and the reader gets the end of the stream. */
#include <pthread.h>
#include <unistd.h>

static int ends[2];

static void *reader(void *arg)
{
    (void)arg;
    char c;
    (void)read(ends[0], &c, 1);
    return NULL;
}

int main(void)
{
    pipe(ends);
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
#ifdef FIXED
    close(ends[1]);
#else
    close(ends[0]);
#endif
    pthread_join(t, NULL);
    return 0;
}
