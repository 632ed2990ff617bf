/* A loop that polls a flag with a 1 ms receive timeout and gives up once
** 5 ms have passed: the setter may be slower than that, and the give-up
** path is a real behaviour. Its turns repeat step for step, so the
** fairness rule once delayed it after two turns until the setter ran, and
** every search said "pass, exhaustive". The time a turn reads is now part
** of the turn: a loop that watches a deadline is not spinning while the
** clock it reads moves. */
#include <weft.h>
struct st { weft_atomic_t flag; weft_chan_t *never; };
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->flag, 1); }
WEFT_SCENARIO(poll_deadline, .summary = "poll for 5 ms, then give up", .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->never = weft_chan_make("never", 0);
    weft_thread_t t = weft_spawn("setter", setter, s);
    while (!weft_atomic_load(&s->flag)) {
        weft_assert(weft_now() < 5, "gave up after %lld ms", (long long)weft_now());
        weft_chan_recv_timeout(s->never, NULL, 1);
    }
    weft_join(t);
}
