/*
** chan.c -- Go channels (buffered and rendezvous), close, and select.
** An operation that must wait takes two steps: the first joins the
** channel's waiters, "... (wait)" completes it (see perform). The side that
** comes second makes a rendezvous, completing the waiter's op ("handed").
*/
#include <stdio.h>
#include <string.h>
#include "sync.h"

struct weft_chan {
    struct sched_obj obj;
    int cap, len, head;
    bool closed;
    void **buf;
};

#define MUST_WAIT (-1000)             /* a first step's result: go on waiting */

weft_chan_t *weft_chan_make(const char *name, int capacity)
{
    struct sched_loc here = { __FILE__, __LINE__ };
    if (capacity < 0)
        sched_fail(WEFT_ASSERTION, here, "channel \"%s\" made with capacity %d",
                   name ? name : "?", capacity);
    weft_chan_t *ch = sched_object_new(OBJ_CHAN, sizeof *ch, name);
    ch->cap = capacity;
    ch->buf = capacity ? sched_arena_alloc(sizeof(void *) * (size_t)capacity) : NULL;
    return ch;
}

static const struct sched_opclass send_wait_class, recv_wait_class, select_wait_class;

/* ==========================================================================
** Waiters and readiness
** ========================================================================== */

/* Index of a waiting op's first case on ch in direction dir, or -1. A
** plain send or receive is a single case 0. Ops not waiting never match. */
static int case_on(struct sched_op *op, weft_chan_t *ch, enum weft_select_dir dir)
{
    if (op->cls == &select_wait_class) {
        struct weft_select_case *cs = op->ptr;
        for (int i = 0; i < (int)op->arg; i++)
            if (cs[i].ch == ch && cs[i].dir == dir)
                return i;
        return -1;
    }
    const struct sched_opclass *want = dir == WEFT_SEND ? &send_wait_class : &recv_wait_class;
    return op->cls == want && op->obj == &ch->obj ? 0 : -1;
}

/* The thread waiting longest on ch in direction dir, other than self. */
static struct sched_thread *partner(weft_chan_t *ch, enum weft_select_dir dir,
                                    struct sched_thread *self, int *which)
{
    struct sched_thread *best = NULL;
    for (int i = 0; i < sched_nthreads(); i++) {
        struct sched_thread *t = sched_thread(i);
        if (t == self || t->state != T_PARKED || t->pending->handed)
            continue;
        int c = case_on(t->pending, ch, dir);
        if (c >= 0 && (best == NULL || t->park_seq < best->park_seq)) {
            best = t;
            *which = c;
        }
    }
    return best;
}

static bool can_send(weft_chan_t *ch, struct sched_thread *self)
{
    int c;
    return ch->closed || (ch->cap > 0 && ch->len < ch->cap) ||
           (ch->cap == 0 && partner(ch, WEFT_RECV, self, &c));
}

static bool can_recv(weft_chan_t *ch, struct sched_thread *self)
{
    int c;
    return ch->len > 0 || ch->closed || (ch->cap == 0 && partner(ch, WEFT_SEND, self, &c));
}

/* ==========================================================================
** Moving values
** ========================================================================== */

/* Complete waiting partner p's case c as a receive of v from ch. */
static void hand_to_receiver(struct sched_thread *p, int c, void *v, weft_chan_t *ch)
{
    struct sched_op *op = p->pending;
    void **out = op->cls == &select_wait_class ? ((struct weft_select_case *)op->ptr)[c].recv
                                               : (void **)op->ptr;
    if (out)
        *out = v;
    op->result = c;
    op->status = WEFT_OK;
    op->handed = true;
    op->obj = &ch->obj;               /* the step log names the channel used */
    op->note = op->cls == &select_wait_class ? "recv" : NULL;
}

