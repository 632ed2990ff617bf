/*
** chan.c -- Go channels (buffered and rendezvous), close, and select.
** An operation that must wait takes two steps: the first finds it must
** wait, "... (wait)" waits in the channel's queue and completes it (see
** perform). The side that comes second makes a rendezvous, completing the
** waiter's operation (sched_complete). As in Go's runtime, that holds for
** buffered channels too: a send hands its value to a receiver already
** waiting (past the buffer, which is empty then), and a receive from a
** full buffer moves a waiting sender's value in; either commits a waiting
** select at once, so no other step can take it in between.
**
** A select that waits on several channels waits in each one's queue, and
** the partner that completes it on one takes it out of the others: that
** step changes what a step on another of them finds (a receive that would
** have completed the select now blocks), so it touches all the select's
** channels, and the select's own step after it touches only the channel
** used (chan_objects). Otherwise a receive on b that completes a select
** over a and b would commute with a receive on a, which it does not.
*/
#include <stdio.h>
#include <string.h>
#include "sync/sync.h"

struct weft_chan {
    struct sched_obj obj;
    int cap, len, head;
    bool closed;
    bool timer;                       /* a timer's channel: a receive ends a loop turn */
    void **buf;
};

/* A send, receive or select; both of its steps. */
struct chan_op {
    struct sched_op op;
    void *value;                      /* send: the value sent */
    void **out;                       /* receive: where the value goes (or NULL) */
    bool must_wait;                   /* the first step found it must wait */
    bool applied;                     /* its current step has been applied */
    /* The waiting selects its current step completed or looked at, found
    ** when it was applied (chan_objects): here, or in a select's
    ** partners_seen. They wait until that step is recorded. */
    const struct select_op *partner_seen;
    int npartners_seen;
    int chosen;                       /* select: the case performed, or WEFT_SELECT_* */
    struct waiter place;              /* send, receive: in the channel's queue */
    struct sched_timer timer;         /* a receive or select with a timeout */
};

struct select_op {
    struct chan_op c;
    struct weft_select_case *cases;
    int ncases;
    bool has_default;                 /* timeout 0: never waits */
    struct waiter places[64];         /* a place per case, in its channel's queue */
    const struct select_op *partners_seen[64];
};

/* A close: it commits every select waiting to receive from the channel. */
struct close_op {
    struct chan_op c;
    const struct select_op *partners_seen[64];
};

static const struct sched_objclass chan_objclass = { .name = "channel" };

weft_chan_t *weft_chan_make_at(const char *name, int capacity, const char *file, int line)
{
    struct exec *x = exec_current();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return NULL;
    if (capacity < 0)
        sched_fail(x, WEFT_ASSERTION, at, "channel \"%s\" made with capacity %d",
                   name ? name : "?", capacity);
    weft_chan_t *ch = sync_object_new(x, &chan_objclass, sizeof *ch, name, at);
    ch->cap = capacity;
    if (capacity) {
        ch->buf = arena_alloc(&x->arena, sizeof(void *) * (size_t)capacity);
        if (ch->buf == NULL)
            sched_fail(x, WEFT_ASSERTION, at, "channel \"%s\": out of memory for %d values",
                       ch->obj.name, capacity);
    }
    return ch;
}

static const struct sched_opclass send_class, send_wait_class, recv_wait_class, select_class,
    select_wait_class, close_class;

/* ==========================================================================
** Channels of timers and contexts (timer.c, context.c)
** ========================================================================== */

weft_chan_t *chan_make_timer(const char *name, struct sched_loc at)
{
    weft_chan_t *ch = weft_chan_make_at(name, 1, at.file, at.line);
    ch->timer = true;
    return ch;
}

bool chan_full(const weft_chan_t *ch) { return ch->len == ch->cap; }
bool chan_closed(const weft_chan_t *ch) { return ch->closed; }
struct sched_obj *chan_object(weft_chan_t *ch) { return &ch->obj; }

/* Receiving from a timer's channel waits for time to pass, as a sleep
** does: it ends the receiver's loop turn (sched.c, fairness). */
static void took_from(struct sched_op *op, const weft_chan_t *ch)
{
    op->ends_turn |= ch->timer;
}

static struct chan_op *chan_op(struct sched_op *op) { return OP_OF(op, struct chan_op, op); }
static struct select_op *select_op(struct sched_op *op)
{
    return OP_OF(op, struct select_op, c.op);
}
static weft_chan_t *chan_at(const struct sched_op *op) { return (weft_chan_t *)op->obj; }

