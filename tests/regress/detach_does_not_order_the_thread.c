/*
** detach_does_not_order_the_thread.c -- a detached thread's steps may
** still come before the detach (found by a DPOR audit, 8). bg asserts that
** main published x before it looked; main publishes x, then detaches bg.
** bg may look before main's store: the assertion fails. DPOR took every
** step on a thread's object as the thread's start, so the detach came
** before all of bg's steps, and it reported "pass, exhaustive" (3
** executions) where both DFS searches found the failure.
*/
#include <weft.h>

static weft_atomic_t x;

static void bg(void *arg)
{
    (void)arg;
    weft_assert(weft_atomic_load(&x) == 1, "bg ran before main published x");
}

WEFT_SCENARIO(detach_does_not_order_the_thread, .summary = "a detached thread looks early",
              .expect = WEFT_ASSERTION)
{
    weft_atomic_init(&x, "x", 0);
    weft_thread_t t = weft_spawn("bg", bg, NULL);
    weft_atomic_store(&x, 1);
    weft_detach(t);
}
