/*
** rng.h -- the seeded generator the sampling strategies share (splitmix64):
** one stream per execution, seeded by the search's seed and the
** execution's number, so a seed reproduces a run execution for execution
** and any process can run execution n alone (--shard, --jobs: shard.c).
*/
#ifndef WEFT_RNG_H
#define WEFT_RNG_H

#include <stdint.h>

struct rng { uint64_t state; };

static inline uint64_t rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(struct rng *r)
{
    return rng_mix(r->state += 0x9e3779b97f4a7c15ULL);
}

/* The stream of execution n of a search seeded with seed: mixed twice, so
** that neighbouring seeds and numbers give unrelated streams. */
static inline void rng_seed_execution(struct rng *r, uint64_t seed, uint64_t n)
{
    r->state = rng_mix(seed ^ rng_mix(n + 0x9e3779b97f4a7c15ULL));
}

/* Uniform in [0, n) without modulo bias worth speaking of for n < 2^32. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
