/* weft_assert without a message compiles and reports (review finding). */
#include <weft.h>
WEFT_SCENARIO(assert1, .summary = "x", .expect = WEFT_ASSERTION) { int x = weft_choose(2); weft_assert(x == 0); }
