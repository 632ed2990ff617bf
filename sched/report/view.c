/*
** view.c -- every thread's state after each step of a failing execution,
** for the page (--html): what weft explain prints between steps, kept
** instead of printed. Like chain.c it runs the failing schedule once more
** in an execution of its own and never touches the report's.
*/
#include <stdlib.h>
#include <string.h>
#include "report/report.h"

/* The rows are filled as the replay reaches each scheduling point: the
** states after step i are those seen once i + 1 steps have run (the last
** look wins, so the final row is the end state a report describes). */
struct view_capture {
    struct report_view *v;
};

static void look(void *ctx, struct exec *x)
{
    struct report_view *v = ((struct view_capture *)ctx)->v;
    if (x->nsteps == 0 || x->nsteps > v->nsteps)
        return;
    struct report_view_state *row = &v->rows[(size_t)(x->nsteps - 1) * (size_t)v->nthreads];
    for (int i = 0; i < v->nthreads; i++) {
        if (i >= x->nthreads) {
            row[i] = (struct report_view_state){ .state = "not started" };
            continue;
        }
        report_thread_now(x, i, &row[i].state, row[i].detail, sizeof row[i].detail);
    }
}

/* Rows no look reached (steps taken between two scheduling points) take
** the state of the row after them. */
static void fill_gaps(struct report_view *v)
{
    size_t w = (size_t)v->nthreads;
    for (uint32_t i = v->nsteps; i-- > 1;)
        if (v->rows[(i - 1) * w].state == NULL)
            memcpy(&v->rows[(i - 1) * w], &v->rows[i * w], w * sizeof *v->rows);
}

/* The most states kept (steps times threads, some 50 MB): a longer
** execution (a livelock at a high --max-steps) gets its page without them. */
#define VIEW_MAX_STATES 200000u

int report_view_capture(struct report *rep, struct exec *x, const struct explore_result *r)
{
    if (x == NULL || !r->failed || rep->nsteps == 0 || rep->nthreads == 0 ||
        r->outcome.result == WEFT_NONDETERMINISM ||
        (uint64_t)rep->nsteps * (uint64_t)rep->nthreads > VIEW_MAX_STATES)
        return 0;
    struct report_view *v = calloc(1, sizeof *v);
    if (v == NULL)
        return WEFT_ENOMEM;
    v->nsteps = rep->nsteps;
    v->nthreads = rep->nthreads;
    v->rows = calloc((size_t)v->nsteps * (size_t)v->nthreads, sizeof *v->rows);
    struct search *s = v->rows ? search_new(x->cfg, NULL) : NULL;
    if (s == NULL) {
        report_view_free(v);
        return WEFT_ENOMEM;
    }
    struct view_capture cap = { v };
    struct explore_config ec = { .plan = &explore_plan_replay, .replay = r->choices,
                                 .nreplay = r->nchoices, .replay_steps = r->nsteps,
                                 .observe = look, .observe_ctx = &cap };
    struct explore_result again;
    int rc = explore_run(s, &ec, &again);
    struct exec *y = search_exec(s);
    bool same = rc == 0 && again.divergence[0] == 0 && y->nsteps == rep->nsteps &&
                again.outcome.result == r->outcome.result && y->nthreads == rep->nthreads &&
                v->rows[((size_t)v->nsteps - 1) * (size_t)v->nthreads].state != NULL;
    search_free(s);
    if (!same) {                      /* a scenario that did not run alike: no states */
        report_view_free(v);
        return rc;
    }
    fill_gaps(v);
    rep->view = v;
    return 0;
}

void report_view_free(struct report_view *v)
{
    if (v == NULL)
        return;
    free(v->rows);
    free(v);
}
