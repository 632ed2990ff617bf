/*
** A detached thread's steps may come before or after the detach. DPOR
** took a detach of T for a join of T, which T's steps all precede, and
** never reversed a race between T's step and the detach: the detach also
** orders everything T did before it ahead of what main does after it, so
** here T's load before the detach was never moved after main's store, and
** DPOR ran 2 of the 8 classes and said "pass, exhaustive" (plain DFS: 8,
** and the assertion). tests/cli.sh checks that DPOR finds it and that its
** classes are plain DFS's, here and in detach_then_load (4 against 6).
*/
#include <weft.h>

struct shared {
    weft_waitgroup_t started;
    weft_atomic_t x;
};

static void loads_x(void *arg)
{
    struct shared *s = arg;
    weft_waitgroup_done(&s->started);
    weft_assert(weft_atomic_load(&s->x) == 0);
}

WEFT_SCENARIO(steps_after_a_detach, .expect = WEFT_ASSERTION)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    weft_waitgroup_add(&s->started, 1);
    weft_thread_t t = weft_spawn("t", loads_x, s);
    weft_waitgroup_wait(&s->started);
    weft_detach(t);
    weft_atomic_store(&s->x, 1);
}

static void only_loads(void *arg)
{
    weft_atomic_load(arg);
}

WEFT_SCENARIO(detach_then_load, .expect = WEFT_PASS)
{
    weft_atomic_t *x = weft_calloc(1, sizeof *x);
    weft_detach(weft_spawn("t", only_loads, x));
}
