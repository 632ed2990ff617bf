/* A thread that waits for a time it computed, `while (weft_now() < end)
** weft_yield();`, sees time pass once nothing else can run: real time goes
** on while threads spin. weft held such a loop back as a spin that
** changes nothing and the clock never moved: alone, or joined by main, it
** was reported as a livelock. Now, when every thread that can run spins
** and one of them read the clock, the clock doubles (1 ms on at least,
** never past 2^60 ns), so the deadline comes in a few turns. (A detached
** waiter whose deadline would pass while main still runs is not seen to
** give up: README, Limits.) */
#include <weft.h>

static void patient(void *arg)
{
    int64_t end = weft_now() + 5;
    while (weft_now() < end)
        weft_yield();
    *(int *)arg = 1;
}

WEFT_SCENARIO(spin_on_clock_joined, .summary = "a joined thread waits 5 ms")
{
    int *done = weft_calloc(1, sizeof *done);
    weft_thread_t t = weft_spawn("patient", patient, done);
    weft_join(t);
    weft_assert(*done, "the patient thread returned early");
}

WEFT_SCENARIO(spin_on_clock_alone, .summary = "main waits 1 s, then fails",
              .expect = WEFT_ASSERTION)
{
    int64_t end = weft_now() + 1000;
    while (weft_now() < end)
        weft_yield();
    weft_assert(weft_now() < 1000, "main's deadline passed at %lld ms", (long long)weft_now());
}
