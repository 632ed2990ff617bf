/*
** mask.h -- thread sets, bounded only by memory (mask.c).
** A set is a value: an inline word for threads 0 to 63, and for threads 64
** and up a pointer to an immutable array of words interned in a table that
** the execution context owns (struct exec's masks). Equal high parts share
** one array, kept as long as the context, so sets copy, compare and return
** by value like integers, and a scenario with up to 64 threads never
** allocates nor leaves the inline fast paths. Making a set takes the table
** (it is used only past 64 threads); reading one does not. Sets built one
** thread at a time past 64 threads use a builder, so that only the finished
** set is interned.
*/
#ifndef WEFT_MASK_H
#define WEFT_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The words for threads 64 and up: w[0] holds threads 64 to 127. Never
** empty: its last word is nonzero. */
struct mask_hi {
    size_t n;
    uint64_t hash;
    struct mask_hi *next;             /* in its bucket of the table */
    uint64_t w[];
};

/* Where high parts are interned; zero is an empty table. */
struct mask_table {
    struct mask_hi **bucket;          /* a power of two of them */
    size_t nbuckets, nentries;
};
void mask_table_free(struct mask_table *tab);

typedef struct sched_mask {
    uint64_t lo;                      /* threads 0 to 63 */
    const struct mask_hi *hi;         /* threads 64 and up, or NULL: none */
} sched_mask;

#define MASK_NONE ((sched_mask){ 0, NULL })
#define MASK_WORD(t) ((uint64_t)1 << ((unsigned)(t) & 63u))

