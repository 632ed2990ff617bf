/* A loop with nine selects, each on its own line, over a data channel of
** its own, closed before the loop, and a quit channel, which the producer
** closes. A spinning select takes the case after the one it
** took last; a thread remembers that for eight selects, and a select past
** those takes a case its rotation names. Before, such a select took its
** first case every time and the loop was reported as a livelock. The bug:
** quit is closed before the result is published (-DFIXED: after). */
#include <weft.h>
#define SITES 9
struct st { weft_chan_t *d[SITES], *quit; weft_atomic_t result; };
static void producer(void *p)
{
    struct st *s = p;
#ifdef FIXED
    weft_atomic_store(&s->result, 1);
    weft_chan_close(s->quit);
#else
    weft_chan_close(s->quit);
    weft_atomic_store(&s->result, 1);
#endif
}
/* One select of the loop: true when it took quit. */
#define QUIT_AT(i) (weft_select(((struct weft_select_case[2]){ { .dir = WEFT_RECV, .ch = s->d[i] }, \
                                   { .dir = WEFT_RECV, .ch = s->quit } }), 2, WEFT_SELECT_BLOCK) == 1)
WEFT_SCENARIO(select_sites, .summary = "nine selects in a loop, until quit",
#ifdef FIXED
              .expect = WEFT_PASS
#else
              .expect = WEFT_ASSERTION
#endif
              )
{
    struct st *s = weft_calloc(1, sizeof *s);
    for (int i = 0; i < SITES; i++) {
        s->d[i] = weft_chan_make("data", 0);
        weft_chan_close(s->d[i]);
    }
    s->quit = weft_chan_make("quit", 0);
    weft_thread_t t = weft_spawn("producer", producer, s);
    for (;;) {
        if (QUIT_AT(0))
            break;
        if (QUIT_AT(1))
            break;
        if (QUIT_AT(2))
            break;
        if (QUIT_AT(3))
            break;
        if (QUIT_AT(4))
            break;
        if (QUIT_AT(5))
            break;
        if (QUIT_AT(6))
            break;
        if (QUIT_AT(7))
            break;
        if (QUIT_AT(8))
            break;
    }
    weft_assert(weft_atomic_load(&s->result) == 1, "returned before the result was published");
    weft_join(t);
}
