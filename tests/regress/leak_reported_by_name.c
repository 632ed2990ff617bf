/* A goroutine leak: the body returns while a worker waits on a channel
** nobody will send to (regression: leaks are reported by name). */
#include <weft.h>
static weft_chan_t *ch;
static void w(void *p) { (void)p; weft_chan_recv(ch, 0); }
WEFT_SCENARIO(leak_reported_by_name,
              .summary = "the body returns while a worker waits forever: a leak, named",
              .expect = WEFT_LEAK)
{
    ch = weft_chan_make("results", 0);
    weft_spawn("worker", w, 0);
}
