/* A worker that runs past the step bound unless a stopper stops it; the
** stopper first works on a channel of its own, which the worker never
** touches. The first execution runs the worker to the bound (cut): DPOR
** must go on around it (a cut stops every other thread, so its last step
** races with their next ones) and find that the stopper, once it has
** stopped the worker, waits forever for a reply nobody sends. */
#include <weft.h>

struct st { weft_mutex_t m[2]; weft_chan_t *own, *reply; int stop; };

static void worker(void *p)
{
    struct st *s = p;
    for (int i = 0;; i++) {
        weft_mutex_lock(&s->m[i & 1]);
        int stop = s->stop;
        weft_mutex_unlock(&s->m[i & 1]);
        if (stop)
            return;
    }
}

static void stopper(void *p)
{
    struct st *s = p;
    weft_chan_send(s->own, (void *)1);
    weft_mutex_lock(&s->m[0]);
    weft_mutex_lock(&s->m[1]);
    s->stop = 1;
    weft_mutex_unlock(&s->m[1]);
    weft_mutex_unlock(&s->m[0]);
    weft_chan_recv(s->reply, NULL);
}

WEFT_SCENARIO(cut_then_continue,
              .summary = "a cut execution is searched around: the stopper's leak is found",
              .expect = WEFT_LEAK, .max_steps = 300)
{
    struct st *s = weft_calloc(1, sizeof *s);
    s->own = weft_chan_make("own", 1);
    s->reply = weft_chan_make("reply", 0);
    weft_spawn("worker", worker, s);
    weft_spawn("stopper", stopper, s);
}
