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

/* The mapping: the window, then what only the supervisor and the child
** share (how the child ended by itself), then the choices. */
struct shared {
    struct explore_window w;
    volatile int done, rc;
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

/* Run fn in the child: a process group of its own (a terminal's SIGINT is
** the supervisor's), dying with the supervisor, signals as they were. */
_Noreturn static void child(struct shared *sh, pid_t parent, cli_supervised_fn fn, void *ctx)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(CLI_ERROR);
    cli_release_signals();
#ifdef __GLIBC__
    on_exit(exit_as_is, NULL);
#endif
    int rc = fn(ctx, &sh->w);
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
    if (moved(wt) || wt->watch->watchdog <= 0) {
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
    if (!wt->time_stop_sent && wt->sh->w.phase == EXPLORE_SEARCHING) {
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
    r->outcome.where = (struct sched_loc){ static_text(w->file), w->line };
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
    *size = sizeof(struct shared) + cap * sizeof(uint32_t);
    void *p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int cli_supervise(cli_supervised_fn fn, void *ctx, size_t cap, const struct cli_watch *watch,
                  struct cli_supervised *out)
{
    size_t size;
    struct shared *sh = map_shared(cap, &size);
    memset(out, 0, sizeof *out);
    out->watch_seconds = watch->watchdog;
    if (sh == NULL)
        return WEFT_ENOMEM;
    sh->w.cap = cap;
    sh->w.choices = (uint32_t *)(sh + 1);
    fflush(stdout);                   /* nothing buffered is written twice */
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        child(sh, parent, fn, ctx);
    int rc = 0;
    if (pid < 0) {
        fprintf(stderr, "weft: cannot start a process for the search: %s\n", strerror(errno));
        rc = CLI_ERROR;
    } else {
        struct watcher wt = { .pid = pid, .sh = sh, .watch = watch, .start = cli_seconds() };
        wt.have_cpu_clock = clock_getcpuclockid(pid, &wt.cpu_clock) == 0;
        wt.last_move = wt.start;
        int status = watch_child(&wt, out);
        out->finished = sh->done && out->stopped == CLI_STOPPED_NOT;
        out->rc = sh->rc;
        if (!out->finished && (rc = take_execution(sh, out)) == 0 &&
            out->stopped != CLI_STOPPED_EARLY)
            say_how(status, out);
        out->found.cov.interrupted |= out->interrupted != 0;
    }
    munmap(sh, size);
    return rc;
}

void cli_supervised_free(struct cli_supervised *out)
{
    free(out->choices);
    out->choices = NULL;
}
