/* A select in W waits to send on a or to receive from a timer's channel
** (-DCONTEXT: from a context's Done). In Go a timer that fires hands its
** value to a receiver already waiting (runtime/chan.go, chansend), and a
** cancel closes Done (closechan): either commits the select at once. So
** when M's poll of a takes W's value, the timer had not fired yet: a value
** it left in its channel was sent after the poll, at 20 ms or later; and
** after a cancel has returned, the poll finds nothing. weft once buffered
** the timer's value, and closed Done without waking the select, leaving
** it waiting on a, where M's poll took it: a false alarm in each. */
#include <stdbool.h>
#include <stdint.h>
#include <weft.h>

struct st {
    weft_chan_t *a, *wake;
    weft_context_t *ctx;
};

static void w_thread(void *p)
{
    struct st *s = p;
    struct weft_select_case cs[2] = {
        { .dir = WEFT_SEND, .ch = s->a, .send = (void *)1 },
        { .dir = WEFT_RECV, .ch = s->wake },
    };
    (void)weft_select(cs, 2, WEFT_SELECT_BLOCK);
}

WEFT_SCENARIO(timer_handoff, .summary = "a fire or a cancel commits a waiting select")
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->a = weft_chan_make("a", 0);
#ifdef CONTEXT
    s->ctx = weft_context_with_cancel(NULL, "ctx");
    s->wake = weft_context_done(s->ctx);
#else
    weft_timer_t *t = weft_timer_make("t", 10);
    s->wake = weft_timer_chan(t);
#endif
    weft_thread_t w = weft_spawn("W", w_thread, s);
#ifdef CONTEXT
    weft_yield();
    weft_context_cancel(s->ctx);
#else
    weft_sleep(20);
#endif
    struct weft_select_case poll = { .dir = WEFT_RECV, .ch = s->a };
    bool took = weft_select(&poll, 1, 0) == 0;
    weft_join(w);
#ifdef CONTEXT
    weft_assert(!took, "a value from the select after the cancel returned");
#else
    void *left = NULL;
    struct weft_select_case leftover = { .dir = WEFT_RECV, .ch = s->wake, .recv = &left };
    bool fired = weft_select(&leftover, 1, 0) == 0;
    weft_assert(!took || !fired || (intptr_t)left >= 20 * 1000000,
                "the poll took W's value after the timer had fired");
#endif
}
