/* A poller whose loop turns alternate because another thread changes what
** it sees: a heartbeat flips `beat` every turn (its own turns alternate
** too), and the poller takes a lock on the turns that see a beat. Only the
** setter ends both loops. Before, neither loop was seen to spin (no turn
** repeated the one before), so the setter could be put off to the step
** bound and the search was never exhaustive; a turn that repeats any of
** the last few now counts, and the search is proven. */
#include <weft.h>
struct st { weft_atomic_t done, beat; weft_mutex_t m; };
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
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->done, 1); }
WEFT_SCENARIO(poll_heartbeat, .summary = "poll with alternating turns until a flag is set",
              .expect = WEFT_PASS)
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
