/*
** keys.c -- thread-specific data: pthread_key_create, pthread_key_delete,
** pthread_getspecific, pthread_setspecific, and the keys' destructors run
** as a thread exits (returns from its start function or calls
** pthread_exit), at most PTHREAD_DESTRUCTOR_ITERATIONS rounds.
**
** The key table and each thread's values live in the execution's arena,
** so every execution starts without keys. A key is an index into the
** table; each use of an index has a generation, and a thread's value is
** kept with the generation it was set under, so a key deleted and made
** again reads NULL in every thread, as POSIX requires. The calls are not
** visible operations: like malloc, they touch the process's own state,
** which a program orders with its locks (the table's races are not
** explored).
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <limits.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

#ifndef PTHREAD_DESTRUCTOR_ITERATIONS
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#endif

struct posix_key {
    unsigned generation;              /* odd while the key exists */
    void (*destructor)(void *);
};

struct posix_keys {
    struct posix_key table[PTHREAD_KEYS_MAX];
};

/* A thread's value for one key, and the key's generation when it was set. */
struct posix_specific {
    void *value;
    unsigned generation;
};

static struct posix_keys *keys_of(struct exec *x)
{
    struct posix_exec *st = posix_state(x);
    if (st && st->keys == NULL)
        st->keys = arena_alloc(&x->arena, sizeof *st->keys);
    return st ? st->keys : NULL;
}

static bool key_live(const struct posix_keys *k, pthread_key_t key)
{
    return k && key < PTHREAD_KEYS_MAX && (k->table[key].generation & 1);
}

int weft_pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_key_create(key, destructor);
    struct posix_keys *k = keys_of(x);
    if (k == NULL)
        return ENOMEM;
    for (pthread_key_t i = 0; i < PTHREAD_KEYS_MAX; i++)
        if (!(k->table[i].generation & 1)) {
            k->table[i].generation++;
            k->table[i].destructor = destructor;
            *key = i;
            return 0;
        }
    return EAGAIN;
}

int weft_pthread_key_delete(pthread_key_t key)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_key_delete(key);
    struct posix_keys *k = keys_of(x);
    if (!key_live(k, key))
        return EINVAL;
    k->table[key].generation++;       /* no destructor runs: POSIX */
    k->table[key].destructor = NULL;
    return 0;
}

/* The running thread's value slot for key, its table grown to hold it;
** NULL without memory. */
static struct posix_specific *slot_of(struct exec *x, pthread_key_t key)
{
    struct posix_thread *t = posix_thread_self(x);
    if (t == NULL)
        return NULL;
    if (key >= t->nspecific) {
        unsigned n = t->nspecific ? t->nspecific : 8;
        while (n <= key)
            n *= 2;
        struct posix_specific *v = arena_alloc(&x->arena, n * sizeof *v);
        if (v == NULL)
            return NULL;
        if (t->nspecific)
            memcpy(v, t->specific, t->nspecific * sizeof *v);
        t->specific = v;
        t->nspecific = n;
    }
    return &t->specific[key];
}

void *weft_pthread_getspecific(pthread_key_t key)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_getspecific(key);
    struct posix_keys *k = keys_of(x);
    struct posix_thread *t = posix_thread_self(x);
    if (!key_live(k, key) || t == NULL || key >= t->nspecific)
        return NULL;
    struct posix_specific *s = &t->specific[key];
    return s->generation == k->table[key].generation ? s->value : NULL;
}

int weft_pthread_setspecific(pthread_key_t key, const void *value)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pthread_setspecific(key, value);
    struct posix_keys *k = keys_of(x);
    if (!key_live(k, key))
        return EINVAL;
    struct posix_specific *s = slot_of(x, key);
    if (s == NULL)
        return ENOMEM;
    s->value = (void *)value;
    s->generation = k->table[key].generation;
    return 0;
}

/* One round: each live key's non-NULL value is set to NULL and passed to
** the key's destructor. Whether any destructor ran. */
static bool destructor_round(struct exec *x, struct posix_thread *t)
{
    struct posix_keys *k = posix_state(x) ? posix_state(x)->keys : NULL;
    bool ran = false;
    for (unsigned i = 0; k && i < t->nspecific; i++) {
        struct posix_specific *s = &t->specific[i];
        const struct posix_key *key = &k->table[i];
        if (s->value == NULL || s->generation != key->generation || !(key->generation & 1) ||
            key->destructor == NULL)
            continue;
        void *value = s->value;
        s->value = NULL;
        key->destructor(value);       /* may set values again: another round */
        ran = true;
    }
    return ran;
}

void posix_keys_thread_exit(struct exec *x, struct posix_thread *t)
{
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++)
        if (!destructor_round(x, t))
            return;
}
