/* A select waits to send on a or b. One thread polls a, another receives
** from b. The receive on b that completes the select takes it out of a's
** queue too, so it does not commute with the poll of a: polled before, the
** poll takes the value; after, it finds nothing. Before the step that
** completes a select touched all its channels (chan.c), the searches took
** the two to commute and plain DFS counted classes DPOR never ran. */
#include <weft.h>
struct st { weft_chan_t *a, *b; };
static void poll_a(void *p)
{
    struct st *s = p;
    struct weft_select_case c[1] = { { .dir = WEFT_RECV, .ch = s->a } };
    (void)weft_select(c, 1, 0);
}
static void recv_b(void *p)
{
    struct st *s = p;
    (void)weft_chan_recv(s->b, NULL);
}
WEFT_SCENARIO(select_taken_on_another_channel, .summary = "a select taken on b, a poll of a",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->a = weft_chan_make("a", 0);
    s->b = weft_chan_make("b", 0);
    weft_spawn("poll_a", poll_a, s);
    weft_spawn("recv_b", recv_b, s);
    struct weft_select_case c[2] = { { .dir = WEFT_SEND, .ch = s->a, .send = (void *)1 },
                                     { .dir = WEFT_SEND, .ch = s->b, .send = (void *)2 } };
    (void)weft_select(c, 2, WEFT_SELECT_BLOCK);
    weft_chan_close(s->a);
    weft_chan_close(s->b);
}
