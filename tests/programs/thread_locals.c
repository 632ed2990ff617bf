/*
** thread_locals.c -- each thread has its own errno and its own __thread
** and _Thread_local variables, across visible operations (a lock, a
** yield, a join), although weft runs all threads on one OS thread; a
** pointer to one thread's variable reaches that thread's copy from
** another thread, as under real threads (tests/programs.sh).
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

static __thread int counter = 100;           /* initialised */
static _Thread_local long zeroed[8];         /* zero */
static __thread int *registered;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;
static int *slots[3];                        /* each thread's &counter */

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    assert(counter == 100 && zeroed[7] == 0 && registered == NULL);
    assert(errno == 0);
    errno = 10 + me;
    counter = me;
    zeroed[7] = me * 2;
    registered = &counter;
    pthread_mutex_lock(&lock);
    slots[me] = &counter;
    pthread_mutex_unlock(&lock);
    sched_yield();
    pthread_barrier_wait(&both);             /* both registered, neither changes */
    assert(*slots[3 - me] == 3 - me && slots[3 - me] != &counter);
    pthread_barrier_wait(&both);
    assert(errno == 10 + me);
    assert(counter == me && zeroed[7] == me * 2 && registered == &counter);
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
    assert(errno == 10 + me && counter == me + 1);
    return (void *)(intptr_t)counter;
}

int main(void)
{
    assert(counter == 100 && errno == 0);
    errno = 77;
    counter = 0;
    pthread_barrier_init(&both, NULL, 2);
    pthread_t t[2];
    for (intptr_t i = 1; i <= 2; i++)
        pthread_create(&t[i - 1], NULL, worker, (void *)i);
    pthread_mutex_lock(&lock);
    assert(errno == 77 && counter == 0);
    slots[0] = &counter;
    pthread_mutex_unlock(&lock);
    void *r1, *r2;
    pthread_join(t[0], &r1);
    pthread_join(t[1], &r2);
    assert(errno == 77 && counter == 0 && zeroed[7] == 0);
    assert(r1 == (void *)2 && r2 == (void *)3);
    assert(slots[1] != slots[2] && slots[0] == &counter);
    return 0;
}
