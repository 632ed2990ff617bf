/* A detached thread may take its steps before the body returns (issue 9):
** the body's return is a step the searches order against each of them. */
#include <weft.h>
static void bg(void *p) { (void)p; weft_yield(); weft_assert(0, "the detached thread ran past its yield"); }
WEFT_SCENARIO(detached_fails_before_return, .summary = "a detached thread fails before the body returns", .expect = WEFT_ASSERTION)
{
    weft_spawn_detached("bg", bg, NULL);
}
