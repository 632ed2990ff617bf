/*
** exec.h -- one execution: its threads, objects, arena, parameters, clock,
** steps and outcome, all in struct exec. Nothing of an execution lives
** anywhere else, so explorations can run side by side in one process; the
** public API finds the running one through one thread-local pointer.
*/
#ifndef WEFT_EXEC_H
#define WEFT_EXEC_H

#include <setjmp.h>
#include <signal.h>
#include "core/fiber.h"
#include "core/op.h"

#define SCHED_DEFAULT_MAX_STEPS 10000
/* How many of a thread's last loop turns the fairness rule remembers: a
** polling loop whose turns cycle through up to this many kinds is seen. */
#define SCHED_TURN_MEMORY 4
/* How many turns a loop may take the same path with values that keep
** changing (a retry count, a moving deadline) before the fairness rule
** holds it back as a spin anyway, and the summary says so (sched.c). */
#define SCHED_MOVING_TURNS 16
/* How many of a thread's steps that changed nothing in a row (polls: an
** atomic load, a failed try-lock, a select that found nothing) it
** remembers: a loop that polls without yielding goes round when one of
** them comes again, and that ends a loop turn as a yield would. */
#define SCHED_POLL_MEMORY 8
/* How many of a thread's selects, by line, remember the case they took. */
#define SCHED_SELECT_MEMORY 8

enum sched_tstate { T_FREE, T_RUNNING, T_PARKED, T_FINISHED };

/* A parked thread's place in the watchers of one object its pending
** operation's enabledness depends on (sched.c, enabled sets). */
struct sched_watch {
    struct sched_thread *thread;
    struct sched_obj *obj;
    struct sched_watch *prev, *next;
};
/* The most objects a pending operation is watched on; one on more (a
** select over many channels) is re-evaluated at every choice instead. */
#define SCHED_WATCH_MAX 4
/* From how many threads an execution keeps enabled sets by watching
** (-DSCHED_WATCH_FROM=1 with -DWEFT_CHECK_ENABLED_SETS tests it always). */
#ifndef SCHED_WATCH_FROM
#define SCHED_WATCH_FROM 8
#endif

/* A call chain: the return addresses of the frames that called a visible
** operation, innermost first, from the caller of weft's call to the
** thread's function. Captured only when cfg->capture_chains (a report
** re-runs its failing schedule so), symbolised only by reports. */
#define SCHED_CHAIN_MAX 8
struct sched_chain {
    const void *pc[SCHED_CHAIN_MAX];
    int n;
};

/* A step's own words beyond its note (sched_opclass.describe_step), kept
** like chains only while a report re-runs a schedule. */
#define SCHED_DETAIL_MAX 120
struct sched_detail {
    uint32_t step;
    char text[SCHED_DETAIL_MAX];
};

