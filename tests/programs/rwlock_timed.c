/*
** rwlock_timed.c -- pthread_rwlock_timedrdlock, timedwrlock and their
** clock variants on the virtual clock (tests/programs.sh). A reader holds
** the lock across a sleep of 2 s; main asks for it with deadlines. Each
** -D picks a claim that some interleaving breaks, so weft must find it:
**   -DALWAYS_GETS  the write lock, due in 1 s, is always taken (it times
**                  out when the reader holds it past the deadline)
**   -DNEVER_GETS   it always times out (it is free before the reader
**                  locks, or after it unlocks)
** With none of them, every call is checked against what POSIX (and glibc)
** return, and the program passes in every interleaving.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void *reader(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    sleep(2);
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static struct timespec in_seconds(clockid_t clock, int s)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_sec += s;
    return t;
}

/* What needs no other thread: errors, a passed deadline, a free lock. */
static void alone(void)
{
    struct timespec soon = in_seconds(CLOCK_REALTIME, 1), past = in_seconds(CLOCK_REALTIME, -1);
    struct timespec bad = soon;
    bad.tv_nsec = 1000000000;
    assert(pthread_rwlock_timedwrlock(&rw, &bad) == EINVAL);
    assert(pthread_rwlock_clockrdlock(&rw, CLOCK_PROCESS_CPUTIME_ID, &soon) == EINVAL);
    assert(pthread_rwlock_timedwrlock(&rw, &past) == 0);      /* free: taken */
    assert(pthread_rwlock_timedrdlock(&rw, &soon) == EDEADLK);
    assert(pthread_rwlock_timedwrlock(&rw, &soon) == EDEADLK);
    assert(pthread_rwlock_unlock(&rw) == 0);
    assert(pthread_rwlock_timedrdlock(&rw, &past) == 0);
    struct timespec mono = in_seconds(CLOCK_MONOTONIC, 1);
    assert(pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &mono) == 0);   /* readers share */
    assert(pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &mono) == ETIMEDOUT);
    assert(pthread_rwlock_unlock(&rw) == 0);
    assert(pthread_rwlock_unlock(&rw) == 0);
}

int main(void)
{
    alone();
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    struct timespec due = in_seconds(CLOCK_REALTIME, 1);
    int rc = pthread_rwlock_timedwrlock(&rw, &due);
    assert(rc == 0 || rc == ETIMEDOUT);
#ifdef ALWAYS_GETS
    assert(rc == 0);
#endif
#ifdef NEVER_GETS
    assert(rc == ETIMEDOUT);
#endif
    if (rc == 0)
        pthread_rwlock_unlock(&rw);
    pthread_join(t, NULL);
    /* Free now, and due long ago: taken all the same (POSIX). */
    assert(pthread_rwlock_timedrdlock(&rw, &due) == 0);
    assert(pthread_rwlock_unlock(&rw) == 0);
    return 0;
}
