/*
** ticker_starves_stop.c -- a ticker in a select starves the stop signal.
**
** The shape: a Go worker that flushes on every tick and returns on a stop
** signal, and a Stop method that sends that signal while holding the lock
** the flush takes:
**
**     func (w *Worker) run() {
**         t := time.NewTicker(w.period)
**         defer t.Stop()
**         for {
**             select {
**             case <-t.C:
**                 w.mu.Lock(); w.flush(); w.mu.Unlock()
**             case <-w.stop:
**                 return
**             }
**         }
**     }
**     func (w *Worker) Stop() {
**         w.mu.Lock()
**         defer w.mu.Unlock()
**         w.stop <- struct{}{}   // unbuffered: waits for run's select
**     }
**
** A tick that wins the select just before Stop takes w.mu sends the worker
** into flush, which waits for w.mu, while Stop waits for the worker to
** come back to the select: the tick starved the stop signal, and both hang.
** It shows only when a tick lands in that window, which is why such code
** passes its tests; GoBench's blocking-bug corpus (Yuan et al., CGO 2021)
** collects this family of "channel send under a lock" hangs from real
** projects. (The shape is generic; no single upstream issue is claimed.)
**
** Fix: signal stop without holding the lock (close the channel, as Go code
** usually does, so that the signal cannot be missed either).
*/
#include <weft.h>

struct worker {
    weft_mutex_t mu;                  /* w.mu */
    weft_chan_t *stop;                /* w.stop */
    int flushes;
    int fixed;
};

static void run(void *arg)
{
    struct worker *w = arg;
    weft_timer_t *t = weft_ticker_make("flushTicker", 10);
    for (;;) {
        struct weft_select_case cases[2] = {
            { WEFT_RECV, weft_timer_chan(t), NULL, NULL, 0 },
            { WEFT_RECV, w->stop, NULL, NULL, 0 },
        };
        if (weft_select(cases, 2, WEFT_SELECT_BLOCK) == 1)
            break;
        weft_mutex_lock(&w->mu);      /* flush */
        w->flushes++;
        weft_mutex_unlock(&w->mu);
    }
    weft_timer_stop(t);               /* defer t.Stop() */
}

static void stop_worker(struct worker *w)
{
    if (w->fixed) {
        weft_chan_close(w->stop);     /* fix: no lock held, cannot be missed */
        return;
    }
    weft_mutex_lock(&w->mu);
    weft_chan_send(w->stop, NULL);    /* bug: under w.mu */
    weft_mutex_unlock(&w->mu);
}

static void scenario(int fixed)
{
    struct worker *w = weft_calloc(1, sizeof *w);
    w->fixed = fixed;
    weft_mutex_init(&w->mu, "w.mu", WEFT_MUTEX_GO);
    w->stop = weft_chan_make("w.stop", 0);
    weft_thread_t t = weft_spawn("run", run, w);
    weft_sleep(15);                   /* the worker runs a while */
    stop_worker(w);
    weft_join(t);
}

WEFT_SCENARIO(ticker_starves_stop,
              .summary = "a tick wins the select while Stop sends under the flush lock",
              .expect = WEFT_DEADLOCK)
{
    scenario(0);
}

WEFT_SCENARIO(ticker_starves_stop_fixed,
              .summary = "Stop closes the stop channel without holding the lock",
              .expect = WEFT_PASS)
{
    scenario(1);
}
