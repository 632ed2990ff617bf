/* A select completed by the other side: the step names the channel that
** was used, not the first case's (review finding R1). */
#include <weft.h>
static weft_chan_t *a, *b;
static int got;
static void sender(void *p) { (void)p; weft_chan_send(b, (void *)7); }
static void selector(void *p) { (void)p; void *va = 0, *vb = 0;
    struct weft_select_case cs[2] = { { .dir = WEFT_RECV, .ch = a, .recv = &va }, { .dir = WEFT_RECV, .ch = b, .recv = &vb } };
    got = weft_select(cs, 2, WEFT_SELECT_BLOCK); }
WEFT_SCENARIO(select_completed_by_partner,
              .summary = "a select completed by its partner names the channel it used",
              .expect = WEFT_ASSERTION)
{
    got = -1;
    a = weft_chan_make("A", 0); b = weft_chan_make("B", 0);
    weft_thread_t x = weft_spawn("selector", selector, 0);
    weft_thread_t y = weft_spawn("sender", sender, 0);
    weft_join(x); weft_join(y);
    weft_assert(0, "got case %d", got);
}
