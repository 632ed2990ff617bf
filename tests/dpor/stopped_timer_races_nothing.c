/*
** A timer that fired or was stopped races nothing that cannot start it
** again.
**
** th1 stops "tm", th2 polls the done channel of "tctx" (deadline 2 ms),
** main reads tctx's error. 35 classes. DPOR ran them with 16 executions
** blocked by sleep sets: it reversed races of steps with a timer's next
** firing, which a stop had made impossible, counting the stop as what
** might let it fire (it touches the timer). Only a reset can start a
** timer again (sched_opclass.enablers, timer.c). tests/cli.sh checks
** 35 + 0.
*/
#include <weft.h>

struct shared {
    weft_timer_t *timer;
    weft_context_t *ctx;
};

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

WEFT_SCENARIO(stopped_timer_races_nothing, .summary = "a stopped timer's next firing races nothing",
              .expect = WEFT_PASS)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    s->timer = weft_timer_make("tm", 3);
    s->ctx = weft_context_with_timeout(NULL, "tctx", 2);
    weft_thread_t a = weft_spawn("th1", stops_timer, s), b = weft_spawn("th2", polls_done, s);
    weft_context_err(s->ctx);
    weft_join(a);
    weft_join(b);
}
