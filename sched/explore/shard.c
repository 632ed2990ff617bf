/*
** shard.c -- a search cut into units that separate processes explore
** (--shard K/N, --split-depth D): the walk through the units that the
** depth-first strategies keep (shard.h), and the plan step that counts the
** units, picks the depth and runs this shard's share.
**
** Why a static top: DPOR adds backtrack points at earlier nodes when it
** finds races, so which subtrees exist depends on what was explored
** before. If the first D choice nodes instead branch on every thread
** awake there (Godefroid's sleep-set search), no race can add a branch
** above depth D, and every subtree hanging off depth D is a search of its
** own: its result does not depend on which process explored its
** siblings. Units are numbered in depth-first order, so the union of the
** shards is the unsharded split search, execution for execution, and the
** lowest failing unit's failure is the one a single run finds first.
**
** pct and random have no tree to cut: their executions are numbered, each
** seeded by its number, and a unit is a block of them (below).
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explore/shard.h"

/* ==========================================================================
** The walk (dfs.c)
** ========================================================================== */

/* --jobs: the next unit no other process took (nor a resumed one holds). */
static uint64_t take(struct explore_claims *c)
{
    for (;;) {
        uint64_t u = __atomic_fetch_add(&c->next, 1, __ATOMIC_SEQ_CST);
        if (c->taken == NULL || u >= c->cap || !c->taken[u])
            return u;
    }
}

/* --jobs --checkpoint: the unit taken last is finished; what it ran. */
static void unit_done(const struct search *s, const struct explore_config *ec,
                      const struct coverage *c)
{
    uint64_t counts[3] = { c->executions - s->claimed_at[0], c->pruned - s->claimed_at[1],
                           c->cut - s->claimed_at[2] };
    if (ec->split.unit_done)
        ec->split.unit_done(ec->split.unit_ctx, s->claimed, counts);
}

void split_resumed(struct search *s, const struct explore_config *ec, struct explore_result *r)
{
    if (!ec->split.finish_only)
        return;
    r->cov.executions -= s->claimed_at[0];
    r->cov.pruned -= s->claimed_at[1];
    r->cov.cut -= s->claimed_at[2];
    memset(s->claimed_at, 0, sizeof s->claimed_at);
}

/* --jobs: is unit e->unit, being dealt out now, the one this process took?
** A process takes its next unit once it has passed the one it took: the
** counter has moved past that one, so what it takes is e->unit or later,
** and units are dealt in order. Once it takes one past the last unit, it
** has nothing left to do (split_over). */
static bool taken_here(struct split_walk *w, struct explorer *e, uint64_t unit)
{
    struct search *s = e->search;
    const struct coverage *c = &e->result->cov;
    const struct explore_split *sp = &e->cfg->split;
    if (s->claimed == EXPLORE_NO_UNIT && sp->finish_only && !e->cfg->resume.position &&
        !e->split_over) {             /* the one unit to search again, whole */
        s->claimed = sp->redo_unit;
        s->claimed_at[0] = c->executions;
        s->claimed_at[1] = c->pruned;
        s->claimed_at[2] = c->cut;
    }
    if (s->claimed == EXPLORE_NO_UNIT || s->claimed < unit) {
        if (s->claimed != EXPLORE_NO_UNIT)
            unit_done(s, e->cfg, c);
        if (e->cfg->split.finish_only) {   /* resumed: that unit was all it had */
            s->claimed = EXPLORE_NO_UNIT;     /* (and it is told once) */
            e->split_over = true;
            return false;
        }
        s->claimed = take(w->claims);
        s->claimed_at[0] = c->executions;
        s->claimed_at[1] = c->pruned;
        s->claimed_at[2] = c->cut;
    }
    if (s->claimed >= __atomic_load_n(&w->claims->limit, __ATOMIC_SEQ_CST))
        e->split_over = true;
    return s->claimed == unit;
}

/* Is the n-th unit of a kind of the shard index of count? */
static bool dealt_to(uint64_t n, uint32_t index, uint32_t count)
{
    return count <= 1 || n % count == index;
}

/* Is the n-th unit of a kind (e->unit in all) this shard's? --jobs
** --shard: of the shard's units, numbered in order, the one taken. */
static bool mine(struct split_walk *w, struct explorer *e, uint64_t n)
{
    const struct explore_claims *c = w->claims;
    if (c && c->shard_count > 1)
        return dealt_to(n, c->shard_index, c->shard_count) && taken_here(w, e, w->ordinal++);
    if (c)
        return taken_here(w, e, e->unit);
    return w->count != UINT32_MAX && dealt_to(n, w->index, w->count);
}

