/*
** Under --timers=idle, a timer fires when nothing else can run, and a
** thread that fairness holds back as spinning counts as one that cannot:
** the clock then moves to the next deadline before the choice of who
** goes next, and the sleeper it wakes may go first.
**
** A poller checks a flag and sleeps 1 ms; main sleeps 4 ms and sets the
** flag. After the poller's third wake its turns repeat, the clock moves
** to 4 ms, and both may go: main's wake and store before the poller's
** fourth load fails the assertion (4 polls). DPOR never ran that order
** (3 classes, "pass, exhaustive"; plain DFS: 9 and the assertion): the
** choice recorded whom the clock let run as whom the last step let run,
** and main, woken by the clock and not by the poller's step, was taken
** for a thread that step had enabled, which races nothing. The poll on
** the clock (clock_poll) has the same cause: 19 classes against 33.
** tests/cli.sh checks that DPOR runs plain DFS's classes, each once.
*/
#include <weft.h>

static void polls_a_flag(void *arg)
{
    weft_atomic_t *flag = arg;
    int polls = 0;
    for (;;) {
        polls++;
        if (weft_atomic_load(flag))
            break;
        weft_sleep(1);
    }
    weft_assert(polls >= 5, "the flag was set after %d polls", polls);
}

WEFT_SCENARIO(sleep_poll, .expect = WEFT_ASSERTION)
{
    weft_atomic_t *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t poller = weft_spawn("poller", polls_a_flag, flag);
    weft_sleep(4);
    weft_atomic_store(flag, 1);
    weft_join(poller);
}

static void polls_until_6ms(void *arg)
{
    weft_atomic_t *flag = arg;
    int polls = 0;
    for (;;) {
        polls++;
        if (weft_atomic_load(flag) || weft_now() >= 6)
            break;
    }
    weft_assert(polls >= 3, "the flag was set after %d polls", polls);
}

WEFT_SCENARIO(clock_poll, .expect = WEFT_PASS)
{
    weft_atomic_t *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t poller = weft_spawn("poller", polls_until_6ms, flag);
    weft_sleep(4);
    weft_atomic_store(flag, 1);
    weft_join(poller);
}
