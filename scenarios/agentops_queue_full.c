/*
** agentops_queue_full.c -- AgentOps-AI/agentops issue 439 (SDK 0.3.13).
**
** Upstream (agentops/session.py): Session.record(event) ends in _add_event,
** which appends to self.queue inside `with self.lock` and, once the queue
** holds config.max_queue_size (100) events, calls self._flush_queue() -- which
** does `with self.lock` again. threading.Lock is not reentrant: the recording
** thread blocks on itself, at exactly the 100th event. The publisher thread
** (_run) sleeps max_wait_time, then flushes a non-empty queue; end_session
** sets stop_flag, joins it and flushes what is left.
**
** The hang (queue_size=4, events=4, publisher=1):
**   main        record x3: the queue holds 3 events
**   publisher   its tick does not come in between (the explorer's choice)
**   main        record #4 holds self.lock, queue full, _flush_queue locks
**               self.lock again: self-deadlock at the second acquire
** With publisher=0 it hangs in every run once events >= queue_size. With
** events < queue_size the queue never fills, record never flushes under the
** lock, and the bug cannot happen, with or without the publisher: e.g.
** `--param events=3 --param publisher=0` runs the buggy variant clean.
**
** Fix: call _flush_queue after leaving the `with self.lock` block.
**
** Model: in virtual time a sleeping publisher would wake only once main
** blocks, so _run's time.sleep() is a wait on the condition `tick` until
** the queue is non-empty (a tick on an empty queue does nothing): the
** explorer then decides where each tick falls between main's records.
*/
#include <weft.h>

struct session {
    weft_mutex_t lock;      /* self.lock: threading.Lock, not reentrant */
    weft_cond_t tick;       /* model of _run's sleep, see above */
    int max_queue_size;     /* config.max_queue_size */
    int queued;             /* len(self.queue) */
    int published;          /* events sent by _flush_queue */
    int stop_flag;          /* under lock, so the tick wait sees it */
    int fixed;
};

/* _flush_queue: send whatever is queued. Takes self.lock. */
static void flush_queue(struct session *s)
{
    weft_mutex_lock(&s->lock);  /* buggy record() already holds it */
    s->published += s->queued;
    s->queued = 0;
    weft_mutex_unlock(&s->lock);
}

/* record -> _add_event. */
static void record(struct session *s)
{
    int full;

    weft_mutex_lock(&s->lock);
    s->queued++;
    if (s->queued == 1)
        weft_cond_signal(&s->tick);  /* something to publish now */
    full = s->queued >= s->max_queue_size;
    if (full && !s->fixed)
        flush_queue(s);              /* bug: inside `with self.lock` */
    weft_mutex_unlock(&s->lock);
    if (full && s->fixed)
        flush_queue(s);              /* fix: after the block */
}

/* _run: the publisher thread. */
static void publisher(void *arg)
{
    struct session *s = arg;
    int stop;

    for (;;) {
        weft_mutex_lock(&s->lock);
        while (!s->stop_flag && s->queued == 0)
            weft_cond_wait(&s->tick, &s->lock);
        stop = s->stop_flag;
        weft_mutex_unlock(&s->lock);
        if (stop)
            return;
        flush_queue(s);
    }
}

static void end_session(struct session *s, int have_publisher,
                        weft_thread_t pub)
{
    if (have_publisher) {
        weft_mutex_lock(&s->lock);
        s->stop_flag = 1;
        weft_cond_signal(&s->tick);
        weft_mutex_unlock(&s->lock);
        weft_join(pub);
    }
    flush_queue(s);
}

static void run(int fixed)
{
    struct session *s = weft_calloc(1, sizeof *s);
    int events = weft_param_int("events", 4);
    int have_publisher = weft_param_int("publisher", 1);
    weft_thread_t pub = { 0 };

    s->max_queue_size = weft_param_int("queue_size", 4);
    weft_assert(s->max_queue_size >= 1, "queue_size must be >= 1");
    s->fixed = fixed;
    weft_mutex_init(&s->lock, "self.lock", WEFT_MUTEX_NORMAL);
    weft_cond_init(&s->tick, "tick");

    if (have_publisher)
        pub = weft_spawn("publisher", publisher, s);
    for (int i = 0; i < events; i++)
        record(s);
    end_session(s, have_publisher, pub);

    weft_assert(s->published == events && s->queued == 0,
                "%d of %d events published", s->published, events);
}

WEFT_SCENARIO(agentops_queue_full,
              .summary = "record() flushes a full queue under self.lock (AgentOps-AI/agentops#439)",
              .expect = WEFT_SELF_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(agentops_queue_full_fixed,
              .summary = "record() flushes after releasing self.lock (AgentOps-AI/agentops#439)",
              .expect = WEFT_PASS)
{
    run(1);
}
