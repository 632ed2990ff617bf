/*
** shard.h -- a split search's walk through its units (shard.c), as the
** depth-first strategies (dfs.c) keep it: which choice nodes are static,
** which unit the running execution is in, and whether it is this shard's.
*/
#ifndef WEFT_SHARD_H
#define WEFT_SHARD_H

#include "explore/strategy.h"

/*
** Units are numbered in depth-first order (the number a failure is
** reported with), but dealt out to the shards in two rounds of their own:
** the units whose first execution reaches the split depth (live units,
** where the work is), and the short ones whose first execution ends above
** it (one execution each, often a pruned one). A unit's shard is known
** once its first execution reaches the depth or ends.
*/
struct split_walk {
    size_t depth;                     /* path nodes [0, depth) are static; 0: no split */
    uint32_t index, count;            /* count UINT32_MAX: no unit is this process's */
    bool first;                       /* the running execution is its unit's first */
    bool at_root;                     /* and it reached the depth */
    bool reached;                     /* some execution reached the depth */
    uint64_t live, shorts;            /* units of each kind dealt out so far */
    uint64_t hash;                    /* of the units' choices so far */
    struct explore_claims *claims;    /* --jobs: units are taken, not dealt (the one
                                         taken last: e->search->claimed) */
    uint64_t ordinal;                 /* --jobs --shard: the shard's units dealt so far */
};

/* Set w up from e's configuration, at unit 0. */
void split_begin(struct split_walk *w, struct explorer *e);
/* Is path node `node` static (it branches on every awake thread)? */
static inline bool split_static(const struct split_walk *w, size_t node)
{
    return node < w->depth;
}
/*
** A unit's DPOR search keeps the sleepers the static top hands down (they
** prune), but never takes one of them as covering a reversal (dfs.c,
** covering_sleep): a sleeper of the top was explored by plain sleep-set
** search, not along the wakeup sequences DPOR's coverage argument needs,
** and trusting them lost classes (lastzero, generated critical sections).
*/
/* A choice node is about to be made at path position `node` of an
** execution of another shard's unit: true if the execution ends here
** (it reached the unit's root; what lies below is not walked). */
bool split_reach_root(struct split_walk *w, struct explorer *e);
static inline bool split_stop_at(struct split_walk *w, struct explorer *e, size_t node)
{
    return node == w->depth && w->depth != 0 && split_reach_root(w, e);   /* inline: asked
                                         at every choice, and a search is rarely split */
}
/* The execution has ended, before it is counted: a short unit is dealt out. */
void split_end(struct split_walk *w, struct explorer *e);
/* The execution has ended; the next one keeps the path's first len nodes
** (more: there is a next one). */
void split_advance(struct split_walk *w, struct explorer *e, size_t len, bool more);
/* The unit number and hash as a checkpoint keeps them, and back. */
int split_save(const struct split_walk *w, const struct explorer *e, char *buf, size_t n);
bool split_load(struct split_walk *w, struct explorer *e, const char **text);

#endif
