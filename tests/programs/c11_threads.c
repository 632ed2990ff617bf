/*
** c11_threads.c -- a program written against C11 <threads.h> runs on
** weft's threads and primitives as a pthread program does
** (tests/programs.sh): thrd_create and thrd_join with the int result,
** recursive mtx_t, cnd_wait and cnd_timedwait on the virtual clock,
** call_once, tss_* with a destructor, thrd_sleep. -DINVERT takes the two
** mutexes in opposite orders in the two threads: a deadlock.
*/
#include <assert.h>
#include <threads.h>
#include <time.h>

static mtx_t a, b;
static cnd_t ready_cv;
static once_flag once = ONCE_FLAG_INIT;
static tss_t key;
static int inits, ready, destroyed;

static void init(void) { inits++; }
static void forget(void *v) { (void)v; destroyed++; }

static int first(void *arg)
{
    call_once(&once, init);
    tss_set(key, arg);
    assert(mtx_lock(&a) == thrd_success && mtx_lock(&b) == thrd_success);
    ready = 1;
    cnd_signal(&ready_cv);
    mtx_unlock(&b);
    mtx_unlock(&a);
    assert(tss_get(key) == arg);
    return 7;
}

static int second(void *arg)
{
    (void)arg;
    call_once(&once, init);
#ifdef INVERT
    mtx_lock(&b);
    mtx_lock(&a);
#else
    mtx_lock(&a);
    mtx_lock(&b);
#endif
    mtx_unlock(&b);
    mtx_unlock(&a);
    struct timespec d = { 0, 1000000 };
    assert(thrd_sleep(&d, NULL) == 0);
    return 8;
}

int main(void)
{
    thrd_t t1, t2;
    int r1, r2;
    assert(mtx_init(&a, mtx_plain | mtx_recursive) == thrd_success);
    assert(mtx_init(&b, mtx_timed) == thrd_success);
    assert(cnd_init(&ready_cv) == thrd_success);
    assert(tss_create(&key, forget) == thrd_success);
    assert(mtx_lock(&a) == thrd_success && mtx_lock(&a) == thrd_success);   /* recursive */
    mtx_unlock(&a);
    mtx_unlock(&a);
    assert(thrd_create(&t1, first, &r1) == thrd_success);
    assert(thrd_create(&t2, second, NULL) == thrd_success);
    mtx_lock(&a);
    struct timespec deadline;
    timespec_get(&deadline, TIME_UTC);
    deadline.tv_sec += 1;
    int rc = thrd_success;
    while (!ready && rc == thrd_success)
        rc = cnd_timedwait(&ready_cv, &a, &deadline);
    assert(rc == thrd_success || rc == thrd_timedout);
    mtx_unlock(&a);
    assert(thrd_join(t1, &r1) == thrd_success && r1 == 7);
    assert(thrd_join(t2, &r2) == thrd_success && r2 == 8);
    assert(inits == 1 && destroyed == 1);
    return 0;
}
