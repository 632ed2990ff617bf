/* A yield that is not in a polling loop: after A's yield, can A lock first? */
#include <weft.h>
struct st { weft_mutex_t m; int x; };
static void a(void *p) { struct st *s = p; weft_yield(); weft_mutex_lock(&s->m); s->x = 1; weft_mutex_unlock(&s->m); }
static void b(void *p) { struct st *s = p; weft_mutex_lock(&s->m); weft_assert(s->x == 0, "A ran first"); weft_mutex_unlock(&s->m); }
WEFT_SCENARIO(yield_hides2, .summary = "yield prunes A-first", .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_thread_t y = weft_spawn("B", b, s);
    weft_thread_t x = weft_spawn("A", a, s);
    weft_join(x); weft_join(y);
}
