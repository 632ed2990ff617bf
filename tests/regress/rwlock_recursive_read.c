/*
** A recursive read lock behind a waiting writer (the shape of Kubernetes
** bugs where a function holding RLock calls a helper that RLocks again).
** Under Go's writer preference the writer's Lock, announced between the
** two RLocks, blocks the second RLock while it waits for the first: a
** deadlock. Under reader preference the second read lock is granted and
** everything finishes.
*/
#include <weft.h>

struct cache { weft_rwlock_t mu; int entries; };

static int size_locked(struct cache *c)
{
    weft_rwlock_rlock(&c->mu);        /* the helper locks again */
    int n = c->entries;
    weft_rwlock_runlock(&c->mu);
    return n;
}

static void reader(void *arg)
{
    struct cache *c = arg;
    weft_rwlock_rlock(&c->mu);
    int n = size_locked(c);
    weft_rwlock_runlock(&c->mu);
    (void)n;
}

static void writer(void *arg)
{
    struct cache *c = arg;
    weft_rwlock_lock(&c->mu);
    c->entries++;
    weft_rwlock_unlock(&c->mu);
}

static void run(enum weft_rwlock_policy policy)
{
    struct cache *c = weft_calloc(1, sizeof *c);
    weft_rwlock_init(&c->mu, "cache.mu", policy);
    weft_thread_t r = weft_spawn("reader", reader, c);
    weft_thread_t w = weft_spawn("writer", writer, c);
    weft_join(r);
    weft_join(w);
}

WEFT_SCENARIO(rwlock_recursive_read_writer_preferring,
              .summary = "recursive RLock behind a waiting Lock (Go RWMutex)",
              .expect = WEFT_DEADLOCK)
{
    run(WEFT_RWLOCK_WRITER_PREFERRING);
}

WEFT_SCENARIO(rwlock_recursive_read_reader_preferring,
              .summary = "the same under reader preference: no deadlock",
              .expect = WEFT_PASS)
{
    run(WEFT_RWLOCK_READER_PREFERRING);
}