/*
** A scenario thread. Fairness (see fair_threads in sched.c): a thread is
** spinning when the steps since its last yield repeat those of one of its
** last SCHED_TURN_MEMORY loop turns; it then waits until the threads in
** `after` made progress. A poll that comes again ends a turn as a yield
** does (`polls`: see note_turn).
*/
struct sched_thread {
    struct sched_obj obj;             /* a thread is also an object (spawn, join) */
    int id;
    enum sched_tstate state;
    struct fiber fiber;
    struct sched_op *pending;         /* set while T_PARKED */
    bool (*ask)(struct exec *x, struct sched_op *op);   /* pending's enabled
                                         test, NULL once it is always enabled
                                         or completed: one load to ask */
    uint64_t park_seq;                /* when it last parked (DPOR's bookkeeping) */
    void (*fn)(void *);
    void *arg;
    struct sched_loc spawned_at;
    sched_mask after;                 /* threads that go first, after a spin */
    bool spinning;                    /* its last step was a yield ending a turn
                                         that repeated a recent turn */
    bool awaiting;                    /* spinning, and nobody else could run
                                         when its turn ended (it held a lock
                                         the others wait for): whom it waits
                                         for is who can run at its next step
                                         where anyone can (note_turn) */
    bool spun;                        /* its last yield was spinning */
    bool turn_clock;                  /* its turn so far read the clock */
    bool spun_on_clock;               /* its last turn, which spun, read it */
    uint64_t turn;                    /* signature of the steps since its last yield,
                                         and of the values its code compared */
    uint64_t path;                    /* the same, with only the outcomes of
                                         those comparisons */
    int turn_objects;                 /* how many objects the execution, and */
    uint32_t turn_made;               /* it, had made when its turn began
                                         (turn_key) */
    uint32_t moving;                  /* turns that took a recent path with new
                                         values since it was last held back */
    bool spin_moved;                  /* its last turn spun by that count */
    uint32_t turns;                   /* yields so far */
    uint32_t turn_began;              /* the step its turn began at, and the */
    uint32_t last_turn_began;         /* one its last ended turn began at */
    uint32_t spins_in_row;            /* its last turns that spun, in a row */
    uint32_t npolls;
    int sym_prev;                     /* symmetric sibling spawned before it, -1,
                                         or -2: not spawned symmetric */
    bool acted;                       /* took a step other than its start */
    uint32_t *hb;                     /* its happens-before clock (race.c) */
    uint32_t hb_step;                 /* its own entry of hb at its last step,
                                         before the step released it: an atomic
                                         access is recorded at it (race_atomic) */
    uint32_t *hb_released;            /* hb at its last release fence, or NULL:
                                         what its relaxed stores release */
    uint32_t *hb_to_acquire;          /* what its relaxed loads read since: its
                                         next acquire fence acquires it */
    uint32_t last_step;               /* 1-based index of its last step, 0: none */
    /* Plain reads of one address since its last step (sync/tsan.c): a
    ** loop that polls plain memory. */
    const volatile void *plain_polled;
    uint32_t plain_reads, plain_since;
    uint32_t made;                    /* objects and threads it has made (keys) */
    bool joined;                      /* a join of it returned: its steps come
                                         before the joiner's next */
    bool cancelled;                   /* it ended by acting on a cancellation
                                         (a program's thread: posix/cancel.c) */
    struct sched_loc cancelled_at;    /* ... at this cancellation point */
    bool detached;                    /* nobody joins it; the execution does
                                         not wait for it (sched_detach) */
    /* The case its last selects took, each where it is (sync/chan.c,
    ** fair_cases): a loop's selects, one entry each, oldest replaced. */
    struct { struct sched_loc at; int taken; } selects[SCHED_SELECT_MEMORY];
    uint8_t selects_next;
    uint32_t select_rotation;         /* for selects past those it remembers */
    bool daemon;                      /* a timer's thread (sync/timer.c): waiting
                                         at the end, it is not blocked */
    /* A program's cancellation (posix/cancel.c): while interruptible and
    ** interrupt is set, its pending operation is enabled, and its step
    ** ends it unperformed (apply skipped), setting interrupted: any
    ** operation (SCHED_INTERRUPT_ANY), or only one that cannot be
    ** performed now (SCHED_INTERRUPT_BLOCKED). */
    uint8_t interruptible;
    bool interrupt, interrupted;
    uint32_t interrupt_since;         /* the step that set interrupt */
    /* Enabled sets, kept incrementally (sched.c): whether it was enabled
    ** when last evaluated, whether it is on x->recheck, and whether its
    ** pending operation must be evaluated at every choice (a timer: the
    ** clock moves without a step on its objects). */
    bool enabled, recheck, always_recheck;
    /* A program's signal handler is due in it (posix/delivery.c): it runs
    ** the handler as it next resumes (x->run_due_signals). A handler due
    ** ends the wait the thread is parked in, as the kernel interrupts a
    ** call for it: the wait's step is "interrupted by a signal",
    ** unperformed, and has been possible since the step signal_since
    ** that made the handler due. After the handler the call waits again,
    ** unless the call said otherwise (eintr, posix/delivery.c): then
    ** signal_cut tells it that it fails with EINTR. */
    bool signal_due, signal_cut;
    /* Set while a call waits with a signal mask of its own (ppoll,
    ** pselect, epoll_pwait: posix/io.c): the mask came in with the call,
    ** so a handler due ends any of its steps, not only one that waits. */
    bool signal_cuts_all;
    uint8_t eintr;
    uint8_t handling;                 /* the signal whose handler it runs, or 0;
                                         SCHED_EXIT_HANDLERS: exit's handlers */
    uint32_t signal_since;
    int64_t signal_due_at;            /* the time then: a wait whose deadline
                                         came first was over (sched.c, step) */
    int nwatch;
    /* Its store buffer (sync/atomic.c), made at its first atomic store
    ** weaker than seq_cst; buffered while it holds stores: its next
    ** operation that is not OP_BUFFERED drains it first, as x86 does. */
    struct store_buffer *stores;
    bool buffered;
    /* From here on, what a new thread need not have zeroed (thread_create
    ** zeroes only what comes before): each is written before it is read. */
    struct sched_watch watch[SCHED_WATCH_MAX];   /* watch[i] for i < nwatch */
    uint64_t recent[SCHED_TURN_MEMORY];   /* signatures of its last turns, by
                                         turns % SCHED_TURN_MEMORY: those
                                         below turns */
    uint64_t recent_paths[SCHED_TURN_MEMORY];   /* their paths, likewise */
    uint8_t recent_repeats;           /* bit turn % SCHED_TURN_MEMORY: whether that
                                         turn repeated one before it */
    uint64_t polls[SCHED_POLL_MEMORY];    /* the steps (step_key) that changed
                                         nothing since its last turn ended or
                                         it last changed something: below npolls */
    struct sched_chain chain;         /* pending's call chain, when
                                         cfg->capture_chains (n set at creation) */
    struct sched_op start;            /* its first pending operation (park_on_start
                                         writes it whole) */
};

