/*
** mask.h -- thread sets, bounded only by memory (mask.c).
** A set is a value of one word. A set of threads 0 to 62 is that word's
** bits; any other set is a tagged pointer (the top bit set) to an immutable
** array of words interned in a table that the execution context owns
** (struct exec's masks). Each set has one form only (a set that fits in
** the word is never interned), and equal arrays are one array, kept as
** long as the table: so sets copy, compare and return by value like
** integers, and a scenario with up to 63 threads never allocates. Its
** every operation is the plain word operation plus one test of the top
** bit, the cost `make bench` measures against a bare uint64_t. Making a
** set takes the table (used only past 62 threads); reading one does not.
** Sets built one thread at a time past 62 threads use a builder, so that
** only the finished set is interned.
*/
#ifndef WEFT_MASK_H
#define WEFT_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The words of a set that does not fit in one: w[0] holds threads 0 to 63,
** w[1] threads 64 to 127, ... Its last word is nonzero, and n > 1 or w[0]
** has thread 63 (else the set would be inline). */
struct mask_big {
    size_t n;
    uint64_t hash;
    struct mask_big *next;            /* in its bucket of the table */
    uint64_t w[];
};

/* Where big sets are interned; zero is an empty table. */
struct mask_table {
    struct mask_big **bucket;         /* a power of two of them */
    size_t nbuckets, nentries;
};
void mask_table_free(struct mask_table *tab);

typedef struct sched_mask {
    uint64_t w;                       /* threads 0 to 62, or MASK_BIG | a struct mask_big * */
} sched_mask;

#define MASK_BIG ((uint64_t)1 << 63)
#define MASK_INLINE 63                /* threads below this fit in the word */
#define MASK_NONE ((sched_mask){ 0 })
#define MASK_WORD(t) ((uint64_t)1 << ((unsigned)(t) & 63u))

/* Is m (or is either of a and b, or'ed together) a pointer? */
static inline bool mask_is_big(uint64_t w) { return (w & MASK_BIG) != 0; }

