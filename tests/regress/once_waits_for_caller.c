/*
** A once whose function waits for something a second caller would do
** only after its own call to the once returns: the second caller waits
** for the function, the function for the second caller.
*/
#include <weft.h>

struct svc { weft_once_t init; weft_chan_t *ready; };

static void init(void *arg)
{
    struct svc *s = arg;
    weft_chan_recv(s->ready, NULL);   /* waits for the caller below */
}

static void caller(void *arg)
{
    struct svc *s = arg;
    weft_once_do(&s->init, init, s);
    weft_chan_send(s->ready, NULL);
}

WEFT_SCENARIO(once_waits_for_caller, .summary = "once's function waits for a later caller",
              .expect = WEFT_DEADLOCK)
{
    struct svc *s = weft_calloc(1, sizeof *s);
    s->ready = weft_chan_make("ready", 0);
    weft_thread_t a = weft_spawn("a", caller, s), b = weft_spawn("b", caller, s);
    weft_join(a);
    weft_join(b);
}
