/* A poller whose turns follow a counter another thread increments: what it
** does each turn depends on the count modulo 3, and the ticker's own turns
** alternate with the count's parity. Neither loop repeats its previous
** turn while the other runs; both cycle, and the search is proven once
** the setter stores the flag that ends them. */
#include <weft.h>
struct st { weft_atomic_t done, ticks, seen; };
static void ticker(void *p)
{
    struct st *s = p;
    while (!weft_atomic_load(&s->done)) {
        if (weft_atomic_fetch_add(&s->ticks, 1) % 2)
            weft_atomic_store(&s->seen, 0);
        weft_yield();
    }
}
static void poller(void *p)
{
    struct st *s = p;
    while (!weft_atomic_load(&s->done)) {
        int64_t t = weft_atomic_load(&s->ticks);
        if (t % 3 == 1)
            weft_atomic_store(&s->seen, t);
        else if (t % 3 == 2)
            weft_atomic_load(&s->seen);
        weft_yield();
    }
}
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->done, 1); }
WEFT_SCENARIO(poll_counter, .summary = "poll a counter another thread increments until a flag is set",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_thread_t k = weft_spawn("ticker", ticker, s);
    weft_thread_t p = weft_spawn("poller", poller, s);
    weft_thread_t w = weft_spawn("setter", setter, s);
    weft_join(w);
    weft_join(p);
    weft_join(k);
}
