/*
** missed_cancel.c -- a missed cancellation, a plain pthread program
** (weft run scenarios/programs/missed_cancel.c).
**
** A watcher thread handles events, waiting on a condition variable for
** each; shutdown cancels it and joins it. The watcher turns cancellation
** off while it handles an event, and the first event's handling waits for
** a second event to make a pair, with cancellation still off. A cancel
** that comes then finds no cancellation point that acts on it, no second
** event ever comes, and the join hangs. Built with -DFIXED the handler
** never waits with cancellation off.
*/
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

struct watcher {
    pthread_mutex_t mu;
    pthread_cond_t event;
    int pending;
    int handled;
};

static struct watcher w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void unlock(void *arg)
{
    pthread_mutex_unlock(arg);
}

/* Wait for one event under w.mu (a cancellation point when enabled). */
static void next_event(struct watcher *s)
{
    while (s->pending == 0)
        pthread_cond_wait(&s->event, &s->mu);
    s->pending--;
}

static void *watch(void *arg)
{
    struct watcher *s = arg;
    pthread_mutex_lock(&s->mu);
    pthread_cleanup_push(unlock, &s->mu);
    for (;;) {
        next_event(s);
        int old;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
        s->handled++;                 /* handling must not be cut short */
#ifndef FIXED
        if (s->handled == 1)
            next_event(s);            /* a pair of events, waited for with cancel off */
#endif
        pthread_setcancelstate(old, NULL);
    }
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, watch, &w);
    pthread_mutex_lock(&w.mu);
    w.pending++;
    pthread_cond_signal(&w.event);
    pthread_mutex_unlock(&w.mu);
    pthread_cancel(t);
    pthread_join(t, NULL);
    printf("%d events handled\n", w.handled);
    return 0;
}
