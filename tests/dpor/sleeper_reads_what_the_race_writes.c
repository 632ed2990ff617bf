/*
** A sleeper covers a reversal only if it also commutes with the step the
** reversal goes before.
**
** A timer "tm" (3 ms) and a context "tctx" whose deadline (2 ms) closes
** its done channel. th0 reads the context's error, th1 stops the timer,
** th2 polls the done channel. DFS runs 35 classes; DPOR once ran 33. It
** missed "th2 polls, th1 stops tm, tctx fires, th0 reads 'deadline
** exceeded'": reversing the race of tctx's firing with the stop, it took
** th0, asleep there (its read commutes with the poll and the stop), as
** covering the reversal. But th0's read comes after the firing in that
** order, and th0's own subtree runs the read first. tests/cli.sh checks
** the count (35 + 0).
*/
#include <weft.h>

struct shared {
    weft_timer_t *timer;
    weft_context_t *ctx;
};

static void reads_err(void *arg)
{
    struct shared *s = arg;
    weft_context_err(s->ctx);
}

static void stops_timer(void *arg)
{
    struct shared *s = arg;
    weft_timer_stop(s->timer);
}

static void polls_done(void *arg)
{
    struct shared *s = arg;
    void *v = NULL;
    struct weft_select_case c = { WEFT_RECV, weft_context_done(s->ctx), NULL, &v, 0 };
    weft_select(&c, 1, 0);
}

WEFT_SCENARIO(sleeper_reads_what_the_race_writes,
              .summary = "a sleeper that reads what the racing step writes covers nothing",
              .expect = WEFT_PASS)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    s->timer = weft_timer_make("tm", 3);
    s->ctx = weft_context_with_timeout(NULL, "tctx", 2);
    weft_thread_t t[3] = { weft_spawn("th0", reads_err, s), weft_spawn("th1", stops_timer, s),
                           weft_spawn("th2", polls_done, s) };
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}
