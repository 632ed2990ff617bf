/*
** wakeup.h -- wakeup trees for optimal DPOR (wakeup.c; Abdulla, Aronis,
** Jonsson, Sagonas, "Source Sets: A Foundation for Optimal Dynamic Partial
** Order Reduction", JACM 2017).
**
** A wakeup tree at a state of the search holds the sequences of steps that
** must still be run from there: each branch reverses a race found below.
** The search takes the leftmost branch first and follows it step by step,
** so it reaches the reversed race without wandering into orders that an
** earlier branch (asleep by then) already covered: no execution is
** sleep-set-blocked. A sequence is inserted only when no existing branch
** already leads to something equivalent.
*/
#ifndef WEFT_WAKEUP_H
#define WEFT_WAKEUP_H

#include "core/sched.h"
#include "explore/pack.h"

/* One step as dependence sees it: who, and what it touches. */
enum {
    WAKE_LOCAL = 1,                   /* touches nothing shared */
    WAKE_GLOBAL = 2,                  /* depends on every step (--timers=idle) */
    WAKE_READS = 4,                   /* changed nothing: commutes with reads */
    WAKE_MANY = 8,                    /* more objects than fit: depends on all */
    WAKE_VALUE = 16,                  /* not a step: the value its thread's
                                         last step chose (weft_choose, a
                                         select among ready cases) */
    WAKE_SHARED = 32,                 /* OP_SHARED (op.h, sched_conflict) */
    WAKE_ALL = 64,                    /* OP_GLOBAL: depends on every step, local
                                         ones too (explore_dependent) */
};
#define WAKE_OBJS 4
struct wake_op {
    uint64_t thread;                  /* the thread's key (object.h): its name
                                         in every execution */
    uint64_t obj[WAKE_OBJS];          /* the objects' keys */
    int32_t tid;                      /* its id in the execution described */
    uint8_t flags;                    /* WAKE_* */
    uint8_t nobj;
    uint32_t value;                   /* WAKE_VALUE: the value chosen */
};

/*
** Value choices. A step that chooses a value (a select among ready cases,
** weft_choose) is followed, in sequences and trees, by one WAKE_VALUE item
** per value it chose: the thread's later steps depend on the value, so a
** branch recorded under one value says nothing of another. A value item
** is local (it commutes with every step) and belongs to its thread's
** order like a step.
*/

/* Describe thread t's pending operation op as it would run now. */
void wake_op_of(struct exec *x, const struct sched_thread *t, struct sched_op *op,
                struct wake_op *out);
/* out (describing op, which cannot run now) narrowed to the objects a
** step must touch to let op run (sched_opclass.enablers). */
void wake_op_enablers(const struct sched_op *op, struct wake_op *out);
/* May a and b (of different threads) fail to commute? */
bool wake_dependent(const struct wake_op *a, const struct wake_op *b);

/*
** A sequence to insert: steps in the order they ran, each with its vector
** clock (valid while the insertion runs), so happens-before among them is
** a clock comparison. Built by dpor.c (dpor_reversal); consumed step by
** step by the insertion.
*/
struct wake_step {
    struct wake_op op;
    const uint32_t *clock;
    int32_t next_same;                /* index of the thread's next step, or -1 */
    bool gone;                        /* consumed by the insertion */
};
struct wake_seq {
    struct wake_step *step;
    size_t cap;
    uint32_t n, left;                 /* left: steps not gone */
    /* Per thread, room for tcap of them (wake_seq_room): */
    int32_t *first;                   /* each thread's first step not gone, or -1 */
    int32_t *last;                    /* while building */
    uint32_t *nclock;                 /* the final step's own clock */
    size_t tcap;
    /* Its threads in the order of their first steps (those with no step
    ** left have first -1): a plain list, not an interned set, since a
    ** sequence over many threads would intern a set for each it adds. */
    int32_t *order;
    uint32_t nthreads;
    struct mask_table *tab;           /* kept for the callers' trees */
};

