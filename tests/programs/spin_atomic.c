/*
** C11 spin-waits, as real code writes them: an atomic_flag spinlock and a
** wait for a flag, neither yielding. weft sees a poll that comes again
** (the failed test-and-set, the load that finds the flag unset) as the
** end of a loop turn, so the spinning thread lets the others go, and the
** program is proven exhaustively. With -DLEAK one worker returns early
** holding the spinlock: the other spins forever, a livelock.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_flag lock = ATOMIC_FLAG_INIT;
static atomic_int ready;
static int counter;

static void *worker(void *arg)
{
    long id = (long)arg;
    while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
        ;                                       /* spin */
    counter++;
#ifdef LEAK
    if (id == 1)
        return NULL;                            /* the bug: still holding it */
#endif
    atomic_flag_clear_explicit(&lock, memory_order_release);
    (void)id;
    return NULL;
}

static void *announcer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&ready, memory_order_acquire))
        ;                                       /* wait for main */
    printf("counter %d\n", counter);
    return NULL;
}

int main(void)
{
    pthread_t w[2], a;
    pthread_create(&a, NULL, announcer, NULL);
    for (long i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    atomic_store_explicit(&ready, 1, memory_order_release);
    pthread_join(a, NULL);
    return counter == 2 ? 0 : 1;
}
