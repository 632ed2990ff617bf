/*
** time.AfterFunc's Stop returns false once the function has started: code
** that trusts a true-only Stop to mean "the callback never runs" is wrong
** (issue 9). Every exhaustive strategy finds the execution where the
** timer fires before the stop; the fixed variant handles both answers.
*/
#include <weft.h>

static void callback(void *arg)
{
    weft_chan_send(arg, NULL);
}

WEFT_SCENARIO(after_func_stop_too_late, .summary = "Stop returns false: the callback runs",
              .expect = WEFT_ASSERTION)
{
    weft_chan_t *ran = weft_chan_make("ran", 1);
    weft_timer_t *t = weft_after_func("callback", 5, callback, ran);
    weft_assert(weft_timer_stop(t), "the callback had started");
}

WEFT_SCENARIO(after_func_stop_too_late_fixed, .summary = "a false Stop waits for the callback",
              .expect = WEFT_PASS)
{
    weft_chan_t *ran = weft_chan_make("ran", 1);
    weft_timer_t *t = weft_after_func("callback", 5, callback, ran);
    if (!weft_timer_stop(t))
        weft_chan_recv(ran, NULL);
}
