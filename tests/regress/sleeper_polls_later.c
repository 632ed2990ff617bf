/*
** A sleeper's step is looked at where it would run, not where it ran.
**
** th0 stops a timer, sends to a buffered channel and polls it; th1 polls
** an unbuffered one, stops an after-func and polls the buffered one. DFS
** runs 67 classes. DPOR once ran 58: to decide whether th0 (explored
** already at the node before its poll) covered the reversal "th1 polls,
** then stops the after-func before it fires", it described th0's poll as
** it ran later in that execution, after th1 had taken the message: a read,
** which commutes with th1's steps. At the node, the message is still there
** and th0's poll takes it: a write. A step that only reads at one place
** may write at another once someone changed what it touches in between
** (dpor_next_step). tests/cli.sh checks the count.
*/
#include <stdint.h>
#include <weft.h>

struct shared {
    weft_chan_t *unbuffered, *buffered;
    weft_timer_t *timer, *after;
};

static void nothing(void *arg)
{
    (void)arg;
}

static void th0(void *arg)
{
    struct shared *s = arg;
    weft_timer_stop(s->timer);
    weft_chan_send(s->buffered, (void *)(intptr_t)50);
    void *v1 = NULL, *v2 = NULL;
    struct weft_select_case cs[2] = { { WEFT_RECV, s->buffered, NULL, &v1, 0 },
                                      { WEFT_RECV, s->unbuffered, NULL, &v2, 0 } };
    weft_select(cs, 2, 0);
}

static void th1(void *arg)
{
    struct shared *s = arg;
    void *v1 = NULL, *v2 = NULL;
    struct weft_select_case send = { WEFT_SEND, s->unbuffered, (void *)(intptr_t)60, &v1, 0 };
    weft_select(&send, 1, 0);
    weft_timer_stop(s->after);
    struct weft_select_case recv = { WEFT_RECV, s->buffered, NULL, &v2, 0 };
    weft_select(&recv, 1, 0);
}

WEFT_SCENARIO(sleeper_polls_later, .summary = "a poll that read late may take early",
              .expect = WEFT_PASS)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    s->unbuffered = weft_chan_make("unbuffered", 0);
    s->buffered = weft_chan_make("buffered", 2);
    s->timer = weft_timer_make("timer", 1);
    s->after = weft_after_func("after", 4, nothing, s);
    weft_thread_t a = weft_spawn("th0", th0, s), b = weft_spawn("th1", th1, s);
    weft_join(a);
    weft_join(b);
}
