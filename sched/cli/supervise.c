/*
** supervise.c -- runs a search in a child process that this one watches
** (--isolate=process, the default), so that nothing a scenario does ends
** weft: not exit, _exit, a fatal signal, a loop without a visible
** operation, nor a call that blocks for real. The child records the
** execution in progress in a shared mapping (struct explore_window) with
** plain stores; this process samples it every few milliseconds and, when
** the child dies or stops making progress, turns that execution into a
** report. SIGINT and SIGTERM are taken here (the child runs in a process
** group of its own) and stop the search cleanly.
**
** A search that goes on past failures (--classes) goes on past a death
** too: its child leaves marks, the search's position and counts, in the
** mapping and in two memory files; after reporting the death this process
** starts a new child that goes on from the last mark and ends the
** execution that died, where it died, as an ordinary failure (explore.h,
** resume.died). The counts are then those of a search where the death was
** an assertion failing at that place.
*/
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

#define POLL_NS 10000000L             /* how often the window is sampled: 10 ms */
#define INTERRUPT_GRACE 2.0           /* seconds the child has to report after a stop */
#define STUCK_CPU_SHARE 0.25          /* a child below this share of a CPU is not spinning */

/* A mark: the counts at an execution's start; the position (binary,
** explore.h) is in the slot's memory file. */
struct mark {
    uint64_t executions, pruned, cut, failing;
    int failing_result;
    bool timed, bound_hit, check_memory;
    unsigned caveats;
    bool fresh;                       /* before the first execution: no position */
    int64_t classes_at;               /* the --classes file's length then, or -1 */
    size_t len;                       /* of the position */
};

/* For a child that replaces one that died: where to go on from, and how
** the execution it died in ends. */
struct restart {
    bool active;
    int slot;                         /* of the mark */
    struct mark mark;
    uint64_t died_index;
    uint32_t died_steps, died_choices;
    struct sched_outcome died;
};

/* The mapping: the window, then what only the supervisor and the child
** share (how the child ended by itself, its marks), then the choices. */
struct shared {
    struct explore_window w;
    volatile int done, rc;
    volatile int handed_on;           /* --isolate fork: the child ran its execution */
    bool fork_each;
    double started;                   /* when the search began (cli_seconds) */
    int marked;                       /* 0: no mark yet; else slot[marked - 1] (atomic) */
    struct mark slot[2];              /* written in turn: one is whole while the other is not */
    struct restart restart;
};

/* The child's side of it (cli.h): one per supervised search, copied into
** each child. */
struct cli_child {
    struct shared *sh;
    int fd[2];                        /* the slots' memory files, -1: no marks */
    FILE *classes;                    /* written by the search, kept as at the mark */
    char *position;                   /* the mark gone on from (the child's, malloc'd) */
    bool marked;                      /* this child left its first mark, or went on
                                         from one (then it leaves none first) */
};

/* ==========================================================================
** Signals: held for the supervisor, or caught when nothing supervises
** ========================================================================== */

/* The SIGINT or SIGTERM that stopped the search (0: none). The one
** mutable variable at file scope in the command line: a signal handler
** (--isolate=none) can reach nothing else. */
static volatile sig_atomic_t stop_signal;

static void stop_set(sigset_t *set, bool with_child)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    if (with_child)
        sigaddset(set, SIGCHLD);
}

void cli_hold_signals(void)
{
    sigset_t held;
    stop_set(&held, true);
    sigprocmask(SIG_BLOCK, &held, NULL);
}

void cli_release_signals(void)
{
    sigset_t held;
    stop_set(&held, true);
    sigprocmask(SIG_UNBLOCK, &held, NULL);
}

/* A SIGINT or SIGTERM that arrived while held and not yet taken: 0 or it. */
int cli_pending_stop(void)
{
    sigset_t stops;
    stop_set(&stops, false);
    struct timespec now = { 0, 0 };
    int sig = sigtimedwait(&stops, NULL, &now);
    if (sig > 0)
        stop_signal = sig;
    return stop_signal;
}

/* Wait a poll's time for a child to end or a SIGINT or SIGTERM (held):
** the stop signal taken, or 0. */
int cli_wait_child_or_stop(void)
{
    struct timespec wait = { 0, POLL_NS };
    sigset_t held;
    stop_set(&held, true);
    int sig = sigtimedwait(&held, NULL, &wait);
    if (sig == SIGINT || sig == SIGTERM)
        return stop_signal = sig;
    return 0;
}

