/*
** pack.h -- the search's position in binary, for the marks a supervisor
** keeps between the processes of one weft (supervise.c; --isolate fork
** hands it from each execution's process to the next). Numbers are
** unsigned LEB128: seven bits a byte, the high bit saying more follow, so
** the small numbers a position is made of take a byte each. Only this
** build of weft reads what it wrote; checkpoint files stay text
** (strategy.h, save and load).
*/
#ifndef WEFT_PACK_H
#define WEFT_PACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/mask.h"
#include "explore/grow.h"

/* Bytes being written; oom: memory ran out (the bytes are then wrong). */
struct pack {
    unsigned char *buf;
    size_t len, cap;
    bool oom;
};

/* Bytes being read; bad: they ended early or held a number too large. */
struct unpack {
    const unsigned char *at, *end;
    bool bad;
};

static inline void pack_u64(struct pack *p, uint64_t v)
{
    if (!explore_grow((void **)&p->buf, &p->cap, p->len + 10, 1)) {
        p->oom = true;
        return;
    }
    do {
        unsigned char b = v & 0x7f;
        v >>= 7;
        p->buf[p->len++] = (unsigned char)(b | (v ? 0x80 : 0));
    } while (v);
}

static inline void pack_bytes(struct pack *p, const void *bytes, size_t n)
{
    pack_u64(p, n);
    if (p->oom || !explore_grow((void **)&p->buf, &p->cap, p->len + n, 1)) {
        p->oom = true;
        return;
    }
    memcpy(p->buf + p->len, bytes, n);
    p->len += n;
}

/* A set: how many words, then each (mask.h: threads 0 to 63 first). */
static inline void pack_mask(struct pack *p, sched_mask m)
{
    size_t n = mask_nwords(m);
    pack_u64(p, n);
    for (size_t i = 0; i < n; i++)
        pack_u64(p, mask_word(m, i));
}

static inline uint64_t unpack_u64(struct unpack *u)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !u->bad; shift += 7) {
        if (u->at == u->end || shift > 63) {
            u->bad = true;
            break;
        }
        unsigned char b = *u->at++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    return 0;
}

/* A number that must not pass max. */
static inline uint64_t unpack_max(struct unpack *u, uint64_t max)
{
    uint64_t v = unpack_u64(u);
    if (v > max)
        u->bad = true;
    return u->bad ? 0 : v;
}

/* Bytes packed by pack_bytes, where they lie (n of them), or NULL. */
static inline const unsigned char *unpack_bytes(struct unpack *u, size_t *n)
{
    *n = (size_t)unpack_max(u, (uint64_t)(u->end - u->at));
    const unsigned char *at = u->at;
    u->at += u->bad ? 0 : *n;
    return u->bad ? NULL : at;
}

/* A set packed by pack_mask, made in tab; false if the bytes hold none
** (u->bad is then set) or without memory. */
static inline bool unpack_mask(struct unpack *u, struct mask_table *tab, sched_mask *m)
{
    size_t n = (size_t)unpack_max(u, (uint64_t)(u->end - u->at));   /* a byte a word at least */
    uint64_t small[4], *w = n <= 4 ? small : malloc(n * sizeof *w);
    if (w == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        w[i] = unpack_u64(u);
    if (!u->bad)
        *m = mask_from_words(tab, w, n);
    if (w != small)
        free(w);
    return !u->bad;
}

#endif
