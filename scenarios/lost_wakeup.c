/*
** lost_wakeup.c -- the classic lost wake-up on a condition variable.
**
** The consumer checks `ready` without holding the mutex, then locks and
** waits: the check and the wait are not atomic.
**   consumer   sees ready == 0
**   producer   locks, sets ready = 1, signals (nobody waits yet), unlocks
**   consumer   locks and waits for a signal that has already been sent
**
** Fix: hold the mutex from the check to the wait, and check in a `while`
** loop (an `if` would also break on a spurious wake-up or a second
** consumer).
*/
#include <weft.h>

struct flag {
    weft_mutex_t mu;
    weft_cond_t cond;
    int ready;
    int consumed;
    int fixed;
};

static void consumer(void *arg)
{
    struct flag *f = arg;

    if (!f->fixed) {
        if (!f->ready) {                   /* bug: checked unlocked */
            weft_mutex_lock(&f->mu);
            weft_cond_wait(&f->cond, &f->mu);
            weft_mutex_unlock(&f->mu);
        }
        f->consumed = 1;
        return;
    }
    weft_mutex_lock(&f->mu);               /* fix: check under the lock */
    while (!f->ready)
        weft_cond_wait(&f->cond, &f->mu);
    f->consumed = 1;
    weft_mutex_unlock(&f->mu);
}

static void producer(void *arg)
{
    struct flag *f = arg;

    weft_mutex_lock(&f->mu);
    f->ready = 1;
    weft_cond_signal(&f->cond);
    weft_mutex_unlock(&f->mu);
}

static void run(int fixed)
{
    struct flag *f = weft_calloc(1, sizeof *f);
    weft_thread_t c, p;

    f->fixed = fixed;
    weft_mutex_init(&f->mu, "mu", WEFT_MUTEX_NORMAL);
    weft_cond_init(&f->cond, "cond");
    c = weft_spawn("consumer", consumer, f);
    p = weft_spawn("producer", producer, f);
    weft_join(c);
    weft_join(p);
    weft_assert(f->consumed, "the consumer never saw ready");
}

WEFT_SCENARIO(lost_wakeup,
              .summary = "flag checked outside the mutex: the signal comes before the wait",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(lost_wakeup_fixed,
              .summary = "flag checked in a while loop under the mutex",
              .expect = WEFT_PASS)
{
    run(1);
}
