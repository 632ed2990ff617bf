/*
** mask.c -- thread sets past 64 threads: their high words, interned in a
** table of the execution context (one context is used by one OS thread at
** a time, so the table needs no lock). Only sets with threads past 63 come
** here; the arrays are immutable and kept as long as the table, so a set
** is a plain value wherever the search stores it. Without memory for a set
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

static const struct mask_hi *intern(struct mask_table *tab, const uint64_t *w, size_t n);

sched_mask mask_from_words_hi(struct mask_table *tab, const uint64_t *w, size_t n)
{
    return (sched_mask){ w[0], intern(tab, w + 1, n - 1) };
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
    struct mask_hi **t = calloc(n, sizeof *t);
    if (t == NULL)
        out_of_memory();
    for (size_t b = 0; b < tab->nbuckets; b++)
        for (struct mask_hi *e = tab->bucket[b], *next; e; e = next) {
            next = e->next;
            e->next = t[e->hash & (n - 1)];
            t[e->hash & (n - 1)] = e;
        }
    free(tab->bucket);
    tab->bucket = t;
    tab->nbuckets = n;
}

/* The shared array equal to w[0..n) without its trailing zero words;
** NULL when none is left. */
static const struct mask_hi *intern(struct mask_table *tab, const uint64_t *w, size_t n)
{
    while (n > 0 && w[n - 1] == 0)
        n--;
    if (n == 0)
        return NULL;
    uint64_t h = hash_words(w, n);
    if (tab->nentries >= tab->nbuckets)
        table_grow(tab);
    struct mask_hi **slot = &tab->bucket[h & (tab->nbuckets - 1)];
    for (const struct mask_hi *e = *slot; e; e = e->next)
        if (e->hash == h && e->n == n && memcmp(e->w, w, n * sizeof *w) == 0)
            return e;
    struct mask_hi *e = malloc(sizeof *e + n * sizeof *w);
    if (e == NULL)
        out_of_memory();
    e->n = n;
    e->hash = h;
    memcpy(e->w, w, n * sizeof *w);
    e->next = *slot;
    *slot = e;
    tab->nentries++;
    return e;
}

void mask_table_free(struct mask_table *tab)
{
    for (size_t b = 0; b < tab->nbuckets; b++)
        for (struct mask_hi *e = tab->bucket[b], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    free(tab->bucket);
    *tab = (struct mask_table){ 0 };
}

static size_t nwords(sched_mask m) { return m.hi ? m.hi->n : 0; }
static uint64_t word(sched_mask m, size_t i) { return i < nwords(m) ? m.hi->w[i] : 0; }

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
    uint64_t lo = how == OR ? a.lo | b.lo : how == AND ? a.lo & b.lo : a.lo & ~b.lo;
    sched_mask r = { lo, intern(tab, w, n) };
    if (w != small)
        free(w);
    return r;
}

sched_mask mask_or_hi(struct mask_table *tab, sched_mask a, sched_mask b)
{
    return combine(tab, a, b, OR);
}
sched_mask mask_and_hi(struct mask_table *tab, sched_mask a, sched_mask b)
{
    return combine(tab, a, b, AND);
}
sched_mask mask_minus_hi(struct mask_table *tab, sched_mask a, sched_mask b)
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

void mask_build_hi(struct mask_builder *b, int t)
{
    room(b, (size_t)t / 64);
    b->w[t / 64 - 1] |= MASK_WORD(t);
}

sched_mask mask_build_done_hi(struct mask_table *tab, struct mask_builder *b)
{
    sched_mask m = { b->lo, intern(tab, b->w, b->n) };
    free(b->w);
    *b = (struct mask_builder)MASK_BUILDER_INIT;
    return m;
}

sched_mask mask_with_hi(struct mask_table *tab, sched_mask m, int t)
{
    if (mask_has(m, t))
        return m;
    struct mask_builder b = { m.lo, NULL, 0 };
    if (m.hi) {
        room(&b, m.hi->n);
        memcpy(b.w, m.hi->w, m.hi->n * sizeof *b.w);
    }
    mask_build_hi(&b, t);
    return mask_build_done(tab, &b);
}

void mask_add_hi(struct mask_table *tab, sched_mask *m, int t)
{
    *m = mask_with_hi(tab, *m, t);
}

void mask_del_hi(struct mask_table *tab, sched_mask *m, int t)
{
    *m = mask_without(tab, *m, t);
}

sched_mask mask_copy_hi(struct mask_table *tab, sched_mask m)
{
    return (sched_mask){ m.lo, intern(tab, m.hi->w, m.hi->n) };
}

int mask_next_hi(sched_mask m, int t)
{
    for (size_t i = (size_t)t / 64 - 1; i < nwords(m); i++) {
        uint64_t rest = m.hi->w[i];
        if (i == (size_t)t / 64 - 1)
            rest &= ~(uint64_t)0 << (t & 63);
        if (rest)
            return (int)((i + 1) * 64) + __builtin_ctzll(rest);
    }
    return -1;
}

int mask_count_hi(sched_mask m)
{
    int n = __builtin_popcountll(m.lo);
    for (size_t i = 0; i < nwords(m); i++)
        n += __builtin_popcountll(m.hi->w[i]);
    return n;
}

bool mask_meets_hi(sched_mask a, sched_mask b)
{
    for (size_t i = 0; i < nwords(a) && i < nwords(b); i++)
        if (a.hi->w[i] & b.hi->w[i])
            return true;
    return false;
}

/* ==========================================================================
** Text
** ========================================================================== */

int mask_write(sched_mask m, char *buf, size_t size)
{
    size_t len = 0;
    int k = snprintf(buf, size, "%" PRIu64, m.lo);
    for (size_t i = 0; k >= 0; i++) {
        len += (size_t)k;
        if (i >= nwords(m))
            break;
        k = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
                     ".%" PRIx64, m.hi->w[i]);
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
