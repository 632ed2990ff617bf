/* A thread that waits for a time it computed, `while (weft_now() < end)
** weft_yield();`, sees time pass: real time goes on while a thread spins,
** and a real scheduler may run the others or not before it comes. weft
** held such a loop back as a spin that changes nothing, and the clock
** never moved: the detached waiter's give-up never ran before main
** returned ("pass, exhaustive"), and a joined one was a livelock. A turn
** that read the clock is no stutter now: the thread's next look at the
** clock finds time passed (it doubles, 1 ms at least). */
#include <weft.h>

static void waiter(void *arg)
{
    (void)arg;
    int64_t end = weft_now() + 5;
    while (weft_now() < end)
        weft_yield();
    weft_assert(0, "the waiter gave up at %lld ms", (long long)weft_now());
}

WEFT_SCENARIO(spin_on_clock, .summary = "a detached thread waits 5 ms, then fails",
              .expect = WEFT_ASSERTION)
{
    weft_spawn_detached("waiter", waiter, NULL);
    weft_yield();
}

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