/* ==========================================================================
** Waiters and readiness
** ========================================================================== */

/* The direction in which waiter w waits on its channel. */
static enum weft_select_dir waits_to(const struct waiter *w)
{
    if (w->op->cls == &select_wait_class)
        return select_op(w->op)->cases[w->tag].dir;
    return w->op->cls == &send_wait_class ? WEFT_SEND : WEFT_RECV;
}

/* The operation waiting longest on ch in direction dir, other than self's;
** *which is its case (0 for a plain send or receive). */
static struct chan_op *partner(weft_chan_t *ch, enum weft_select_dir dir,
                               const struct sched_thread *self, int *which)
{
    for (struct waiter *w = sched_waiters_of(&ch->obj); w; w = w->next)
        if (w->op->thread != self && waits_to(w) == dir) {
            *which = w->tag;
            return chan_op(w->op);
        }
    return NULL;
}

static bool can_send(weft_chan_t *ch, const struct sched_thread *self)
{
    int c;
    return ch->closed || (ch->cap > 0 && ch->len < ch->cap) ||
           (ch->cap == 0 && partner(ch, WEFT_RECV, self, &c));
}

static bool can_recv(weft_chan_t *ch, const struct sched_thread *self)
{
    int c;
    return ch->len > 0 || ch->closed || (ch->cap == 0 && partner(ch, WEFT_SEND, self, &c));
}

/* ==========================================================================
** Partners that wait in a select (see the top of the file)
** ========================================================================== */

static bool is_select(const struct sched_op *op)
{
    return op->cls == &select_class || op->cls == &select_wait_class;
}

static bool is_send(const struct sched_op *op)
{
    return op->cls == &send_class || op->cls == &send_wait_class;
}

/* The select waiting on several channels that a step of self moving dir
** on ch would complete now, or NULL. */
static const struct select_op *select_partner(weft_chan_t *ch, enum weft_select_dir dir,
                                              const struct sched_thread *self)
{
    int c;
    if (ch->closed || (ch->cap > 0 && dir == WEFT_RECV && ch->len < ch->cap))
        return NULL;                  /* no partner completed: a closed or not full channel */
    struct chan_op *p = partner(ch, dir == WEFT_SEND ? WEFT_RECV : WEFT_SEND, self, &c);
    if (p == NULL || p->op.cls != &select_wait_class)
        return NULL;
    const struct select_op *s = OP_OF(&p->op, const struct select_op, c.op);
    return s->ncases > 1 ? s : NULL;
}

/* Into out (room for 64), the selects of several channels waiting to
** receive from ch, which its close completes; -1 when there are more. */
static int receiving_selects(weft_chan_t *ch, const struct select_op **out)
{
    int n = 0;
    for (struct waiter *w = sched_waiters_of(&ch->obj); w; w = w->next) {
        if (w->op->cls != &select_wait_class || waits_to(w) != WEFT_RECV || w->op->completed)
            continue;
        const struct select_op *s = OP_OF(w->op, const struct select_op, c.op);
        bool listed = false;          /* (one select may wait twice on ch) */
        for (int i = 0; i < n && !listed; i++)
            listed = out[i] == s;
        if (listed || s->ncases < 2)
            continue;
        if (n == 64)
            return -1;
        out[n++] = s;
    }
    return n;
}

/* Into out (room for 64), the selects op's step would complete or look at
** now: one per channel of op's that has one waiting as its partner (a
** close: every one waiting to receive); -1 when there are more. */
static int partners_now(const struct sched_op *op, const struct select_op **out)
{
    if (op->cls == &close_class)
        return receiving_selects(chan_at(op), out);
    if (!is_select(op)) {
        out[0] = select_partner(chan_at(op), is_send(op) ? WEFT_SEND : WEFT_RECV, op->thread);
        return out[0] != NULL;
    }
    const struct select_op *s = OP_OF(op, const struct select_op, c.op);
    int n = 0;
    for (int i = 0; i < s->ncases; i++)
        if ((out[n] = select_partner(s->cases[i].ch, s->cases[i].dir, op->thread)) != NULL)
            n++;
    return n;
}

static const struct select_op **partners_seen(struct sched_op *op)
{
    if (op->cls == &close_class)
        return OP_OF(op, struct close_op, c.op)->partners_seen;
    return is_select(op) ? select_op(op)->partners_seen : &chan_op(op)->partner_seen;
}

