/*
** abba.c -- the classic lock-order inversion.
**
** t1 locks A then B; t2 locks B then A.
**   t1   locks A
**   t2   locks B
**   t1   waits for B (held by t2); t2 waits for A (held by t1)
**
** Fix: one global order: both threads lock A before B.
*/
#include <weft.h>

struct locks {
    weft_mutex_t a, b;
    int counter;
};

/* The locking is spelled out in each thread (no shared helper) so that a
** report's source lines show which thread takes which lock first. */
static void t1(void *arg)
{
    struct locks *l = arg;

    weft_mutex_lock(&l->a);
    weft_mutex_lock(&l->b);
    l->counter++;
    weft_mutex_unlock(&l->b);
    weft_mutex_unlock(&l->a);
}

static void t2_inverted(void *arg)
{
    struct locks *l = arg;

    weft_mutex_lock(&l->b);                    /* bug: B before A */
    weft_mutex_lock(&l->a);
    l->counter++;
    weft_mutex_unlock(&l->a);
    weft_mutex_unlock(&l->b);
}

static void run(void (*t2)(void *))
{
    struct locks *l = weft_calloc(1, sizeof *l);
    weft_thread_t x, y;

    weft_mutex_init(&l->a, "A", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&l->b, "B", WEFT_MUTEX_NORMAL);
    x = weft_spawn("t1", t1, l);
    y = weft_spawn("t2", t2, l);
    weft_join(x);
    weft_join(y);
    weft_assert(l->counter == 2, "counter is %d", l->counter);
}

WEFT_SCENARIO(abba,
              .summary = "two threads take two locks in opposite orders",
              .expect = WEFT_DEADLOCK)
{
    run(t2_inverted);
}

WEFT_SCENARIO(abba_fixed,
              .summary = "both threads take A before B",
              .expect = WEFT_PASS)
{
    run(t1);
}
