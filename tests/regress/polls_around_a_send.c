/*
** Three threads each poll a buffered channel once (a select with a default
** case) while a fourth sends one message. Which poller gets the message,
** and which polls come before the send, make 13 classes. DPOR once ran 12:
** a poll that found the channel empty was written into a wakeup branch as
** a read, though at the branch's place, before the send it raced with, it
** takes the message; that branch then seemed to cover another poller's
** reversal. tests/cli.sh checks the count.
*/
#include <weft.h>

static weft_chan_t *ch;

static void producer(void *arg)
{
    (void)arg;
    weft_chan_send(ch, NULL);
}

static void poller(void *arg)
{
    (void)arg;
    void *v = NULL;
    struct weft_select_case c = { WEFT_RECV, ch, NULL, &v, 0 };
    weft_select(&c, 1, 0);
}

WEFT_SCENARIO(polls_around_a_send, .summary = "a poll moved before a send may receive",
              .expect = WEFT_PASS)
{
    ch = weft_chan_make("ch", 1);
    weft_thread_t p = weft_spawn("producer", producer, NULL);
    weft_thread_t a = weft_spawn("poller0", poller, NULL);
    weft_thread_t b = weft_spawn("poller1", poller, NULL);
    weft_thread_t c = weft_spawn("poller2", poller, NULL);
    weft_join(a);
    weft_join(b);
    weft_join(c);
    weft_join(p);
}
