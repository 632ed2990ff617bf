/*
** surface.c -- the pthread calls weft maps, each checked for its POSIX
** result (tests/programs.sh runs it to exhaustion: every interleaving
** must pass). Time is weft's virtual clock.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static struct timespec in_ms(clockid_t clock, int ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    int64_t ns = ns_of(t) + (int64_t)ms * 1000000;
    return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

/* A timed wait nobody signals times out at its deadline, on either clock. */
static void timed_waits(void)
{
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t real = PTHREAD_COND_INITIALIZER, mono;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&mono, &attr);
    pthread_mutex_lock(&mu);
    struct timespec deadline = in_ms(CLOCK_REALTIME, 50), now;
    assert(pthread_cond_timedwait(&real, &mu, &deadline) == ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &now);
    assert(ns_of(now) >= ns_of(deadline));
    deadline = in_ms(CLOCK_MONOTONIC, 20);
    assert(pthread_cond_timedwait(&mono, &mu, &deadline) == ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &now);
    assert(ns_of(now) >= ns_of(deadline));
    deadline = in_ms(CLOCK_REALTIME, -5);             /* already passed */
    assert(pthread_cond_timedwait(&real, &mu, &deadline) == ETIMEDOUT);
    pthread_mutex_unlock(&mu);
}

static void sleeps(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(1500);
    nanosleep(&(struct timespec){ 0, 500000 }, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert(ns_of(b) - ns_of(a) >= 2000000);
}

static void mutex_kinds(void)
{
    pthread_mutex_t check, plain = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&check, &attr);
    assert(pthread_mutex_lock(&check) == 0);
    assert(pthread_mutex_lock(&check) == EDEADLK);
    assert(pthread_mutex_unlock(&check) == 0);
    assert(pthread_mutex_trylock(&plain) == 0);
    assert(pthread_mutex_trylock(&plain) == EBUSY);
    assert(pthread_mutex_unlock(&plain) == 0);
}

static sem_t items;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int inits;
static pthread_barrier_t barrier;
static int serial;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int shared_value;

static void init_once(void) { inits++; }

static void *worker(void *arg)
{
    pthread_once(&once, init_once);
    pthread_rwlock_rdlock(&rw);
    int seen = shared_value;
    pthread_rwlock_unlock(&rw);
    assert(seen == 0 || seen == 1);
    sem_post(&items);
    if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
        serial++;
    pthread_exit(arg);
}

static void *detached(void *arg)
{
    (void)arg;
    return NULL;
}

int main(void)
{
    timed_waits();
    sleeps();
    mutex_kinds();
    assert(pthread_equal(pthread_self(), pthread_self()));

    sem_init(&items, 0, 0);
    pthread_barrier_init(&barrier, NULL, 3);
    pthread_t t[2], d;
    for (intptr_t i = 0; i < 2; i++)
        assert(pthread_create(&t[i], NULL, worker, (void *)(i + 10)) == 0);
    assert(!pthread_equal(t[0], t[1]));
    pthread_create(&d, NULL, detached, NULL);
    assert(pthread_detach(d) == 0);

    pthread_rwlock_wrlock(&rw);
    shared_value = 1;
    pthread_rwlock_unlock(&rw);
    sem_wait(&items);
    sem_wait(&items);
    assert(sem_trywait(&items) == -1 && errno == EAGAIN);
    struct timespec deadline = in_ms(CLOCK_REALTIME, 10);
    assert(sem_timedwait(&items, &deadline) == -1 && errno == ETIMEDOUT);
    if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
        serial++;
    void *r0, *r1;
    pthread_join(t[0], &r0);
    pthread_join(t[1], &r1);
    assert(r0 == (void *)10 && r1 == (void *)11);
    assert(inits == 1 && serial == 1);
    assert(pthread_join(t[0], NULL) == EINVAL);
    return 0;
}
