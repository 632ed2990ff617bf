/*
** random.c -- a seeded random walk: every choice uniform among the options.
** Each execution draws from its own splitmix64 stream, seeded by --seed and
** its number (rng.h), so the same seed reproduces the same run, execution
** for execution, and the executions can be shared out among processes.
*/
#include <stdlib.h>
#include "explore/rng.h"
#include "explore/strategy.h"

static int random_init(struct explorer *e)
{
    struct rng *w = malloc(sizeof *w);
    if (w == NULL)
        return WEFT_ENOMEM;
    e->state = w;
    return 0;
}

static void random_begin(struct explorer *e)
{
    rng_seed_execution(e->state, e->cfg->seed, e->sample);
}

static void random_fini(struct explorer *e) { free(e->state); }

static int random_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    (void)current;
    uint32_t k = rng_below(e->state, (uint32_t)mask_count(enabled));
    MASK_FOR(t, enabled)              /* the (k+1)th lowest */
        if (k-- == 0)
            return t;
    return -1;
}

static int random_pick_value(struct explorer *e, int n)
{
    return (int)rng_below(e->state, (uint32_t)n);
}

static bool random_advance(struct explorer *e)
{
    (void)e;
    return true;                      /* the execution budget ends a walk */
}

const struct strategy explore_random = {
    .name = "random", .init = random_init, .begin = random_begin, .pick_thread = random_pick_thread,
    .pick_value = random_pick_value, .advance = random_advance, .fini = random_fini,
};
