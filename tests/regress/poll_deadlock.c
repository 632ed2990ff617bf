/* A polls an unbuffered channel with select+default; B sends on it after a
** lock/unlock. If A polls before B reaches the send, B blocks forever: the
** deadlock must be found (DPOR once missed polls of rendezvous channels). */
#include <weft.h>
struct st { weft_mutex_t m; weft_chan_t *ch; };
static void poller(void *p)
{
    struct st *s = p;
    struct weft_select_case c = { .dir = WEFT_RECV, .ch = s->ch };
    if (weft_select(&c, 1, 0) == WEFT_SELECT_DEFAULT)
        return;  /* Go: the value is never taken; the sender hangs */
}
static void sender(void *p)
{
    struct st *s = p;
    weft_mutex_lock(&s->m);
    weft_mutex_unlock(&s->m);
    weft_chan_send(s->ch, (void *)1);
}
WEFT_SCENARIO(poll_deadlock, .summary = "a select-default poll misses a sender not yet waiting; it hangs",
              .expect = WEFT_DEADLOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->m, "m", WEFT_MUTEX_NORMAL);
    s->ch = weft_chan_make("ch", 0);
    weft_thread_t b = weft_spawn("sender", sender, s);
    weft_thread_t a = weft_spawn("poller", poller, s);
    weft_join(a);
    weft_join(b);
}