enum { SCHED_INTERRUPT_BLOCKED = 1, SCHED_INTERRUPT_ANY = 2 };

/* One executed step, for the report and the searches. Laid out without
** padding (64 bytes): an execution keeps one per step. */
/* sched_thread.handling while a program's atexit or on_exit handlers run
** (above any signal number): reports say "exit handler: lock m". */
#define SCHED_EXIT_HANDLERS 255

struct sched_step {
    const struct sched_opclass *cls;
    struct sched_loc loc;
    int64_t time;
    const char *note;                 /* as in sched_op */
    uint32_t tid;
    int obj_id;                       /* -1 when absent */
    int note_a, note_b;
    bool timed;                       /* waited on a timer under the idle rule */
    bool preempts;                    /* the thread of the step before could
                                         have gone on instead (set only when
                                         chains are captured) */
    uint8_t handler;                  /* taken in a program's handler for this
                                         signal (sched_thread.handling), or 0 */
    int32_t passed_by;                /* a thread that could have run when this
                                         step's timer fired, or -1 (set only
                                         when chains are captured) */
    bool passed_spinning;             /* that thread was held back as spinning */
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
    bool timed;                       /* a timer fired under the idle rule */
    bool held_back;                   /* fairness kept a spinning thread from
                                         a choice it was enabled for */
    bool held_moving;                 /* ... one whose loop's values still
                                         changed (SCHED_MOVING_TURNS) */
    bool abandoned;                   /* the chooser gave up (not a result) */
    bool weak_as_sc;                  /* a store weaker than seq_cst ran as
                                         seq_cst (--memory-model sc) */
    bool relaxed;                     /* a relaxed atomic ran: reordered only as
                                         x86 reorders it (sync/atomic.c) */
    bool relaxed_loads;               /* ... under pso: its loads kept in order */
    bool weak_sync;                   /* an atomic weaker than seq_cst ran: it
                                         orders less for the race check */
    char row[32];                     /* the failing row's words, when not the
                                         result's ("exit(3)"), or "" */
    int ender;                        /* the thread whose return ended the
                                         execution while detached threads
                                         were left, or -1 */
    /* A data race: the earlier access of the two (the later one is the
    ** failing thread's, at `where`). */
    int race_tid;
    struct sched_loc race_where;
    const char *race_name;            /* WEFT_READ's argument, or NULL */
    bool race_write, race_now_write;
    bool race_atomic, race_now_atomic;   /* an atomic operation's (the other is plain) */
    bool race_now_free;               /* the failing access frees the memory */
    /* Instrumented accesses (--memory=all): the code that made each, or
    ** NULL. Symbolised only when a report is built (report/symbol.c). */
    const void *race_pc, *race_now_pc;
    /* Code whose line names the failure better than `where`, or NULL (a
    ** program's main that returned: its entry, as the return is not seen).
    ** Symbolised only when a report is built. */
    const void *where_pc;
};

