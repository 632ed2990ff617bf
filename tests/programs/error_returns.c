/*
** error_returns.c -- the error numbers glibc returns where weft failed the
** execution or answered otherwise (audit 7: F1, F2, F7, F10, F18). Every
** assert holds natively (gcc -pthread, glibc) and in every interleaving
** under weft run (tests/programs.sh).
**   -DUNOWNED_NORMAL  main then waits on a condition with a normal mutex it
**                     does not hold, first used there: misuse, reported
**                     with the mutex as the program spells it
*/
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <limits.h>                   /* SEM_VALUE_MAX */
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

static pthread_mutex_t rec, ec, plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rec_static = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static struct timespec from_now(int s, long bad_nsec)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += s;
    if (bad_nsec)
        t.tv_nsec = bad_nsec;
    return t;
}

/* While main holds rec (twice), rec_static, ec and plain. */
static void *other(void *arg)
{
    (void)arg;
    struct timespec soon = from_now(1, 0), bad = from_now(1, 1000000000);
    assert(pthread_mutex_unlock(&rec) == EPERM);              /* F1 */
    assert(pthread_mutex_unlock(&rec_static) == EPERM);
    assert(pthread_mutex_trylock(&rec) == EBUSY);
    assert(pthread_cond_wait(&cv, &ec) == EPERM);             /* F18 */
    assert(pthread_cond_timedwait(&cv, &rec, &soon) == EPERM);
    assert(pthread_mutex_timedlock(&plain, &bad) == EINVAL);  /* F10: it would wait */
    return NULL;
}

static void mutexes(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rec, &a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&ec, &a);
    pthread_mutexattr_destroy(&a);
    struct timespec past = from_now(-1, 0);
    assert(pthread_mutex_unlock(&rec) == EPERM);              /* F1: not locked */
    assert(pthread_mutex_unlock(&rec_static) == EPERM);
    assert(pthread_cond_wait(&cv, &ec) == EPERM);             /* F18: not held */
    assert(pthread_cond_timedwait(&cv, &ec, &past) == EPERM);
    assert(pthread_cond_wait(&cv, &rec_static) == EPERM);
    assert(pthread_mutex_lock(&rec) == 0 && pthread_mutex_lock(&rec) == 0);
    assert(pthread_mutex_lock(&rec_static) == 0);
    assert(pthread_mutex_lock(&ec) == 0 && pthread_mutex_lock(&plain) == 0);
    pthread_t t;
    assert(pthread_create(&t, NULL, other, NULL) == 0);
    assert(pthread_join(t, NULL) == 0);
    assert(pthread_mutex_unlock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0);
    assert(pthread_mutex_unlock(&rec) == EPERM);
    assert(pthread_mutex_unlock(&rec_static) == 0);
    assert(pthread_mutex_unlock(&rec_static) == EPERM);
    assert(pthread_mutex_unlock(&ec) == 0 && pthread_mutex_unlock(&plain) == 0);
}

/* F10: an invalid tv_nsec matters only when the lock would wait. */
static void timedlocks(void)
{
    struct timespec bad = from_now(1, 1000000000), negative = from_now(1, -1);
    assert(pthread_mutex_timedlock(&ec, &bad) == 0);          /* free: taken */
    assert(pthread_mutex_timedlock(&ec, &bad) == EDEADLK);
    assert(pthread_mutex_unlock(&ec) == 0);
    assert(pthread_mutex_clocklock(&plain, CLOCK_MONOTONIC, &negative) == 0);
    assert(pthread_mutex_timedlock(&plain, &bad) == EINVAL);  /* held: it would wait */
    assert(pthread_mutex_unlock(&plain) == 0);
    assert(pthread_mutex_timedlock(&rec, &bad) == 0 && pthread_mutex_timedlock(&rec, &bad) == 0);
    assert(pthread_mutex_unlock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0);
    assert(pthread_mutex_clocklock(&ec, CLOCK_PROCESS_CPUTIME_ID, &bad) == EINVAL);
    assert(pthread_mutex_trylock(&ec) == 0 && pthread_mutex_unlock(&ec) == 0);
}

/* F2: a lock by the writer itself, of either kind. */
static void rwlocks(void)
{
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER, wp;
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&wp, &a);
    pthread_rwlockattr_destroy(&a);
    pthread_rwlock_t *locks[] = { &rw, &wp };
    for (int i = 0; i < 2; i++) {
        assert(pthread_rwlock_wrlock(locks[i]) == 0);
        assert(pthread_rwlock_rdlock(locks[i]) == EDEADLK);
        assert(pthread_rwlock_wrlock(locks[i]) == EDEADLK);
        assert(pthread_rwlock_unlock(locks[i]) == 0);
        assert(pthread_rwlock_rdlock(locks[i]) == 0 && pthread_rwlock_unlock(locks[i]) == 0);
    }
}

/* F7: a post at SEM_VALUE_MAX fails and keeps the count. */
static void semaphores(void)
{
    sem_t s;
    int v;
    assert(sem_init(&s, 0, SEM_VALUE_MAX) == 0);
    errno = 0;
    assert(sem_post(&s) == -1 && errno == EOVERFLOW);
    assert(sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX);
    assert(sem_trywait(&s) == 0 && sem_post(&s) == 0);
    assert(sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX);
    assert(sem_destroy(&s) == 0);
}

int main(void)
{
    mutexes();
    timedlocks();
    rwlocks();
    semaphores();
#ifdef UNOWNED_NORMAL
    struct { pthread_mutex_t mu; pthread_cond_t ready; } box = {
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
    struct timespec soon = from_now(1, 0);
    pthread_cond_timedwait(&box.ready, &box.mu, &soon);
#endif
    return 0;
}
