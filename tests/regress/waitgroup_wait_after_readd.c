/*
** waitgroup_wait_after_readd.c -- a Wait called after the counter went
** back up blocks, though the counter was zero for a moment before the call
** (found by a new-user audit, 8). Thread a adds and finishes once, adds
** again and waits on ch; main calls Wait, then sends on ch. If main is
** late to its Wait, past a's second add, Wait blocks and so does a: a
** deadlock, as in Go. weft took main, about to call Wait, as already
** waiting when the counter reached zero, and its later Wait returned with
** the counter at 1: "pass, exhaustive" under every strategy.
*/
#include <weft.h>

struct st { weft_waitgroup_t wg; weft_chan_t *go, *ch; };

static void a(void *p)
{
    struct st *s = p;
    weft_chan_recv(s->go, NULL);
    weft_waitgroup_add(&s->wg, 1);
    weft_waitgroup_done(&s->wg);
    weft_waitgroup_add(&s->wg, 1);
    weft_chan_recv(s->ch, NULL);
    weft_waitgroup_done(&s->wg);
}

WEFT_SCENARIO(waitgroup_wait_after_readd, .summary = "a Wait after a re-Add blocks",
              .expect = WEFT_DEADLOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_waitgroup_init(&s->wg, "wg");
    s->go = weft_chan_make("go", 0);
    s->ch = weft_chan_make("ch", 0);
    weft_thread_t ta = weft_spawn("a", a, s);
    weft_chan_close(s->go);
    weft_waitgroup_wait(&s->wg);
    weft_chan_send(s->ch, (void *)1);
    weft_join(ta);
}
