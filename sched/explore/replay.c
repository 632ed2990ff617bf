/*
** replay.c -- follows a schedule token's choices for exactly one execution.
** Any mismatch (a thread the token names cannot run, a value out of range,
** choices left over or missing) stops the execution and says at which step
** it diverged, rather than running something else silently.
*/
#include <stdio.h>
#include <stdlib.h>
#include "explore/strategy.h"

struct replay { size_t next; };       /* the next choice to follow */

static int replay_init(struct explorer *e)
{
    e->state = calloc(1, sizeof(struct replay));
    return e->state ? 0 : WEFT_ENOMEM;
}

static void replay_fini(struct explorer *e) { free(e->state); }

static int diverge(struct explorer *e, const char *what)
{
    snprintf(e->result->divergence, sizeof e->result->divergence,
             "the schedule diverged at step %u: %s", e->steps + 1, what);
    return -1;
}

static int replay_pick_thread(struct explorer *e, sched_mask enabled, int current)
{
    (void)current;
    struct replay *r = e->state;
    char what[160];
    if (r->next == e->cfg->nreplay)
        return diverge(e, "the schedule ended while several threads could still run");
    uint32_t tid = e->cfg->replay[r->next++];
    if (tid > INT32_MAX || !mask_has(enabled, (int)tid)) {
        struct sched_thread *t = sched_thread(e->x, (int)tid);
        snprintf(what, sizeof what, "the schedule runs thread %u%s%s%s, which %s", tid,
                 t ? " \"" : "", t ? t->obj.name : "", t ? "\"" : "",
                 t ? "cannot run at that point" : "does not exist");
        return diverge(e, what);
    }
    return (int)tid;
}

static int replay_pick_value(struct explorer *e, int n)
{
    struct replay *r = e->state;
    char what[160];
    if (r->next == e->cfg->nreplay)
        return diverge(e, "the schedule ended at a data choice");
    uint32_t v = e->cfg->replay[r->next++];
    if (v >= (uint32_t)n) {
        snprintf(what, sizeof what, "the schedule picks value %u of a choice among %d", v, n);
        return diverge(e, what);
    }
    return (int)v;
}

static bool replay_advance(struct explorer *e)
{
    struct replay *r = e->state;
    char *divergence = e->result->divergence;
    if (divergence[0] == 0 && (r->next != e->cfg->nreplay || e->steps != e->cfg->replay_steps))
        snprintf(divergence, sizeof e->result->divergence, "the schedule diverged: the "
                 "execution ended after %u steps and %zu choices; the schedule has %u steps "
                 "and %zu choices", e->steps, r->next, e->cfg->replay_steps, e->cfg->nreplay);
    return false;
}

const struct strategy explore_replay = {
    .name = "replay", .init = replay_init, .pick_thread = replay_pick_thread,
    .pick_value = replay_pick_value, .advance = replay_advance, .fini = replay_fini,
};
