/*
** stdio_pipe.c -- stdio over a pipe between threads (tests/programs.sh):
** fdopen of a modelled end gives a stream whose reads and writes are the
** pipe's, visible waits included. The producer writes lines with fprintf
** and closes its stream; main reads them with fgets and leaves its own
** stream open (dropped before the next execution). -DLEAK: the producer
** only flushes, so main waits for the end of the stream forever.
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int p[2];

static void *producer(void *arg)
{
    (void)arg;
    FILE *out = fdopen(p[1], "w");
    assert(out != NULL);
    for (int i = 0; i < 3; i++)
        fprintf(out, "line %d\n", i);
#ifdef LEAK
    fflush(out);
#else
    fclose(out);
#endif
    return NULL;
}

int main(void)
{
    assert(pipe(p) == 0);
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    FILE *in = fdopen(p[0], "r");
    assert(in != NULL);
    char line[64];
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        assert(strncmp(line, "line ", 5) == 0);
        n++;
    }
    pthread_join(t, NULL);
    assert(n == 3);
    return 0;                         /* in left open */
}
