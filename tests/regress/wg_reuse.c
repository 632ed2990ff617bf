/* Done takes the counter to zero, then Add(1) raises it again. A waiter
** already blocked in Wait is released at zero (Go's WaitGroup does that, or
** panics "WaitGroup is reused"); test_primitives.c checks it under
** --timers=idle, where the sleep below lets the waiter block first. Here
** timers race: the waiter may not have reached Wait when Done and Add run,
** as on a real machine, and then it waits for a zero that never comes.
** The sleep is no synchronisation, and the deadlock is real. */
#include <weft.h>
struct st { weft_waitgroup_t wg; };
static void w(void *p) { struct st *s = p; weft_waitgroup_wait(&s->wg); }
WEFT_SCENARIO(wg_reuse, .summary = "Done to zero, then Add, while a waiter may not wait yet",
              .expect = WEFT_DEADLOCK)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_waitgroup_add(&s->wg, 1);
    weft_thread_t t = weft_spawn("waiter", w, s);
    weft_sleep(10);                    /* not a guarantee that the waiter waits */
    weft_waitgroup_done(&s->wg);       /* counter 0: a waiter in Wait goes */
    weft_waitgroup_add(&s->wg, 1);
    weft_join(t);
    weft_waitgroup_done(&s->wg);
}
