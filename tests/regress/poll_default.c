/* As poll_deadlock.c, seen from the poller: if A polls before B reaches the
** send, A takes the default case, which it asserts never happens. */
#include <weft.h>
struct st { weft_mutex_t m; weft_chan_t *ch; };
static void poller(void *p)
{
    struct st *s = p;
    struct weft_select_case c = { .dir = WEFT_RECV, .ch = s->ch };
    if (weft_select(&c, 1, 0) == WEFT_SELECT_DEFAULT)
        weft_assert(0, "poll found no sender");
}
static void sender(void *p)
{
    struct st *s = p;
    weft_mutex_lock(&s->m);
    weft_mutex_unlock(&s->m);
    weft_chan_send(s->ch, (void *)1);
}
WEFT_SCENARIO(poll_default, .summary = "a select-default poll takes the default before the sender waits",
              .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->m, "m", WEFT_MUTEX_NORMAL);
    s->ch = weft_chan_make("ch", 0);
    weft_thread_t b = weft_spawn("sender", sender, s);
    weft_thread_t a = weft_spawn("poller", poller, s);
    weft_join(a);
    weft_join(b);
}
