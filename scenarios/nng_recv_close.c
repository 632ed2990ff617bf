/*
** nng_recv_close.c -- nanomsg/nng issue 1813, fixed by PR 1824.
**
** Upstream (src/core/aio.c, src/core/taskq.c): a blocking nng_recv starts
** an aio. nni_aio_begin puts the aio's task in "prep" (nni_task_prep:
** task_busy++, task_prep = true); later nni_aio_schedule registers the
** cancel function, or fails with NNG_ECLOSED if the aio is stopped. The
** caller then waits for the task (nni_aio_wait -> nni_task_wait). nng_close
** stops every aio of the socket: nni_aio_stop sets a_stop, calls the cancel
** function if one is registered, and waits for the task to finish.
**
** The hang:
**   recv    nni_aio_begin: task in prep, task_busy = 1, no cancel function
**   close   nni_aio_stop: a_stop = true, nothing to cancel; nni_task_wait
**   recv    nni_aio_schedule fails (stopped); nothing finishes the task;
**           nni_aio_wait: both threads wait on task_cv for task_busy == 0
** Seen on Linux, macOS and Windows with NNG 1.7.3 and 1.8.0, after 20-30
** runs of a modified request/reply demo.
**
** Fix: nni_aio_stop calls nni_task_abort when there is no cancel function:
** a task still in prep is finished with a "closed" result and its waiters
** are woken.
**
** Model: one aio; the task's dispatch and callback are folded into
** task_done (there is no taskq thread).
*/
#include <weft.h>

enum { NNG_OK = 0, NNG_ECLOSED, NNG_ECANCELED };

struct aio {
    weft_mutex_t eq_mtx;        /* guards a_stop and a_cancel_fn */
    int a_stop;
    void (*a_cancel_fn)(struct aio *, int);
    int a_result;
    weft_mutex_t task_mtx;      /* guards task_busy and task_prep */
    weft_cond_t task_cv;        /* broadcast when task_busy reaches 0 */
    int task_busy;
    int task_prep;
    int fixed;
};

/* nni_task_prep: called by nni_aio_begin, under eq_mtx. */
static void task_prep(struct aio *aio)
{
    weft_mutex_lock(&aio->task_mtx);
    aio->task_busy++;
    aio->task_prep = 1;
    weft_mutex_unlock(&aio->task_mtx);
}

/* The task finishes with result rv (nni_aio_finish, then its callback). */
static void task_done(struct aio *aio, int rv)
{
    weft_mutex_lock(&aio->task_mtx);
    aio->a_result = rv;
    aio->task_prep = 0;
    if (--aio->task_busy == 0)
        weft_cond_broadcast(&aio->task_cv);
    weft_mutex_unlock(&aio->task_mtx);
}

/* nni_task_abort (the fix): finish a task still in prep. */
static void task_abort(struct aio *aio)
{
    weft_mutex_lock(&aio->task_mtx);
    if (aio->task_prep) {
        aio->a_result = NNG_ECLOSED;
        aio->task_prep = 0;
        if (--aio->task_busy == 0)
            weft_cond_broadcast(&aio->task_cv);
    }
    weft_mutex_unlock(&aio->task_mtx);
}

/* nni_aio_wait -> nni_task_wait. */
static void aio_wait(struct aio *aio)
{
    weft_mutex_lock(&aio->task_mtx);
    while (aio->task_busy)
        weft_cond_wait(&aio->task_cv, &aio->task_mtx);
    weft_mutex_unlock(&aio->task_mtx);
}

/* nni_aio_begin: 0, or NNG_ECANCELED (task run at once) if stopped. */
static int aio_begin(struct aio *aio)
{
    weft_mutex_lock(&aio->eq_mtx);
    if (aio->a_stop) {
        aio->a_result = NNG_ECANCELED;
        weft_mutex_unlock(&aio->eq_mtx);
        return NNG_ECANCELED;
    }
    aio->a_cancel_fn = NULL;
    task_prep(aio);
    weft_mutex_unlock(&aio->eq_mtx);
    return NNG_OK;
}

/* nni_aio_schedule: register the cancel function unless stopped. */
static int aio_schedule(struct aio *aio, void (*cancel)(struct aio *, int))
{
    weft_mutex_lock(&aio->eq_mtx);
    if (aio->a_stop) {
        weft_mutex_unlock(&aio->eq_mtx);
        return NNG_ECLOSED;
    }
    aio->a_cancel_fn = cancel;
    weft_mutex_unlock(&aio->eq_mtx);
    return NNG_OK;
}

/* The protocol's cancel function: finish the pending receive. */
static void recv_cancel(struct aio *aio, int rv)
{
    task_done(aio, rv);
}

/* nng_recv: no message ever arrives, so only a close ends it. */
static void nng_recv(void *arg)
{
    struct aio *aio = arg;

    if (aio_begin(aio) == NNG_OK)
        (void)aio_schedule(aio, recv_cancel);  /* failure: just return */
    aio_wait(aio);
}

/* nng_close -> nni_aio_stop. */
static void nng_close(void *arg)
{
    struct aio *aio = arg;
    void (*fn)(struct aio *, int);

    weft_mutex_lock(&aio->eq_mtx);
    fn = aio->a_cancel_fn;
    aio->a_cancel_fn = NULL;
    aio->a_stop = 1;
    weft_mutex_unlock(&aio->eq_mtx);

    if (fn != NULL)
        fn(aio, NNG_ECLOSED);
    else if (aio->fixed)
        task_abort(aio);                        /* fix */
    aio_wait(aio);
}

static void run(int fixed)
{
    struct aio *aio = weft_calloc(1, sizeof *aio);
    weft_thread_t receiver, closer;

    aio->fixed = fixed;
    weft_mutex_init(&aio->eq_mtx, "eq_mtx", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&aio->task_mtx, "task_mtx", WEFT_MUTEX_NORMAL);
    weft_cond_init(&aio->task_cv, "task_cv");

    receiver = weft_spawn("recv", nng_recv, aio);
    closer = weft_spawn("close", nng_close, aio);
    weft_join(receiver);
    weft_join(closer);

    weft_assert(aio->task_busy == 0 && aio->a_result != NNG_OK,
                "task_busy %d, result %d", aio->task_busy, aio->a_result);
}

WEFT_SCENARIO(nng_recv_close,
              .summary = "nng_close stops an aio in task prep and both wait (nanomsg/nng#1813)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(nng_recv_close_fixed,
              .summary = "nni_aio_stop aborts a task still in prep (nanomsg/nng#1824)",
              .expect = WEFT_PASS)
{
    run(1);
}
