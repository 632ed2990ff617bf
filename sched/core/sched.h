/*
** sched.h -- the execution: threads, objects, visible operations, the clock.
** Primitives describe each visible operation with an opclass (enabled?,
** apply, who blocks it) and hand it to sched_visible; only sched.c switches
** fibers. Which thread runs next is the explorer's decision (explore.h).
*/
#ifndef WEFT_SCHED_H
#define WEFT_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include "weft.h"
#include "fiber.h"

#define SCHED_MAX_THREADS 64          /* thread sets are uint64_t masks */
#define SCHED_DEFAULT_MAX_STEPS 10000
#define SCHED_NAME_MAX 48

typedef uint64_t sched_mask;
#define SCHED_BIT(tid) ((sched_mask)1 << (tid))

/* A source location recorded by every public macro. */
struct sched_loc { const char *file; int line; };

/*
** Every synchronisation object starts with this header. Objects live in the
** execution's arena and are numbered in creation order, so ids (not
** pointers) identify them across executions.
*/
enum sched_objkind { OBJ_THREAD, OBJ_MUTEX, OBJ_COND, OBJ_WAITGROUP, OBJ_CHAN, OBJ_CHOICE };
struct sched_obj {
    enum sched_objkind kind;
    int id;
    sched_mask users;                 /* threads that have operated on it */
    char name[SCHED_NAME_MAX];
    struct sched_obj *next_in_exec;   /* creation order, for reports */
};

struct sched_thread;
struct sched_op;

/* How sure a blocked op's blockers are to be the ones it waits for. */
enum sched_wait {
    WAIT_EXACT,     /* they must act: a mutex holder, a joined thread */
    WAIT_LIKELY,    /* they have used the object: a channel's other users */
    WAIT_ANYONE     /* nobody has: any live thread could */
};

/*
** What a visible operation is. enabled() says whether op can be performed
** now; apply() performs it (in scheduler context, never switching fibers);
** blockers() names the threads a blocked op waits for, and how surely.
** describe_wait() writes a phrase such as "wants mutex \"closeMutex\"".
*/
struct sched_opclass {
    const char *verb;
    bool (*enabled)(struct sched_thread *t, struct sched_op *op);
    void (*apply)(struct sched_thread *t, struct sched_op *op);
    sched_mask (*blockers)(struct sched_thread *t, struct sched_op *op, enum sched_wait *how);
    void (*describe_wait)(struct sched_op *op, char *buf, size_t n);
    bool commutes_with_everything;    /* purely local: yield, choose, sleep */
    bool acquires, releases;          /* takes / gives back its mutex (lock, unlock) */
    /* Optional: the objects op may touch when more than obj/obj2 (select);
    ** returns how many it wrote to objs. */
    int (*touches)(const struct sched_op *op, const struct sched_obj **objs, int max);
    /* Optional: true when performing op now would change nothing (a poll
    ** that would fail). Two such ops commute. */
    bool (*reads_only)(struct sched_thread *t, struct sched_op *op);
    /* Optional: true when op's outcome may change with any thread's step,
    ** not only with steps on its objects (see sched_op_global). */
    bool (*global)(const struct sched_op *op);
};

/*
** A pending visible operation. It lives in the calling thread's frame while
** the thread is parked in sched_visible, so primitives pass inputs and read
** results through it.
*/
struct sched_op {
    const struct sched_opclass *cls;
    struct sched_obj *obj;            /* what it acts on (may be NULL) */
    struct sched_obj *obj2;           /* a second object: cond wait's mutex */
    int64_t deadline;                 /* virtual ms, or -1: no timeout */
    intptr_t arg;                     /* op-specific input */
    void *ptr;                        /* op-specific input/output */
    void *ptr2;
    intptr_t result;                  /* op-specific output */
    int status;                       /* 0 or WEFT_E* */
    bool handed;                      /* completed by a partner thread */
    bool idle;                        /* apply changed nothing: a failed poll */
    bool timed_out;
    struct sched_loc loc;
    /* For the step log: a printf format (a string literal) taking two ints,
    ** formatted only when a report is printed, never on the hot path. */
    const char *note;
    int note_a, note_b;
};

