/* A loop that polls a flag until another thread sets it, and every other
** turn also polls a second source (a round-robin poll): its turns
** alternate, so none repeats the one before. Before, such a loop was never
** seen to spin, the setter could be put off to the step bound, and the
** search was never exhaustive. A turn that repeats any of the thread's
** last few now counts as spinning, and the search is proven. */
#include <weft.h>
struct st { weft_atomic_t done, other; };
static void setter(void *p) { weft_atomic_store(&((struct st *)p)->done, 1); }
WEFT_SCENARIO(poll_alternating, .summary = "round-robin poll until a flag is set",
              .expect = WEFT_PASS)
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