/* The slow paths, for sets with threads past 63 (mask.c): cold, so that
** the code of small scenarios is laid out as if they were not there. */
#define MASK_COLD __attribute__((cold))
MASK_COLD sched_mask mask_or_hi(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_and_hi(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_minus_hi(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_with_hi(struct mask_table *tab, sched_mask m, int t);
MASK_COLD int mask_next_hi(sched_mask m, int t);
MASK_COLD void mask_add_hi(struct mask_table *tab, sched_mask *m, int t);
MASK_COLD void mask_del_hi(struct mask_table *tab, sched_mask *m, int t);
MASK_COLD int mask_count_hi(sched_mask m);
MASK_COLD bool mask_meets_hi(sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_copy_hi(struct mask_table *tab, sched_mask m);

static inline bool mask_empty(sched_mask m) { return m.lo == 0 && m.hi == NULL; }
/* Equal sets made in one table share their high words: compare those by
** address (sets from different tables are never compared). */
static inline bool mask_eq(sched_mask a, sched_mask b) { return a.lo == b.lo && a.hi == b.hi; }

static inline bool mask_has(sched_mask m, int t)
{
    if (t < 64)
        return t >= 0 && (m.lo & MASK_WORD(t));
    size_t i = (size_t)t / 64 - 1;
    return m.hi && i < m.hi->n && (m.hi->w[i] & MASK_WORD(t));
}

/* {t} */
static inline sched_mask mask_one(struct mask_table *tab, int t)
{
    return t < 64 ? (sched_mask){ MASK_WORD(t), NULL } : mask_with_hi(tab, MASK_NONE, t);
}

static inline sched_mask mask_with(struct mask_table *tab, sched_mask m, int t)
{
    if (t < 64) {
        m.lo |= MASK_WORD(t);
        return m;
    }
    return mask_with_hi(tab, m, t);
}

static inline sched_mask mask_or(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (a.hi == NULL && b.hi == NULL)
        return (sched_mask){ a.lo | b.lo, NULL };
    return mask_or_hi(tab, a, b);
}

static inline sched_mask mask_and(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (a.hi == NULL || b.hi == NULL)
        return (sched_mask){ a.lo & b.lo, NULL };
    return mask_and_hi(tab, a, b);
}

/* a without the threads of b */
static inline sched_mask mask_minus(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (a.hi == NULL || b.hi == NULL)
        return (sched_mask){ a.lo & ~b.lo, a.hi };
    return mask_minus_hi(tab, a, b);
}

static inline sched_mask mask_without(struct mask_table *tab, sched_mask m, int t)
{
    if (t < 64) {
        m.lo &= ~MASK_WORD(t);
        return m;
    }
    return mask_has(m, t) ? mask_minus_hi(tab, m, mask_one(tab, t)) : m;
}

/* m made in tab: for a set kept past the table it was made in (a report
** outlives its execution context). */
static inline sched_mask mask_copy(struct mask_table *tab, sched_mask m)
{
    return m.hi ? mask_copy_hi(tab, m) : m;
}

/* In place: *m gains, or loses, thread t. */
static inline void mask_add(struct mask_table *tab, sched_mask *m, int t)
{
    if (__builtin_expect(t < 64, 1))
        m->lo |= MASK_WORD(t);
    else
        mask_add_hi(tab, m, t);
}
static inline void mask_del(struct mask_table *tab, sched_mask *m, int t)
{
    if (__builtin_expect(t < 64, 1))
        m->lo &= ~MASK_WORD(t);
    else
        mask_del_hi(tab, m, t);
}

/* Do a and b share a thread? */
static inline bool mask_meets(sched_mask a, sched_mask b)
{
    if (a.lo & b.lo)
        return true;
    return a.hi && b.hi && mask_meets_hi(a, b);
}

/* The lowest thread in m from t on, or -1. */
static inline int mask_next(sched_mask m, int t)
{
    if (t < 64) {
        uint64_t rest = m.lo >> t;
        if (rest)
            return t + __builtin_ctzll(rest);
        t = 64;
    }
    return m.hi ? mask_next_hi(m, t) : -1;
}
static inline int mask_first(sched_mask m) { return mask_next(m, 0); }

/* Each thread of m, lowest first. */
#define MASK_FOR(t, m) for (int t = mask_first(m); t >= 0; t = mask_next((m), t + 1))

static inline int mask_count(sched_mask m)
{
    return m.hi ? mask_count_hi(m) : __builtin_popcountll(m.lo);
}

/* Exactly one thread? */
static inline bool mask_single(sched_mask m)
{
    return m.hi == NULL ? m.lo != 0 && (m.lo & (m.lo - 1)) == 0 : mask_count_hi(m) == 1;
}

/* The set whose bits are w[0..n): w[0] holds threads 0 to 63, w[1]
** threads 64 to 127, ... (a set kept as plain words, made a value). */
MASK_COLD sched_mask mask_from_words_hi(struct mask_table *tab, const uint64_t *w, size_t n);
static inline sched_mask mask_from_words(struct mask_table *tab, const uint64_t *w, size_t n)
{
    if (n <= 1)
        return (sched_mask){ n ? w[0] : 0, NULL };
    return mask_from_words_hi(tab, w, n);
}

/*
** Building a set one thread at a time: the threads past 63 gather in a
** private buffer and only the finished set is interned. mask_build_done
** returns the set and frees the buffer.
*/
struct mask_builder {
    uint64_t lo;
    uint64_t *w;                      /* threads 64 and up, or NULL */
    size_t n;
};
#define MASK_BUILDER_INIT { 0, NULL, 0 }

MASK_COLD void mask_build_hi(struct mask_builder *b, int t);
MASK_COLD sched_mask mask_build_done_hi(struct mask_table *tab, struct mask_builder *b);

static inline sched_mask mask_build_done(struct mask_table *tab, struct mask_builder *b)
{
    if (b->w == NULL)                 /* nothing past 63: nothing to free or intern */
        return (sched_mask){ b->lo, NULL };
    return mask_build_done_hi(tab, b);
}

static inline void mask_build_add(struct mask_builder *b, int t)
{
    if (t < 64)
        b->lo |= MASK_WORD(t);
    else
        mask_build_hi(b, t);
}

/* Text for checkpoints: the low word in decimal (the form checkpoints had
** when sets were one word), then ".word" in hex for each higher word.
** mask_write returns the characters needed, as snprintf does. mask_read
** parses at *s and moves *s past it; false if there is no set there. */
int mask_write(sched_mask m, char *buf, size_t size);
bool mask_read(struct mask_table *tab, const char **s, sched_mask *m);

#endif
