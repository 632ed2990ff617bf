/*
** bounded_buffer_one_cond.c -- two producers and two consumers share a
** buffer of size 1 and ONE condition variable, woken with signal.
**
** A signal meant for a consumer can wake a producer (or the reverse); the
** woken thread finds nothing to do and waits again, and the signal is gone.
** With items=1 (each producer puts one item, each consumer takes one):
**   consumer0, consumer1   buffer empty: wait
**   producer0              puts, signals: wakes consumer0
**   producer1              buffer full: waits
**   consumer0              takes, signals: wakes consumer1 (the oldest)
**   consumer1              buffer empty: waits
**   producer1 and consumer1 wait forever, though producer1 could proceed.
** With --param items=2 all four can end up waiting.
**
** Fix: two condition variables, not_full and not_empty, each signalled by
** the side that makes it true (broadcast on the one condition also works).
*/
#include <weft.h>

struct buffer {
    weft_mutex_t mu;
    weft_cond_t conds[2];
    weft_cond_t *not_full;    /* both point to conds[0] in the buggy */
    weft_cond_t *not_empty;   /* variant: the one shared condition */
    int count;                /* 0 or 1: the buffer's size is 1 */
    int items;                /* per producer and per consumer */
    int taken;
};

static void producer(void *arg)
{
    struct buffer *b = arg;

    for (int k = 0; k < b->items; k++) {
        weft_mutex_lock(&b->mu);
        while (b->count == 1)
            weft_cond_wait(b->not_full, &b->mu);
        b->count = 1;
        weft_cond_signal(b->not_empty);
        weft_mutex_unlock(&b->mu);
    }
}

static void consumer(void *arg)
{
    struct buffer *b = arg;

    for (int k = 0; k < b->items; k++) {
        weft_mutex_lock(&b->mu);
        while (b->count == 0)
            weft_cond_wait(b->not_empty, &b->mu);
        b->count = 0;
        b->taken++;
        weft_cond_signal(b->not_full);
        weft_mutex_unlock(&b->mu);
    }
}

static void run(int fixed)
{
    struct buffer *b = weft_calloc(1, sizeof *b);
    weft_thread_t th[4];

    b->items = weft_param_int("items", 1);
    weft_mutex_init(&b->mu, "mu", WEFT_MUTEX_NORMAL);
    if (fixed) {
        weft_cond_init(&b->conds[0], "not_full");
        weft_cond_init(&b->conds[1], "not_empty");
        b->not_full = &b->conds[0];
        b->not_empty = &b->conds[1];
    } else {
        weft_cond_init(&b->conds[0], "cond");
        b->not_full = b->not_empty = &b->conds[0];
    }

    th[0] = weft_spawn("producer0", producer, b);
    th[1] = weft_spawn("producer1", producer, b);
    th[2] = weft_spawn("consumer0", consumer, b);
    th[3] = weft_spawn("consumer1", consumer, b);
    for (int i = 0; i < 4; i++)
        weft_join(th[i]);
    weft_assert(b->taken == 2 * b->items && b->count == 0,
                "%d of %d items taken", b->taken, 2 * b->items);
}

WEFT_SCENARIO(bounded_buffer_one_cond,
              .summary = "2 producers, 2 consumers, one condition and signal: a wake-up is lost",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(bounded_buffer_one_cond_fixed,
              .summary = "2 producers, 2 consumers, conditions not_full and not_empty",
              .expect = WEFT_PASS)
{
    run(1);
}
