/*
** A barrier sized for three workers while only two are started: the two
** wait forever at the first round.
*/
#include <weft.h>

static void worker(void *arg)
{
    weft_barrier_t *b = arg;
    weft_barrier_wait(b);
    weft_barrier_wait(b);
}

WEFT_SCENARIO(barrier_one_party_short, .summary = "barrier of 3, two workers",
              .expect = WEFT_DEADLOCK)
{
    weft_barrier_t *b = weft_calloc(1, sizeof *b);
    weft_barrier_init(b, "phase", 3);
    weft_thread_t t[2];
    for (int i = 0; i < 2; i++)
        t[i] = weft_spawn("worker", worker, b);
    for (int i = 0; i < 2; i++)
        weft_join(t[i]);
}
