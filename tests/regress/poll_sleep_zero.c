/* A loop that polls with weft_sleep(0) until another thread sets a flag: a
** sleep ends a loop turn as a yield does, so the turn that repeats lets the
** setter run, and the search is exhaustive in a few executions (before, it
** ran to the step bound in every execution and was never proven). */
#include <weft.h>
static void setter(void *p) { weft_atomic_store((weft_atomic_t *)p, 1); }
WEFT_SCENARIO(poll_sleep_zero, .summary = "poll with sleep(0) until a flag is set",
              .expect = WEFT_PASS)
{
    weft_atomic_t *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t t = weft_spawn("setter", setter, flag);
    while (!weft_atomic_load(flag))
        weft_sleep(0);
    weft_join(t);
}
