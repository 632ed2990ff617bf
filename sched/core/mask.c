/*
** mask.c -- thread sets that do not fit in one word (threads past 62):
** their words, interned in a table of the execution context (one context
** is used by one OS thread at a time, so the table needs no lock). Only
** such sets come here; the arrays are immutable and kept as long as the
** table, so a set is a plain value wherever the search stores it. Without memory for a set
** there is no way to go on that would still be a correct search: weft says
** so and aborts (the supervisor reports it).
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/mask.h"

/* Words combined on the stack before the heap is needed. */
#define MASK_STACK_WORDS 32

static _Noreturn void out_of_memory(void)
{
    fputs("weft: out of memory for a set of threads\n", stderr);
    abort();
}

static const struct mask_big *big_of(sched_mask m)
{
    return (const struct mask_big *)(uintptr_t)(m.w & ~MASK_BIG);
}

/* m's words: *w is set to them (one word of *word for an inline set). */
static size_t words_of(const sched_mask *m, const uint64_t **w)
{
    if (!mask_is_big(m->w)) {
        *w = &m->w;
        return 1;
    }
    *w = big_of(*m)->w;
    return big_of(*m)->n;
}

static uint64_t hash_words(const uint64_t *w, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= w[i];
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return h;
}

/* Twice the buckets, or the first 256. */
static void table_grow(struct mask_table *tab)
{
    size_t n = tab->nbuckets ? tab->nbuckets * 2 : 256;
    struct mask_big **t = calloc(n, sizeof *t);
    if (t == NULL)
        out_of_memory();
    for (size_t b = 0; b < tab->nbuckets; b++)
        for (struct mask_big *e = tab->bucket[b], *next; e; e = next) {
            next = e->next;
            e->next = t[e->hash & (n - 1)];
            t[e->hash & (n - 1)] = e;
        }
    free(tab->bucket);
    tab->bucket = t;
    tab->nbuckets = n;
}

/* The set whose words are w[0..n): inline when it fits, else the shared
** array equal to w without its trailing zero words. */
static sched_mask intern(struct mask_table *tab, const uint64_t *w, size_t n)
{
    while (n > 0 && w[n - 1] == 0)
        n--;
    if (n == 0)
        return MASK_NONE;
    if (n == 1 && !mask_is_big(w[0]))
        return (sched_mask){ w[0] };
    uint64_t h = hash_words(w, n);
    if (tab->nentries >= tab->nbuckets)
        table_grow(tab);
    struct mask_big **slot = &tab->bucket[h & (tab->nbuckets - 1)];
    struct mask_big *e = *slot;
    while (e && !(e->hash == h && e->n == n && memcmp(e->w, w, n * sizeof *w) == 0))
        e = e->next;
    if (e == NULL) {
        if ((e = malloc(sizeof *e + n * sizeof *w)) == NULL)
            out_of_memory();
        if (mask_is_big((uintptr_t)e))   /* no room for the tag: never on Linux */
            abort();
        e->n = n;
        e->hash = h;
        memcpy(e->w, w, n * sizeof *w);
        e->next = *slot;
        *slot = e;
        tab->nentries++;
    }
    return (sched_mask){ MASK_BIG | (uintptr_t)e };
}

sched_mask mask_from_words_big(struct mask_table *tab, const uint64_t *w, size_t n)
{
    return intern(tab, w, n);
}