static void do_send(struct sched_thread *t, weft_chan_t *ch, void *v, struct sched_loc at)
{
    int c;
    if (ch->closed) {
        sched_fail_in_apply(WEFT_ASSERTION, t, at, "send on closed channel \"%s\"", ch->obj.name);
    } else if (ch->cap > 0) {
        ch->buf[(ch->head + ch->len++) % ch->cap] = v;
    } else {
        struct sched_thread *p = partner(ch, WEFT_RECV, t, &c);
        hand_to_receiver(p, c, v, ch);
    }
}

/* Receive from ch into *out; returns 0 or WEFT_ECLOSED. */
static int do_recv(struct sched_thread *t, weft_chan_t *ch, void **out)
{
    void *v = NULL;
    int c, status = WEFT_OK;
    if (ch->len > 0) {
        v = ch->buf[ch->head];
        ch->head = (ch->head + 1) % ch->cap;
        ch->len--;
    } else if (ch->cap == 0 && !ch->closed) {
        struct sched_thread *p = partner(ch, WEFT_SEND, t, &c);
        struct sched_op *op = p->pending;
        bool sel = op->cls == &select_wait_class;
        v = sel ? ((struct weft_select_case *)op->ptr)[c].send : op->ptr2;
        op->result = c;
        op->handed = true;
        op->obj = &ch->obj;
        op->note = sel ? "send" : NULL;
    } else {
        status = WEFT_ECLOSED;
    }
    if (out)
        *out = v;
    return status;
}

/* ==========================================================================
** What every channel operation shares
** ========================================================================== */

static sched_mask chan_wakers(struct sched_thread *t, struct sched_op *op, enum sched_wait *how)
{
    if (op->cls != &select_wait_class)
        return sync_wakers(t, op->obj, how);
    struct weft_select_case *cs = op->ptr;   /* users of any of its channels */
    sched_mask m = 0;
    for (int i = 0; i < (int)op->arg; i++)
        m |= sync_wakers(t, &cs[i].ch->obj, how) & cs[i].ch->obj.users;
    if (m) {
        *how = WAIT_LIKELY;
        return m;
    }
    return sync_wakers(t, NULL, how);
}

/*
** Post op; if its first step found it must wait, post the waiting step.
** Joining the waiters is a step on the channel of its own, so whether a
** partner waits there changes only through steps on that channel: what
** the searches' dependence relation (operations on different objects
** commute) needs. Waiters are matched in the order they began to wait.
*/
static void perform(struct sched_op *op, const struct sched_opclass *wait_class)
{
    sched_visible(op);
    if (op->result != MUST_WAIT || op->handed)
        return;
    struct sched_op wait = *op;
    wait.cls = wait_class;
    wait.result = 0;
    wait.note = NULL;
    sched_visible(&wait);
    *op = wait;
}

/* ==========================================================================
** Send
** ========================================================================== */

static void send_apply(struct sched_thread *t, struct sched_op *op)
{
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    if (!can_send(ch, t)) {
        op->result = MUST_WAIT;
        op->note = "blocks";
        return;
    }
    do_send(t, ch, op->ptr2, op->loc);
}

static bool send_wait_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    return ch->closed || (ch->cap > 0 && ch->len < ch->cap);
}

static void send_wait_apply(struct sched_thread *t, struct sched_op *op)
{
    do_send(t, (weft_chan_t *)op->obj, op->ptr2, op->loc);
}

static void send_describe(struct sched_op *op, char *buf, size_t n)
{
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    if (ch->cap)
        snprintf(buf, n, "waits to send on channel \"%s\" (full: %d of %d)",
                 ch->obj.name, ch->len, ch->cap);
    else
        snprintf(buf, n, "waits to send on channel \"%s\" (no receiver)", ch->obj.name);
}

static const struct sched_opclass send_class = {
    .verb = "send", .enabled = sync_always, .apply = send_apply,
};
static const struct sched_opclass send_wait_class = {
    .verb = "send (wait)", .enabled = send_wait_enabled, .apply = send_wait_apply,
    .blockers = chan_wakers, .describe_wait = send_describe,
};