/* The slow paths, for sets with threads past 62 (mask.c): cold, so that
** the code of small scenarios is laid out as if they were not there. */
#define MASK_COLD __attribute__((cold))
MASK_COLD sched_mask mask_or_big(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_and_big(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_minus_big(struct mask_table *tab, sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_with_big(struct mask_table *tab, sched_mask m, int t);
MASK_COLD sched_mask mask_without_big(struct mask_table *tab, sched_mask m, int t);
MASK_COLD bool mask_has_big(sched_mask m, int t);
MASK_COLD int mask_next_big(sched_mask m, int t);
MASK_COLD int mask_count_big(sched_mask m);
MASK_COLD bool mask_meets_big(sched_mask a, sched_mask b);
MASK_COLD sched_mask mask_copy_big(struct mask_table *tab, sched_mask m);

static inline bool mask_empty(sched_mask m) { return m.w == 0; }
/* Equal sets made in one table are one word (sets from different tables
** are never compared). */
static inline bool mask_eq(sched_mask a, sched_mask b) { return a.w == b.w; }

static inline bool mask_has(sched_mask m, int t)
{
    if (__builtin_expect(!mask_is_big(m.w), 1))
        return (unsigned)t < 64u && ((m.w >> (unsigned)t) & 1u);
    return mask_has_big(m, t);
}

static inline sched_mask mask_with(struct mask_table *tab, sched_mask m, int t)
{
    if (__builtin_expect((unsigned)t < MASK_INLINE && !mask_is_big(m.w), 1))
        return (sched_mask){ m.w | MASK_WORD(t) };
    return mask_with_big(tab, m, t);
}

/* {t} */
static inline sched_mask mask_one(struct mask_table *tab, int t)
{
    return mask_with(tab, MASK_NONE, t);
}

static inline sched_mask mask_or(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (__builtin_expect(!mask_is_big(a.w | b.w), 1))
        return (sched_mask){ a.w | b.w };
    return mask_or_big(tab, a, b);
}

static inline sched_mask mask_and(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (__builtin_expect(!mask_is_big(a.w | b.w), 1))
        return (sched_mask){ a.w & b.w };
    return mask_and_big(tab, a, b);
}

/* a without the threads of b */
static inline sched_mask mask_minus(struct mask_table *tab, sched_mask a, sched_mask b)
{
    if (__builtin_expect(!mask_is_big(a.w | b.w), 1))
        return (sched_mask){ a.w & ~b.w };
    return mask_minus_big(tab, a, b);
}

static inline sched_mask mask_without(struct mask_table *tab, sched_mask m, int t)
{
    if (__builtin_expect((unsigned)t < MASK_INLINE && !mask_is_big(m.w), 1))
        return (sched_mask){ m.w & ~MASK_WORD(t) };
    return mask_without_big(tab, m, t);
}

/* m made in tab: for a set kept past the table it was made in (a report
** outlives its execution context). */
static inline sched_mask mask_copy(struct mask_table *tab, sched_mask m)
{
    return mask_is_big(m.w) ? mask_copy_big(tab, m) : m;
}

/* In place: *m gains, or loses, thread t. */
static inline void mask_add(struct mask_table *tab, sched_mask *m, int t)
{
    *m = mask_with(tab, *m, t);
}
static inline void mask_del(struct mask_table *tab, sched_mask *m, int t)
{
    *m = mask_without(tab, *m, t);
}

/* Do a and b share a thread? */
static inline bool mask_meets(sched_mask a, sched_mask b)
{
    if (__builtin_expect(!mask_is_big(a.w | b.w), 1))
        return (a.w & b.w) != 0;
    return mask_meets_big(a, b);
}

/* The lowest thread in m from t on (t >= 0), or -1. */
static inline int mask_next(sched_mask m, int t)
{
    if (__builtin_expect(!mask_is_big(m.w), 1)) {
        uint64_t rest = (unsigned)t < 64u ? m.w >> (unsigned)t : 0;
        return rest ? t + __builtin_ctzll(rest) : -1;
    }
    return mask_next_big(m, t);
}
static inline int mask_first(sched_mask m) { return mask_next(m, 0); }

/* Each thread of m, lowest first. */
#define MASK_FOR(t, m) for (int t = mask_first(m); t >= 0; t = mask_next((m), t + 1))

/* The bits set in w. Without the popcnt instruction (-mpopcnt) the
** builtin is a call into libgcc: counted here in a few shifts instead. */
static inline int mask_popcount(uint64_t w)
{
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
    return __builtin_popcountll(w);
#else
    w -= (w >> 1) & 0x5555555555555555ULL;
    w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
    w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (int)((w * 0x0101010101010101ULL) >> 56);
#endif
}

static inline int mask_count(sched_mask m)
{
    return mask_is_big(m.w) ? mask_count_big(m) : mask_popcount(m.w);
}

/* Exactly one thread? */
static inline bool mask_single(sched_mask m)
{
    if (__builtin_expect((m.w & (m.w - 1)) == 0, 1))   /* never so for a pointer */
        return m.w != 0;
    return mask_is_big(m.w) && mask_count_big(m) == 1;
}

/* The set of the bits of w, which holds no thread past 62. */
static inline sched_mask mask_of_word(uint64_t w) { return (sched_mask){ w }; }

/* The set whose bits are w[0..n): w[0] holds threads 0 to 63, w[1]
** threads 64 to 127, ... (a set kept as plain words, made a value). */
MASK_COLD sched_mask mask_from_words_big(struct mask_table *tab, const uint64_t *w, size_t n);
static inline sched_mask mask_from_words(struct mask_table *tab, const uint64_t *w, size_t n)
{
    if (n == 0)
        return MASK_NONE;
    if (n == 1 && !mask_is_big(w[0]))
        return (sched_mask){ w[0] };
    return mask_from_words_big(tab, w, n);
}

/* How many words m has (one for a set that fits in the word), and its word
** i (w[0] holds threads 0 to 63): a set as plain words, as
** mask_from_words takes it back. */
static inline size_t mask_nwords(sched_mask m)
{
    if (__builtin_expect(!mask_is_big(m.w), 1))
        return 1;
    return ((const struct mask_big *)(uintptr_t)(m.w & ~MASK_BIG))->n;
}
static inline uint64_t mask_word(sched_mask m, size_t i)
{
    if (__builtin_expect(!mask_is_big(m.w), 1))
        return i == 0 ? m.w : 0;
    const struct mask_big *b = (const struct mask_big *)(uintptr_t)(m.w & ~MASK_BIG);
    return i < b->n ? b->w[i] : 0;
}

/*
** Building a set one thread at a time: the threads past 63 gather in a
** private buffer and only the finished set is interned. mask_build_done
** returns the set and frees the buffer.
*/
struct mask_builder {
    uint64_t lo;                      /* threads 0 to 63 */
    uint64_t *w;                      /* threads 64 and up, or NULL */
    size_t n;
};
#define MASK_BUILDER_INIT { 0, NULL, 0 }

MASK_COLD void mask_build_big(struct mask_builder *b, int t);
MASK_COLD sched_mask mask_build_done_big(struct mask_table *tab, struct mask_builder *b);

static inline sched_mask mask_build_done(struct mask_table *tab, struct mask_builder *b)
{
    if (b->w == NULL && !mask_is_big(b->lo))   /* one word: nothing to free or intern */
        return (sched_mask){ b->lo };
    return mask_build_done_big(tab, b);
}

static inline void mask_build_add(struct mask_builder *b, int t)
{
    if (t < 64)
        b->lo |= MASK_WORD(t);
    else
        mask_build_big(b, t);
}

/* Text for checkpoints: threads 0 to 63 as one word in decimal (the form
** checkpoints had when sets were one word), then ".word" in hex for each
** higher word. mask_write returns the characters needed, as snprintf
** does. mask_read parses at *s and moves *s past it; false if there is no
** set there. */
int mask_write(sched_mask m, char *buf, size_t size);
bool mask_read(struct mask_table *tab, const char **s, sched_mask *m);

#endif