void mask_table_free(struct mask_table *tab)
{
    for (size_t b = 0; b < tab->nbuckets; b++)
        for (struct mask_big *e = tab->bucket[b], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    free(tab->bucket);
    *tab = (struct mask_table){ 0 };
}

/* Word i of m, zero past its end. */
static uint64_t word(sched_mask m, size_t i)
{
    const uint64_t *w;
    return i < words_of(&m, &w) ? w[i] : 0;
}

static size_t nwords(sched_mask m)
{
    const uint64_t *w;
    return words_of(&m, &w);
}

enum combine { OR, AND, MINUS };

/* a OR, AND, or AND NOT b, word by word. */
static sched_mask combine(struct mask_table *tab, sched_mask a, sched_mask b, enum combine how)
{
    size_t na = nwords(a), nb = nwords(b);
    size_t n = how == OR ? (na > nb ? na : nb) : how == AND ? (na < nb ? na : nb) : na;
    uint64_t small[MASK_STACK_WORDS], *w = small;
    if (n > MASK_STACK_WORDS && (w = malloc(n * sizeof *w)) == NULL)
        out_of_memory();
    for (size_t i = 0; i < n; i++)
        w[i] = how == OR ? word(a, i) | word(b, i) : how == AND ? word(a, i) & word(b, i)
                                                                : word(a, i) & ~word(b, i);
    sched_mask r = intern(tab, w, n);
    if (w != small)
        free(w);
    return r;
}

sched_mask mask_or_big(struct mask_table *tab, sched_mask a, sched_mask b)
{
    return combine(tab, a, b, OR);
}
sched_mask mask_and_big(struct mask_table *tab, sched_mask a, sched_mask b)
{
    return combine(tab, a, b, AND);
}
sched_mask mask_minus_big(struct mask_table *tab, sched_mask a, sched_mask b)
{
    return combine(tab, a, b, MINUS);
}

/* ==========================================================================
** Builders, and sets changed one thread at a time
** ========================================================================== */

/* Room in b for at least `need` high words, the new ones zero. */
static void room(struct mask_builder *b, size_t need)
{
    if (need <= b->n)
        return;
    size_t n = need > b->n * 2 ? need : b->n * 2;
    uint64_t *w = realloc(b->w, n * sizeof *w);
    if (w == NULL)
        out_of_memory();
    memset(w + b->n, 0, (n - b->n) * sizeof *w);
    b->w = w;
    b->n = n;
}

void mask_build_big(struct mask_builder *b, int t)
{
    room(b, (size_t)t / 64);
    b->w[t / 64 - 1] |= MASK_WORD(t);
}

sched_mask mask_build_done_big(struct mask_table *tab, struct mask_builder *b)
{
    size_t n = b->n + 1;
    uint64_t small[MASK_STACK_WORDS], *w = small;
    if (n > MASK_STACK_WORDS && (w = malloc(n * sizeof *w)) == NULL)
        out_of_memory();
    w[0] = b->lo;
    if (b->n)
        memcpy(w + 1, b->w, b->n * sizeof *w);
    sched_mask m = intern(tab, w, n);
    if (w != small)
        free(w);
    free(b->w);
    *b = (struct mask_builder)MASK_BUILDER_INIT;
    return m;
}

/* m as a builder, to be changed and finished. */
static struct mask_builder builder_of(sched_mask m)
{
    const uint64_t *w;
    size_t n = words_of(&m, &w);
    struct mask_builder b = { w[0], NULL, 0 };
    if (n > 1) {
        room(&b, n - 1);
        memcpy(b.w, w + 1, (n - 1) * sizeof *b.w);
    }
    return b;
}

sched_mask mask_with_big(struct mask_table *tab, sched_mask m, int t)
{
    if (t < 0 || mask_has(m, t))
        return m;
    struct mask_builder b = builder_of(m);
    mask_build_add(&b, t);
    return mask_build_done(tab, &b);
}

sched_mask mask_without_big(struct mask_table *tab, sched_mask m, int t)
{
    if (t < 0 || !mask_has(m, t))
        return m;
    struct mask_builder b = builder_of(m);
    if (t < 64)
        b.lo &= ~MASK_WORD(t);
    else
        b.w[t / 64 - 1] &= ~MASK_WORD(t);
    return mask_build_done(tab, &b);
}

sched_mask mask_copy_big(struct mask_table *tab, sched_mask m)
{
    return intern(tab, big_of(m)->w, big_of(m)->n);
}

bool mask_has_big(sched_mask m, int t)
{
    size_t i = (size_t)t / 64;
    return t >= 0 && i < big_of(m)->n && (big_of(m)->w[i] & MASK_WORD(t));
}

int mask_next_big(sched_mask m, int t)
{
    const struct mask_big *big = big_of(m);
    for (size_t i = (size_t)t / 64; i < big->n; i++) {
        uint64_t rest = big->w[i];
        if (i == (size_t)t / 64)
            rest &= ~(uint64_t)0 << (t & 63);
        if (rest)
            return (int)(i * 64) + __builtin_ctzll(rest);
    }
    return -1;
}

int mask_count_big(sched_mask m)
{
    int n = 0;
    for (size_t i = 0; i < big_of(m)->n; i++)
        n += __builtin_popcountll(big_of(m)->w[i]);
    return n;
}

bool mask_meets_big(sched_mask a, sched_mask b)
{
    for (size_t i = 0; i < nwords(a) && i < nwords(b); i++)
        if (word(a, i) & word(b, i))
            return true;
    return false;
}

/* ==========================================================================
** Text
** ========================================================================== */

int mask_write(sched_mask m, char *buf, size_t size)
{
    size_t len = 0;
    int k = snprintf(buf, size, "%" PRIu64, word(m, 0));
    for (size_t i = 1; k >= 0; i++) {
        len += (size_t)k;
        if (i >= nwords(m))
            break;
        k = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
                     ".%" PRIx64, word(m, i));
    }
    return k < 0 ? -1 : (int)len;
}

/* A number in base 10 or 16 at *s: no sign, no space, no overflow. */
static bool read_number(const char **s, int base, uint64_t *v)
{
    const char *p = *s;
    uint64_t n = 0;
    for (;; p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0'
              : base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (d < 0)
            break;
        if (n > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        n = n * (uint64_t)base + (uint64_t)d;
    }
    if (p == *s)
        return false;
    *s = p;
    *v = n;
    return true;
}

bool mask_read(struct mask_table *tab, const char **s, sched_mask *m)
{
    const char *p = *s;
    struct mask_builder b = MASK_BUILDER_INIT;
    if (!read_number(&p, 10, &b.lo))
        return false;
    for (int t = 64; *p == '.'; t += 64) {
        uint64_t w;
        p++;
        if (t > INT32_MAX - 64 || !read_number(&p, 16, &w)) {
            free(b.w);
            return false;
        }
        room(&b, (size_t)t / 64);
        b.w[t / 64 - 1] = w;
    }
    *m = mask_build_done(tab, &b);
    *s = p;
    return true;
}
