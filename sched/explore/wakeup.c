/*
** wakeup.c -- wakeup trees (see wakeup.h). The search runs on fiber
** stacks, so nothing here recurses: trees may be as deep as an execution
** is long.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore/grow.h"
#include "explore/wakeup.h"

/* ==========================================================================
** Steps and their dependence
** ========================================================================== */

static void describe(const struct sched_thread *t, const struct sched_op *op, bool reads,
                     bool shared, struct wake_op *out)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = sched_op_objects(op, objs);
    memset(out, 0, sizeof *out);
    out->thread = t->obj.key;
    out->tid = t->id;
    if (sched_op_orders_all(op))
        out->flags |= WAKE_ALL | WAKE_GLOBAL;
    else if (sched_op_local(op))
        out->flags |= WAKE_LOCAL;
    else if (sched_op_global(op))
        out->flags |= WAKE_GLOBAL;
    if (reads)
        out->flags |= WAKE_READS;
    if (shared)
        out->flags |= WAKE_SHARED;
    if (n > WAKE_OBJS)
        out->flags |= WAKE_MANY;
    for (int i = 0; i < n && i < WAKE_OBJS; i++)
        out->obj[out->nobj++] = objs[i]->key;
}

void wake_op_of(struct exec *x, const struct sched_thread *t, struct sched_op *op,
                struct wake_op *out)
{
    describe(t, op, sched_op_reads_only(x, op), sched_op_shared(x, op), out);
}

void wake_op_enablers(const struct sched_op *op, struct wake_op *out)
{
    const struct sched_obj *objs[SCHED_MAX_OBJS];
    int n = op->cls->enablers(op, objs, SCHED_MAX_OBJS);
    out->nobj = 0;
    out->flags &= (uint8_t)~WAKE_MANY;
    if (n > WAKE_OBJS)                /* (a poll on many streams) */
        out->flags |= WAKE_MANY;
    for (int i = 0; i < n && i < WAKE_OBJS; i++)
        out->obj[out->nobj++] = objs[i]->key;
}

/* The same rule as explore_dependent and dpor.c's conflicts(), over keys. */
bool wake_dependent(const struct wake_op *a, const struct wake_op *b)
{
    if ((a->flags | b->flags) & WAKE_ALL)
        return true;                  /* the end: even a local step comes before it or not */
    if ((a->flags | b->flags) & WAKE_LOCAL)
        return false;
    if ((a->flags | b->flags) & (WAKE_GLOBAL | WAKE_MANY))
        return true;
    if (!sched_conflict(a->flags & WAKE_READS, a->flags & WAKE_SHARED, b->flags & WAKE_READS,
                        b->flags & WAKE_SHARED))
        return false;
    for (int i = 0; i < a->nobj; i++)
        for (int j = 0; j < b->nobj; j++)
            if (a->obj[i] == b->obj[j])
                return true;
    return false;
}

/* ==========================================================================
** Sequences to insert
** ========================================================================== */

void wake_seq_clear(struct wake_seq *s)
{
    for (uint32_t k = 0; k < s->nthreads; k++)
        s->first[s->order[k]] = s->last[s->order[k]] = -1;
    s->n = s->left = s->nthreads = 0;
}

/* Each thread q of s that has a step left. */
#define SEQ_THREADS(q, s)                                                      \
    for (uint32_t k_ = 0, q; k_ < (s)->nthreads && ((q = (uint32_t)(s)->order[k_]), 1); k_++) \
        if ((s)->first[q] >= 0)

bool wake_seq_room(struct wake_seq *s, size_t n)
{
    if (n <= s->tcap)
        return true;
    size_t cap = n > 2 * s->tcap ? n : 2 * s->tcap;
    int32_t *first = realloc(s->first, cap * sizeof *first);
    if (first)
        s->first = first;
    int32_t *last = first ? realloc(s->last, cap * sizeof *last) : NULL;
    if (last)
        s->last = last;
    int32_t *order = last ? realloc(s->order, cap * sizeof *order) : NULL;
    if (order)
        s->order = order;
    uint32_t *nclock = order ? realloc(s->nclock, cap * sizeof *nclock) : NULL;
    if (nclock == NULL)
        return false;
    s->nclock = nclock;
    for (size_t t = s->tcap; t < cap; t++) {
        s->first[t] = s->last[t] = -1;
        s->nclock[t] = 0;
    }
    s->tcap = cap;
    return true;
}

