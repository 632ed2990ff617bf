/*
** A step on a lock that its thread holds already (a recursive relock, a
** nested read lock under reader preference) never races with another
** thread's lock: that lock cannot run while the first thread holds it.
** DPOR once tried to run it there anyway, and the execution it started
** was cut short by its sleep set: 1 "pruned" beside the classes. Each
** scenario has exactly 2 or 3 classes and passes; tests/cli.sh checks the
** counts and that none is pruned.
*/
#include <weft.h>

struct locks { weft_mutex_t mu; weft_rwlock_t rw; };

static void relocker(void *arg)
{
    struct locks *l = arg;
    weft_mutex_lock(&l->mu);
    weft_mutex_lock(&l->mu);
    weft_mutex_unlock(&l->mu);
    weft_mutex_unlock(&l->mu);
}

static void locker(void *arg)
{
    struct locks *l = arg;
    weft_mutex_lock(&l->mu);
    weft_mutex_unlock(&l->mu);
}

WEFT_SCENARIO(recursive_relock, .summary = "a relock never races another thread's lock",
              .expect = WEFT_PASS)
{
    struct locks *l = weft_calloc(1, sizeof *l);
    weft_mutex_init(&l->mu, "mu", WEFT_MUTEX_RECURSIVE);
    weft_thread_t a = weft_spawn("relocker", relocker, l);
    weft_thread_t b = weft_spawn("locker", locker, l);
    weft_join(a);
    weft_join(b);
}

static void nested_reader(void *arg)
{
    struct locks *l = arg;
    weft_rwlock_rlock(&l->rw);
    weft_rwlock_rlock(&l->rw);
    weft_rwlock_runlock(&l->rw);
    weft_rwlock_runlock(&l->rw);
}

static void writer(void *arg)
{
    struct locks *l = arg;
    weft_rwlock_lock(&l->rw);
    weft_rwlock_unlock(&l->rw);
}

WEFT_SCENARIO(nested_read_lock, .summary = "a nested read lock never races a writer's lock",
              .expect = WEFT_PASS)
{
    struct locks *l = weft_calloc(1, sizeof *l);
    weft_rwlock_init(&l->rw, "rw", WEFT_RWLOCK_READER_PREFERRING);
    weft_thread_t a = weft_spawn("reader", nested_reader, l);
    weft_thread_t b = weft_spawn("writer", writer, l);
    weft_join(a);
    weft_join(b);
}