/* s's channels into objs[n..max); the new count. */
static int put_channels(const struct select_op *s, const struct sched_obj **objs, int n, int max)
{
    for (int i = 0; i < s->ncases && n < max; i++)
        objs[n++] = &s->cases[i].ch->obj;
    return n;
}

/* op's step is being applied: the selects it finds are those it touches.
** False when their channels and op's own are more than a step may touch
** (SCHED_MAX_OBJS), which fails the execution. */
static bool applying(struct exec *x, struct sched_op *op)
{
    struct chan_op *c = chan_op(op);
    c->applied = true;
    c->npartners_seen = partners_now(op, partners_seen(op));
    int n = c->npartners_seen < 0 ? SCHED_MAX_OBJS     /* more than 64 selects */
            : is_select(op) ? select_op(op)->ncases : 1;
    for (int i = 0; i < c->npartners_seen; i++)
        n += partners_seen(op)[i]->ncases;
    if (n <= SCHED_MAX_OBJS - 2)
        return true;
    if (c->npartners_seen < 0)
        sched_fail_in_apply(x, WEFT_UNSUPPORTED, op->thread, op->loc,
                            "a step on \"%s\" that completes more than 64 waiting selects "
                            "(not supported by weft yet)", op->obj ? op->obj->name : "?");
    else
        sched_fail_in_apply(x, WEFT_UNSUPPORTED, op->thread, op->loc,
                            "a select, and the selects waiting as its partners, on more than "
                            "%d channels in all (not supported by weft yet)", SCHED_MAX_OBJS - 2);
    return false;
}

/*
** The objects a channel step touches: its channel, or a select's channels
** (only the one used when a partner completed it: then nothing else), and
** the channels of the selects it completes or looks at as partners: those
** it found when it was applied, or, not yet applied, those it would find
** now.
*/
static int chan_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    struct sched_op *o = (struct sched_op *)op;
    const struct chan_op *c = chan_op(o);
    if (op->completed) {              /* it only learns what its partner did */
        objs[0] = op->obj;
        return 1;
    }
    int n = is_select(op) ? put_channels(select_op(o), objs, 0, max) : 0;
    if (!is_select(op))
        objs[n++] = op->obj;
    const struct select_op *now[64], **partners = c->applied ? partners_seen(o) : now;
    int npartners = c->applied ? c->npartners_seen : partners_now(op, now);
    if (npartners < 0)                /* (its step fails: applying) */
        npartners = 64;
    for (int i = 0; i < npartners; i++)
        n = put_channels(partners[i], objs, n, max);
    return n;
}

/* ==========================================================================
** Moving values
** ========================================================================== */

static void select_note(struct select_op *s, int k, const char *what);
static void took_from(struct sched_op *op, const weft_chan_t *ch);

/* The value waiting sender p (case c of a select) sends; where waiting
** receiver p puts what it receives (NULL: nowhere). */
static void *sent_by(struct chan_op *p, int c)
{
    return p->op.cls == &select_wait_class ? select_op(&p->op)->cases[c].send : p->value;
}

static void **received_into(struct chan_op *p, int c)
{
    return p->op.cls == &select_wait_class ? select_op(&p->op)->cases[c].recv : p->out;
}

/* Complete the waiting partner p (case c) on ch, as the step log shows it. */
static void complete_partner(struct exec *x, struct chan_op *p, int c, weft_chan_t *ch,
                             const char *as_select)
{
    p->chosen = c;
    took_from(&p->op, ch);            /* (a fire hands a timer's value over) */
    p->op.status = WEFT_OK;
    p->op.obj = &ch->obj;             /* the step log names the channel used */
    p->op.note = NULL;
    if (p->op.cls == &select_wait_class)
        select_note(select_op(&p->op), c, as_select);
    sched_complete(x, &p->op);
}

static void do_send(struct exec *x, struct sched_thread *t, weft_chan_t *ch, void *v,
                    struct sched_loc at)
{
    int c;
    struct chan_op *p = ch->closed ? NULL : partner(ch, WEFT_RECV, t, &c);
    if (ch->closed) {
        sched_fail_in_apply(x, WEFT_ASSERTION, t, at, "send on closed channel \"%s\"",
                            ch->obj.name);
    } else if (p == NULL) {           /* room in the buffer (can_send) */
        ch->buf[(ch->head + ch->len++) % ch->cap] = v;
    } else {                          /* as Go, to a waiting receiver, past the buffer */
        void **out = received_into(p, c);
        if (out)
            *out = v;
        complete_partner(x, p, c, ch, "recv");
    }
}

