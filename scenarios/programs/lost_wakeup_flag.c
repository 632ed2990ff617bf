/*
** lost_wakeup_flag.c -- a lost wake-up through an atomic check-then-act, a
** plain pthread program (weft run scenarios/programs/lost_wakeup_flag.c).
**
** The consumer checks an atomic flag under the mutex and waits on the
** condition variable while it is clear. The producer sets the flag and
** signals without taking the mutex, since the flag is atomic: between the
** consumer's check and its wait, the producer's store and signal can both
** happen, the signal finds no waiter, and the consumer waits forever.
** Built with -DFIXED the producer sets the flag and signals under the
** mutex, so it cannot fall between the consumer's check and its wait.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static atomic_int ready;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!atomic_load(&ready))
        pthread_cond_wait(&ready_cond, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *producer(void *arg)
{
    (void)arg;
#ifdef FIXED
    pthread_mutex_lock(&mu);
#endif
    atomic_store(&ready, 1);
    pthread_cond_signal(&ready_cond);
#ifdef FIXED
    pthread_mutex_unlock(&mu);
#endif
    return NULL;
}

int main(void)
{
    pthread_t c, p;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    puts("consumed");
    return 0;
}
