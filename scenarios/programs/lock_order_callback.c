/*
** lock_order_callback.c -- a lock-order inversion through a callback, a
** plain pthread program (weft run scenarios/programs/lock_order_callback.c).
**
** An event bus calls its subscribers' callbacks while it holds its own
** lock; a subscriber's callback takes the subscriber's lock. Meanwhile the
** subscriber, holding its lock, unsubscribes, which takes the bus's lock:
** bus -> subscriber in one thread, subscriber -> bus in the other, and the
** two threads deadlock. Built with -DFIXED the bus copies its subscriber
** list under its lock and calls the callbacks after releasing it.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SUBSCRIBERS 4

struct subscriber {
    pthread_mutex_t mu;
    int events;
    void (*callback)(struct subscriber *s, int event);
};

struct bus {
    pthread_mutex_t mu;
    struct subscriber *subs[MAX_SUBSCRIBERS];
    int nsubs;
};

static struct bus bus = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void count_event(struct subscriber *s, int event)
{
    pthread_mutex_lock(&s->mu);
    s->events += event;
    pthread_mutex_unlock(&s->mu);
}

static void bus_subscribe(struct bus *b, struct subscriber *s)
{
    pthread_mutex_lock(&b->mu);
    b->subs[b->nsubs++] = s;
    pthread_mutex_unlock(&b->mu);
}

static void bus_unsubscribe(struct bus *b, struct subscriber *s)
{
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < b->nsubs; i++)
        if (b->subs[i] == s)
            b->subs[i] = b->subs[--b->nsubs];
    pthread_mutex_unlock(&b->mu);
}

static void bus_publish(struct bus *b, int event)
{
#ifndef FIXED
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < b->nsubs; i++)
        b->subs[i]->callback(b->subs[i], event);    /* bus lock held: the bug */
    pthread_mutex_unlock(&b->mu);
#else
    struct subscriber *copy[MAX_SUBSCRIBERS];
    pthread_mutex_lock(&b->mu);
    int n = b->nsubs;
    for (int i = 0; i < n; i++)
        copy[i] = b->subs[i];
    pthread_mutex_unlock(&b->mu);
    for (int i = 0; i < n; i++)
        copy[i]->callback(copy[i], event);
#endif
}

static void *publisher(void *arg)
{
    bus_publish(&bus, *(int *)arg);
    return NULL;
}

int main(void)
{
    struct subscriber *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->callback = count_event;
    bus_subscribe(&bus, s);

    int event = 1;
    pthread_t t;
    pthread_create(&t, NULL, publisher, &event);

    pthread_mutex_lock(&s->mu);       /* the subscriber shuts down */
    bus_unsubscribe(&bus, s);
    pthread_mutex_unlock(&s->mu);

    pthread_join(t, NULL);
    printf("events seen: %d\n", s->events);
    free(s);
    return 0;
}