/* Receive from ch into *out; returns 0 or WEFT_ECLOSED. */
static int do_recv(struct exec *x, struct sched_thread *t, weft_chan_t *ch, void **out)
{
    void *v = NULL;
    int c, status = WEFT_OK;
    if (ch->len > 0) {
        v = ch->buf[ch->head];
        ch->head = (ch->head + 1) % ch->cap;
        ch->len--;
        struct chan_op *p = partner(ch, WEFT_SEND, t, &c);
        if (p) {                      /* as Go, a waiting sender's value moves in */
            ch->buf[(ch->head + ch->len++) % ch->cap] = sent_by(p, c);
            complete_partner(x, p, c, ch, "send");
        }
    } else if (ch->cap == 0 && !ch->closed) {
        struct chan_op *p = partner(ch, WEFT_SEND, t, &c);
        v = sent_by(p, c);
        complete_partner(x, p, c, ch, "send");
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

static sched_mask chan_wakers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    if (op->cls != &select_wait_class)
        return sync_wakers(x, op->thread, op->obj, how);
    struct select_op *s = select_op(op);    /* users of any of its channels */
    sched_mask m = MASK_NONE;
    for (int i = 0; i < s->ncases; i++)
        m = mask_or(&x->masks, m,
                    mask_and(&x->masks, sync_wakers(x, op->thread, &s->cases[i].ch->obj, how),
                             s->cases[i].ch->obj.users));
    if (!mask_empty(m)) {
        *how = WAIT_LIKELY;
        return m;
    }
    return sync_wakers(x, op->thread, NULL, how);
}

/*
** Post c; if its first step found it must wait, post the waiting step, in
** the queues of `places`. Joining the waiters is a step on the channel of
** its own, so whether a partner waits there changes only through steps on
** that channel: what the searches' dependence relation (operations on
** different objects commute) needs. Waiters are matched oldest first.
*/
static void perform(struct exec *x, struct chan_op *c, const struct sched_opclass *wait_class,
                    struct waiter *places, int nplaces)
{
    sched_visible(x, &c->op);
    if (!c->must_wait)
        return;
    c->must_wait = false;
    c->applied = false;
    c->op.cls = wait_class;
    c->op.note = NULL;
    c->op.waits = places;
    c->op.nwaits = nplaces;
    sched_visible(x, &c->op);
}

/* ==========================================================================
** Send
** ========================================================================== */

static void must_wait(struct sched_op *op)
{
    chan_op(op)->must_wait = true;
    op->note = "blocks";
}

static void send_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    weft_chan_t *ch = chan_at(op);
    if (!can_send(ch, op->thread))
        must_wait(op);
    else
        do_send(x, op->thread, ch, chan_op(op)->value, op->loc);
}

static bool send_wait_enabled(struct exec *x, struct sched_op *op)
{
    (void)x;
    weft_chan_t *ch = chan_at(op);
    return ch->closed || (ch->cap > 0 && ch->len < ch->cap);
}

static void send_wait_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    do_send(x, op->thread, chan_at(op), chan_op(op)->value, op->loc);
}

static void send_describe(const struct sched_op *op, char *buf, size_t n)
{
    const weft_chan_t *ch = chan_at(op);
    if (ch->cap)
        snprintf(buf, n, "waits to send on channel \"%s\" (full: %d of %d)",
                 ch->obj.name, ch->len, ch->cap);
    else
        snprintf(buf, n, "waits to send on channel \"%s\" (no receiver)", ch->obj.name);
}

static const struct sched_opclass send_class = {
    .verb = "send", .apply = send_apply, .objects = chan_objects,
};
static const struct sched_opclass send_wait_class = {
    .verb = "send (wait)", .enabled = send_wait_enabled, .apply = send_wait_apply,
    .blockers = chan_wakers, .describe_wait = send_describe, .objects = chan_objects,
};

/* weft has no nil channel: a NULL one fails the execution at the call,
** named (it crashed inside weft, at the thread's step before). */
static void need_channel(struct exec *x, const weft_chan_t *ch, const char *call,
                         struct sched_loc at)
{
    if (ch == NULL)
        sched_fail(x, WEFT_CRASH, at, "%s on a NULL channel (weft has no nil channel; "
                   "Go's would block for ever)", call);
}

