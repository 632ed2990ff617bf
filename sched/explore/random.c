/*
** random.c -- a seeded random walk: every choice uniform among the options.
** One splitmix64 stream seeded by --seed runs through all executions, so the
** same seed reproduces the same run, execution for execution.
*/
#include <stdlib.h>
#include "explore.h"

struct walk { uint64_t state; };

static uint64_t next(struct walk *w)
{
    uint64_t z = (w->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias worth speaking of for n < 2^32. */
static uint32_t below(struct walk *w, uint32_t n)
{
    return (uint32_t)(((next(w) >> 32) * (uint64_t)n) >> 32);
}

static void random_init(struct explorer *e)
{
    struct walk *w = malloc(sizeof *w);
    if (w == NULL)
        abort();
    w->state = e->cfg->seed;
    e->state = w;
}

static void random_fini(struct explorer *e) { free(e->state); }

static int random_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    (void)current;
    uint32_t k = below(e->state, (uint32_t)__builtin_popcountll(enabled));
    while (k--)
        enabled &= enabled - 1;       /* drop the lowest k threads */
    return __builtin_ctzll(enabled);
}

static int random_pick_value(struct explorer *e, int n)
{
    return (int)below(e->state, (uint32_t)n);
}

static bool random_advance(struct explorer *e)
{
    (void)e;
    return true;                      /* the execution budget ends a walk */
}

const struct strategy explore_random = {
    .name = "random", .init = random_init, .pick_thread = random_pick_thread,
    .pick_value = random_pick_value, .advance = random_advance, .fini = random_fini,
};
