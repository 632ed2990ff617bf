/*
** Cancelling a parent context cancels its children, and a child's deadline
** is never later than its parent's (issue 9): a worker waiting on the
** child's done channel wakes when the parent is cancelled, with the error
** the parent's cancellation gave.
*/
#include <weft.h>

struct job { weft_context_t *parent, *child; int err; };

static void worker(void *arg)
{
    struct job *j = arg;
    weft_chan_recv(weft_context_done(j->child), NULL);
    j->err = weft_context_err(j->child);
}

WEFT_SCENARIO(context_parent_cancels_child, .summary = "a parent's cancel reaches the child",
              .expect = WEFT_PASS)
{
    struct job *j = weft_calloc(1, sizeof *j);
    j->parent = weft_context_with_cancel(NULL, "parent");
    j->child = weft_context_with_timeout(j->parent, "child", 100);
    weft_thread_t w = weft_spawn("worker", worker, j);
    weft_context_cancel(j->parent);
    weft_join(w);
    weft_assert(j->err == WEFT_ECANCELED || j->err == WEFT_EDEADLINE, "err %d", j->err);
    weft_assert(weft_context_deadline(j->child) == 100);
}
