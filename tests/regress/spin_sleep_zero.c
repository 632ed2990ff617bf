/* The same loop when nothing will ever set the flag: still a livelock,
** reported at the step bound, not a pass. */
#include <weft.h>
static void idle(void *p) { (void)p; weft_yield(); }
WEFT_SCENARIO(spin_sleep_zero, .summary = "poll with sleep(0) for a flag nobody sets",
              .expect = WEFT_LIVELOCK)
{
    weft_atomic_t *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t t = weft_spawn("idle", idle, flag);
    while (!weft_atomic_load(flag))
        weft_sleep(0);
    weft_join(t);
}
