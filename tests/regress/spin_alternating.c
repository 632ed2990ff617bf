/* poll_alternating.c with a setter that sets the wrong flag: nothing can
** end the loop, whose turns alternate. Still a livelock, reported at the
** step bound, not a pass and not a cut. */
#include <weft.h>
struct st { weft_atomic_t done, other; };
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->other, 1); }
WEFT_SCENARIO(spin_alternating, .summary = "round-robin poll for a flag nobody sets",
              .expect = WEFT_LIVELOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_thread_t t = weft_spawn("setter", setter, s);
    int phase = 0;
    while (!weft_atomic_load(&s->done)) {
        if ((phase ^= 1))
            weft_atomic_load(&s->other);
        weft_yield();
    }
    weft_join(t);
}
