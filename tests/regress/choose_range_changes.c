/*
** choose_range_changes.c -- weft_choose's range depends on a static counter
** that no .setup resets, so re-running the first execution's choices meets
** a choice among 3 where there was one among 2. The result must be
** nondeterminism, and weft_choose never returns a value outside [0, n).
*/
#include <weft.h>

static int executions;     /* deliberately not reset: the bug under test */

WEFT_SCENARIO(choose_range_changes, .expect = WEFT_NONDETERMINISM,
              .summary = "weft_choose(2), then weft_choose(3) on the same path")
{
    int n = executions++ == 0 ? 2 : 3;
    int v = weft_choose(n);
    weft_assert(v >= 0 && v < n, "weft_choose(%d) returned %d", n, v);
}