enum sched_tstate { T_FREE, T_RUNNING, T_PARKED, T_FINISHED };

struct sched_thread {
    struct sched_obj obj;             /* a thread is also an object (join) */
    int id;
    enum sched_tstate state;
    struct fiber fiber;
    struct sched_op *pending;         /* set while T_PARKED */
    uint64_t park_seq;                /* FIFO order among parked threads */
    void (*fn)(void *);
    void *arg;
    void *wg_impl;                    /* wait group to signal on exit */
    struct sched_loc spawned_at;
    sched_mask after;                 /* fairness: threads that go first, after a spin */
    bool spinning;                    /* its last step was a yield ending a loop turn
                                         that repeated the turn before */
    bool spun;                        /* its last yield was spinning */
    uint64_t turn, last_turn;         /* signatures of the steps between yields */
    uint32_t turns;                   /* yields so far */
    int sym_prev;                     /* symmetric sibling spawned before it, or -1 */
    struct fiber *starter;            /* while in its prologue: who started it */
    struct sched_thread *starter_thread;
    uint32_t last_step;
};

/* One executed step, for the report and the explorer. */
struct sched_step {
    uint16_t tid;
    const struct sched_opclass *cls;
    int obj_id, obj2_id;              /* -1 when absent */
    struct sched_loc loc;
    int64_t time;
    const char *note;                 /* as in sched_op */
    int note_a, note_b;
    bool timed;                       /* had a deadline: depends on the clock */
};

/*
** How an execution ended. The failing thread and its operation are set for
** self-deadlock, assertion and crash.
*/
struct sched_outcome {
    enum weft_result result;
    int failing_tid;
    struct sched_loc where;
    char message[256];
    sched_mask spinning;              /* livelock: threads still running */
    bool cut;                         /* stopped at the step bound, no livelock */
    bool timed;                       /* some operation had a timeout or slept */
    bool abandoned;                   /* the chooser gave up (not a result) */
};

/* The explorer's side of an execution: called at every choice point. */
struct sched_chooser {
    /* Pick one of `enabled` (never empty); `current` is the thread that ran
    ** last or -1. Return its id, or -1 to abandon the execution. */
    int (*pick_thread)(void *self, sched_mask enabled, int current);
    /* Told when only thread tid can run; false abandons the execution
    ** (the thread is asleep: this path repeats an explored one). */
    bool (*forced)(void *self, int tid);
    /* Pick a value in [0, n), n >= 2. Return -1 to abandon. */
    int (*pick_value)(void *self, int n);
    /* Told after each step (for sleep sets); may be NULL. */
    void (*after_step)(void *self, const struct sched_step *s);
    void *self;
};

struct sched_config {
    const struct weft_scenario *scenario;
    int max_steps;
    size_t stack_size;
};

/* ---- the execution (sched.c) ---- */

/* Run one execution of cfg->scenario from fresh state, asking ch at every
** choice. Fills out. The execution's state (threads, objects, steps) stays
** readable until the next sched_run or sched_shutdown. */
void sched_run(const struct sched_config *cfg, const struct sched_chooser *ch,
               struct sched_outcome *out);
/* Release stacks and memory kept between executions. */
void sched_shutdown(void);

/* Called by primitives from a scenario thread: park with op pending until
** the explorer picks this thread and op->cls->apply has run. May switch. */
void sched_visible(struct sched_op *op);
/* Fail the execution now from a scenario thread (assertion, misuse). */
_Noreturn void sched_fail(enum weft_result r, struct sched_loc where, const char *fmt, ...)
    WEFT_PRINTF(3, 4);
/* Record a failure from scheduler context (inside apply). */
void sched_fail_in_apply(enum weft_result r, struct sched_thread *t,
                         struct sched_loc where, const char *fmt, ...) WEFT_PRINTF(4, 5);

struct sched_thread *sched_current(void);

/* The execution's threads by id. The table is sched.c's; these accessors
** are inline because every step of every strategy walks it. */
extern struct sched_thread sched_thread_table[SCHED_MAX_THREADS];
extern int sched_thread_count;

