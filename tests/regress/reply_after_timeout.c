/* A caller waits 10 ms for a reply on an unbuffered channel and gives up;
** the server's reply then has nobody to take it, and the server blocks
** forever: a leaked thread. Timers race, so the search explores the
** timeout firing before the server runs and finds it by default (under
** --timers=idle the timer fires only when nothing else can run, and the
** reply always arrives first). */
#include <weft.h>
static void server(void *p) { weft_chan_send((weft_chan_t *)p, (void *)1); }
WEFT_SCENARIO(reply_after_timeout, .summary = "a reply sent after the caller gave up",
              .expect = WEFT_LEAK)
{
    weft_chan_t *reply = weft_chan_make("reply", 0);
    weft_spawn("server", server, reply);
    weft_chan_recv_timeout(reply, NULL, 10);
}
