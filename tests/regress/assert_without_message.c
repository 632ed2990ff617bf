/* weft_assert without a message compiles, and the report names the failed
** condition (review finding). */
#include <weft.h>
WEFT_SCENARIO(assert_without_message,
              .summary = "weft_assert with no message names the condition that failed",
              .expect = WEFT_ASSERTION)
{
    int x = weft_choose(2);
    weft_assert(x == 0);
}
