/*
** Mutexes in memory from malloc, which weft does not hand out: their keys
** are their addresses, which another process does not share
** (sched_handle_key), so a checkpoint of this search cannot be gone on
** from in another process. tests/cli.sh checks that --resume says so and
** starts again, ending with the 540 executions of an uninterrupted run.
*/
#include <stdlib.h>
#include <weft.h>

struct locks {
    weft_mutex_t a, b;
};

static void twice_then_once(void *p)
{
    struct locks *l = p;
    for (int i = 0; i < 2; i++) {
        weft_mutex_lock(&l->a);
        weft_mutex_unlock(&l->a);
    }
    weft_mutex_lock(&l->b);
    weft_mutex_unlock(&l->b);
}

WEFT_SCENARIO(handles_in_malloc, .summary = "mutexes in malloc'd memory", .expect = WEFT_PASS)
{
    struct locks *l = calloc(1, sizeof *l);
    weft_assert(l != NULL);
    weft_mutex_init(&l->a, "a", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&l->b, "b", WEFT_MUTEX_NORMAL);
    weft_thread_t x = weft_spawn("x", twice_then_once, l);
    weft_thread_t y = weft_spawn("y", twice_then_once, l);
    weft_thread_t z = weft_spawn("z", twice_then_once, l);
    weft_join(x);
    weft_join(y);
    weft_join(z);
    free(l);
}
