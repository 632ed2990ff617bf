/*
** A timer callback that returns with the mutex still locked (the shape of
** Go bugs where an AfterFunc callback misses an Unlock on one branch).
** With an owned mutex the callback's return is reported at once, naming
** the mutex and where it was locked.
*/
#include <weft.h>

struct conn { weft_mutex_t mu; int closed; };

static void on_timeout(void *arg)
{
    struct conn *c = arg;
    weft_mutex_lock(&c->mu);
    if (c->closed)
        return;                       /* forgets the unlock */
    c->closed = 1;
    weft_mutex_unlock(&c->mu);
}

WEFT_SCENARIO(mutex_leaked_by_callback, .summary = "callback returns holding the mutex",
              .expect = WEFT_ASSERTION)
{
    struct conn *c = weft_calloc(1, sizeof *c);
    weft_mutex_init(&c->mu, "conn.mu", WEFT_MUTEX_NORMAL);
    weft_thread_t t = weft_spawn("AfterFunc", on_timeout, c);
    weft_mutex_lock(&c->mu);
    c->closed = 1;
    weft_mutex_unlock(&c->mu);
    weft_join(t);
}

/* The same with Go's mutex, which a callback may legally leave locked for
** another goroutine to unlock: nobody does, and the closer waits forever.
** The report says the holder returned without unlocking it. */
static void close_conn(void *arg)
{
    struct conn *c = arg;
    weft_mutex_lock(&c->mu);
    c->closed = 1;
    weft_mutex_unlock(&c->mu);
}

WEFT_SCENARIO(go_mutex_leaked_by_callback, .summary = "callback returns holding a Go mutex",
              .expect = WEFT_DEADLOCK)
{
    struct conn *c = weft_calloc(1, sizeof *c);
    weft_mutex_init(&c->mu, "conn.mu", WEFT_MUTEX_GO);
    c->closed = 1;                    /* the callback takes the early return */
    weft_join(weft_spawn("AfterFunc", on_timeout, c));
    weft_join(weft_spawn("Close", close_conn, c));
}
