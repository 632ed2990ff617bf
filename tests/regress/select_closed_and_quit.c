/* A worker loops on a select over a data channel and a quit channel, as Go
** code does with `for { select { case <-data: ...; case <-quit: return } }`.
** Once data is closed its case is always ready and takes nothing, so the
** loop spins there until select picks quit; Go picks among ready cases at
** random, so it does in the end. weft once let the closed case win every
** turn: each execution ran to the step bound, "NOT exhaustive". A
** spinning select now takes a case other than the one that keeps it
** spinning. The producer here closes quit before it publishes its result:
** the worker may return before it is there (-DFIXED: after). */
#include <weft.h>
struct st { weft_chan_t *data, *quit; weft_atomic_t result; };
static void producer(void *p)
{
    struct st *s = p;
    weft_chan_close(s->data);
#ifdef FIXED
    weft_atomic_store(&s->result, 42);
    weft_chan_close(s->quit);
#else
    weft_chan_close(s->quit);
    weft_atomic_store(&s->result, 42);
#endif
}
WEFT_SCENARIO(select_closed_and_quit, .summary = "loop on a select until quit; data closed first",
#ifdef FIXED
              .expect = WEFT_PASS
#else
              .expect = WEFT_ASSERTION
#endif
              )
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->data = weft_chan_make("data", 0);
    s->quit = weft_chan_make("quit", 0);
    weft_thread_t t = weft_spawn("producer", producer, s);
    for (;;) {
        struct weft_select_case c[2] = { { .dir = WEFT_RECV, .ch = s->data },
                                         { .dir = WEFT_RECV, .ch = s->quit } };
        if (weft_select(c, 2, WEFT_SELECT_BLOCK) == 1)
            break;
    }
    weft_assert(weft_atomic_load(&s->result) == 42, "returned before the result was published");
    weft_join(t);
}
