/* Two non-blocking selects on one unbuffered channel: in Go neither ever
** waits, so they can never meet; both must take the default case. */
#include <weft.h>
static weft_chan_t *ch;
static int got;
static void tx(void *p) { (void)p; struct weft_select_case c = { .dir = WEFT_SEND, .ch = ch, .send = (void *)1 };
    weft_select(&c, 1, 0); }
static void rx(void *p) { (void)p; void *v = 0; struct weft_select_case c = { .dir = WEFT_RECV, .ch = ch, .recv = &v };
    if (weft_select(&c, 1, 0) == 0) got = 1; }
static void setup(void) { got = 0; }
WEFT_SCENARIO(two_polls, .summary = "select-default meets select-default", .expect = WEFT_PASS, .setup = setup)
{
    ch = weft_chan_make("ch", 0);
    weft_thread_t a = weft_spawn("tx", tx, 0), b = weft_spawn("rx", rx, 0);
    weft_join(a); weft_join(b);
    weft_assert(!got, "two select-with-default met on an unbuffered channel");
}
