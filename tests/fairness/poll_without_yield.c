/*
** Loops that poll without yielding, as C code spins: a thread waits on a
** flag (`while (!load(&ready)) ;`), another takes a spinlock with a
** compare-and-swap that fails while it is held. Their steps change
** nothing until the other thread moves, so a poll that comes again ends a
** loop turn as a yield would, and fairness lets the others go. The loops
** end, and every strategy that can be exhaustive proves it. When nothing
** can set the flag, it is a livelock, not a cut. Without the rule each
** execution ran to the step bound and the search was never exhaustive.
*/
#include <weft.h>

struct st {
    weft_atomic_t ready, lock, other;
    int data, total;
};

static void publisher(void *p)
{
    struct st *s = p;
    s->data = 42;
    weft_atomic_store(&s->ready, 1);
}

static void waiter(void *p)
{
    struct st *s = p;
    while (!weft_atomic_load(&s->ready))
        ;                             /* no yield: the loop polls */
    weft_assert(s->data == 42);
}

static void adder(void *p)
{
    struct st *s = p;
    while (!weft_atomic_cas(&s->lock, 0, 1))
        ;                             /* a spinlock: the CAS fails while held */
    s->total++;
    weft_atomic_store(&s->lock, 0);
}

WEFT_SCENARIO(poll_without_yield,
              .summary = "a flag and a spinlock polled without a yield",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_atomic_init(&s->ready, "ready", 0);
    weft_atomic_init(&s->lock, "lock", 0);
    weft_thread_t w = weft_spawn("waiter", waiter, s);
    weft_thread_t a = weft_spawn("adder", adder, s);
    weft_thread_t b = weft_spawn("adder", adder, s);
    weft_thread_t p = weft_spawn("publisher", publisher, s);
    weft_join(w);
    weft_join(a);
    weft_join(b);
    weft_join(p);
    weft_assert(s->total == 2);
}

static void wrong_publisher(void *p)
{
    struct st *s = p;
    weft_atomic_store(&s->other, 1);  /* sets the wrong flag */
}

WEFT_SCENARIO(spin_without_yield,
              .summary = "a flag polled without a yield that nobody sets",
              .expect = WEFT_LIVELOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_atomic_init(&s->ready, "ready", 0);
    weft_atomic_init(&s->other, "other", 0);
    weft_thread_t w = weft_spawn("waiter", waiter, s);
    weft_thread_t p = weft_spawn("publisher", wrong_publisher, s);
    weft_join(p);
    weft_join(w);
}
