/* A yield that is not in a polling loop restricts nothing: after A's yield,
** A may still lock before B (A spawned first). */
#include <weft.h>
struct st { weft_mutex_t m; int x; };
static void a(void *p) { struct st *s = p; weft_yield(); weft_mutex_lock(&s->m); s->x = 1; weft_mutex_unlock(&s->m); }
static void b(void *p) { struct st *s = p; weft_mutex_lock(&s->m); weft_assert(s->x == 0, "A ran first"); weft_mutex_unlock(&s->m); }
WEFT_SCENARIO(yield_outside_loop, .summary = "a yield outside a loop: A may still lock first",
              .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_thread_t x = weft_spawn("A", a, s);
    weft_thread_t y = weft_spawn("B", b, s);
    weft_join(x); weft_join(y);
}
