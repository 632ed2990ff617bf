/* atomic_plain_race.c -- an atomic operation and a plain access to the same
** memory, unordered, are a data race (C11), and --memory=all reports it
** (tests/programs.sh). A shutdown flag stored atomically without the mutex
** and read plainly under it is a lost wake-up (audit 8: "pass, exhaustive
** (all memory checked)": weft kept no record of atomics for the check).
** The mode: "store" (atomic store, plain read), "load" (plain store,
** atomic load), "atomics" (both atomic: no race). */
#include <pthread.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stop;
static const char *mode;

static int stopping(void)
{
    return strcmp(mode, "store") == 0 ? stop : __atomic_load_n(&stop, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stopping())
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "store";
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    if (strcmp(mode, "load") == 0)
        stop = 1;
    else
        __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&mu);          /* the broadcast under the mutex: no lost wake-up */
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    return 0;
}