bool wake_seq_add(struct wake_seq *s, const struct wake_op *op, const uint32_t *clock)
{
    if (!explore_grow((void **)&s->step, &s->cap, s->n + 1, sizeof *s->step) ||
        !wake_seq_room(s, (size_t)op->tid + 1))
        return false;
    int32_t i = (int32_t)s->n++;
    s->left++;
    s->step[i] = (struct wake_step){ .op = *op, .clock = clock, .next_same = -1 };
    int t = op->tid;
    if (s->last[t] >= 0) {
        s->step[s->last[t]].next_same = i;
    } else {
        s->first[t] = i;
        s->order[s->nthreads++] = t;
    }
    s->last[t] = i;
    return true;
}

void wake_seq_init(struct wake_seq *s, struct mask_table *tab)
{
    memset(s, 0, sizeof *s);
    s->tab = tab;
}

void wake_seq_free(struct wake_seq *s)
{
    free(s->step);
    free(s->first);
    free(s->last);
    free(s->order);
    free(s->nclock);
    wake_seq_init(s, s->tab);
}

int wake_seq_head(const struct wake_seq *s)
{
    for (uint32_t i = 0; i < s->n && s->left > 0; i++)
        if (!s->step[i].gone)
            return s->step[i].op.tid;
    return -1;
}

static bool before(const struct wake_step *g, const struct wake_step *f)
{
    return f->clock[g->op.tid] >= g->clock[g->op.tid];
}

/*
** Thread r's first step f in s has no predecessor in s: no other thread's
** first step is ordered before it (a thread's later steps come after its
** first, so checking first steps is enough; consumed steps are always a
** prefix of each thread's).
*/
static bool begins(const struct wake_seq *s, int r)
{
    const struct wake_step *f = &s->step[s->first[r]];
    SEQ_THREADS(q, s)
        if ((int)q != r && s->first[q] < s->first[r] && before(&s->step[s->first[q]], f))
            return false;
    return true;
}

/* The thread with that key as s numbers it, or -1 if it has no step left. */
static int thread_in(const struct wake_seq *s, uint64_t key)
{
    SEQ_THREADS(q, s)
        if (s->step[s->first[q]].op.thread == key)
            return (int)q;
    return -1;
}

/* Are a and b the same kind of item, and for values the same value? */
static bool same_item(const struct wake_op *a, const struct wake_op *b)
{
    if ((a->flags ^ b->flags) & WAKE_VALUE)
        return false;
    return !(a->flags & WAKE_VALUE) || a->value == b->value;
}

bool wake_seq_weak_initial(const struct wake_seq *s, const struct wake_op *next)
{
    int r = thread_in(s, next->thread);
    if (r >= 0)
        return same_item(&s->step[s->first[r]].op, next) && begins(s, r);
    for (uint32_t i = 0; i < s->n; i++)
        if (!s->step[i].gone && wake_dependent(next, &s->step[i].op))
            return false;
    return true;
}

bool wake_seq_weak_initial_then(const struct wake_seq *s, const struct wake_op *next,
                                const struct wake_op *then)
{
    return wake_seq_weak_initial(s, next) &&
           (thread_in(s, next->thread) >= 0 || !wake_dependent(next, then));
}

/* Consume the first step in s of the thread with that key, if it has one. */
static void consume(struct wake_seq *s, uint64_t thread)
{
    int r = thread_in(s, thread);
    if (r < 0)
        return;
    int32_t i = s->first[r];
    s->step[i].gone = true;
    s->left--;
    s->first[r] = s->step[i].next_same;   /* -1: none left (SEQ_THREADS skips it) */
}

/* ==========================================================================
** Trees
** ========================================================================== */

void wake_pool_init(struct wake_pool *p)
{
    memset(p, 0, sizeof *p);
    p->free_list = -1;
}

void wake_pool_free(struct wake_pool *p)
{
    free(p->node);
    wake_pool_init(p);
}