void weft_chan_send_at(weft_chan_t *ch, void *v, const char *file, int line)
{
    struct sched_op op = { .cls = &send_class, .obj = &ch->obj, .deadline = -1,
                           .ptr2 = v, .loc = { file, line } };
    perform(&op, &send_wait_class);
}

/* ==========================================================================
** Receive and close
** ========================================================================== */

static void recv_apply(struct sched_thread *t, struct sched_op *op)
{
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    if (can_recv(ch, t)) {
        op->status = do_recv(t, ch, op->ptr);
        op->note = op->status == WEFT_ECLOSED ? "closed" : NULL;
    } else if (sched_deadline_passed(op)) {
        op->status = WEFT_ETIMEDOUT;
        op->note = "timed out";
    } else {
        op->result = MUST_WAIT;
        op->note = "blocks";
    }
}

static bool recv_wait_enabled(struct sched_thread *t, struct sched_op *op)
{
    (void)t;
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    return ch->len > 0 || ch->closed || sched_deadline_passed(op);
}

static void recv_wait_apply(struct sched_thread *t, struct sched_op *op)
{
    op->result = 0;
    recv_apply(t, op);                /* ready or timed out: never waits again */
}

static void recv_describe(struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits to receive from channel \"%s\"%s", op->obj->name,
             op->deadline >= 0 ? " (with timeout)" : "");
}

static const struct sched_opclass recv_class = {
    .verb = "recv", .enabled = sync_always, .apply = recv_apply,
};
static const struct sched_opclass recv_wait_class = {
    .verb = "recv (wait)", .enabled = recv_wait_enabled, .apply = recv_wait_apply,
    .blockers = chan_wakers, .describe_wait = recv_describe,
};

int weft_chan_recv_at(weft_chan_t *ch, void **out, int64_t ms, const char *file, int line)
{
    struct sched_op op = { .cls = &recv_class, .obj = &ch->obj,
                           .deadline = ms >= 0 ? sched_now() + ms : -1,
                           .ptr = out, .loc = { file, line } };
    perform(&op, &recv_wait_class);
    return op.status;
}

static void close_apply(struct sched_thread *t, struct sched_op *op)
{
    weft_chan_t *ch = (weft_chan_t *)op->obj;
    if (ch->closed)
        sched_fail_in_apply(WEFT_ASSERTION, t, op->loc, "close of closed channel \"%s\"",
                            ch->obj.name);
    ch->closed = true;
}

static const struct sched_opclass close_class = {
    .verb = "close", .enabled = sync_always, .apply = close_apply,
};

void weft_chan_close_at(weft_chan_t *ch, const char *file, int line)
{
    struct sched_op op = { .cls = &close_class, .obj = &ch->obj, .deadline = -1,
                           .loc = { file, line } };
    sched_visible(&op);
}

/* ==========================================================================
** Select
** ========================================================================== */

static bool case_ready(struct weft_select_case *c, struct sched_thread *t)
{
    return c->dir == WEFT_SEND ? can_send(c->ch, t) : can_recv(c->ch, t);
}

/* Perform one of the ready cases, the choice among them explored; false
** when none is ready. Select's arg is the case count. */
static bool select_some_case(struct sched_thread *t, struct sched_op *op)
{
    struct weft_select_case *cs = op->ptr;
    int ready[64], nready = 0;
    for (int i = 0; i < (int)op->arg && nready < 64; i++)
        if (case_ready(&cs[i], t))
            ready[nready++] = i;
    if (nready == 0)
        return false;
    int k = ready[sched_choose_value(nready)];
    struct weft_select_case *c = &cs[k];
    if (c->dir == WEFT_SEND)
        do_send(t, c->ch, c->send, op->loc);
    else
        c->closed = do_recv(t, c->ch, c->recv) == WEFT_ECLOSED;
    op->result = k;
    op->obj = &c->ch->obj;            /* the step log names the channel used */
    op->note = c->dir == WEFT_SEND ? "send" : c->closed ? "recv, closed" : "recv";
    return true;
}

