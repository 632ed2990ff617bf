/*
** afterfunc_leaks_mutex.c -- a timer callback returns holding a mutex.
**
** The shape: an idle timeout in a Go server, armed with time.AfterFunc,
** whose callback locks the connection and returns early, still holding
** the lock, when it finds the connection busy:
**
**     c.idle = time.AfterFunc(idleTimeout, func() {
**         c.mu.Lock()
**         if c.active > 0 {
**             return          // busy: try again later (forgets c.mu.Unlock)
**         }
**         c.closing = true
**         c.mu.Unlock()
**     })
**
** Go's sync.Mutex is not owned, so nothing complains when the callback's
** goroutine ends; the next c.mu.Lock() (the request finishing) hangs for
** good. It shows only when the timer fires during a request, the rare
** case, so tests with a long timeout never see it. Early returns that skip
** an Unlock are among the most common blocking bugs in Go (Tu et al.,
** "Understanding Real-World Concurrency Bugs in Go", ASPLOS 2019); the
** advice that came from it is `defer mu.Unlock()`. (The shape is generic;
** no single upstream issue is claimed.)
**
** Fix: unlock on every path (defer c.mu.Unlock()).
*/
#include <weft.h>

struct conn {
    weft_mutex_t mu;                  /* c.mu */
    int active, closing;
    int fixed;
};

static void on_idle(void *arg)
{
    struct conn *c = arg;
    weft_mutex_lock(&c->mu);
    if (c->active > 0) {
        if (c->fixed)
            weft_mutex_unlock(&c->mu);   /* fix: the deferred unlock */
        return;                          /* bug: returns holding c.mu */
    }
    c->closing = 1;
    weft_mutex_unlock(&c->mu);
}

static void handle_request(void *arg)
{
    struct conn *c = arg;
    weft_mutex_lock(&c->mu);
    if (c->closing) {
        weft_mutex_unlock(&c->mu);
        return;
    }
    c->active++;
    weft_mutex_unlock(&c->mu);
    weft_yield();                     /* serve the request */
    weft_mutex_lock(&c->mu);
    c->active--;
    weft_mutex_unlock(&c->mu);
}

static void scenario(int fixed)
{
    struct conn *c = weft_calloc(1, sizeof *c);
    c->fixed = fixed;
    weft_mutex_init(&c->mu, "c.mu", WEFT_MUTEX_GO);
    weft_timer_t *idle = weft_after_func("onIdle", 100, on_idle, c);
    weft_thread_t h = weft_spawn("handler", handle_request, c);
    weft_join(h);
    weft_timer_stop(idle);            /* the server shuts down */
}

WEFT_SCENARIO(afterfunc_leaks_mutex,
              .summary = "an AfterFunc idle callback returns holding c.mu while a request runs",
              .expect = WEFT_DEADLOCK)
{
    scenario(0);
}

WEFT_SCENARIO(afterfunc_leaks_mutex_fixed,
              .summary = "the idle callback unlocks c.mu on every path",
              .expect = WEFT_PASS)
{
    scenario(1);
}