static int32_t node_new(struct wake_pool *p, const struct wake_op *op_in)
{
    struct wake_op op;                /* op_in may point into the pool, which may move */
    if (op_in)
        op = *op_in;
    int32_t i;
    if (p->free_list >= 0) {
        i = p->free_list;
        p->free_list = p->node[i].sibling;
    } else {
        if (!explore_grow((void **)&p->node, &p->cap, p->n + 1, sizeof *p->node))
            return WAKE_NONE;
        i = (int32_t)p->n++;
    }
    struct wake_node *n = &p->node[i];
    memset(n, 0, sizeof *n);
    if (op_in)
        n->op = op;
    n->child = n->sibling = -1;
    return i;
}

wake_tree wake_tree_new(struct wake_pool *p) { return node_new(p, NULL); }

/* Free t and its descendants: walk them through the free list itself
** (each freed node's child list is spliced in before it is reused). */
void wake_tree_drop(struct wake_pool *p, wake_tree t)
{
    if (t < 0)
        return;
    p->node[t].sibling = -1;
    int32_t todo = t;                 /* a chain through .sibling */
    while (todo >= 0) {
        int32_t i = todo;
        todo = p->node[i].sibling;
        for (int32_t c = p->node[i].child; c >= 0;) {
            int32_t next = p->node[c].sibling;
            p->node[c].sibling = todo;
            todo = c;
            c = next;
        }
        p->node[i].child = -1;
        p->node[i].sibling = p->free_list;
        p->free_list = i;
    }
}

/* Append node c as the last child of node parent. */
static void append_child(struct wake_pool *p, int32_t parent, int32_t c)
{
    int32_t *at = &p->node[parent].child;
    while (*at >= 0)
        at = &p->node[*at].sibling;
    *at = c;
}

const struct wake_op *wake_tree_first(const struct wake_pool *p, wake_tree t)
{
    int32_t c = t >= 0 ? p->node[t].child : -1;
    return c >= 0 ? &p->node[c].op : NULL;
}

int wake_tree_branches(const struct wake_pool *p, wake_tree t)
{
    int n = 0;
    for (int32_t c = t >= 0 ? p->node[t].child : -1; c >= 0; c = p->node[c].sibling)
        n++;
    return n;
}

/* Detach t's branch that begins with `item`'s thread and kind (and value). */
static wake_tree take(struct wake_pool *p, wake_tree t, const struct wake_op *item)
{
    if (t < 0)
        return WAKE_NONE;
    for (int32_t *at = &p->node[t].child; *at >= 0; at = &p->node[*at].sibling)
        if (p->node[*at].op.thread == item->thread && same_item(&p->node[*at].op, item)) {
            int32_t c = *at;
            *at = p->node[c].sibling;
            p->node[c].sibling = -1;
            p->node[t].version++;
            return c;
        }
    return WAKE_NONE;
}

wake_tree wake_tree_take(struct wake_pool *p, wake_tree t, uint64_t thread)
{
    struct wake_op step = { .thread = thread };
    return take(p, t, &step);
}

wake_tree wake_tree_take_value(struct wake_pool *p, wake_tree t, uint64_t thread,
                               uint32_t value)
{
    struct wake_op v = { .thread = thread, .flags = WAKE_VALUE, .value = value };
    return take(p, t, &v);
}

bool wake_tree_add_step(struct wake_pool *p, wake_tree t, const struct wake_op *op)
{
    for (int32_t c = p->node[t].child; c >= 0; c = p->node[c].sibling)
        if (p->node[c].op.thread == op->thread && same_item(&p->node[c].op, op))
            return true;
    int32_t c = node_new(p, op);
    if (c < 0)
        return false;
    append_child(p, t, c);
    p->node[t].version++;
    return true;
}

/* Hang s's remaining steps below node `at`, as its last branch. */
static bool append_rest(struct wake_pool *p, int32_t at, const struct wake_seq *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->step[i].gone)
            continue;
        int32_t c = node_new(p, &s->step[i].op);
        if (c < 0)
            return false;
        append_child(p, at, c);
        at = c;
    }
    return true;
}

