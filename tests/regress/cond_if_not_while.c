/*
** cond_if_not_while.c -- a consumer that checks its condition with `if`
** instead of `while` before waiting. POSIX lets pthread_cond_wait return
** without a signal (a spurious wake-up), so the consumer can run on while
** nothing is ready. weft explores such wakes only when a scenario asks
** (.spurious_wakeups): the same code passes without them and fails with
** them; the `while` loop passes either way (its polling ends turns, so the
** producer is never starved).
*/
#include <weft.h>

struct box {
    weft_mutex_t mu;
    weft_cond_t ready_cv;
    int ready;
};

static void producer(void *arg)
{
    struct box *b = arg;
    weft_mutex_lock(&b->mu);
    b->ready = 1;
    weft_cond_signal(&b->ready_cv);
    weft_mutex_unlock(&b->mu);
}

static void consume(int loop)
{
    struct box *b = weft_calloc(1, sizeof *b);
    weft_mutex_init(&b->mu, "mu", WEFT_MUTEX_NORMAL);
    weft_cond_init(&b->ready_cv, "ready_cv");
    weft_thread_t p = weft_spawn("producer", producer, b);
    weft_mutex_lock(&b->mu);
    if (loop) {
        while (!b->ready)
            weft_cond_wait(&b->ready_cv, &b->mu);
    } else if (!b->ready) {
        weft_cond_wait(&b->ready_cv, &b->mu);
    }
    weft_assert(b->ready, "woke up with nothing ready");
    weft_mutex_unlock(&b->mu);
    weft_join(p);
}

WEFT_SCENARIO(cond_if_no_spurious, .summary = "if-check, no spurious wake-ups: passes",
              .expect = WEFT_PASS)
{
    consume(0);
}

WEFT_SCENARIO(cond_if_spurious, .summary = "if-check with spurious wake-ups: fails",
              .expect = WEFT_ASSERTION, .spurious_wakeups = 1)
{
    consume(0);
}

WEFT_SCENARIO(cond_while_spurious, .summary = "while-check with spurious wake-ups: passes",
              .expect = WEFT_PASS, .spurious_wakeups = 1)
{
    consume(1);
}