/* ptr2 non-NULL marks a default case: such a select never waits. */
static void select_apply(struct sched_thread *t, struct sched_op *op)
{
    if (select_some_case(t, op))
        return;
    if (op->ptr2) {
        op->result = WEFT_SELECT_DEFAULT;
        op->idle = true;              /* a poll that found nothing */
        op->note = "default";
    } else if (sched_deadline_passed(op)) {
        op->result = WEFT_SELECT_TIMEOUT;
        op->note = "timed out";
    } else {
        op->result = MUST_WAIT;
        op->note = "blocks";
    }
}

static bool select_wait_enabled(struct sched_thread *t, struct sched_op *op)
{
    struct weft_select_case *cs = op->ptr;
    if (sched_deadline_passed(op))
        return true;
    for (int i = 0; i < (int)op->arg; i++)
        if (case_ready(&cs[i], t))
            return true;
    return false;
}

static void select_wait_apply(struct sched_thread *t, struct sched_op *op)
{
    if (!select_some_case(t, op)) {
        op->result = WEFT_SELECT_TIMEOUT;
        op->note = "timed out";
    }
}

static void select_describe(struct sched_op *op, char *buf, size_t n)
{
    struct weft_select_case *cs = op->ptr;
    size_t used = (size_t)snprintf(buf, n, "waits in select on");
    for (int i = 0; i < (int)op->arg && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s %s \"%s\"", i ? "," : "",
                                 cs[i].dir == WEFT_SEND ? "send" : "recv", cs[i].ch->obj.name);
}

static int select_touches(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct weft_select_case *cs = op->ptr;
    int n = 0;
    for (int i = 0; i < (int)op->arg && n < max; i++)
        objs[n++] = &cs[i].ch->obj;
    return n;
}

/* A select with a default case and nothing ready only looks. */
static bool select_reads_only(struct sched_thread *t, struct sched_op *op)
{
    struct weft_select_case *cs = op->ptr;
    if (op->ptr2 == NULL)
        return false;
    for (int i = 0; i < (int)op->arg; i++)
        if (case_ready(&cs[i], t))
            return false;
    return true;
}

static const struct sched_opclass select_class = {
    .verb = "select", .enabled = sync_always, .apply = select_apply,
    .touches = select_touches, .reads_only = select_reads_only,
};
static const struct sched_opclass select_wait_class = {
    .verb = "select (wait)", .enabled = select_wait_enabled, .apply = select_wait_apply,
    .blockers = chan_wakers, .describe_wait = select_describe, .touches = select_touches,
};

int weft_select_at(struct weft_select_case *cases, int n, int64_t timeout_ms,
                   const char *file, int line)
{
    struct sched_loc at = { file, line };
    if (n < 0 || n > 64 || (n > 0 && cases == NULL))
        sched_fail(WEFT_ASSERTION, at, "select with %d cases (0 to 64 allowed)", n);
    if (timeout_ms < WEFT_SELECT_BLOCK)
        sched_fail(WEFT_ASSERTION, at, "select timeout %lld: use milliseconds >= 0, "
                   "or WEFT_SELECT_BLOCK", (long long)timeout_ms);
    for (int i = 0; i < n; i++) {
        if (cases[i].ch == NULL)
            sched_fail(WEFT_ASSERTION, at, "select case %d has no channel", i);
        cases[i].closed = 0;
    }
    struct sched_op op = { .cls = &select_class, .obj = n ? &cases[0].ch->obj : NULL,
                           .deadline = timeout_ms > 0 ? sched_now() + timeout_ms : -1,
                           .ptr = cases, .arg = n,
                           .ptr2 = timeout_ms == 0 ? (void *)&select_class : NULL, .loc = at };
    perform(&op, &select_wait_class);
    return (int)op.result;
}
