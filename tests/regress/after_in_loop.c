/* A loop that makes a new timer each turn, as Go's
** `for { select { case <-done: return; case <-time.After(10ms): beat() } }`.
** Each turn's timer is a new object, so its turns never looked alike: the
** loop was never seen spinning, the thread it waited for could be put off
** turn after turn, and every execution ran to the step bound ("NOT
** exhaustive"). An object made during a turn is now named by its place in
** the turn. The bug: a heartbeat sent on an unbuffered channel after the
** monitor took one and left blocks for good (-DFIXED: the send also
** selects on done). */
#include <weft.h>
struct st { weft_chan_t *done, *beat; };
static void monitor(void *p)
{
    struct st *s = p;
    weft_chan_recv(s->beat, NULL);    /* alive: stop it */
    weft_chan_close(s->done);
}
static void beat(struct st *s)
{
#ifdef FIXED
    struct weft_select_case c[2] = { { .dir = WEFT_SEND, .ch = s->beat },
                                     { .dir = WEFT_RECV, .ch = s->done } };
    weft_select(c, 2, WEFT_SELECT_BLOCK);
#else
    weft_chan_send(s->beat, NULL);
#endif
}
WEFT_SCENARIO(after_in_loop, .summary = "a heartbeat loop on time.After until done",
#ifdef FIXED
              .expect = WEFT_PASS
#else
              .expect = WEFT_DEADLOCK
#endif
              )
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->done = weft_chan_make("done", 0);
    s->beat = weft_chan_make("beat", 0);
    weft_thread_t m = weft_spawn("monitor", monitor, s);
    for (;;) {
        struct weft_select_case c[2] = { { .dir = WEFT_RECV, .ch = s->done },
                                         { .dir = WEFT_RECV, .ch = weft_after(10) } };
        if (weft_select(c, 2, WEFT_SELECT_BLOCK) == 0)
            break;
        beat(s);
    }
    weft_join(m);
}
