/*
** libc_state.c -- the C library's state a program relies on is new in
** every execution (tests/programs.sh runs it 10,000 times): getopt starts
** over on an argv of its own (GNU getopt permutes it), rand as never
** seeded, strtok's place is forgotten, and a stream the
** program opened and left open with its buffer full is dropped unwritten
** rather than flushed into a later execution. Arguments: WORD -v -n N
** -o FILE [-f]; -f fails the execution after its output.
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int verbose;

static void *worker(void *arg)
{
    FILE *log = arg;
    fputs("worker line\n", log);      /* buffered, never flushed */
    putc('w', stdout);
    return NULL;
}

int main(int argc, char **argv)
{
    char buf[BUFSIZ];                 /* on main's stack: must not outlive it */
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    assert(strcmp(argv[1], "word") == 0);   /* not permuted yet */
    assert(rand() == 1804289383);     /* glibc's first, unseeded */
    rand();
    char words[] = "left behind";
    assert(strcmp(strtok(words, " "), "left") == 0);   /* and its place kept by glibc */
    int n = 0, fail = 0, c;
    const char *out = NULL;
    while ((c = getopt(argc, argv, "vn:o:f")) != -1) {
        switch (c) {
        case 'v': verbose++; break;
        case 'n': n = atoi(optarg); break;
        case 'o': out = optarg; break;
        case 'f': fail = 1; break;
        default: return 2;
        }
    }
    assert(verbose == 1 && n == 3 && out != NULL);
    assert(optind == argc - 1 && strcmp(argv[optind], "word") == 0);   /* permuted */
    FILE *log = fopen(out, "a");
    assert(log != NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, log);
    printf("n=%d", n);
    fputs_unlocked(" main", stdout);
    pthread_join(t, NULL);
    putchar('\n');
    assert(!fail);
    return 0;                         /* log left open: dropped */
}