static inline int sched_nthreads(void) { return sched_thread_count; }

/* NULL when out of range. */
static inline struct sched_thread *sched_thread(int tid)
{
    return tid >= 0 && tid < sched_thread_count ? &sched_thread_table[tid] : NULL;
}
int64_t sched_now(void);
uint64_t sched_epoch(void);                   /* execution counter */
/* Create a thread (inside SPAWN's apply); it runs to its first visible op
** before the spawner resumes. NULL with a failure when past the limit. */
struct sched_thread *sched_spawn(const char *name, void (*fn)(void *), void *arg,
                                 struct sched_loc at, bool symmetric);
/* A data choice from scheduler context (select among ready cases). */
int sched_choose_value(int n);
/* True when op has a deadline and virtual time has reached it. */
bool sched_deadline_passed(const struct sched_op *op);
/* The objects op acts on (its obj and obj2, or a select's channels), each
** once, into objs (room for SCHED_MAX_OBJS); returns how many. The one
** definition both the sleep sets and DPOR use. */
#define SCHED_MAX_OBJS 66
int sched_op_objects_many(const struct sched_op *op, const struct sched_obj **objs);
static inline int sched_op_objects(const struct sched_op *op, const struct sched_obj **objs)
{
    int m = 0;
    if (op->cls->touches)             /* a select: its channels, deduplicated */
        return sched_op_objects_many(op, objs);
    if (op->obj)
        objs[m++] = op->obj;
    if (op->obj2 && op->obj2 != op->obj)
        objs[m++] = op->obj2;
    return m;
}
/* Does op depend on every step? A timeout does (any step may be the last
** before time moves), and so does a poll of a rendezvous channel: whether
** a partner is waiting there changes with the partner's previous step,
** whatever object that step touched. Searches treat such ops as conflicting
** with everything. */
static inline bool sched_op_global(const struct sched_op *op)
{
    return (op->deadline >= 0 && !op->cls->commutes_with_everything) ||
           (op->cls->global && op->cls->global(op));
}
/* yield's opclass: the scheduler's fairness rule needs to recognise it. */
extern const struct sched_opclass sched_yield_class;

/* Steps of the current (or last) execution. */
const struct sched_step *sched_steps(uint32_t *n);
/* Objects of the current (or last) execution in creation order. */
struct sched_obj *sched_objects(void);
struct sched_obj *sched_object_by_id(int id);

/* ---- crashes (crash.c) ---- */

/* Catch fatal signals in scenario threads (once per process). */
void crash_install(void);
/* From the signal handler: record a crash of the current thread and leave
** its fiber for good. */
_Noreturn void sched_crashed(int sig, void *addr, void *pc);

/* ---- objects and memory (object.c) ---- */

/* A public handle is live when it was bound in this execution; handles
** from earlier executions (or zeroed memory) are created afresh on use. */
bool sched_handle_live(const struct weft_handle_ *h);
void sched_handle_bind(struct weft_handle_ *h, void *impl);
/* A zeroed object of size bytes, named "kind#id" unless name is given. */
void *sched_object_new(enum sched_objkind kind, size_t size, const char *name);
void sched_object_name(struct sched_obj *o, const char *name);
/* Number o (already allocated, kind set) and append it to this execution. */
void sched_object_register(struct sched_obj *o, const char *name);
const char *sched_objkind_name(enum sched_objkind k);
void *sched_arena_alloc(size_t size);        /* zeroed, freed with the execution */
void sched_arena_reset(void);
void sched_arena_free(void);
void sched_objects_reset(void);
struct sched_obj *sched_objects_head(void);

/* ---- parameters (params.c) ---- */
void sched_param_set(const char *key, const char *value);
void sched_params_clear(void);
/* Visit the parameters set that no scenario has read (a misspelled key). */
void sched_params_unread(void (*fn)(const char *key, void *ctx), void *ctx);
/* Visit the parameters the scenario read, in first-read order. */
void sched_params_used(void (*fn)(const char *key, const char *value, void *ctx), void *ctx);

#endif