/*
** Walk down from the root: at each node, the first branch whose thread is
** a weak initial of what is left of s leads towards an order equivalent to
** s, so follow it, consuming that thread's step. Reaching a leaf, or
** using s up, means an existing branch already covers s. Otherwise what is
** left of s becomes a new branch there, after the existing ones.
*/
int wake_tree_insert(struct wake_pool *p, wake_tree t, struct wake_seq *s)
{
    int32_t at = t;
    for (;;) {
        if (at != t && p->node[at].child < 0)
            return 0;
        if (s->left == 0)
            return 0;
        int32_t next = -1;
        for (int32_t c = p->node[at].child; c >= 0; c = p->node[c].sibling)
            if (wake_seq_weak_initial(s, &p->node[c].op)) {
                next = c;
                break;
            }
        if (next < 0) {
            p->node[t].version++;     /* a failed append may have hung part of s */
            return append_rest(p, at, s) ? 1 : -1;
        }
        consume(s, p->node[next].op.thread);
        at = next;
    }
}

/* ==========================================================================
** Trees as text, for checkpoints
** ========================================================================== */

/* printf onto the end of *buf: false without memory. */
static bool append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    if (*len + (size_t)n + 1 > *cap) {
        size_t bigger = *cap ? *cap : 4096;
        while (*len + (size_t)n + 1 > bigger)
            bigger *= 2;
        char *b = realloc(*buf, bigger);
        if (b == NULL)
            return false;
        *buf = b;
        *cap = bigger;
    }
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return true;
}

bool wake_text_append(char **buf, size_t *len, size_t *cap, const char *text)
{
    return append(buf, len, cap, "%s", text);
}

static bool write_node(const struct wake_node *w, int depth, char **buf, size_t *len,
                       size_t *cap)
{
    bool ok = append(buf, len, cap, "%d %" PRIu64 " %d %u", depth, w->op.thread, w->op.tid,
                     (unsigned)w->op.flags);
    if (ok && (w->op.flags & WAKE_VALUE))
        return append(buf, len, cap, " %u\n", w->op.value);
    for (int i = 0; ok && i < w->op.nobj; i++)
        ok = append(buf, len, cap, " %" PRIu64, w->op.obj[i]);
    return ok && append(buf, len, cap, "\n");
}

/* A growing array of node indices, by depth. */
struct path { int32_t *at; size_t cap; };

static bool path_set(struct path *p, size_t depth, int32_t node)
{
    if (!explore_grow((void **)&p->at, &p->cap, depth + 1, sizeof *p->at))
        return false;
    p->at[depth] = node;
    return true;
}

/* Visit t's nodes in preorder, each with its depth (0: a branch's first
** step), without recursion: from each node, go to its first child, else
** to the next sibling of it or of its nearest ancestor. False if a visit
** was (or memory ran out). */
static bool walk(const struct wake_pool *p, wake_tree t,
                 bool (*visit)(const struct wake_node *w, int depth, void *ctx), void *ctx)
{
    struct path up = { 0 };
    size_t depth = 0;
    int32_t at = t >= 0 ? p->node[t].child : -1;
    bool ok = true;
    while (ok && at >= 0) {
        ok = visit(&p->node[at], (int)depth, ctx);
        if (ok && p->node[at].child >= 0) {
            ok = path_set(&up, ++depth, at);
            at = p->node[at].child;
            continue;
        }
        while (at >= 0 && p->node[at].sibling < 0 && depth > 0)
            at = up.at[depth--];
        at = at >= 0 ? p->node[at].sibling : -1;
    }
    free(up.at);
    return ok;
}

struct text { char **buf; size_t *len, *cap; };

static bool write_visit(const struct wake_node *w, int depth, void *ctx)
{
    struct text *t = ctx;
    return write_node(w, depth, t->buf, t->len, t->cap);
}

bool wake_tree_write(const struct wake_pool *p, wake_tree t, char **buf, size_t *len,
                     size_t *cap)
{
    struct text text = { buf, len, cap };
    return walk(p, t, write_visit, &text) && append(buf, len, cap, ".\n");
}

/* A node as pack_tree packs it: depth + 1 (0 ends the tree), thread, tid,
** flags, then the value or the objects. */
static bool pack_visit(const struct wake_node *w, int depth, void *ctx)
{
    struct pack *k = ctx;
    pack_u64(k, (uint64_t)depth + 1);
    pack_u64(k, w->op.thread);
    pack_u64(k, (uint32_t)w->op.tid);
    pack_u64(k, w->op.flags);
    if (w->op.flags & WAKE_VALUE) {
        pack_u64(k, w->op.value);
    } else {
        pack_u64(k, w->op.nobj);
        for (int i = 0; i < w->op.nobj; i++)
            pack_u64(k, w->op.obj[i]);
    }
    return !k->oom;
}

