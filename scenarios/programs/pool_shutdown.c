/*
** pool_shutdown.c -- a thread pool whose shutdown hangs, a plain pthread
** program (weft run scenarios/programs/pool_shutdown.c).
**
** Two workers take tasks from a queue and wait on a condition variable
** while it is empty and the pool runs. The stop flag is atomic, so
** shutdown sets it and broadcasts without the pool's mutex: a worker that
** has just seen "no task, not stopping" under the mutex, and not yet
** waited, misses the broadcast and waits forever, and the join in
** pool_destroy hangs. Built with -DFIXED the flag is set and broadcast
** under the mutex.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 2
#define QUEUE 8

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work;
    int tasks[QUEUE];
    int head, tail;
    atomic_bool stopping;
    long done;
    pthread_t threads[WORKERS];
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->head == p->tail && !atomic_load(&p->stopping))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->head == p->tail)
            break;                    /* stopping, and nothing left to do */
        int task = p->tasks[p->head++ % QUEUE];
        pthread_mutex_unlock(&p->mu);
        long result = task * 2;       /* the work, outside the lock */
        pthread_mutex_lock(&p->mu);
        p->done += result;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static struct pool *pool_create(void)
{
    struct pool *p = calloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&p->threads[i], NULL, worker, p);
    return p;
}

static void pool_submit(struct pool *p, int task)
{
    pthread_mutex_lock(&p->mu);
    p->tasks[p->tail++ % QUEUE] = task;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

static long pool_destroy(struct pool *p)
{
#ifdef FIXED
    pthread_mutex_lock(&p->mu);
#endif
    atomic_store(&p->stopping, true); /* without the mutex: the bug */
    pthread_cond_broadcast(&p->work);
#ifdef FIXED
    pthread_mutex_unlock(&p->mu);
#endif
    for (int i = 0; i < WORKERS; i++)
        pthread_join(p->threads[i], NULL);
    long done = p->done;
    free(p);
    return done;
}

int main(void)
{
    struct pool *p = pool_create();
    pool_submit(p, 1);
    long done = pool_destroy(p);
    printf("done: %ld\n", done);
    return done == 2 ? 0 : 1;
}