static void on_stop(int sig)
{
    stop_signal = sig;
}

const volatile sig_atomic_t *cli_catch_stops(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_signal;
}

int cli_stop_signal(void) { return stop_signal; }

/* ==========================================================================
** The child's side
** ========================================================================== */

#ifdef __GLIBC__
/* A scenario called exit: leave with its status at once, before the exit
** handlers registered earlier (a sanitizer's leak check would find the
** search's memory unreachable from the thread's stack, and change the
** status). */
static void exit_as_is(int status, void *arg)
{
    (void)arg;
    _exit(status);
}
#endif

struct explore_window *cli_child_window(struct cli_child *c)
{
    return c ? &c->sh->w : NULL;
}

static int write_all(int fd, const char *text, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = pwrite(fd, text + done, len - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static int read_all_at(int fd, char *text, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = pread(fd, text + done, len - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* explore_config.mark: written into the slot not in use, then made the
** last one; a child that dies meanwhile leaves the other whole. The
** --classes file is flushed first, so that what it holds is what the
** search wrote up to the mark. */
static void leave_mark(void *ctx, const void *position, size_t len,
                       const struct explore_result *r, bool check_memory)
{
    struct cli_child *c = ctx;
    struct shared *sh = c->sh;
    int slot = __atomic_load_n(&sh->marked, __ATOMIC_ACQUIRE) == 1 ? 1 : 0;
    int64_t at = -1;
    if (c->classes && (fflush(c->classes) != 0 || (at = (int64_t)ftello(c->classes)) < 0))
        at = -1;
    if (len && write_all(c->fd[slot], position, len) != 0)
        return;                       /* the last mark stays */
    sh->slot[slot] = (struct mark){ r->cov.executions, r->cov.pruned, r->cov.cut,
                                    r->cov.failing, r->cov.failing_result, r->cov.timed,
                                    r->cov.bound_hit, check_memory, r->cov.caveats,
                                    position == NULL, at, len };
    __atomic_store_n(&sh->marked, slot + 1, __ATOMIC_RELEASE);
    /* Its one execution done, hand the search on; unless asked to stop:
    ** then this child ends the search and reports. */
    if (sh->fork_each && c->marked && sh->w.stop == EXPLORE_GO) {
        fflush(stdout);
        if (c->classes)
            fflush(c->classes);
        sh->handed_on = 1;
        _exit(0);
    }
    c->marked = true;
}

/* Go on from the restart's mark: its position and counts, the death. */
static int go_on_from_mark(struct cli_child *c, struct explore_config *ec)
{
    struct restart *rs = &c->sh->restart;
    const struct mark *m = &rs->mark;
    struct explore_resume *r = &ec->resume;
    *r = (struct explore_resume){ .executions = m->executions, .pruned = m->pruned,
                                  .cut = m->cut, .failing = m->failing,
                                  .failing_result = m->failing_result, .timed = m->timed,
                                  .caveats = m->caveats, .bound_hit = m->bound_hit,
                                  .check_memory = m->check_memory,
                                  .died_index = rs->died_index, .died_steps = rs->died_steps,
                                  .died_choices = rs->died_choices, .died = &rs->died };
    if (!m->fresh) {
        if ((c->position = malloc(m->len + 1)) == NULL)
            return WEFT_ENOMEM;
        if (read_all_at(c->fd[rs->slot], c->position, m->len) != 0)
            return CLI_ERROR;
        r->position = c->position;
        r->packed = m->len;
    }
    uint64_t used = m->executions + m->pruned;   /* the budget is the whole search's */
    if (ec->max_executions)
        ec->max_executions = ec->max_executions > used ? ec->max_executions - used : 1;
    if (c->classes && m->classes_at >= 0 &&
        (ftruncate(fileno(c->classes), (off_t)m->classes_at) != 0 ||
         fseeko(c->classes, (off_t)m->classes_at, SEEK_SET) != 0))
        return CLI_ERROR;
    return 0;
}

double cli_child_started(const struct cli_child *c)
{
    return c ? c->sh->started : 0;
}

int cli_child_go_on(struct cli_child *c, struct explore_config *ec, FILE *classes)
{
    if (c == NULL || c->fd[0] < 0)
        return 0;
    c->classes = classes;
    ec->mark = leave_mark;
    ec->mark_ctx = c;
    /* Lines of executions after a mark are cut off the file after a death
    ** and written again; where it cannot be cut (a pipe), mark every one. */
    ec->mark_every = c->sh->fork_each || (classes && lseek(fileno(classes), 0, SEEK_CUR) < 0)
                   ? 1 : 64;
    if (!c->sh->restart.active)
        return 0;
    int rc = go_on_from_mark(c, ec);
    c->marked = ec->resume.packed != 0;
    if (rc == CLI_ERROR)
        fprintf(stderr, "weft: cannot go on after the process died: %s\n", strerror(errno));
    return rc;
}

/* A SIGINT or SIGTERM sent to the supervisor's process group before this
** child left it (held since the fork) was the supervisor's, which takes
** it: ignoring a pending signal discards it (POSIX); the handlers are
** then put back. Children are forked often under --isolate fork. */
static void discard_pending_stops(void)
{
    struct sigaction ignore, saved[2];
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &saved[0]);
    sigaction(SIGTERM, &ignore, &saved[1]);
    sigaction(SIGINT, &saved[0], NULL);
    sigaction(SIGTERM, &saved[1], NULL);
}

/* Run fn in the child: a process group of its own (a terminal's SIGINT is
** the supervisor's), dying with the supervisor, signals as they were. */
_Noreturn static void child(struct cli_child *c, pid_t parent, cli_supervised_fn fn, void *ctx)
{
    struct shared *sh = c->sh;
    setpgid(0, 0);
    discard_pending_stops();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(CLI_ERROR);
    cli_release_signals();
#ifdef __GLIBC__
    on_exit(exit_as_is, NULL);
#endif
    int rc = fn(ctx, c);
    free(c->position);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "weft: write error on standard output: %s\n", strerror(errno));
        rc = CLI_ERROR;
    }
    sh->rc = rc;
    sh->done = 1;
    _exit(rc);                        /* no atexit handler of a scenario's runs */
}

/* ==========================================================================
** The supervisor's side
** ========================================================================== */

struct watcher {
    pid_t pid;
    struct shared *sh;
    const struct cli_watch *watch;
    clockid_t cpu_clock;
    bool have_cpu_clock;
    double start, last_move, cpu_at_move;
    uint64_t seen_runs;
    uint32_t seen_steps, seen_choices;
    bool time_stop_sent;
    double grace_until;               /* after a stop signal: 0, or when to kill */
    int doomed_from;                  /* the phase the child was doomed in */
};

static double cpu_seconds(struct watcher *wt)
{
    struct timespec ts;
    if (!wt->have_cpu_clock || clock_gettime(wt->cpu_clock, &ts) != 0)
        return cli_seconds() - wt->start;   /* no CPU clock: count wall time */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Did the search take a step or end an execution since the last sample? */
static bool moved(struct watcher *wt)
{
    const struct explore_window *w = &wt->sh->w;
    uint64_t runs = *(volatile const uint64_t *)&w->cov.executions +
                    *(volatile const uint64_t *)&w->cov.pruned;
    uint32_t steps = w->nsteps, choices = w->nchoices;
    if (runs == wt->seen_runs && steps == wt->seen_steps && choices == wt->seen_choices)
        return false;
    wt->seen_runs = runs;
    wt->seen_steps = steps;
    wt->seen_choices = choices;
    return true;
}

/* Doom the child if it still searches: it then never starts a report. */
static bool doom(struct watcher *wt, int while_in)
{
    int from = while_in;
    wt->doomed_from = while_in;
    return __atomic_compare_exchange_n(&wt->sh->w.phase, &from, EXPLORE_DOOMED, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static bool doom_searching(struct watcher *wt)
{
    return doom(wt, EXPLORE_SEARCHING) || doom(wt, EXPLORE_SHRINKING);
}

/* Is the child waiting to run (a loaded machine starves it), rather than
** blocked? Linux says in /proc; elsewhere it is taken as blocked. */
static bool runnable(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    const char *paren = ok ? strrchr(line, ')') : NULL;   /* the name may hold spaces */
    return paren && paren[1] == ' ' && paren[2] == 'R';
}

/* The watchdog: a thread that spins without a visible operation uses the
** CPU without a step; a thread blocked for real uses none. */
static void check_progress(struct watcher *wt, double now, struct cli_supervised *out)
{
    double cpu = cpu_seconds(wt);
    if (moved(wt) || wt->sh->w.between || wt->watch->watchdog <= 0) {
        wt->last_move = now;
        wt->cpu_at_move = cpu;
        return;
    }
    double spun = cpu - wt->cpu_at_move, waited = now - wt->last_move;
    if (spun >= wt->watch->watchdog && doom_searching(wt)) {
        out->stopped = CLI_STOPPED_SPINNING;
        out->spun = spun;
    } else if (waited >= wt->watch->watchdog + 1 && spun < STUCK_CPU_SHARE * waited &&
               !runnable(wt->pid) && doom_searching(wt)) {
        out->stopped = CLI_STOPPED_STUCK;
        out->spun = waited;
    }
}

/* The time limit: asked at the limit, enforced a little after it, in the
** middle of an execution if need be. */
static void check_time(struct watcher *wt, double now, struct cli_supervised *out)
{
    double limit = wt->watch->time_limit, elapsed = now - wt->start;
    if (limit <= 0 || elapsed < limit)
        return;
    int phase = wt->sh->w.phase;      /* a shrink stops too, keeping what it found */
    if (!wt->time_stop_sent && (phase == EXPLORE_SEARCHING || phase == EXPLORE_SHRINKING)) {
        wt->sh->w.stop = EXPLORE_STOP_TIME;
        wt->time_stop_sent = true;
    }
    if (elapsed >= limit * 1.05 + 0.02 && doom(wt, EXPLORE_SEARCHING))
        out->stopped = CLI_STOPPED_EARLY;
}

static void take_stop_signal(struct watcher *wt, int sig, struct cli_supervised *out)
{
    if (out->interrupted)
        return;
    out->interrupted = stop_signal = sig;
    wt->sh->w.stop = EXPLORE_STOP_INTERRUPT;
    wt->grace_until = cli_seconds() + INTERRUPT_GRACE;
}

/* Sample until the child ends; kill it when it must stop. */
static int watch_child(struct watcher *wt, struct cli_supervised *out)
{
    int status;
    for (;;) {
        struct timespec wait = { 0, POLL_NS };
        sigset_t held;
        stop_set(&held, true);
        int sig = sigtimedwait(&held, NULL, &wait);
        if (sig == SIGINT || sig == SIGTERM)
            take_stop_signal(wt, sig, out);
        pid_t got = waitpid(wt->pid, &status, WNOHANG);
        if (got == wt->pid)
            return status;
        if (got < 0 && errno != EINTR)
            return -1;
        double now = cli_seconds();
        if (out->stopped == CLI_STOPPED_NOT) {
            check_progress(wt, now, out);
            check_time(wt, now, out);
        }
        if (out->stopped == CLI_STOPPED_NOT && wt->grace_until > 0 && now >= wt->grace_until &&
            doom_searching(wt))
            out->stopped = CLI_STOPPED_EARLY;
        if (out->stopped != CLI_STOPPED_NOT)
            kill(wt->pid, SIGKILL);
    }
}

/* A static string of a loaded object (the scenario's file name the child
** wrote), or NULL: the address means the same here only if it is one. */
static const char *static_text(const char *p)
{
    Dl_info info;
    return p && dladdr(p, &info) ? p : NULL;
}

/* What the child's window says of the execution it died in. */
static int take_execution(struct shared *sh, struct cli_supervised *out)
{
    const struct explore_window *w = &sh->w;
    struct explore_result *r = &out->found;
    size_t n = w->nchoices < w->cap ? w->nchoices : w->cap;
    out->choices = malloc((n + 1) * sizeof *out->choices);
    if (out->choices == NULL)
        return WEFT_ENOMEM;
    memcpy(out->choices, w->choices, n * sizeof *out->choices);
    memset(r, 0, sizeof *r);
    r->cov = w->cov;
    r->choices = out->choices;
    r->nchoices = n;
    r->nsteps = w->nsteps;
    r->outcome.failing_tid = w->tid;
    memcpy(r->died_name, w->tname, sizeof r->died_name);
    r->died_name[sizeof r->died_name - 1] = '\0';   /* torn: at worst cut short */
    r->outcome.where = (struct sched_loc){ static_text(w->file), w->line };
    return 0;
}

/* --jobs --keep-going: a child that died after it had kept a failure of a
** lower unit (explore.c, keep_failure): that failure is its result, and
** the death, its unit's first failure, is said to the other workers. */
static int take_kept(struct shared *sh, struct cli_supervised *out)
{
    const struct explore_window *w = &sh->w;
    uint64_t unit = __atomic_load_n(&w->kept_unit, __ATOMIC_ACQUIRE);
    if (unit == EXPLORE_NO_UNIT)
        return 0;
    out->died_unit = out->found.cov.split.failed_unit;
    out->died_result = out->found.outcome.result;
    uint32_t *choices = realloc(out->choices, (w->kept_nchoices + 1) * sizeof *choices);
    if (choices == NULL)
        return WEFT_ENOMEM;
    memcpy(choices, w->kept_choices, w->kept_nchoices * sizeof *choices);
    out->choices = choices;
    out->found.choices = choices;
    out->found.nchoices = w->kept_nchoices;
    out->found.nsteps = w->kept_nsteps;
    out->found.outcome = w->kept_outcome;
    out->found.cov.split.failed_unit = unit;
    return 0;
}

/* How the child ended, as the outcome of the execution it ended in. */
static void say_how(int status, struct cli_supervised *out)
{
    struct sched_outcome *o = &out->found.outcome;
    out->found.failed = true;
    o->result = WEFT_CRASH;
    if (out->stopped == CLI_STOPPED_SPINNING) {
        o->result = WEFT_LIVELOCK;
        snprintf(o->message, sizeof o->message, "the thread spins without any weft operation: "
                 "%.1f s of CPU since its last visible operation (--watchdog %g)", out->spun,
                 out->watch_seconds);
    } else if (out->stopped == CLI_STOPPED_STUCK) {
        o->result = WEFT_STUCK;
        snprintf(o->message, sizeof o->message, "no progress for %.1f s and almost no CPU: "
                 "blocked outside weft (a real lock, a sleep, a read?)", out->spun);
    } else if (WIFEXITED(status)) {
        snprintf(o->message, sizeof o->message, "the process exited with status %d (exit or "
                 "_exit called while a scenario thread ran)", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(o->message, sizeof o->message, "the process was killed by signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        snprintf(o->message, sizeof o->message, "the process ended (wait status %d)", status);
    }
}

static void *map_shared(size_t cap, size_t *size)
{
    *size = sizeof(struct shared) + 2 * cap * sizeof(uint32_t);   /* choices, kept_choices */
    void *p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The memory files of the marks, when the search may go on after a death;
** without them (no memfd_create) a death ends the search. */
static void close_marks(struct cli_child *c)
{
    for (int i = 0; i < 2; i++) {
        if (c->fd[i] >= 0)
            close(c->fd[i]);
        c->fd[i] = -1;
    }
}

static void open_marks(struct cli_child *c, bool wanted)
{
    c->fd[0] = c->fd[1] = -1;
    if (!wanted)
        return;
    c->fd[0] = memfd_create("weft-mark", MFD_CLOEXEC);
    c->fd[1] = c->fd[0] >= 0 ? memfd_create("weft-mark", MFD_CLOEXEC) : -1;
    if (c->fd[1] < 0)
        close_marks(c);
}

/* Start a child and watch it to its end: out says how it ended. */
static int start_and_watch(struct cli_child *c, cli_supervised_fn fn, void *ctx,
                           struct watcher *wt, struct cli_supervised *out)
{
    fflush(stdout);                   /* nothing buffered is written twice */
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        child(c, parent, fn, ctx);
    if (pid < 0) {
        fprintf(stderr, "weft: cannot start a process for the search: %s\n", strerror(errno));
        return CLI_ERROR;
    }
    wt->pid = pid;
    wt->have_cpu_clock = clock_getcpuclockid(pid, &wt->cpu_clock) == 0;
    wt->last_move = cli_seconds();
    wt->cpu_at_move = 0;
    wt->seen_runs = wt->seen_steps = wt->seen_choices = 0;
    int status = watch_child(wt, out);
    if (c->sh->handed_on && out->stopped == CLI_STOPPED_NOT)
        return 0;                     /* --isolate fork: a new child goes on */
    out->finished = c->sh->done && out->stopped == CLI_STOPPED_NOT;
    out->rc = c->sh->rc;
    int rc = 0;
    if (!out->finished && (rc = take_execution(c->sh, out)) == 0 &&
        out->stopped != CLI_STOPPED_EARLY) {
        say_how(status, out);
        out->found.cov.split.failed_unit = c->sh->w.unit;   /* a split search's */
        rc = take_kept(c->sh, out);
    }
    out->found.cov.interrupted |= out->interrupted != 0;
    return rc;
}

/* Does the search go on after the death in out (its execution's number
** into *died)? Only one that left a mark and died searching, not asked to
** stop; after its execution's first step (a death in the setup would come
** in every execution); and later than the last death (a child that dies
** where it was to end the execution is not replaced again). */
static bool goes_on(const struct watcher *wt, const struct cli_supervised *out, uint64_t *died)
{
    const struct explore_window *w = &wt->sh->w;
    uint64_t index = w->cov.executions + w->cov.pruned + 1;
    int phase = out->stopped == CLI_STOPPED_NOT ? w->phase : wt->doomed_from;
    if (wt->watch->on_death == NULL || !out->found.failed || out->interrupted ||
        w->stop != EXPLORE_GO || phase != EXPLORE_SEARCHING || wt->sh->marked == 0 ||
        w->nsteps == 0 || index <= *died)
        return false;
    *died = index;
    return true;
}

/* Tell the next child where to go on and how the execution numbered died
** ends; the window as a child starts it. */
static void prepare_restart(struct shared *sh, const struct cli_supervised *out, uint64_t died)
{
    struct restart *rs = &sh->restart;
    struct explore_window *w = &sh->w;
    rs->active = true;
    rs->slot = sh->marked - 1;
    rs->mark = sh->slot[rs->slot];
    rs->died_index = died;
    sh->handed_on = 0;
    rs->died_steps = w->nsteps;
    rs->died_choices = w->nchoices;
    rs->died = out->found.outcome;
    w->phase = EXPLORE_SEARCHING;
    if (died)                         /* a stop asked of a child that handed on stays */
        w->stop = EXPLORE_GO;
    w->nchoices = w->nsteps = 0;
    w->tid = 0;
    w->file = NULL;
    w->line = 0;
    w->cov.executions = rs->mark.executions;
    w->cov.pruned = rs->mark.pruned;
    w->cov.cut = rs->mark.cut;
    sh->done = sh->rc = 0;
}

int cli_supervise(cli_supervised_fn fn, void *ctx, size_t cap, const struct cli_watch *watch,
                  struct cli_supervised *out)
{
    size_t size;
    struct shared *sh = map_shared(cap, &size);
    memset(out, 0, sizeof *out);
    out->died_unit = EXPLORE_NO_UNIT;
    out->watch_seconds = watch->watchdog;
    if (sh == NULL)
        return WEFT_ENOMEM;
    sh->w.cap = cap;
    sh->w.choices = (uint32_t *)(sh + 1);
    sh->w.kept_choices = sh->w.choices + cap;
    sh->w.kept_unit = EXPLORE_NO_UNIT;
    sh->fork_each = watch->fork_each;
    sh->started = cli_seconds();
    struct cli_child c = { .sh = sh };
    open_marks(&c, watch->on_death != NULL || watch->fork_each);
    struct watcher wt = { .sh = sh, .watch = watch, .start = cli_seconds() };
    uint64_t died = 0;
    int rc;
    while ((rc = start_and_watch(&c, fn, ctx, &wt, out)) == 0 &&
           (sh->handed_on || goes_on(&wt, out, &died))) {
        if (!sh->handed_on)
            watch->on_death(watch->death_ctx, out);
        prepare_restart(sh, out, sh->handed_on ? 0 : died);
        cli_supervised_free(out);
        memset(out, 0, sizeof *out);
        out->died_unit = EXPLORE_NO_UNIT;
        out->watch_seconds = watch->watchdog;
    }
    close_marks(&c);
    munmap(sh, size);
    return rc;
}

void cli_supervised_free(struct cli_supervised *out)
{
    free(out->choices);
    out->choices = NULL;
}
