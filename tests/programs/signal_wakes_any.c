/* signal_wakes_any.c -- one condition variable, two kinds of waiters: a
** consumer waits for an item, a watcher for shutdown. Main posts an item
** and signals once. POSIX wakes at least one waiter, any one: when the
** signal goes to the watcher, it sees no shutdown and waits again, the
** consumer is never woken, and main's join waits forever
** (tests/programs.sh). The consumer waits first, so a signal that always
** woke the oldest waiter would hide this. -DFIXED: broadcast. */
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static sem_t consumer_waits;
static int item, shutting_down;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    sem_post(&consumer_waits);        /* main cannot take lock until it waits */
    while (!item)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *watcher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!shutting_down)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t c, w;
    sem_init(&consumer_waits, 0, 0);
    pthread_create(&c, NULL, consumer, NULL);
    sem_wait(&consumer_waits);
    pthread_mutex_lock(&lock);        /* the consumer is in its wait now */
    pthread_create(&w, NULL, watcher, NULL);
    pthread_mutex_unlock(&lock);
    pthread_mutex_lock(&lock);
    item = 1;
#ifdef FIXED
    pthread_cond_broadcast(&changed);
#else
    pthread_cond_signal(&changed);
#endif
    pthread_mutex_unlock(&lock);
    pthread_join(c, NULL);
    pthread_mutex_lock(&lock);
    shutting_down = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    pthread_join(w, NULL);
    return 0;
}
