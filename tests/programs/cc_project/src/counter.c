/* counter.c -- counter_add: locked, unless built with -DUNLOCKED (then a
** read, a yield and a write: a lost update); -DTWICE locks twice (a
** self-deadlock). */
#include <sched.h>
#include "counter.h"

void counter_add(struct counter *c, int n)
{
#ifdef UNLOCKED
    int v = c->value;
    sched_yield();
    c->value = v + n;
#else
    pthread_mutex_lock(&c->lock);
#ifdef TWICE
    pthread_mutex_lock(&c->lock);
#endif
    c->value += n;
    pthread_mutex_unlock(&c->lock);
#endif
}
