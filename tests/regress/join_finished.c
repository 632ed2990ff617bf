/* Nested spawn, and joining a thread that has already finished, twice. */
#include <weft.h>
static void leaf(void *p) { (void)p; }
static void mid(void *p) { (void)p; weft_thread_t t = weft_spawn("leaf", leaf, 0); weft_yield(); weft_join(t); weft_join(t); }
WEFT_SCENARIO(join_finished, .summary = "nested spawn, join twice", .expect = WEFT_PASS)
{
    weft_thread_t m = weft_spawn("mid", mid, 0);
    weft_join(m); weft_join(m);
    int v = weft_choose(3);
    weft_assert(v < 3, "x");
}