void weft_chan_send_at(weft_chan_t *ch, void *v, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    need_channel(x, ch, "send", (struct sched_loc){ file, line });
    struct chan_op c = { .op = { .cls = &send_class, .obj = &ch->obj,
                                 .loc = { file, line } },
                         .value = v, .place = { .obj = &ch->obj } };
    perform(x, &c, &send_wait_class, &c.place, 1);
}

/* ==========================================================================
** Receive and close
** ========================================================================== */

/* The operation gives up: its timeout fired. */
static void time_out(struct exec *x, struct sched_op *op)
{
    sched_timer_fire(x, op->timer);
    op->status = WEFT_ETIMEDOUT;
    op->note = "timed out";
}

/*
** A receive or select that must wait starts its timer (a zero timeout
** fires at once). Once waiting, when its value is ready and its timer may
** fire too, which comes first is explored, as Go's select picks among
** ready cases (under --timers=idle a ready value always wins).
*/
static bool start_waiting(struct exec *x, struct sched_op *op)
{
    if (op->timer && op->timer->timeout == 0) {
        time_out(x, op);
        return false;
    }
    if (op->timer)
        sched_timer_start(x, op->timer);
    must_wait(op);
    return true;
}

static bool timer_wins(struct exec *x, struct sched_op *op, int ready)
{
    if (!sched_timer_due(x, op->timer))
        return false;
    return ready == 0 || (!op->timer->idle_rule && sched_choose_value(x, ready + 1) == ready);
}

/* A receive's step, once applying() has looked at its partners. */
static void receive(struct exec *x, struct sched_op *op)
{
    weft_chan_t *ch = chan_at(op);
    if (can_recv(ch, op->thread)) {
        op->status = do_recv(x, op->thread, ch, chan_op(op)->out);
        op->note = op->status == WEFT_ECLOSED ? "closed" : NULL;
        op->stutter = op->status == WEFT_ECLOSED;   /* took nothing */
        took_from(op, ch);
    } else {
        start_waiting(x, op);
    }
}

static void recv_apply(struct exec *x, struct sched_op *op)
{
    if (applying(x, op))
        receive(x, op);
}

static bool recv_wait_enabled(struct exec *x, struct sched_op *op)
{
    weft_chan_t *ch = chan_at(op);
    return ch->len > 0 || ch->closed || sched_timer_due(x, op->timer);
}

static void recv_wait_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    weft_chan_t *ch = chan_at(op);
    if (timer_wins(x, op, can_recv(ch, op->thread)))
        time_out(x, op);
    else
        receive(x, op);
}

static void recv_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits to receive from channel \"%s\"%s", op->obj->name,
             op->timer ? " (with timeout)" : "");
}

static const struct sched_opclass recv_class = {
    .verb = "recv", .apply = recv_apply, .objects = chan_objects,
};
/* Enabled: ready or timed out, so its apply never finds it must wait again. */
static const struct sched_opclass recv_wait_class = {
    .verb = "recv (wait)", .enabled = recv_wait_enabled, .apply = recv_wait_apply,
    .blockers = chan_wakers, .describe_wait = recv_describe, .objects = chan_objects,
};

int weft_chan_recv_at(weft_chan_t *ch, void **out, int64_t ms, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    need_channel(x, ch, "receive", (struct sched_loc){ file, line });
    struct chan_op c = { .op = { .cls = &recv_class, .obj = &ch->obj, .loc = { file, line } },
                         .out = out, .place = { .obj = &ch->obj } };
    if (ms >= 0 && sched_timer_init(x, &c.op, &c.timer, sched_ms_to_ns(ms)) != 0)
        sched_fail(x, WEFT_ASSERTION, c.op.loc, "out of memory for a timer");
    perform(x, &c, &recv_wait_class, &c.place, 1);
    return c.op.status;
}

/*
** As Go's closechan, the close completes every receive waiting on the
** channel: a select among them is committed to this case at once, so no
** step in between can take another of its cases. (Waiting senders find
** the channel closed at their own step, and fail.)
*/
static void close_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    weft_chan_t *ch = chan_at(op);
    if (ch->closed)
        sched_fail_in_apply(x, WEFT_ASSERTION, op->thread, op->loc,
                            "close of closed channel \"%s\"", ch->obj.name);
    chan_close_by(x, ch, op);
}

