/* A loop that polls with a timed receive that times out each turn until
** another thread sets a flag: a wait that timed out ends a loop turn, so
** the repeating turn lets the setter run and the search is proven. */
#include <weft.h>
struct st { weft_atomic_t flag; weft_chan_t *never; };
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->flag, 1); }
WEFT_SCENARIO(poll_timed_wait, .summary = "poll with a receive timeout until a flag is set",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->never = weft_chan_make("never", 0);
    weft_thread_t t = weft_spawn("setter", setter, s);
    while (!weft_atomic_load(&s->flag))
        weft_chan_recv_timeout(s->never, NULL, 1);
    weft_join(t);
}