/* The search's side of an execution: called at every choice point. */
struct sched_chooser {
    /* Pick one of `enabled` (never empty); `current` is the thread that ran
    ** last or -1. Return its id, or -1 to abandon the execution. */
    int (*pick_thread)(void *self, sched_mask enabled, int current);
    /* Told when only thread tid can run; false abandons the execution. */
    bool (*forced)(void *self, int tid);
    /* Pick a value in [0, n), n >= 2. Return -1 to abandon. */
    int (*pick_value)(void *self, int n);
    /* Told after each step (for sleep sets and DPOR); may be NULL. A
    ** failure it records (sched_fail_in_apply) ends the execution there,
    ** before the thread runs on. */
    void (*after_step)(void *self, const struct sched_step *s);
    void *self;
};

struct params;

struct sched_config {
    const struct weft_scenario *scenario;
    int max_steps;
    size_t stack_size;
    struct params *params;            /* --param values (may be NULL) */
    bool timers_idle;                 /* --timers=idle: fire only when nothing runs */
    bool exact_spins;                 /* --spin-order exact: mark spin edges
                                         (op.h), which the searches order with
                                         every step */
    bool check_memory;                /* track happens-before for checked memory
                                         (race.c); a search turns it on once an
                                         execution has used checked memory */
    bool check_all_memory;            /* --memory=all: every instrumented load and
                                         store is checked (sync/tsan.c) */
    bool capture_chains;              /* record each step's call chain (slow:
                                         reports re-run one schedule so) */
    bool sc_atomics;                  /* --memory-model sc: a program's atomics
                                         weaker than seq_cst run as seq_cst,
                                         with no store buffer (sync/atomic.c) */
    bool reorder_stores;              /* --memory-model pso: buffered stores to
                                         different addresses reach memory in any
                                         order C11 allows (sync/atomic.c) */
};

/* Where a signal in a scenario thread is handled: its own stack, per OS
** thread (crash.c). */
struct crash_guard {
    void *stack;
    size_t size;
    stack_t saved;
    bool entered;
};

/* What a program wrote to standard output or error in one execution: its
** first SCHED_OUTPUT_MAX bytes (in the arena), and how many more there were. */
#define SCHED_OUTPUT_MAX 4096
struct sched_output {
    char *text;
    size_t len;
    uint64_t more;
};

