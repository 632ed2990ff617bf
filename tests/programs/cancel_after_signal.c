/* cancel_after_signal.c -- a waiter signalled, then cancelled before it
** runs again, acts on the cancellation (glibc: it is still in its
** cancellable wait), retaking the mutex for its cleanup handler
** (tests/programs.sh). Here the handler forgets to unlock it, so main's
** lock after the join waits for ever: Linux hangs in about 1 run of 10.
** weft let a wait that a signal had ended finish, never cancelled it, and
** passed. -DFIXED: the handler unlocks the mutex. */
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;

static void cleanup(void *arg)
{
#ifdef FIXED
    pthread_mutex_unlock(arg);
#else
    (void)arg;                        /* forgets the mutex it holds */
#endif
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_cleanup_push(cleanup, &m);
    while (!ready)
        pthread_cond_wait(&c, &m);
    pthread_cleanup_pop(0);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    pthread_cancel(t);
    pthread_join(t, NULL);
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return 0;
}
