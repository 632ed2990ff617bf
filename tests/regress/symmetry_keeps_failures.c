/* Workers spawned symmetric: the reduction explores one order of their
** first steps, and must still reach the assertion that only some orders of
** their later steps (a lock, then a send polled with a default) violate. */
#include <weft.h>
struct st { weft_mutex_t m; weft_chan_t *ch; int c; };
static void worker(void *p) { struct st *s = p; weft_mutex_lock(&s->m); s->c++; weft_mutex_unlock(&s->m);
    struct weft_select_case k = { .dir = WEFT_SEND, .ch = s->ch, .send = (void *)1 }; weft_select(&k, 1, 0); }
static void x(void *p) { struct st *s = p; void *v = 0; weft_chan_recv_timeout(s->ch, &v, 0); weft_mutex_lock(&s->m);
    weft_assert(!(s->c == 2 && v), "saw 2 with a value"); weft_mutex_unlock(&s->m); }
WEFT_SCENARIO(symmetry_keeps_failures,
              .summary = "symmetric workers: an order-dependent assertion is still found",
              .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s); s->ch = weft_chan_make("ch", 1);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++) t[i] = weft_spawn_symmetric("w", worker, s);
    weft_thread_t y = weft_spawn("x", x, s);
    for (int i = 0; i < 3; i++) weft_join(t[i]);
    weft_join(y);
}
