/* The plain store of issue 7: a writes x after a yield, b reads it after a
** yield. Under --memory=off plain memory is invisible and the search says
** "pass" (with its caveat); under --memory=all every load and store is
** checked and the race is reported with the line of each access (the store
** on line 13, the load on line 19) when weft was built with libdw. */
#include <weft.h>
static int x;
static void reset(void) { x = 0; }
static void a(void *p)
{
    (void)p;
    weft_yield();
    x = 1;
}
static void b(void *p)
{
    (void)p;
    weft_yield();
    weft_assert(x == 1, "b read 0");
}
WEFT_SCENARIO(plain_store_race, .summary = "a plain store and a plain load, unordered",
              .expect = WEFT_DATA_RACE, .setup = reset)
{
    weft_thread_t ta = weft_spawn("a", a, NULL), tb = weft_spawn("b", b, NULL);
    weft_join(ta);
    weft_join(tb);
}
