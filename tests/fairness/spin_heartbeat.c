/* poll_heartbeat.c with a setter that sets the wrong flag: nothing can
** end the two loops, whose turns alternate. Still a livelock, reported at
** the step bound, not a pass and not a cut. */
#include <weft.h>
struct st { weft_atomic_t done, beat, other; weft_mutex_t m; };
static void heartbeat(void *p)
{
    struct st *s = p;
    while (!weft_atomic_load(&s->done)) {
        if (weft_atomic_load(&s->beat))
            weft_atomic_store(&s->beat, 0);
        else
            weft_atomic_store(&s->beat, 1);
        weft_yield();
    }
}
static void poller(void *p)
{
    struct st *s = p;
    while (!weft_atomic_load(&s->done)) {
        if (weft_atomic_load(&s->beat)) {
            weft_mutex_lock(&s->m);
            weft_mutex_unlock(&s->m);
        }
        weft_yield();
    }
}
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->other, 1); }
WEFT_SCENARIO(spin_heartbeat, .summary = "alternating poll for a flag nobody sets",
              .expect = WEFT_LIVELOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->m, "m", WEFT_MUTEX_NORMAL);
    weft_thread_t h = weft_spawn("heartbeat", heartbeat, s);
    weft_thread_t p = weft_spawn("poller", poller, s);
    weft_thread_t w = weft_spawn("setter", setter, s);
    weft_join(w);
    weft_join(p);
    weft_join(h);
}
