/* lock_kinds.c -- lock attributes weft honours or names (tests/programs.sh).
** A reader takes a read lock twice (nested) while a writer comes: with
** glibc's default rwlock (readers preferred) the second read lock is
** granted; with -DWRITERS_FIRST (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
** it waits behind the waiting writer, which waits for the first: a
** deadlock. -DROBUST: a robust mutex, which weft does not model (its
** EOWNERDEAD), named as unsupported at its line. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>

static pthread_rwlock_t table;
static sem_t reading;

static void *writer(void *arg)
{
    (void)arg;
    sem_wait(&reading);
    pthread_rwlock_wrlock(&table);
    pthread_rwlock_unlock(&table);
    return NULL;
}

int main(void)
{
#ifdef ROBUST
    pthread_mutexattr_t ma;
    pthread_mutex_t m;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &ma);
#endif
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
#ifdef WRITERS_FIRST
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    pthread_rwlock_init(&table, &a);
    sem_init(&reading, 0, 0);
    pthread_t w;
    pthread_create(&w, NULL, writer, NULL);
    pthread_rwlock_rdlock(&table);
    sem_post(&reading);
    pthread_rwlock_rdlock(&table);    /* nested: behind a waiting writer? */
    pthread_rwlock_unlock(&table);
    pthread_rwlock_unlock(&table);
    pthread_join(w, NULL);
    return 0;
}