void chan_close_by(struct exec *x, weft_chan_t *ch, struct sched_op *by_op)
{
    ch->closed = true;
    int c;
    for (struct chan_op *p; (p = partner(ch, WEFT_RECV, by_op->thread, &c)) != NULL;) {
        bool sel = p->op.cls == &select_wait_class;
        void **out = received_into(p, c);
        if (out)
            *out = NULL;
        if (sel)
            select_op(&p->op)->cases[c].closed = 1;
        complete_partner(x, p, c, ch, "recv, closed");
        p->op.status = sel ? WEFT_OK : WEFT_ECLOSED;
        p->op.note = sel ? p->op.note : "closed";
        p->op.stutter = true;         /* took nothing */
    }
}

static const struct sched_opclass close_class = {
    .verb = "close", .apply = close_apply, .objects = chan_objects,
};

bool chan_offer(struct exec *x, weft_chan_t *ch, void *v, struct sched_op *by_op)
{
    int c;
    if (ch->len == ch->cap && partner(ch, WEFT_RECV, by_op->thread, &c) == NULL)
        return false;
    do_send(x, by_op->thread, ch, v, by_op->loc);
    return true;
}

bool chan_seen_put(struct chan_seen *seen, const struct sched_obj *o)
{
    for (int i = 0; i < seen->n; i++)
        if (seen->objs[i] == o)
            return true;
    if (seen->n == SCHED_MAX_OBJS - 2)
        return false;
    seen->objs[seen->n++] = o;
    return true;
}

/* s's channels into seen (once each): false when they do not fit. */
static bool seen_put_select(struct chan_seen *seen, const struct select_op *s)
{
    bool fits = true;
    for (int k = 0; k < s->ncases && fits; k++)
        fits = chan_seen_put(seen, &s->cases[k].ch->obj);
    return fits;
}

/* An offer completes one waiting select at most; a close every one that
** waits to receive (as receiving_selects, without its bound of 64: what
** is bounded is the channels, which seen holds once each). */
bool chan_seen_add(struct chan_seen *seen, weft_chan_t *ch, bool offer)
{
    bool fits = chan_seen_put(seen, &ch->obj);
    if (offer) {
        const struct select_op *s = select_partner(ch, WEFT_SEND, NULL);
        return fits && (s == NULL || seen_put_select(seen, s));
    }
    for (struct waiter *w = sched_waiters_of(&ch->obj); w && fits; w = w->next)
        if (w->op->cls == &select_wait_class && waits_to(w) == WEFT_RECV && !w->op->completed)
            fits = seen_put_select(seen, OP_OF(w->op, const struct select_op, c.op));
    return fits;
}

int chan_seen_objects(const struct chan_seen *seen, const struct sched_obj **objs, int max)
{
    int n = seen->n < max ? seen->n : max;
    memcpy(objs, seen->objs, (size_t)n * sizeof *objs);
    return n;
}

void weft_chan_close_at(weft_chan_t *ch, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    need_channel(x, ch, "close", (struct sched_loc){ file, line });
    struct close_op c = { .c = { .op = { .cls = &close_class, .obj = &ch->obj,
                                         .loc = { file, line } } } };
    sched_visible(x, &c.c.op);
}

/* ==========================================================================
** Select
** ========================================================================== */

/*
** A select's step says which case it took, of how many: "select stop (recv,
** case 2 of 3)" (the verb and the channel taken, then this note; the cases
** are listed where the thread waits). Notes are literals: a report keeps a
** step's note after the search that ran it is freed.
*/
static void select_note(struct select_op *s, int k, const char *what)
{
    static const struct { const char *what, *note; } notes[] = {
        { "send", "send, case %d of %d" },
        { "recv", "recv, case %d of %d" },
        { "recv, closed", "recv, closed, case %d of %d" },
    };
    struct sched_op *op = &s->c.op;
    op->note = what;
    if (s->ncases < 2 && !s->has_default)
        return;
    if (k < 0) {                      /* default, timed out, blocks */
        op->note = strcmp(what, "default") == 0 ? "default, none of %d cases ready"
                   : strcmp(what, "blocks") == 0 ? "blocks, none of %d cases ready"
                   : "timed out, none of %d cases ready";
        op->note_a = s->ncases;
        return;
    }
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (strcmp(what, notes[i].what) == 0) {
            op->note = notes[i].note;
            op->note_a = k + 1;
            op->note_b = s->ncases;
        }
}