struct exec {
    /* ---- what runs ---- */
    const struct sched_config *cfg;
    const struct sched_chooser *chooser;
    struct sched_outcome outcome;
    struct fiber scheduler;           /* the OS stack sched_run runs on */
    bool scheduler_ready;
    struct sched_thread *current;     /* running scenario thread, or NULL */
    struct fiber *running;            /* the fiber executing now */
    int last_tid;                     /* thread of the previous step */
    uint32_t last_progress;           /* the last step that changed anything, + 1 */
    int64_t now;                      /* virtual ns */
    uint64_t epoch;                   /* unique in the process, per execution */
    uint64_t park_counter;
    uint32_t made;                    /* objects made outside any thread (keys) */
    bool failed, abandoned;
    bool address_keys;                /* a handle was keyed by its address
                                         (sched_handle_key) in this search:
                                         its positions hold keys of this
                                         process only (search_new clears it) */
    sched_mask spinners, delayed;     /* threads with spinning set / after != 0 */
    sched_mask runnable;              /* enabled at this choice, before fairness
                                         and symmetry filtered them */
    /* Enabled sets (sched.c): a bit per thread, as last evaluated, and the
    ** threads to evaluate again before the next choice (each at most once:
    ** room for threads_cap). */
    uint64_t *enabled_words;
    size_t enabled_nwords;
    int *recheck;
    int nrecheck, recheck_cap;
    bool watching;                    /* kept by watching, not by asking every
                                         thread (from SCHED_WATCH_FROM threads) */
    bool any_symmetric;               /* a thread was spawned symmetric */
    bool interrupts;                  /* a cancellation request or a signal's
                                         handler may end a wait: thread ends
                                         are steps from then on (sched.c) */
    int live_joinable, live_detached; /* threads not finished, by kind */
    int detached_ever;                /* threads detached in this execution */
    struct mask_table masks;          /* thread sets past 62 threads (mask.h),
                                         kept with the context */
    sigjmp_buf on_crash;              /* where a crashed fiber escapes to */
    /* ---- threads and steps ---- */
    /* Each thread apart, so pointers to it stay valid as more are made;
    ** kept with their stacks from one execution to the next. */
    struct sched_thread **threads;
    int nthreads, threads_cap;
    struct sched_step *steps;
    uint32_t nsteps, steps_cap;
    struct sched_chain *chains;       /* each step's, when cfg->capture_chains;
                                         else NULL */
    struct sched_chain *chains_buf;   /* steps_cap of them, kept for reuse */
    struct sched_detail *details;     /* with chains: the steps that have one */
    uint32_t ndetails, details_cap;
    /* ---- objects and memory ---- */
    struct arena arena;
    struct sched_obj *objects, **objects_tail;
    int nobjects;
    struct sched_obj *clock;          /* made at the first timed operation */
    struct sched_kernel_timer *kernel_timers;   /* alarms and the like (sched.c) */
    struct sched_obj *returns;        /* the returns of threads not detached,
                                         made at the first that is a step (sched.c) */
    struct sched_timer **armed;       /* timers started, not ended */
    uint64_t timers_made;             /* timers made so far (sched_timers_mark) */
    int narmed, armed_cap;
    struct shadow *shadow;            /* checked memory's accesses (race.c) */
    struct atomic_impl *memory_cells; /* atomics at addresses (sync/atomic.c) */
    struct sched_output output[2];    /* standard output and error, captured */
    struct sched_site {               /* the next atomic step's place and name, */
        const volatile void *addr;    /* given by a program's atomic_* call */
        const char *name;             /* ("&p->flag") before the instrumented */
        struct sched_loc at;          /* access reaches sync_atomic_at */
    } atomic_site;
    struct posix_exec *program;       /* a pthread program's threads, heap and
                                         once table (posix/), made on first use */
    /* Called before a thread's fiber is resumed (to == NULL: the scheduler's
    ** stack) and before a failed or crashed thread is left: a pthread
    ** program gives each thread its own errno and thread-local storage so
    ** (posix/tls.c). NULL for scenarios; set by a scenario's setup. */
    void (*on_switch)(struct exec *x, struct sched_thread *to);
    /* Drains the running thread's store buffer, a step of its own
    ** (sync/atomic.c); set when the first buffer is made. */
    void (*drain_stores)(struct exec *x);
    /* Runs the signal handlers due in the running thread, which has just
    ** resumed (posix/delivery.c); set when the first is made due. True
    ** when the wait they interrupted (cut, or NULL) fails with EINTR
    ** rather than go on. */
    bool (*run_due_signals)(struct exec *x, const struct sched_op *cut);
    size_t spawn_stack_size;          /* the stack the next spawn asks for, when
                                         more than cfg's (pthread_attr_setstacksize):
                                         taken by the spawn op as it is made, and
                                         given to thread_create in its step only */
    bool shadow_oom;
    bool memory_unchecked;            /* checked memory was used without cfg->check_memory */
    struct crash_guard crash;
};

/* The execution running on this OS thread, or NULL. Set by sched_run. */
extern _Thread_local struct exec *exec_running_
    __attribute__((visibility("hidden"), tls_model("initial-exec")));

static inline struct exec *exec_current(void) { return exec_running_; }

#endif
