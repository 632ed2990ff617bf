/*
** try_timed.c -- the try and timed lock calls (tests/programs.sh). Each
** -D picks a claim that some interleaving breaks, so weft must find it:
**   -DRW_TRY    a writer's trywrlock while a reader holds is EBUSY
**               (a read unlock turns it around: they do not commute)
**   -DTIMEDLOCK pthread_mutex_timedlock times out while the holder
**               sleeps past the deadline (ETIMEDOUT on the virtual clock)
**   -DSPIN      two threads count under a spinlock; the claim that the
**               second trylock always succeeds is broken
**   -DCLOCKWAIT pthread_cond_clockwait on CLOCK_MONOTONIC times out
** With none of them, every call is used correctly and the program passes.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_spinlock_t spin;
static int count, ready;

static void *reader(void *arg)
{
    (void)arg;
    if (pthread_rwlock_tryrdlock(&rw) == 0)
        pthread_rwlock_unlock(&rw);
    pthread_spin_lock(&spin);
    count++;
    pthread_spin_unlock(&spin);
    pthread_mutex_lock(&mu);
    sleep(2);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static struct timespec in_one_second(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_sec += 1;
    return t;
}

int main(void)
{
    pthread_t t;
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_create(&t, NULL, reader, NULL);
    int rc = pthread_rwlock_trywrlock(&rw);
    assert(rc == 0 || rc == EBUSY);
    if (rc == 0)
        pthread_rwlock_unlock(&rw);
#ifdef RW_TRY
    assert(rc == 0);
#endif
    rc = pthread_spin_trylock(&spin);
    assert(rc == 0 || rc == EBUSY);
#ifdef SPIN
    assert(rc == 0);
#endif
    if (rc == 0) {
        count++;
        pthread_spin_unlock(&spin);
    }
    struct timespec deadline = in_one_second(CLOCK_REALTIME);
    rc = pthread_mutex_timedlock(&mu, &deadline);
    assert(rc == 0 || rc == ETIMEDOUT);
#ifdef TIMEDLOCK
    assert(rc == 0);
#endif
    if (rc == 0)
        pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&mu);
    deadline = in_one_second(CLOCK_MONOTONIC);
    rc = 0;
    while (!ready && rc == 0)
        rc = pthread_cond_clockwait(&cv, &mu, CLOCK_MONOTONIC, &deadline);
    assert(rc == 0 || rc == ETIMEDOUT);
#ifdef CLOCKWAIT
    assert(rc == 0);
#endif
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    pthread_spin_destroy(&spin);
    return 0;
}