bool wake_tree_pack(const struct wake_pool *p, wake_tree t, struct pack *out)
{
    bool ok = walk(p, t, pack_visit, out);
    pack_u64(out, 0);
    return ok && !out->oom;
}

/* One node's line "depth thread tid flags objs..." (a value: "... flags
** value"): the depth, or -1. */
static int read_node_line(const char **text, struct wake_op *op)
{
    int depth, tid, used = 0;
    unsigned flags;
    const char *s = *text;
    memset(op, 0, sizeof *op);
    if (sscanf(s, "%d %" SCNu64 " %d %u%n", &depth, &op->thread, &tid, &flags, &used) != 4 ||
        depth < 0 || tid < 0)
        return -1;
    s += used;
    op->tid = tid;
    op->flags = (uint8_t)flags;
    if ((flags & WAKE_VALUE) && (sscanf(s, " %u%n", &op->value, &used) != 1 || flags > 0xff))
        return -1;
    if (flags & WAKE_VALUE)
        s += used;
    while (*s == ' ' && op->nobj < WAKE_OBJS &&
           sscanf(s, " %" SCNu64 "%n", &op->obj[op->nobj], &used) == 1) {
        op->nobj++;
        s += used;
    }
    if (*s != '\n')
        return -1;
    *text = s + 1;
    return depth;
}

/* Building a tree from its nodes in preorder: parents.at[k] is the node
** under which depth k hangs, for the depths below known. */
struct build {
    struct wake_pool *p;
    wake_tree root;
    struct path parents;
    size_t known;
};

static bool build_begin(struct build *b, struct wake_pool *p)
{
    *b = (struct build){ p, wake_tree_new(p), { 0 }, 1 };
    return b->root >= 0 && path_set(&b->parents, 0, b->root);
}

/* Hang op at depth (-1: not a node): false if it cannot hang there or
** without memory. */
static bool build_add(struct build *b, int depth, const struct wake_op *op)
{
    int32_t c = depth >= 0 && (size_t)depth < b->known ? node_new(b->p, op) : -1;
    if (c < 0)
        return false;
    append_child(b->p, b->parents.at[depth], c);
    b->known = (size_t)depth + 2;
    return path_set(&b->parents, (size_t)depth + 1, c);
}

/* The tree built, or WAKE_NONE (freed) if !ok. */
static wake_tree build_end(struct build *b, bool ok)
{
    free(b->parents.at);
    if (!ok && b->root >= 0)
        wake_tree_drop(b->p, b->root);
    return ok ? b->root : WAKE_NONE;
}

wake_tree wake_tree_read(struct wake_pool *p, const char **text)
{
    struct build b;
    const char *s = *text;
    bool ok = build_begin(&b, p);
    while (ok && !(s[0] == '.' && s[1] == '\n')) {
        struct wake_op op;
        int depth = read_node_line(&s, &op);
        ok = build_add(&b, depth, &op);
    }
    if (ok)
        *text = s + 2;
    return build_end(&b, ok);
}

/* The rest of a node as pack_visit packed it (after its depth): false if
** the bytes are not one. */
static bool unpack_op(struct unpack *u, struct wake_op *op)
{
    memset(op, 0, sizeof *op);
    op->thread = unpack_u64(u);
    op->tid = (int32_t)unpack_max(u, INT32_MAX);
    op->flags = (uint8_t)unpack_max(u, UINT8_MAX);
    if (op->flags & WAKE_VALUE) {
        op->value = (uint32_t)unpack_max(u, UINT32_MAX);
    } else {
        op->nobj = (uint8_t)unpack_max(u, WAKE_OBJS);
        for (int i = 0; i < op->nobj; i++)
            op->obj[i] = unpack_u64(u);
    }
    return !u->bad;
}

wake_tree wake_tree_unpack(struct wake_pool *p, struct unpack *u)
{
    struct build b;
    bool ok = build_begin(&b, p);
    for (uint64_t depth; ok && (depth = unpack_max(u, INT32_MAX)) != 0;) {
        struct wake_op op;
        ok = unpack_op(u, &op) && build_add(&b, (int)depth - 1, &op);
    }
    return build_end(&b, ok && !u->bad);
}
