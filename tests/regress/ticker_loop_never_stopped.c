/* A flusher that ticks until it is told to stop, as Go's
** `for { select { case <-t.C: flush(); case <-done: return } }`, and a
** Close that returns early on an error without closing done: the flusher
** ticks for ever and Close's caller waits for it. Its timer's firings are
** steps of their own thread, so the executions never ended; the step bound
** cut each one and the search said "NOT exhaustive" with no failure. The
** threads that run at the step bound are now looked at without the
** timers' own: the flusher spins on the ticker, its turns alike, a
** livelock (-DFIXED: Close closes done on every path, and passes). */
#include <weft.h>

struct flusher { weft_chan_t *done; int flushes, failed; };

static void flush_loop(void *p)
{
    struct flusher *f = p;
    weft_timer_t *t = weft_ticker_make("flushTicker", 10);
    for (;;) {
        struct weft_select_case c[2] = { { .dir = WEFT_RECV, .ch = weft_timer_chan(t) },
                                         { .dir = WEFT_RECV, .ch = f->done } };
        if (weft_select(c, 2, WEFT_SELECT_BLOCK) == 1)
            break;
        f->flushes++;                 /* flush() */
    }
    weft_timer_stop(t);
}

static int close_flusher(struct flusher *f)
{
#ifndef FIXED
    if (f->failed)
        return -1;                    /* bug: done is never closed on this path */
#endif
    weft_chan_close(f->done);
    return f->failed ? -1 : 0;
}

WEFT_SCENARIO(ticker_loop_never_stopped, .summary = "a ticker loop whose stop is skipped",
#ifdef FIXED
              .expect = WEFT_PASS
#else
              .expect = WEFT_LIVELOCK
#endif
              )
{
    struct flusher *f = weft_calloc(1, sizeof *f);
    f->done = weft_chan_make("done", 0);
    f->failed = 1;                    /* the write before Close failed */
    weft_thread_t t = weft_spawn("flusher", flush_loop, f);
    weft_sleep(25);
    close_flusher(f);
    weft_join(t);
}
