/*
** cancel_many.c -- cancellation among 9 threads (tests/programs.sh): from
** 8 threads the scheduler keeps enabled sets by watching, and a thread
** that parks on a condition after its cancellation was requested is
** enabled (its wait is interrupted), not blocked (it was taken for a
** deadlock). Passes in every interleaving.
*/
#include <pthread.h>
#include <stdint.h>

enum { N = 8 };
static pthread_mutex_t lock[N];
static pthread_cond_t never[N];

static void unlock_it(void *arg)
{
    pthread_mutex_unlock(arg);
}

static void *waits(void *arg)
{
    int i = (int)(intptr_t)arg;       /* a lock and condition each: few classes */
    pthread_mutex_lock(&lock[i]);
    pthread_cleanup_push(unlock_it, &lock[i]);
    for (;;)
        pthread_cond_wait(&never[i], &lock[i]);
    pthread_cleanup_pop(1);
    return arg;
}

int main(void)
{
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        pthread_mutex_init(&lock[i], NULL);
        pthread_cond_init(&never[i], NULL);
        pthread_create(&t[i], NULL, waits, (void *)(intptr_t)i);
    }
    for (int i = 0; i < N; i++)
        pthread_cancel(t[i]);
    for (int i = 0; i < N; i++) {
        void *res;
        pthread_join(t[i], &res);
        if (res != PTHREAD_CANCELED)
            return 1;
    }
    return 0;
}