static bool case_ready(const struct weft_select_case *c, const struct sched_thread *t)
{
    return c->dir == WEFT_SEND ? can_send(c->ch, t) : can_recv(c->ch, t);
}

static int ready_cases(const struct select_op *s, const struct sched_thread *t, int *ready)
{
    int nready = 0;
    for (int i = 0; i < s->ncases && nready < 64; i++)
        if (case_ready(&s->cases[i], t))
            ready[nready++] = i;
    return nready;
}

/* A case that is ready again whatever the loop does: a timer's channel,
** which ticks again, or a receive from a closed channel, which takes
** nothing. */
static bool stays_ready(const struct weft_select_case *c)
{
    return c->ch->timer || (c->dir == WEFT_RECV && c->ch->closed);
}

/* Where t remembers its select at `at` (sched_thread.selects), or -1. */
static int select_slot(const struct sched_thread *t, struct sched_loc at)
{
    for (int i = 0; i < SCHED_SELECT_MEMORY; i++)
        if (t->selects[i].at.line == at.line && t->selects[i].at.file == at.file)
            return i;
    return -1;
}

/* The case t's select at `at` took the last time it ran; when t does not
** remember (more selects in its loop than it keeps), a case its rotation
** names, which moves on at each such select. */
static int taken_last(struct sched_thread *t, struct sched_loc at, int ncases)
{
    int i = select_slot(t, at);
    return i >= 0 ? t->selects[i].taken : (int)(t->select_rotation++ % (uint32_t)ncases);
}

/* t's select at `at` took case k. */
static void remember_taken(struct sched_thread *t, struct sched_loc at, int k)
{
    int i = select_slot(t, at);
    if (i < 0) {
        i = t->selects_next;
        t->selects_next = (uint8_t)((i + 1) % SCHED_SELECT_MEMORY);
        t->selects[i].at = at;
    }
    t->selects[i].taken = k;
}

/*
** A thread whose loop turns repeat (sched.c, fairness) does not take a case
** that stays ready while another case is ready: Go's select picks among
** ready cases at random, so every case that stays ready is taken in the
** end; taking the tick, or the closed channel, once more would only repeat
** the turn. When every ready case stays ready (closed data channels and a
** closed quit channel), it takes the first ready case written after the
** one this select took last, round the cases: each is taken in turn, quit
** too. Without this, a loop fed by a ticker, or one that keeps finding a
** closed channel ready, could starve its other cases forever. Returns how
** many of ready are left.
*/
static int fair_cases(const struct select_op *s, struct sched_thread *t, struct sched_loc at,
                      int *ready, int nready)
{
    if (!t->spun || nready < 2)
        return nready;
    int kept = 0;
    for (int i = 0; i < nready; i++)
        if (!stays_ready(&s->cases[ready[i]]))
            ready[kept++] = ready[i];
    if (kept > 0)
        return kept;
    int last = taken_last(t, at, s->ncases), next = ready[0];
    for (int i = 0; i < nready; i++)
        if (ready[i] > last) {
            next = ready[i];
            break;
        }
    ready[0] = next;
    return 1;
}

/* Perform one of the ready cases, the choice among them explored. */
static void select_case(struct exec *x, struct sched_op *op, int *ready, int nready)
{
    struct select_op *s = select_op(op);
    nready = fair_cases(s, op->thread, op->loc, ready, nready);
    int k = ready[sched_choose_value(x, nready)];
    remember_taken(op->thread, op->loc, k);
    struct weft_select_case *c = &s->cases[k];
    if (c->dir == WEFT_SEND)
        do_send(x, op->thread, c->ch, c->send, op->loc);
    else
        c->closed = do_recv(x, op->thread, c->ch, c->recv) == WEFT_ECLOSED;
    s->c.chosen = k;
    op->obj = &c->ch->obj;            /* the step log names the channel used */
    if (c->dir == WEFT_RECV) {
        took_from(op, c->ch);
        op->stutter = c->closed;      /* took nothing */
    }
    select_note(s, k, c->dir == WEFT_SEND ? "send" : c->closed ? "recv, closed" : "recv");
}

static void select_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    int ready[64], nready = ready_cases(select_op(op), op->thread, ready);
    if (nready > 0) {
        select_case(x, op, ready, nready);
    } else if (select_op(op)->has_default) {
        select_op(op)->c.chosen = WEFT_SELECT_DEFAULT;
        op->idle = true;              /* a poll that found nothing */
        select_note(select_op(op), -1, "default");
    } else if (!start_waiting(x, op)) {
        select_op(op)->c.chosen = WEFT_SELECT_TIMEOUT;
        select_note(select_op(op), -1, "timed out");
    } else {
        select_note(select_op(op), -1, "blocks");
    }
}

