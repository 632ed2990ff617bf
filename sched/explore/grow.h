/*
** grow.h -- a growing array, the one way the searches grow theirs.
*/
#ifndef WEFT_GROW_H
#define WEFT_GROW_H

#include <stdbool.h>
#include <stdlib.h>

/* Make *p (of *cap elements of elem bytes) hold at least need, doubling:
** false without memory (*p is kept). */
static inline bool explore_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *bigger = realloc(*p, n * elem);
    if (bigger == NULL)
        return false;
    *p = bigger;
    *cap = n;
    return true;
}

#endif
