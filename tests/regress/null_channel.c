/* A send, a receive or a close on a NULL channel (weft has no nil channel)
** crashed inside weft, reported at the thread's step before the call
** (audit 21); it is a crash at the call, which the report names. */
#include <weft.h>

static void sender(void *arg)
{
    weft_chan_t *ch = arg;
    weft_chan_send(ch, NULL);                  /* the NULL channel */
}

WEFT_SCENARIO(null_channel_send, .summary = "a thread sends on a NULL channel",
              .expect = WEFT_CRASH)
{
    weft_join(weft_spawn("sender", sender, NULL));
}

WEFT_SCENARIO(null_channel_recv, .summary = "main receives from a NULL channel",
              .expect = WEFT_CRASH)
{
    weft_yield();
    weft_chan_recv(NULL, NULL);
}

WEFT_SCENARIO(null_channel_close, .summary = "main closes a NULL channel",
              .expect = WEFT_CRASH)
{
    weft_chan_close(NULL);
}
