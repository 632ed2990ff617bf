/* atomic_init.c -- atomic_init initialises an atomic object and is no
** atomic operation in C11 (tests/programs.sh). glibc's header makes it a
** relaxed store, which weft buffered and reported as a relaxed atomic in
** programs whose atomics are all sequentially consistent (audit 21).
**   before   main initialises two counters before it starts the worker;
**            both add: passes, with no caveat about relaxed atomics.
**   racing   main initialises the counter after the worker started,
**            which loads it: under --memory=all, a data race. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static atomic_int counter;
static _Atomic(long) wide;

static void *worker(void *arg)
{
    if (arg) {
        (void)atomic_load(&counter);
        return NULL;
    }
    atomic_fetch_add(&counter, 1);
    atomic_fetch_add(&wide, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    int racing = argc > 1 && strcmp(argv[1], "racing") == 0;
    if (racing) {
        pthread_create(&t, NULL, worker, &t);
        atomic_init(&counter, 3);
        pthread_join(t, NULL);
        return 0;
    }
    atomic_init(&counter, 3);
    atomic_init(&wide, 10L);
    pthread_create(&t, NULL, worker, NULL);
    atomic_fetch_add(&counter, 1);
    pthread_join(t, NULL);
    assert(atomic_load(&counter) == 5 && atomic_load(&wide) == 11);
    return 0;
}
