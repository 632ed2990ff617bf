/*
** object.c -- per-execution memory and the list of synchronisation objects.
** The arena hands out zeroed memory that lives until the execution ends; its
** chunks are kept and reused, so steady-state executions call no malloc.
** Objects get ids in creation order, which is deterministic per schedule.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/exec.h"

/* ==========================================================================
** Arena
** ========================================================================== */

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    uint64_t base;                    /* arena_offset of data[0] */
    _Alignas(16) unsigned char data[];
};

/* A spare chunk with room for need bytes, or a new one; NULL without memory. */
static struct arena_chunk *chunk_get(struct arena *a, size_t need)
{
    for (struct arena_chunk **pp = &a->spare; *pp; pp = &(*pp)->next)
        if ((*pp)->size >= need) {
            struct arena_chunk *c = *pp;
            *pp = c->next;
            return c;
        }
    size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
    if (size > SIZE_MAX - sizeof(struct arena_chunk))
        return NULL;
    struct arena_chunk *c = malloc(sizeof *c + size);
    if (c)
        c->size = size;
    return c;
}

void *arena_alloc(struct arena *a, size_t size)
{
    if (size > PTRDIFF_MAX)           /* no object is larger; and the rounding cannot wrap */
        return NULL;
    size = (size + 15) & ~(size_t)15;
    if (a->chunks == NULL || a->chunks->size - a->chunks->used < size) {
        struct arena_chunk *c = chunk_get(a, size);
        if (c == NULL)
            return NULL;
        c->used = 0;
        c->base = a->allocated;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = a->chunks->data + a->chunks->used;
    a->chunks->used += size;
    a->allocated = a->chunks->base + a->chunks->used;
    memset(p, 0, size);
    return p;
}

struct arena_block {
    uint64_t start, size;             /* arena offsets */
    uint64_t key;
};

void *arena_alloc_named(struct arena *a, size_t size, uint64_t key)
{
    if (a->nblocks == a->blocks_cap) {
        size_t cap = a->blocks_cap ? 2 * a->blocks_cap : 64;
        struct arena_block *b = realloc(a->blocks, cap * sizeof *b);
        if (b == NULL)
            return NULL;
        a->blocks = b;
        a->blocks_cap = cap;
    }
    void *p = arena_alloc(a, size);
    if (p)                            /* data[0] is 16-aligned, so p's offset is that of the bytes before it */
        a->blocks[a->nblocks++] = (struct arena_block){ a->allocated - ((size + 15) & ~(size_t)15),
                                                        size, key };
    return p;
}

/* Blocks are handed out at rising offsets: a binary search. */
bool arena_block_key(const struct arena *a, const void *p, uint64_t *key)
{
    uint64_t at;
    if (a->nblocks == 0 || !arena_offset(a, p, &at))
        return false;
    size_t lo = 0, hi = a->nblocks;   /* the last block starting at or before at */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->blocks[mid].start <= at)
            lo = mid;
        else
            hi = mid;
    }
    const struct arena_block *b = &a->blocks[lo];
    if (at < b->start || at - b->start >= (b->size ? b->size : 1))
        return false;
    *key = sched_mix(b->key, at - b->start);
    return true;
}

bool arena_offset(const struct arena *a, const void *p, uint64_t *offset)
{
    uintptr_t at = (uintptr_t)p;
    for (const struct arena_chunk *c = a->chunks; c; c = c->next)
        if (at >= (uintptr_t)c->data && at < (uintptr_t)c->data + c->used) {
            *offset = c->base + (at - (uintptr_t)c->data);
            return true;
        }
    return false;
}

void arena_reset(struct arena *a)
{
    a->allocated = 0;
    a->nblocks = 0;
    while (a->chunks) {
        struct arena_chunk *c = a->chunks;
        a->chunks = c->next;
        c->next = a->spare;
        a->spare = c;
    }
}

void arena_free(struct arena *a)
{
    arena_reset(a);
    free(a->blocks);
    a->blocks = NULL;
    a->blocks_cap = 0;
    while (a->spare) {
        struct arena_chunk *c = a->spare;
        a->spare = c->next;
        free(c);
    }
}

/* ==========================================================================
** Objects
** ========================================================================== */

/* Names are copied (the caller's string may not outlive the report). This
** runs for every object of every execution, hence no snprintf. */
static void object_name(struct sched_obj *o, const char *name)
{
    size_t n = 0;
    if (name == NULL) {               /* "kind#id" */
        for (const char *k = o->cls->name; *k && n < sizeof o->name - 12; k++)
            o->name[n++] = *k;
        o->name[n++] = '#';
        char digits[12];
        int d = 0;
        for (unsigned v = (unsigned)o->id; d == 0 || v; v /= 10)
            digits[d++] = (char)('0' + v % 10);
        while (d)
            o->name[n++] = digits[--d];
    } else {
        while (name[n] && n < sizeof o->name - 1) {
            o->name[n] = name[n];
            n++;
        }
    }
    o->name[n] = 0;
}

uint64_t object_next_key(struct exec *x)
{
    struct sched_thread *maker = x->current;
    return maker ? sched_mix(maker->obj.key, ++maker->made) : sched_mix(0, ++x->made);
}

void object_rekey(struct exec *x, struct sched_obj *o, uint64_t key)
{
    struct sched_thread *maker = x->current;
    if (maker && o->key == sched_mix(maker->obj.key, maker->made))
        maker->made--;
    else if (!maker && o->key == sched_mix(0, x->made))
        x->made--;
    o->key = key;
}

void object_register(struct exec *x, struct sched_obj *o, const char *name)
{
    o->key = object_next_key(x);
    o->id = x->nobjects++;
    o->next_in_exec = NULL;
    *x->objects_tail = o;
    x->objects_tail = &o->next_in_exec;
    object_name(o, name);
}

void *object_new(struct exec *x, const struct sched_objclass *cls, size_t size,
                 const char *name)
{
    struct sched_obj *o = arena_alloc(&x->arena, size);
    if (o == NULL)
        return NULL;
    o->cls = cls;
    o->thread = -1;
    object_register(x, o, name);
    return o;
}
