/*
** cancel_signalled.c -- a waiter cancelled in pthread_cond_wait after a
** signal chose it must not take the signal with it (POSIX; glibc signals
** again): the other waiter still wakes and takes the one item, and the
** program passes (tests/programs.sh). main cancels with the mutex held,
** so the signalled waiter is still waiting for it when the request comes.
*/
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int items, taken;

static void unlock_it(void *m)
{
    pthread_mutex_unlock(m);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    pthread_cleanup_push(unlock_it, &mu);
    while (items == 0)
        pthread_cond_wait(&cv, &mu);
    items--;
    taken++;
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    void *ra, *rb;
    pthread_create(&a, NULL, waiter, NULL);
    pthread_create(&b, NULL, waiter, NULL);
    pthread_mutex_lock(&mu);
    items = 1;
    pthread_cond_signal(&cv);
    pthread_cancel(a);                /* a may be the one the signal chose */
    pthread_mutex_unlock(&mu);
    pthread_join(a, &ra);
    if (ra == PTHREAD_CANCELED) {
        pthread_join(b, &rb);         /* b takes the item */
        assert(rb == NULL);
    } else {
        pthread_cancel(b);
        pthread_join(b, &rb);
    }
    assert(taken == 1);
    return 0;
}
