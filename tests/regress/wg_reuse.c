/* W is blocked in Wait when the counter reaches zero; in Go that Done releases
** W (or Wait panics "WaitGroup is reused" if Add came first). weft keeps W
** blocked when Add(1) runs before W is scheduled: a deadlock Go cannot have. */
#include <weft.h>
struct st { weft_waitgroup_t wg; };
static void w(void *p) { struct st *s = p; weft_waitgroup_wait(&s->wg); }
WEFT_SCENARIO(wg_reuse, .summary = "Done to zero, then Add, while a waiter is blocked", .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_waitgroup_add(&s->wg, 1);
    weft_thread_t t = weft_spawn("waiter", w, s);
    weft_sleep(10);                    /* the waiter is certainly blocked in Wait */
    weft_waitgroup_done(&s->wg);       /* counter 0: Go wakes the waiter here */
    weft_waitgroup_add(&s->wg, 1);
    weft_join(t);
    weft_waitgroup_done(&s->wg);
}
