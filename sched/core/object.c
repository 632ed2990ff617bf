/*
** object.c -- per-execution memory and the registry of synchronisation objects.
** The arena hands out zeroed memory that lives until the execution ends; its
** chunks are kept and reused, so steady-state executions call no malloc.
** Objects get ids in creation order, which is deterministic per schedule.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sched.h"

/* ==========================================================================
** Arena
** ========================================================================== */

#define ARENA_CHUNK (64 * 1024)

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

static struct chunk *chunks;          /* in use this execution, newest first */
static struct chunk *spare;           /* kept from earlier executions */

static struct chunk *chunk_get(size_t need)
{
    struct chunk **pp = &spare;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->size >= need) {
            struct chunk *c = *pp;
            *pp = c->next;
            return c;
        }
    size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
    struct chunk *c = malloc(sizeof *c + size);
    if (c == NULL) {
        fprintf(stderr, "weft: out of memory (arena chunk of %zu bytes)\n", size);
        exit(2);
    }
    c->size = size;
    return c;
}

void *sched_arena_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (chunks == NULL || chunks->size - chunks->used < size) {
        struct chunk *c = chunk_get(size);
        c->used = 0;
        c->next = chunks;
        chunks = c;
    }
    void *p = chunks->data + chunks->used;
    chunks->used += size;
    memset(p, 0, size);
    return p;
}

void sched_arena_reset(void)
{
    while (chunks) {
        struct chunk *c = chunks;
        chunks = c->next;
        c->next = spare;
        spare = c;
    }
}

void sched_arena_free(void)
{
    sched_arena_reset();
    while (spare) {
        struct chunk *c = spare;
        spare = c->next;
        free(c);
    }
}

void *weft_alloc(size_t size) { return sched_arena_alloc(size); }

void *weft_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return sched_arena_alloc(count * size);
}

/* ==========================================================================
** Objects
** ========================================================================== */

static struct sched_obj *obj_head, **obj_tail = &obj_head;
static int obj_count;

static const char *const kind_names[] = {
    [OBJ_THREAD] = "thread", [OBJ_MUTEX] = "mutex", [OBJ_COND] = "cond",
    [OBJ_WAITGROUP] = "waitgroup", [OBJ_CHAN] = "channel", [OBJ_CHOICE] = "choice",
};

const char *sched_objkind_name(enum sched_objkind k) { return kind_names[k]; }

void sched_objects_reset(void)
{
    obj_head = NULL;
    obj_tail = &obj_head;
    obj_count = 0;
}

struct sched_obj *sched_objects(void) { return obj_head; }

struct sched_obj *sched_object_by_id(int id)
{
    for (struct sched_obj *o = obj_head; o; o = o->next_in_exec)
        if (o->id == id)
            return o;
    return NULL;
}

/* Names are copied (the caller's string may not outlive the report). This
** runs for every object of every execution, hence no snprintf. */
void sched_object_name(struct sched_obj *o, const char *name)
{
    size_t n = 0;
    if (name == NULL) {               /* "kind#id" */
        for (const char *k = kind_names[o->kind]; *k; k++)
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

void sched_object_register(struct sched_obj *o, const char *name)
{
    o->id = obj_count++;
    o->next_in_exec = NULL;
    *obj_tail = o;
    obj_tail = &o->next_in_exec;
    sched_object_name(o, name);
}

void *sched_object_new(enum sched_objkind kind, size_t size, const char *name)
{
    struct sched_obj *o = sched_arena_alloc(size);
    o->kind = kind;
    sched_object_register(o, name);
    return o;
}

bool sched_handle_live(const struct weft_handle_ *h)
{
    return h->impl_ != NULL && h->epoch_ == sched_epoch();
}

void sched_handle_bind(struct weft_handle_ *h, void *impl)
{
    h->impl_ = impl;
    h->epoch_ = sched_epoch();
}
