/*
** ollama_sem_leak.c -- ollama/ollama PR 10005, "runner: Release semaphore
** and improve error messages on failures".
**
** Upstream (the runner's completion handler): a request first takes a
** permit of s.seqsSem, a semaphore with one permit per parallel sequence
** slot, then puts its new sequence into a free slot of s.seqs under s.mu.
** The run loop later finishes the sequence, clears its slot and only then
** releases the permit (ollama PR 7805 put the release there). On an error
** after the acquire and before the sequence had its slot, the handler
** returned without releasing the permit. In the PR's words: "This reduces
** our parallel sequences and eventually leads to deadlock."
**
** The hang (parallel=1):
**   request[0]  seqsSem.Acquire; loading its cache slot fails; returns an
**               error without Release: the only permit is gone
**   request[1]  seqsSem.Acquire waits forever (for as long as its client
**               waits)
** If request[1] comes first it is served, releases its permit, and then
** request[0] fails harmlessly: the hang depends on the order.
**
** Fix: release the permit on every error path after the acquire.
**
** Model: --param parallel=N slots (default 1) and N + 1 requests, the
** first N of which fail while taking their slot (here: loading the prompt
** into the slot's cache fails); the last is a good one. The run loop serves one sequence at
** a time and stops when main says the server is shutting down.
*/
#include <weft.h>

#define MAX_PARALLEL 4

static const char *const request_names[MAX_PARALLEL + 1] = {
    "request[0]", "request[1]", "request[2]", "request[3]", "request[4]",
};

struct seq {
    int fails;                  /* LoadCacheSlot fails for this prompt */
    weft_chan_t *responses;     /* seq.responses: the final response */
};

struct server {
    weft_sem_t seqsSem;         /* s.seqsSem: one permit per slot */
    weft_mutex_t mu;            /* s.mu: guards seqs and stopping */
    weft_cond_t cond;           /* s.cond: a sequence was added, or stop */
    struct seq *seqs[MAX_PARALLEL];
    int parallel;
    int stopping;
    int fixed;
};

struct request {
    struct server *s;
    struct seq seq;
};

/* The part of the handler between Acquire and the slot: 0, or -1 on error
** (with the permit still taken, which is the bug). */
static int add_sequence(struct server *s, struct seq *seq)
{
    int found = 0;

    weft_mutex_lock(&s->mu);
    for (int i = 0; i < s->parallel; i++) {
        if (s->seqs[i] != NULL)
            continue;
        if (!seq->fails) {      /* else the slot's cache could not be loaded */
            s->seqs[i] = seq;
            weft_cond_signal(&s->cond);
            found = 1;
        }
        break;
    }
    weft_mutex_unlock(&s->mu);
    return found ? 0 : -1;
}

/* The completion handler. */
static void completion(void *arg)
{
    struct request *rq = arg;
    struct server *s = rq->s;

    weft_sem_acquire(&s->seqsSem);      /* s.seqsSem.Acquire(ctx, 1) */
    if (add_sequence(s, &rq->seq) != 0) {
        if (s->fixed)
            weft_sem_release(&s->seqsSem);  /* fix: give the permit back */
        return;                         /* http.Error(...); bug: no Release */
    }
    weft_chan_recv(rq->seq.responses, NULL);   /* stream the response */
}

/* The first sequence in a slot, or -1. Under s.mu. */
static int busy_slot(struct server *s)
{
    for (int i = 0; i < s->parallel; i++)
        if (s->seqs[i] != NULL)
            return i;
    return -1;
}

/* The run loop: decode a sequence to its end, then removeSequence: send
** the final response, clear the slot, and only then release the permit. */
static void run_loop(void *arg)
{
    struct server *s = arg;

    for (;;) {
        struct seq *seq;
        int i;

        weft_mutex_lock(&s->mu);
        while ((i = busy_slot(s)) < 0 && !s->stopping)
            weft_cond_wait(&s->cond, &s->mu);
        if (i < 0) {
            weft_mutex_unlock(&s->mu);
            return;
        }
        seq = s->seqs[i];
        s->seqs[i] = NULL;
        weft_mutex_unlock(&s->mu);
        weft_chan_send(seq->responses, NULL);
        weft_sem_release(&s->seqsSem);
    }
}

static void run(int fixed)
{
    struct server *s = weft_calloc(1, sizeof *s);
    struct request *rq;
    weft_thread_t loop, t[MAX_PARALLEL + 1];
    int nrequests;

    s->fixed = fixed;
    s->parallel = weft_param_int("parallel", 1);
    weft_assert(s->parallel >= 1 && s->parallel <= MAX_PARALLEL,
                "parallel must be 1..%d", MAX_PARALLEL);
    nrequests = s->parallel + 1;
    weft_sem_init(&s->seqsSem, "s.seqsSem", s->parallel);
    weft_mutex_init(&s->mu, "s.mu", WEFT_MUTEX_NORMAL);
    weft_cond_init(&s->cond, "s.cond");

    rq = weft_calloc((size_t)nrequests, sizeof *rq);
    loop = weft_spawn("run", run_loop, s);
    for (int i = 0; i < nrequests; i++) {
        rq[i].s = s;
        rq[i].seq.fails = i < s->parallel;
        rq[i].seq.responses = weft_chan_make("seq.responses", 1);
        t[i] = weft_spawn(request_names[i], completion, &rq[i]);
    }
    for (int i = 0; i < nrequests; i++)
        weft_join(t[i]);

    weft_mutex_lock(&s->mu);            /* shut the server down */
    s->stopping = 1;
    weft_cond_broadcast(&s->cond);
    weft_mutex_unlock(&s->mu);
    weft_join(loop);
}

WEFT_SCENARIO(ollama_sem_leak,
              .summary = "a failed request keeps its slot permit (ollama/ollama#10005)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(ollama_sem_leak_fixed,
              .summary = "every error path releases the permit (ollama/ollama#10005)",
              .expect = WEFT_PASS)
{
    run(1);
}