void explore_claims_failed(struct explore_claims *c, uint64_t unit, enum weft_result result)
{
    if (c->failed && unit < c->failed_cap)
        __atomic_store_n(&c->failed[unit], (unsigned char)(result + 1), __ATOMIC_SEQ_CST);
    else if (c->failed)
        __atomic_fetch_add(&c->failed_past_cap, 1, __ATOMIC_SEQ_CST);
    uint64_t low = __atomic_load_n(&c->lowest_failed, __ATOMIC_SEQ_CST);
    while (unit < low &&
           !__atomic_compare_exchange_n(&c->lowest_failed, &low, unit, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
        ;                             /* low is reloaded: another failure came first */
}

void split_failed(const struct explore_config *ec, uint64_t unit, enum weft_result result)
{
    if (ec->split.claims)
        explore_claims_failed(ec->split.claims, unit, result);
}

bool split_goes_past_failures(const struct explore_config *ec)
{
    const struct explore_claims *c = ec->split.claims;
    return c && c->keep_going && ec->split.unit_done == NULL && !ec->split.finish_only &&
           ec->accept == NULL;
}

bool split_past_failure(const struct explore_config *ec, uint64_t unit)
{
    const struct explore_claims *c = ec->split.claims;
    return c && !c->keep_going && unit > __atomic_load_n(&c->lowest_failed, __ATOMIC_SEQ_CST);
}

void split_begin(struct split_walk *w, struct explorer *e)
{
    const struct explore_split *sp = &e->cfg->split;
    memset(w, 0, sizeof *w);
    e->unit = 0;
    e->skip = false;
    if (sp->depth <= 0)
        return;
    w->depth = (size_t)sp->depth;
    w->index = sp->index;
    w->count = sp->count_only ? UINT32_MAX : sp->count;
    w->claims = sp->count_only ? NULL : sp->claims;
    e->split_over = false;
    w->first = true;
    w->hash = 0xcbf29ce484222325ULL;
}

/* split_stop_at at the split depth. */
bool split_reach_root(struct split_walk *w, struct explorer *e)
{
    w->reached = true;
    if (w->first && !w->at_root) {    /* a live unit: dealt out now */
        w->at_root = true;
        e->skip = !mine(w, e, w->live++);
        if (!e->skip && !explore_mark_unit(e))
            e->error = WEFT_ENOMEM;
    }
    return e->skip;
}

void split_end(struct split_walk *w, struct explorer *e)
{
    if (w->depth && w->first && !w->at_root) {
        e->skip = !mine(w, e, w->shorts++);
        if (!e->skip && !explore_mark_unit(e))
            e->error = WEFT_ENOMEM;
    }
}

/* FNV-1a over a unit's choices, then their number (so that a unit that
** ends early differs from one that goes on). */
static uint64_t hash_unit(uint64_t h, const uint32_t *choices, size_t n)
{
    for (size_t i = 0; i <= n; i++) {
        uint32_t v = i < n ? choices[i] : 0xffffffffu - (uint32_t)n;
        for (int b = 0; b < 4; b++)
            h = (h ^ ((v >> (8 * b)) & 0xff)) * 0x100000001b3ULL;
    }
    return h;
}

/*
** Where the unit of the next execution began, for a checkpoint to save
** instead of the position inside it when the search keyed a handle by its
** address (x->address_keys, sched.c: sched_handle_key). A position inside
** a unit holds DPOR's wakeup trees, whose operations name the objects they
** touch by key: in another process such a key names nothing, the loaded
** trees' operations look independent of the live ones, and the resumed
** search loses executions (address keys for every handle, lock_family
** 4x3 shard 0/2 resumed after execution 13,053: 166,320 of 173,880). The
** static top above a unit holds no wakeup tree, so a unit's beginning
** resumes exactly; the executions run since are run again. (In the first
** unit there is no beginning to go back to, an empty path: a checkpoint
** there saves the position inside it.)
*/
static void keep_unit_start(struct split_walk *w, struct explorer *e)
{
    if (e->cfg->checkpoint == NULL || w->claims || e->strategy->save == NULL)
        return;
    char *position = e->strategy->save(e);
    if (position == NULL)
        return;                       /* without memory, the last one stays */
    free(e->unit_start);
    e->unit_start = position;
    e->unit_start_cov = e->result->cov;
}

void split_resumed_at(struct explorer *e, const char *position)
{
    const struct explore_split *sp = &e->cfg->split;
    if (e->cfg->checkpoint == NULL || sp->depth <= 0 || sp->claims || sp->block)
        return;
    free(e->unit_start);
    e->unit_start = strdup(position);  /* without memory: the position inside */
    e->unit_start_cov = e->result->cov;
}

void split_advance(struct split_walk *w, struct explorer *e, size_t len, bool more)
{
    if (w->depth == 0)
        return;
    struct coverage_split *out = &e->result->cov.split;
    if (w->first) {                   /* its first choices are the unit's */
        w->hash = hash_unit(w->hash, e->rec, e->nrec < w->depth ? e->nrec : w->depth);
        w->first = false;
        out->units = e->unit + 1;
        out->live_units = w->live;
        out->unit_hash = w->hash;
    }
    out->deeper |= w->reached;
    if (more && len <= w->depth) {    /* a node of the static top moved on */
        e->unit++;
        w->first = true;
        w->at_root = false;
        e->skip = false;              /* until it is dealt out */
        keep_unit_start(w, e);
    }
}

int split_save(const struct split_walk *w, const struct explorer *e, char *buf, size_t n)
{
    if (w->depth == 0)
        return snprintf(buf, n, "%s", "");
    int len = snprintf(buf, n, "unit %" PRIu64 " %d %d %d %" PRIu64 " %" PRIu64 " %" PRIx64 "\n",
                       e->unit, w->first, w->at_root, e->skip, w->live, w->shorts, w->hash);
    if (w->claims && len > 0 && (size_t)len < n)   /* --jobs: the unit it took */
        len += snprintf(buf + len, n - (size_t)len,
                        "taken %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                        e->search->claimed, e->search->claimed_at[0], e->search->claimed_at[1],
                        e->search->claimed_at[2], w->ordinal);
    return len;
}

bool split_load(struct split_walk *w, struct explorer *e, const char **text)
{
    int first, at_root, skip, used = 0;
    uint64_t unit, live, shorts, hash;
    if (w->depth == 0)
        return strncmp(*text, "unit ", 5) != 0;
    if (sscanf(*text, "unit %" SCNu64 " %d %d %d %" SCNu64 " %" SCNu64 " %" SCNx64 "\n%n",
               &unit, &first, &at_root, &skip, &live, &shorts, &hash, &used) != 7 || !used)
        return false;
    *text += used;
    e->unit = unit;
    e->skip = skip != 0;
    w->first = first != 0;
    w->at_root = at_root != 0;
    w->live = live;
    w->shorts = shorts;
    w->hash = hash;
    used = 0;
    struct search *s = e->search;
    if (w->claims) {                  /* --jobs: the unit it took, and when */
        if (sscanf(*text, "taken %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                   "\n%n", &s->claimed, &s->claimed_at[0], &s->claimed_at[1],
                   &s->claimed_at[2], &w->ordinal, &used) != 5 || !used)
            return false;
        *text += used;
    }
    return true;
}

/* ==========================================================================
** The plan step (plan.c)
** ========================================================================== */

/* Walk through every unit of ec's search split at depth, running none:
** their number and hash in out->cov.split. 0, or WEFT_ENOMEM. *done: the
** walk got through (no stop, no time limit). */
static int count_units(struct search *s, const struct explore_config *ec,
                       const struct strategy *st, int depth, struct explore_result *out,
                       bool *done)
{
    struct explore_config c = *ec;
    c.split = (struct explore_split){ .depth = depth, .count_only = true };
    c.accept = NULL;
    c.on_class = NULL;
    c.progress = NULL;
    c.observe = NULL;
    c.checkpoint = NULL;
    c.mark = NULL;
    c.resume = (struct explore_resume){ 0 };
    memset(out, 0, sizeof *out);
    return explore_search(s, &c, st, out, 0, ec->time_limit, done);
}

/* The depth ec asks for, or the smallest that gives every shard its
** EXPLORE_SPLIT_UNITS units (or that no execution gets past). */
static int choose_depth(struct search *s, const struct explore_config *ec,
                        const struct strategy *st, struct explore_result *counted, bool *done)
{
    uint64_t shards = ec->split.depth_for ? ec->split.depth_for
                    : ec->split.count ? ec->split.count : 1;
    if (ec->split.depth != EXPLORE_SPLIT_AUTO)
        return count_units(s, ec, st, ec->split.depth, counted, done) ? -1 : ec->split.depth;
    for (int depth = 1;; depth++) {
        if (count_units(s, ec, st, depth, counted, done) != 0)
            return -1;
        if (!*done || counted->cov.split.live_units >= EXPLORE_SPLIT_UNITS * shards ||
            !counted->cov.split.deeper || depth == EXPLORE_SPLIT_MAX_DEPTH)
            return depth;
    }
}

/* --jobs: the count another process made (a worker that takes the place
** of one that failed need not count again); false if none has yet. */
static bool counted_before(const struct explore_config *ec, struct explore_result *counted,
                           int *depth)
{
    const struct explore_claims *c = ec->split.claims;
    if (c == NULL || (*depth = __atomic_load_n(&c->depth, __ATOMIC_ACQUIRE)) == 0)
        return false;
    memset(counted, 0, sizeof *counted);
    counted->cov.split.units = c->units;
    counted->cov.split.live_units = c->live_units;
    counted->cov.split.unit_hash = c->unit_hash;
    return true;
}

/* Of n units of a kind, how many the shard is dealt. */
static uint64_t of_shard(uint64_t n, const struct explore_claims *c)
{
    return n > c->shard_index ? (n - c->shard_index + c->shard_count - 1) / c->shard_count : 0;
}

/* --jobs: say the count to the other processes (units first: taking a
** unit reads it). */
static void publish_count(const struct explore_config *ec, const struct explore_result *counted,
                          int depth)
{
    struct explore_claims *c = ec->split.claims;
    if (c == NULL || __atomic_load_n(&c->depth, __ATOMIC_ACQUIRE) != 0)
        return;
    uint64_t live = counted->cov.split.live_units, all = counted->cov.split.units;
    c->live_units = live;
    c->unit_hash = counted->cov.split.unit_hash;
    __atomic_store_n(&c->limit, c->shard_count > 1 ? of_shard(live, c) + of_shard(all - live, c)
                                                   : all, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->units, all, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->depth, depth, __ATOMIC_RELEASE);
}

/* ==========================================================================
** A sampled search's units: blocks of executions (pct, random)
** ==========================================================================
** Execution n draws from a stream of its own (rng.h), so unit u, the
** executions [u * block, (u + 1) * block), is the same whoever runs it:
** nothing is walked through. Shards are dealt every N-th unit, --jobs
** workers take the next from the counter, as a tree's units.
*/

/* The number of the next unit this process runs, or EXPLORE_NO_UNIT. */
static uint64_t next_sample_unit(struct explorer *e, bool first)
{
    const struct explore_split *sp = &e->cfg->split;
    struct explore_claims *c = sp->claims;
    struct search *s = e->search;
    uint64_t units = e->result->cov.split.units, u;
    if (c && s->claimed != EXPLORE_NO_UNIT && first) {
        u = s->claimed;               /* searching again to check memory: the one it took */
    } else if (c) {
        uint64_t k = take(c);
        u = c->shard_count > 1 ? c->shard_index + k * c->shard_count : k;
        s->claimed = u;
    } else {
        u = first ? (sp->count > 1 ? sp->index : 0) : e->unit + (sp->count > 1 ? sp->count : 1);
    }
    return u < units ? u : EXPLORE_NO_UNIT;
}

/* Begin the next unit this process runs, if any. */
static bool begin_sample_unit(struct explorer *e, bool first)
{
    const struct explore_split *sp = &e->cfg->split;
    uint64_t u = next_sample_unit(e, first), total = e->cfg->max_executions;
    if (u == EXPLORE_NO_UNIT)
        return false;
    e->unit = u;
    e->sample = u * sp->block;
    e->sample_end = total - e->sample > sp->block ? e->sample + sp->block : total;
    if (!explore_mark_unit(e)) {
        e->error = WEFT_ENOMEM;
        return false;
    }
    return true;
}

bool split_sample_first(struct explorer *e)
{
    return begin_sample_unit(e, true);
}

bool split_sample_next(struct explorer *e)
{
    return begin_sample_unit(e, false);
}

/* The unit size for a budget of total executions cut for shards: whole
** epochs, EXPLORE_SPLIT_UNITS units a shard or more where the budget has
** enough epochs for it (a budget of less than an epoch: one unit). */
static uint64_t sample_block(uint64_t total, uint64_t shards)
{
    uint64_t per = EXPLORE_SAMPLE_EPOCH * EXPLORE_SPLIT_UNITS * shards;
    uint64_t block = EXPLORE_SAMPLE_EPOCH * (total / per + (total % per != 0));
    return block < total ? block : total ? total : 1;
}

/* How the search is split, in r's coverage and, from the moment the split
** is decided, in the window: a supervisor that must stop the process
** before it reports (a --jobs worker started with little time left)
** reports a shard's result that weft merge takes. */
static void show_split(const struct explore_config *ec, struct explore_result *r,
                       struct coverage_split split)
{
    split.index = ec->split.index;
    split.count = ec->split.count;
    split.failed_unit = EXPLORE_NO_UNIT;
    r->cov.split = split;
    if (ec->window && ec->window->phase == EXPLORE_SEARCHING)
        ec->window->cov.split = split;
}

/* The split of a tree, cut at depth into the units counted. */
static struct coverage_split tree_split(int depth, const struct explore_result *counted)
{
    return (struct coverage_split){ .depth = depth, .units = counted->cov.split.units,
                                    .live_units = counted->cov.split.live_units,
                                    .unit_hash = counted->cov.split.unit_hash };
}

/* A sampled search split into blocks of executions: this process's units
** (max_executions is the whole search's budget). */
static int run_sampled_split(struct search *s, const struct explore_config *ec,
                             const struct strategy *st, struct explore_result *r)
{
    uint64_t total = ec->max_executions, shards = ec->split.depth_for ? ec->split.depth_for
                                                : ec->split.count ? ec->split.count : 1;
    uint64_t block = sample_block(total, shards), units = total / block + (total % block != 0);
    struct explore_claims *cl = ec->split.claims;
    if (cl) {                         /* every worker counts the same: no race */
        __atomic_store_n(&cl->limit, cl->shard_count > 1 ? of_shard(units, cl) : units,
                         __ATOMIC_SEQ_CST);
        __atomic_store_n(&cl->units, units, __ATOMIC_SEQ_CST);
    }
    struct explore_config c = *ec;
    c.split.block = block;
    uint64_t hash = 0xcbf29ce484222325ULL;
    const uint64_t shape[] = { total, block };
    for (int i = 0; i < 2; i++)
        for (int b = 0; b < 8; b++)
            hash = (hash ^ ((shape[i] >> (8 * b)) & 0xff)) * 0x100000001b3ULL;
    show_split(ec, r, (struct coverage_split){ .units = units, .block = block, .unit_hash = hash });
    bool covered;
    int rc = explore_search(s, &c, st, r, 0, ec->time_limit, &covered);
    r->marks = s->marks;
    r->nmarks = s->nmarks;
    r->cov.exhaustive = false;        /* a sample never is */
    r->cov.seed = ec->seed;
    r->cov.depth = ec->depth;
    r->cov.split = (struct coverage_split){
        .block = block, .index = ec->split.index, .count = ec->split.count, .units = units,
        .unit_hash = hash, .failed_unit = r->failed ? r->cov.split.failed_unit : EXPLORE_NO_UNIT,
    };
    return rc;
}

int explore_run_split(struct search *s, const struct explore_config *ec,
                      const struct strategy *st, struct explore_result *r)
{
    if (ec->plan->sampled)
        return run_sampled_split(s, ec, st, r);
    struct explore_result counted;
    bool done = true, covered = false;
    int depth;
    if (!counted_before(ec, &counted, &depth))
        depth = choose_depth(s, ec, st, &counted, &done);
    if (depth < 0)
        return WEFT_ENOMEM;
    int rc = 0;
    if (done)
        publish_count(ec, &counted, depth);
    if (done) {
        struct explore_config c = *ec;
        c.split.depth = depth;
        show_split(ec, r, tree_split(depth, &counted));
        rc = explore_search(s, &c, st, r, ec->max_executions, ec->time_limit, &covered);
        if (rc == 0 && covered && ec->split.claims && s->claimed < ec->split.claims->limit)
            unit_done(s, ec, &r->cov);   /* the last unit it took ended the tree */
        r->marks = s->marks;
        r->nmarks = s->nmarks;
        r->marks_lost = ec->resume.position != NULL;
    } else {
        r->cov.interrupted |= counted.cov.interrupted;
    }
    r->cov.exhaustive = covered && !r->failed && !r->divergence[0] && r->cov.cut == 0;
    r->cov.seed = ec->seed;
    r->cov.depth = ec->depth;
    uint64_t failed_unit = r->failed ? r->cov.split.failed_unit : EXPLORE_NO_UNIT;
    show_split(ec, r, tree_split(depth, &counted));
    r->cov.split.failed_unit = failed_unit;
    return rc;
}
