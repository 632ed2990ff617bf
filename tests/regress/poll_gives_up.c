/* A loop that polls a flag TRIES (5) times, then gives up: its count of
** failed polls lives in a local, which weft's steps never show. Its turns
** repeat step for step, so the fairness rule once held it back after two
** turns until the setter ran, the fifth failed poll was never tried, and
** every search said "pass, exhaustive". The comparisons the scenario's own
** code makes (tries < TRIES here) are now part of a loop turn: a loop
** whose counter moves goes round up to 16 times before it is held back,
** and the summary says when that happened (-DTRIES=40: the give-up is
** beyond it). With -DUNBOUNDED it polls until the flag is set: its turns
** repeat exactly, and it is proven with no such caveat. With -DSLEEP_TOO
** each round also sleeps 1 ms before it yields: two turns a round, one of
** which (from the wake to the yield) compares nothing and repeats exactly;
** it once held the loop back with its count frozen. A turn now spins only
** when it closes a cycle of turns that all repeat. */
#include <weft.h>
#ifndef TRIES
#define TRIES 5
#endif
static void setter(void *p) { weft_atomic_store(p, 1); }
WEFT_SCENARIO(poll_gives_up, .summary = "poll a flag a few times, then give up",
#ifdef UNBOUNDED
              .expect = WEFT_PASS
#else
              .expect = WEFT_ASSERTION
#endif
              )
{
    weft_atomic_t *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t t = weft_spawn("setter", setter, flag);
    int tries = 0;
    while (!weft_atomic_load(flag)) {
#ifndef UNBOUNDED
        weft_assert(++tries < TRIES, "gave up after %d polls", tries);
#endif
#ifdef SLEEP_TOO
        weft_sleep(1);
#endif
        weft_yield();
    }
    (void)tries;
    weft_join(t);
}
