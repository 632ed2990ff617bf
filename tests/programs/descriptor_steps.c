/* descriptor_steps.c -- calls that change or copy what a descriptor number
** names, racing another thread's call (tests/programs.sh). Each was no step,
** so some orders were never run and every search said "pass, exhaustive":
**   dup     a helper dups a pipe's write end while main closes it: the dup
**           may come first (the assertion says it never does)
**   fcntl   main makes an empty pipe non-blocking while a reader reads it:
**           a read that began first waits for ever (a deadlock)
**   close   main closes a reader's descriptor, a dup of it kept, then drops
**           the state the reader uses: the read may come first
** Linux runs of the same programs fail so too (audit 5: F15, F17, F18). */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static int p[2];
static const char *mode;
static int copy = -2;
static _Atomic(int *) state;
static int the_state = 42;

static void *other(void *arg)
{
    (void)arg;
    char c;
    if (strcmp(mode, "dup") == 0) {
        copy = dup(p[1]);
        if (copy >= 0)
            close(copy);
    } else if (strcmp(mode, "fcntl") == 0) {
        (void)read(p[0], &c, 1);
    } else if (read(p[0], &c, 1) == 1) {
        assert(atomic_load(&state) != NULL);   /* uses the state */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "dup";
    assert(pipe(p) == 0);
    atomic_store(&state, &the_state);
    if (strcmp(mode, "close") == 0)
        assert(write(p[1], "x", 1) == 1);
    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    if (strcmp(mode, "dup") == 0) {
        close(p[1]);
        pthread_join(t, NULL);
        assert(copy == -1);
    } else if (strcmp(mode, "fcntl") == 0) {
        assert(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK) == 0);
        pthread_join(t, NULL);
    } else {
        int keep = dup(p[0]);         /* for a later reader */
        close(p[0]);
        atomic_store(&state, NULL);   /* "it cannot read any more" */
        pthread_join(t, NULL);
        close(keep);
    }
    return 0;
}
