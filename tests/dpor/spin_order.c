/*
** Orders around a held-back spin (--spin-order).
**
** "waiter" polls f0 in a `while (...) weft_yield()` loop until main sets
** it, then stores it again; "reader" polls f1, which main set before
** spawning it. When waiter's turn repeats, fairness holds it back until
** every thread that could run at its yield has moved (sched.c,
** fair_threads): which threads those are, and whether one has moved yet,
** depends on which steps ran just before the yield and which just after,
** an order that sleep sets and DPOR take to be free. Plain DFS finds 5
** classes; DPOR and DFS with sleep sets under the default --spin-order
** fast find 4 (and the summary says orders may be merged); under
** --spin-order exact, which orders each spin with every step, they find
** all 5. tests/cli.sh checks the class sets.
*/
#include <weft.h>

struct flags {
    weft_atomic_t f0, f1;
};

static void waiter(void *p)
{
    struct flags *s = p;
    while (weft_atomic_load(&s->f0) == 0)
        weft_yield();
    weft_atomic_store(&s->f0, 1);
}

static void reader(void *p)
{
    struct flags *s = p;
    while (weft_atomic_load(&s->f1) == 0)
        weft_yield();
}

WEFT_SCENARIO(spin_order, .summary = "a spin held back: orders sleep sets may merge",
              .expect = WEFT_PASS)
{
    struct flags *s = weft_calloc(1, sizeof *s);
    weft_atomic_init(&s->f0, "f0", 0);
    weft_atomic_init(&s->f1, "f1", 0);
    weft_atomic_store(&s->f1, 1);
    weft_thread_t w = weft_spawn("waiter", waiter, s);
    weft_thread_t p = weft_spawn("reader", reader, s);
    weft_atomic_store(&s->f0, 1);
    weft_join(w);
    weft_join(p);
}
