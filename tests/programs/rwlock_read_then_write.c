/*
** rwlock_read_then_write.c -- threads that each read-lock an rwlock,
** unlock it, then write-lock it (tests/programs.sh). DPOR runs every class
** plain DFS runs, but not one execution per class: a few are cut short by
** sleep sets (README, Limits: 90 executions and 6 pruned for three
** threads). Kept here so that the count shows when that is mended.
** The argument is the number of threads (default 3).
*/
#include <pthread.h>
#include <stdlib.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void *client(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_wrlock(&rw);
    pthread_rwlock_unlock(&rw);
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    pthread_t t[8];
    if (n < 1 || n > 8)
        return 2;
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, client, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    return 0;
}
