/* A select waits to send on a or receive from b (buffered). X sends on b,
** then closes c; P, after c, polls a. In Go P's poll finds nothing: a
** send on a buffered channel hands the value to a receiver already
** waiting, past the buffer, and that commits the select (runtime/chan.go,
** chansend); had the select not waited yet, it finds b ready when it
** starts. weft once buffered the value and left the select waiting on a,
** where P's poll took it: a false alarm. -DFULL: the mirror image, b full
** and the select waiting to send on it; X's receive moves the select's
** value into the buffer, as Go's chanrecv does. -DCLOSE: X closes b,
** which commits the select to b's case, as Go's closechan does. */
#include <weft.h>
struct st { weft_chan_t *a, *b, *c; };
static void selector(void *p)
{
    struct st *s = p;
    struct weft_select_case cs[2] = {
        { .dir = WEFT_SEND, .ch = s->a, .send = (void *)1 },
#ifdef FULL
        { .dir = WEFT_SEND, .ch = s->b, .send = (void *)2 },
#else
        { .dir = WEFT_RECV, .ch = s->b },
#endif
    };
    (void)weft_select(cs, 2, WEFT_SELECT_BLOCK);
}
static void x_thread(void *p)
{
    struct st *s = p;
#if defined(FULL)
    weft_chan_recv(s->b, NULL);
#elif defined(CLOSE)
    weft_chan_close(s->b);
#else
    weft_chan_send(s->b, (void *)3);
#endif
    weft_chan_close(s->c);
}
static void poller(void *p)
{
    struct st *s = p;
    weft_chan_recv(s->c, NULL);
    struct weft_select_case poll_a = { .dir = WEFT_RECV, .ch = s->a };
    weft_assert(weft_select(&poll_a, 1, 0) == WEFT_SELECT_DEFAULT,
                "P took the select's value on a after X served it through b");
}
WEFT_SCENARIO(buffered_handoff, .summary = "a buffered channel hands over to a waiting select",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->a = weft_chan_make("a", 0);
    s->b = weft_chan_make("b", 1);
    s->c = weft_chan_make("c", 0);
#ifdef FULL
    weft_chan_send(s->b, (void *)9);
#endif
    weft_thread_t t[3] = { weft_spawn("selector", selector, s), weft_spawn("X", x_thread, s),
                           weft_spawn("P", poller, s) };
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}
