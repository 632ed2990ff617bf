/*
** report_story.c -- the scenario of a golden report (tests/cli.sh): a call
** chain three frames deep, a lock attempt that blocks, a signal that names
** the thread it woke, and a lock whose holder returned without unlocking.
**
** "AfterFunc" takes the Go mutex cache.mu and returns holding it, as a
** time.AfterFunc callback that forgets its Unlock would. "waiter" says
** hello, waits until main says the cache is ready, then flushes it:
** waiter() calls flush(), which calls lock_cache(), whose lock blocks
** forever. main joins the waiter, so it waits forever too.
**
** Fix: unlock in after_func before it returns.
*/
#include <weft.h>

struct cache {
    weft_mutex_t mu, m;
    weft_cond_t hello, ready;
    int waiting, is_ready, entries;
};

static void after_func(void *arg)
{
    struct cache *c = arg;
    weft_mutex_lock(&c->mu);
    c->entries = 0;                   /* and returns without unlocking */
}

static int lock_cache(struct cache *c)
{
    weft_mutex_lock(&c->mu);
    return c->entries;
}

static int flush(struct cache *c)
{
    int n = lock_cache(c);
    c->entries = 0;
    weft_mutex_unlock(&c->mu);
    return n;
}

static void waiter(void *arg)
{
    struct cache *c = arg;
    weft_mutex_lock(&c->m);
    c->waiting = 1;
    weft_cond_signal(&c->hello);
    while (!c->is_ready)
        weft_cond_wait(&c->ready, &c->m);
    weft_mutex_unlock(&c->m);
    c->entries += flush(c);
}

WEFT_SCENARIO(report_story, .summary = "a callback returns holding the cache's lock",
              .expect = WEFT_DEADLOCK)
{
    struct cache *c = weft_calloc(1, sizeof *c);
    weft_mutex_init(&c->mu, "cache.mu", WEFT_MUTEX_GO);
    weft_mutex_init(&c->m, "m", WEFT_MUTEX_NORMAL);
    weft_cond_init(&c->hello, "hello");
    weft_cond_init(&c->ready, "ready");
    weft_thread_t w = weft_spawn("waiter", waiter, c);
    weft_spawn("AfterFunc", after_func, c);
    weft_mutex_lock(&c->m);
    while (!c->waiting)
        weft_cond_wait(&c->hello, &c->m);
    c->is_ready = 1;
    weft_cond_signal(&c->ready);
    weft_mutex_unlock(&c->m);
    weft_join(w);
}
