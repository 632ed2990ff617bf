/*
** object.h -- synchronisation objects, public handles and the arena.
** Every object of an execution (a mutex, a channel, a thread) begins with
** struct sched_obj and lives in the execution's arena, numbered in creation
** order: ids, not addresses, name objects across executions.
*/
#ifndef WEFT_OBJECT_H
#define WEFT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/mask.h"
#include "weft.h"

#define SCHED_NAME_MAX 48

/* A source location recorded by every public macro. */
struct sched_loc { const char *file; int line; };

struct exec;
struct sched_obj;
struct waiter;
struct sched_watch;

/*
** What kind of object o is, as reports need to know it: the kind's name
** ("mutex", for the default name "mutex#3") and, for objects a thread can
** hold (locks), who holds it. Searches never look at it.
*/
struct sched_objclass {
    const char *name;
    /* Optional: the thread holding o, or -1; *at is where it took it. */
    int (*holder)(const struct sched_obj *o, struct sched_loc *at);
    /* Optional: how many holds thread tid has on o that it must give back
    ** before it returns (a lock that is owned); *at is where it took one.
    ** A thread that returns with one fails the execution (sched.c). */
    int (*holds)(const struct sched_obj *o, int tid, struct sched_loc *at);
    /* Optional, for reports: what thread tid has of o that it shares with
    ** others (a read hold of a rwlock), in words ("for reading"), and *at
    ** where it took it; false when nothing. */
    bool (*shares)(const struct sched_obj *o, int tid, char *buf, size_t n,
                   struct sched_loc *at);
    /* Optional, for reports: o's state in words when it may explain a wait
    ** ("0 of 2 permits left", "2 of 3 arrived"); "" when nothing to say. */
    void (*state)(const struct sched_obj *o, char *buf, size_t n);
};

struct sched_obj {
    const struct sched_objclass *cls;
    int id;
    /* Its name across executions: what made it and how many things that
    ** maker had made before, or where its handle lives. Ids follow creation
    ** order, which differs between schedules; keys do not. */
    uint64_t key;
    int thread;                       /* >= 0: this object is that thread (spawn, join) */
    sched_mask users;                 /* threads that have operated on it */
    struct waiter *waiters;           /* parked operations waiting on it, oldest first */
    struct waiter *waiters_tail;
    /* Parked threads whose operation's enabledness depends on o's state
    ** (sched.c): a step on o re-evaluates only them. */
    struct sched_watch *watchers;
    char name[SCHED_NAME_MAX];
    struct sched_obj *next_in_exec;   /* creation order, for reports */
    uint32_t *hb;                     /* the clock released into it (race.c), or NULL */
};

/* A 64-bit hash step (splitmix64's finaliser over h and v). */
static inline uint64_t sched_mix(uint64_t h, uint64_t v)
{
    uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A text's hash (FNV-1a): the key of an object named by the program's
** text (a file name, a semaphore's name), whichever thread names it first. */
static inline uint64_t sched_text_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* A zeroed object of `size` bytes (which begin with struct sched_obj),
** named `name`, or "kind#id" when name is NULL. NULL when out of memory. */
void *object_new(struct exec *x, const struct sched_objclass *cls, size_t size,
                 const char *name);
/* Number o (its memory zeroed, cls set) and append it to x's objects. */
void object_register(struct exec *x, struct sched_obj *o, const char *name);
/* A new name for something the running thread (or, outside any, the
** execution) makes: its maker's key and how many things it made before. */
uint64_t object_next_key(struct exec *x);
/* Name o, just made, by key instead of its maker's count (an object made
** on first use, named by its address or its number), and give the count
** back: else the keys of what its maker makes next would depend on whether
** it or another thread used the address first, and DPOR and the classes,
** which name objects by key across executions, would see one object under
** two names. */
void object_rekey(struct exec *x, struct sched_obj *o, uint64_t key);

/*
** The arena: zeroed memory that lives until the execution ends. Its chunks
** are kept for the next execution, so steady-state executions call no
** malloc. NULL when out of memory or when size cannot be represented.
*/
struct arena_chunk;
struct arena_block;
struct arena {
    struct arena_chunk *chunks, *spare;
    uint64_t allocated;               /* bytes handed out this execution */
    struct arena_block *blocks;       /* the named ones, in the order handed out */
    size_t nblocks, blocks_cap;
};

void *arena_alloc(struct arena *a, size_t size);
/* The same, for a block the scenario or program asked for: named by key
** (what made it and when, as an object's key), so that a handle inside it
** is named by the block and its place there (arena_block_key), the same
** whatever else other threads allocated first. */
void *arena_alloc_named(struct arena *a, size_t size, uint64_t key);
/* Is p inside a named block? *key: the block's key and p's place in it. */
bool arena_block_key(const struct arena *a, const void *p, uint64_t *key);
/* Is p inside memory a handed out this execution? *offset: where, counted
** in the bytes handed out before it, which does not depend on how they
** were split into chunks or where the chunks are. */
bool arena_offset(const struct arena *a, const void *p, uint64_t *offset);
void arena_reset(struct arena *a);    /* everything back to spare */
void arena_free(struct arena *a);     /* and spare to the system */

#endif