static bool select_wait_enabled(struct exec *x, struct sched_op *op)
{
    struct select_op *s = select_op(op);
    if (sched_timer_due(x, op->timer))
        return true;
    for (int i = 0; i < s->ncases; i++)
        if (case_ready(&s->cases[i], op->thread))
            return true;
    return false;
}

static void select_wait_apply(struct exec *x, struct sched_op *op)
{
    if (!applying(x, op))
        return;
    int ready[64], nready = ready_cases(select_op(op), op->thread, ready);
    if (timer_wins(x, op, nready)) {
        time_out(x, op);
        select_op(op)->c.chosen = WEFT_SELECT_TIMEOUT;
        select_note(select_op(op), -1, "timed out");
    } else {
        select_case(x, op, ready, nready);
    }
}

/* ", send \"out\", recv \"stop\"" onto buf from `used`; the new length. */
static size_t list_cases(const struct select_op *s, char *buf, size_t n, size_t used)
{
    for (int i = 0; i < s->ncases && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s \"%s\"", used ? ", " : "",
                                 s->cases[i].dir == WEFT_SEND ? "send" : "recv",
                                 s->cases[i].ch->obj.name);
    return used;
}

static void select_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct select_op *s = OP_OF(op, const struct select_op, c.op);
    int used = snprintf(buf, n, "waits in select on ");
    if (used > 0 && (size_t)used < n)
        list_cases(s, buf + used, n - (size_t)used, 0);
}

/* Every case of a select step, in the order written: "send \"out\",
** recv \"stop\", default". */
static void select_cases(const struct sched_op *op, char *buf, size_t n)
{
    const struct select_op *s = OP_OF(op, const struct select_op, c.op);
    buf[0] = '\0';
    size_t used = list_cases(s, buf, n, 0);
    if (s->has_default && used < n)
        snprintf(buf + used, n - used, "%sdefault", used ? ", " : "");
}

/* A select with a default case and nothing ready only looks. */
static bool select_reads_only(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct select_op *s = select_op(op);
    if (!s->has_default)
        return false;
    for (int i = 0; i < s->ncases; i++)
        if (case_ready(&s->cases[i], op->thread))
            return false;
    return true;
}

static const struct sched_opclass select_class = {
    .verb = "select", .apply = select_apply, .objects = chan_objects,
    .reads_only = select_reads_only, .describe_step = select_cases,
};
static const struct sched_opclass select_wait_class = {
    .verb = "select (wait)", .enabled = select_wait_enabled, .apply = select_wait_apply,
    .blockers = chan_wakers, .describe_wait = select_describe, .objects = chan_objects,
    .describe_step = select_cases,
};

int weft_select_at(struct weft_select_case *cases, int n, int64_t timeout_ms,
                   const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return WEFT_EINVAL;
    struct sched_loc at = { file, line };
    if (n < 0 || n > 64 || (n > 0 && cases == NULL))
        sched_fail(x, WEFT_ASSERTION, at, "select with %d cases (0 to 64 allowed)", n);
    if (timeout_ms < WEFT_SELECT_BLOCK)
        sched_fail(x, WEFT_ASSERTION, at, "select timeout %lld: use milliseconds >= 0, "
                   "or WEFT_SELECT_BLOCK", (long long)timeout_ms);
    struct select_op s;               /* places[n..] stay unset: no 3 KB to clear per call */
    s.c = (struct chan_op){ .op = { .cls = &select_class, .obj = n ? &cases[0].ch->obj : NULL,
                                    .loc = at } };
    if (timeout_ms > 0 && sched_timer_init(x, &s.c.op, &s.c.timer, sched_ms_to_ns(timeout_ms)))
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for a timer");
    s.cases = cases;
    s.ncases = n;
    s.has_default = timeout_ms == 0;
    for (int i = 0; i < n; i++) {
        if (cases[i].ch == NULL)
            sched_fail(x, WEFT_ASSERTION, at, "select case %d of %d has no channel", i + 1, n);
        cases[i].closed = 0;
        s.places[i] = (struct waiter){ .obj = &cases[i].ch->obj, .tag = i };
    }
    perform(x, &s.c, &select_wait_class, s.places, n);
    return s.c.chosen;
}
