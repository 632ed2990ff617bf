/* plain_spin.c -- a test-and-test-and-set spinlock whose inner loop polls
** the lock word as plain (volatile) memory, as older C code does with
** GCC's __sync builtins (tests/programs.sh). The inner loop makes no
** visible operation; after 1,024 reads of one address weft makes that
** read a step, so the holder runs and the program passes, where the
** watchdog reported a livelock before. -DBROKEN: the lock is a plain
** check then set: a data race under --memory=all (plain memory is not
** otherwise seen, so without it the check and the set are one step). */
#include <assert.h>
#include <pthread.h>

static volatile int locked;
static int counter;

static void lock(void)
{
#ifdef BROKEN
    while (locked)
        ;
    locked = 1;
#else
    while (__sync_lock_test_and_set(&locked, 1))
        while (locked)
            ;
#endif
}

static void unlock(void)
{
    __sync_lock_release(&locked);
}

static void *worker(void *arg)
{
    (void)arg;
    lock();
    int seen = counter;
    counter = seen + 1;
    unlock();
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert(counter == 2);
    return 0;
}
