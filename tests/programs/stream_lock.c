/* stream_lock.c -- flockfile, ftrylockfile and funlockfile between threads
** (tests/programs.sh). glibc's stream lock is recursive and owned by the OS
** thread; weft's threads share one, so weft gives each stream a recursive
** mutex of its own. Modes (argv[1]):
**   group     two writers each keep a record of two parts together with
**             flockfile: nobody is inside with them (pass)
**   unlocked  the same without the lock: the second writer finds the
**             first inside (an assertion)
**   nested    flockfile twice, funlockfile twice, by each writer (pass)
**   try       ftrylockfile while the other may hold it: both answers are
**             seen, and a failed try leaves the lock to its holder (pass;
**             the outcome goes to $OUT when set)
**   forgotten a writer returns holding the lock: the other waits forever
**             (a deadlock)
*/
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static atomic_int inside;
static const char *mode;

static void record(void)
{
    if (atomic_load(&inside) != 0) {
        fprintf(stderr, "two writers inside one record\n");
        abort();
    }
    atomic_store(&inside, 1);
    fputs("part 1, ", out);
    sched_yield();
    fputs("part 2\n", out);
    atomic_store(&inside, 0);
}

static void *writer(void *arg)
{
    (void)arg;
    if (strcmp(mode, "unlocked") == 0) {
        record();
    } else if (strcmp(mode, "nested") == 0) {
        flockfile(out);
        flockfile(out);
        record();
        funlockfile(out);
        record();
        funlockfile(out);
    } else if (strcmp(mode, "forgotten") == 0) {
        flockfile(out);
        record();                     /* and no funlockfile */
    } else {
        flockfile(out);
        record();
        funlockfile(out);
    }
    return NULL;
}

static atomic_int tries_failed;

static void *trier(void *arg)
{
    (void)arg;
    if (ftrylockfile(out) != 0) {
        atomic_fetch_add(&tries_failed, 1);
        return NULL;
    }
    record();
    funlockfile(out);
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "group";
    out = fopen("/dev/null", "w");
    if (out == NULL)
        return 2;
    bool try = strcmp(mode, "try") == 0;
    pthread_t a, b;
    if (try) {
        pthread_create(&a, NULL, trier, NULL);
        pthread_create(&b, NULL, trier, NULL);
    } else {
        pthread_create(&a, NULL, writer, NULL);
        pthread_create(&b, NULL, writer, NULL);
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    fclose(out);
    const char *path = getenv("OUT");
    FILE *o = path && try ? fopen(path, "a") : NULL;
    if (o) {
        fprintf(o, "failed tries %d\n", atomic_load(&tries_failed));
        fclose(o);
    }
    return 0;
}
