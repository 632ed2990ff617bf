/*
** failure_shrink_cannot_repeat.c -- a failure that depends on how many
** executions ran before it (a static counter no .setup resets) is found on
** the third execution (of six orders of three lock holders); shrinking re-runs it and passes. The failure must be
** shown as found, with a note that shrinking could not reproduce it, never
** turned into "no failure found".
*/
#include <weft.h>

static int executions;     /* deliberately not reset: the bug under test */

static void worker(void *arg)
{
    weft_mutex_t *m = arg;
    weft_mutex_lock(m);
    weft_mutex_unlock(m);
}

WEFT_SCENARIO(failure_shrink_cannot_repeat, .expect = WEFT_ASSERTION,
              .summary = "fails on the third execution only")
{
    weft_mutex_t *m = weft_calloc(1, sizeof *m);
    weft_thread_t a = weft_spawn("a", worker, m), b = weft_spawn("b", worker, m);
    weft_thread_t c = weft_spawn("c", worker, m);
    weft_join(a);
    weft_join(b);
    weft_join(c);
    executions++;
    weft_assert(executions != 3, "third execution");
}