/* An empty sequence, whose thread sets are made in tab (wake_seq_free
** makes it empty again). */
void wake_seq_init(struct wake_seq *s, struct mask_table *tab);
void wake_seq_clear(struct wake_seq *s);
/* Room for threads [0, n): false without memory. */
bool wake_seq_room(struct wake_seq *s, size_t n);
/* Append a step: false without memory. */
bool wake_seq_add(struct wake_seq *s, const struct wake_op *op, const uint32_t *clock);
void wake_seq_free(struct wake_seq *s);
/* Is thread r, whose next step from the sequence's start state is `next`,
** a weak initial of s: can it go first and still lead to s's order (it
** begins s, or commutes with all of it)? */
bool wake_seq_weak_initial(const struct wake_seq *s, const struct wake_op *next);
/* The same for s followed by `then` (a step of a thread not in s). */
bool wake_seq_weak_initial_then(const struct wake_seq *s, const struct wake_op *next,
                                const struct wake_op *then);
/* The thread of s's first step, or -1 when s is empty. */
int wake_seq_head(const struct wake_seq *s);

/*
** The trees. Nodes live in one pool; a tree is named by the index of its
** root, whose children are the branches (the root's own op is unused).
*/
typedef int32_t wake_tree;
#define WAKE_NONE (-1)

struct wake_node {
    struct wake_op op;
    int32_t child, sibling;           /* first child, next sibling; -1: none */
    uint64_t version;                 /* a root's: moves on whenever its tree changes */
};
struct wake_pool {
    struct wake_node *node;
    size_t n, cap;
    int32_t free_list;                /* through .sibling */
};

void wake_pool_init(struct wake_pool *p);
void wake_pool_free(struct wake_pool *p);
/* A tree with no branches: its root, or WAKE_NONE without memory. */
wake_tree wake_tree_new(struct wake_pool *p);
/* Free t and all below it. */
void wake_tree_drop(struct wake_pool *p, wake_tree t);
/* The first step of t's first branch, or NULL if t has none. */
const struct wake_op *wake_tree_first(const struct wake_pool *p, wake_tree t);
/* How many branches t has. */
int wake_tree_branches(const struct wake_pool *p, wake_tree t);
/* t's version: the same as long as t has not changed (nothing inserted,
** added or taken), so a search may know that what it found once of t
** still holds. */
static inline uint64_t wake_tree_version(const struct wake_pool *p, wake_tree t)
{
    return t >= 0 ? p->node[t].version : 0;
}
/* Detach the branch of t that begins with a step of the thread whose key
** is given: the node of that first step, itself the root of what follows
** it; WAKE_NONE if none. */
wake_tree wake_tree_take(struct wake_pool *p, wake_tree t, uint64_t thread);
/* The same for the branch that begins with that thread's choice of value. */
wake_tree wake_tree_take_value(struct wake_pool *p, wake_tree t, uint64_t thread,
                               uint32_t value);
/* Add a branch for the single step op at the end of t's branches, unless
** one begins with its thread: false without memory. */
bool wake_tree_add_step(struct wake_pool *p, wake_tree t, const struct wake_op *op);
/* Append t's branches to the text buffer *buf (of *len bytes, *cap
** allocated), one line per node ("depth thread tid flags objs..."), and a
** line "." to end them: false without memory. */
bool wake_tree_write(const struct wake_pool *p, wake_tree t, char **buf, size_t *len,
                     size_t *cap);
/* Append text to the buffer as wake_tree_write does: false without memory. */
bool wake_text_append(char **buf, size_t *len, size_t *cap, const char *text);
/* Read what wake_tree_write wrote, from *text on (moved past it), into a
** new tree: WAKE_NONE if the text is not such a tree or without memory. */
wake_tree wake_tree_read(struct wake_pool *p, const char **text);
/* The same in binary (pack.h), for the marks between processes: false
** without memory; and back (WAKE_NONE, u->bad set or not, if the bytes
** are not such a tree or without memory). */
bool wake_tree_pack(const struct wake_pool *p, wake_tree t, struct pack *out);
wake_tree wake_tree_unpack(struct wake_pool *p, struct unpack *u);
/* Insert s into t unless a branch already leads to an equivalent order:
** s is consumed. Returns 1 if inserted, 0 if covered, -1 without memory. */
int wake_tree_insert(struct wake_pool *p, wake_tree t, struct wake_seq *s);

#endif
