/* A scenario that asks rand() which lock to take: a replay of the same
** schedule takes another one. The result is nondeterminism, never a
** silently wrong answer. (A replay can only notice what it replays: here
** the two threads race on "c", so every execution replays the first ones'
** choice of lock.) */
#include <stdlib.h>
#include <weft.h>

struct st { weft_mutex_t a, b, c; };

static void taker(void *p)
{
    struct st *s = p;
    weft_mutex_t *m = rand() % 2 ? &s->a : &s->b;
    weft_mutex_lock(m);
    weft_mutex_unlock(m);
    weft_mutex_lock(&s->c);
    weft_mutex_unlock(&s->c);
}

WEFT_SCENARIO(rand_is_nondeterminism,
              .summary = "rand() decides which lock a thread takes: reported as nondeterminism",
              .expect = WEFT_NONDETERMINISM)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->a, "a", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&s->b, "b", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&s->c, "c", WEFT_MUTEX_NORMAL);
    for (int i = 0; i < 3; i++)
        weft_spawn("taker", taker, s);
}
