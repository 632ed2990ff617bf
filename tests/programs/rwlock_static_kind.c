/* rwlock_static_kind.c -- a rwlock's static initializer names its kind
** (tests/programs.sh). With glibc's writer-preferring one, a read lock
** taken again while a writer waits blocks behind the writer, which waits
** for the first read lock: a deadlock (Linux hangs). weft took every
** static rwlock for the default, readers preferred, and passed it. With
** -DDEFAULT (PTHREAD_RWLOCK_INITIALIZER) the nested read lock goes first:
** a pass. */
#define _GNU_SOURCE
#include <pthread.h>

#ifdef DEFAULT
static pthread_rwlock_t table = PTHREAD_RWLOCK_INITIALIZER;
#else
static pthread_rwlock_t table = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#endif
static int entries;

static void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&table);
    entries++;
    pthread_rwlock_unlock(&table);
    return NULL;
}

static int lookup_default(void)
{
    pthread_rwlock_rdlock(&table);    /* again, behind a waiting writer */
    int n = entries;
    pthread_rwlock_unlock(&table);
    return n;
}

int main(void)
{
    pthread_t w;
    pthread_create(&w, NULL, writer, NULL);
    pthread_rwlock_rdlock(&table);
    int n = entries + lookup_default();
    pthread_rwlock_unlock(&table);
    pthread_join(w, NULL);
    return n > 2;
}
