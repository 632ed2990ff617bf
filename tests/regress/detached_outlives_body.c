/* Detached threads (issue 9) left when the body returns are stopped, as a
** process's are at exit: one blocked forever and one looping forever are
** neither a leak nor a livelock. */
#include <weft.h>
static weft_chan_t *never;
static void waiter(void *p) { (void)p; weft_chan_recv(never, NULL); }
static void ticker(void *p) { (void)p; for (;;) weft_sleep(1); }
WEFT_SCENARIO(detached_outlives_body, .summary = "detached threads outlive the body", .expect = WEFT_PASS)
{
    never = weft_chan_make("never", 0);
    weft_spawn_detached("waiter", waiter, NULL);
    weft_spawn_detached("ticker", ticker, NULL);
    weft_sleep(1);
}
