/*
** state.h -- what the pthread shim keeps per execution (x->program, in the
** execution's arena, so it starts empty every time): the program's
** threads, its heap blocks, its pthread_once table, its named semaphores.
*/
#ifndef WEFT_POSIX_STATE_H
#define WEFT_POSIX_STATE_H

#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include "core/sched.h"
#include "posix/posix.h"

/* A thread of the program: what pthread_create started, what it returned. */
struct posix_thread {
    void *(*fn)(void *);
    void *arg;
    void *result;
    jmp_buf *exit_to;                 /* pthread_exit jumps here */
    void *tls;                        /* its thread-local storage (posix/tls.c) */
    struct posix_specific *specific;  /* its pthread_setspecific values, by key */
    unsigned nspecific;
    struct weft_cleanup_ *cleanups;   /* pthread_cleanup_push's, last pushed first */
    bool cancel_requested, cancel_disabled, cancel_async;   /* posix/cancel.c */
    bool cancelling;                  /* acting on a cancellation: its handlers run */
    int saved_errno;                  /* its errno while another thread runs */
    locale_t locale;                  /* uselocale's, or 0: the global one */
    uint64_t sigmask;                 /* blocked signals, bit sig - 1 (posix/signal.c) */
    uint64_t sigpending;              /* sent to it, not yet taken (posix/delivery.c) */
    uint64_t sigwaiting;              /* what its sigwait waits for, while it does */
    uint64_t sigdue;                  /* whose handlers it runs as it resumes */
    struct posix_handler *handlers;   /* the handlers it runs, innermost first
                                         (delivery.c) */
    struct posix_sig_queues *queued;  /* the instances of its pending and due
                                         signals (delivery.c) */
    char np_name[16];                 /* pthread_setname_np's, "" if none (thread_np.c) */
    const char *start_name;           /* its start function's, as spelled; NULL: main */
    int policy, priority;             /* pthread_setschedparam's: kept, not used */
    bool detached, joined;
    int joined_by;                    /* the thread id + 1 whose join took it */
};

struct heap_block;
struct exit_handler;
struct once_entry;
struct keyed_mutex;
struct posix_keys;
struct posix_specific;
struct posix_fd;
struct udp_port;
struct named_sem;
struct sem_name;
struct posix_sigtable;
struct posix_sig_queues;

struct posix_exec {
    struct posix_thread **threads;    /* by thread id, cap of them (posix_slot) */
    int cap;
    struct heap_block *blocks;        /* by address (uthash) */
    struct heap_block *freed;         /* freed blocks, most recent first (program.c) */
    struct once_entry *onces;         /* by the pthread_once_t's address */
    struct keyed_mutex *spins;        /* by the pthread_spinlock_t's address */
    struct keyed_mutex *stream_locks; /* flockfile's, by the FILE's address */
    struct posix_fd *fds;             /* pipes and socket pairs, by number (io.c) */
    struct posix_fd *held_listeners;  /* closed while an accept waits on them (io.c) */
    struct udp_port *udp_ports;       /* the UDP ports used, by number (io.c) */
    struct sem_name *sem_names;       /* the names sem_open and sem_unlink used */
    struct name_entry *names;         /* socket addresses and real files named (io.c) */
    struct closed_fd *closed;         /* modelled descriptors closed, by number (io.c) */
    struct exit_handler *at_exit;     /* atexit's and on_exit's handlers, in the
                                         order given (program.c) */
    int nat_exit, at_exit_cap;
    struct exit_handler *at_quick_exit;   /* at_quick_exit's */
    int nat_quick_exit, at_quick_exit_cap;
    bool main_exited;                 /* main called pthread_exit: the last
                                         thread to end calls exit(0) */
    struct named_sem *sems_opened;    /* every named semaphore, linked or not */
    bool oom;                         /* uthash could not grow */
    bool thread_locales;              /* a thread left the global locale
                                         (uselocale: posix/process.c) */
    struct posix_keys *keys;          /* pthread_key_create's (posix/keys.c) */
    int tls_installed;                /* thread id + 1 whose TLS and errno are
                                         in place; 0: the OS thread's own */
    void *os_tls;                     /* the OS thread's block, put back after */
    int os_errno;
    struct sched_obj *sigpipe;        /* SIGPIPE's disposition, which sigaction
                                         sets and a broken pipe reads (signal.c) */
    struct posix_sigtable *sigtable;  /* each signal's object, and whether it is
                                         pending in the process (delivery.c) */
    struct posix_alarm *alarm;        /* alarm's and setitimer's (itimer.c) */
    struct posix_timer **timers;      /* timer_create's, by id - 1 (itimer.c) */
    int ntimers, timers_cap;
};

/* The execution's state, made on first use; NULL without memory. */
static inline struct posix_exec *posix_state(struct exec *x)
{
    if (x->program == NULL)
        x->program = arena_alloc(&x->arena, sizeof *x->program);
    return x->program;
}

/* The running thread's record (made for thread 0 on first use). */
struct posix_thread *posix_thread_self(struct exec *x);
/* Thread tid's record, made if missing; NULL without memory. */
struct posix_thread *posix_thread_at(struct exec *x, int tid);
/* The record of the thread a pthread_t names, or NULL when it names none
** of this execution. */
struct posix_thread *posix_thread_named(struct exec *x, pthread_t th);

/* The running thread t exits (returned or pthread_exit): its keys'
** destructors run (posix/keys.c). */
void posix_keys_thread_exit(struct exec *x, struct posix_thread *t);

/* Cancellation points (posix/cancel.c). enter: the coming operation's step
** is interrupted by a request (blocked_only: only while it waits, and a
** request already there is acted on now). leave: whether the operation was
** interrupted (the caller then acts with posix_cancel_now, after retaking
** what POSIX says it retakes). */
void posix_cancel_enter(struct exec *x, bool blocked_only, const char *file, int line);
bool posix_cancel_leave(struct exec *x);
_Noreturn void posix_cancel_now(struct exec *x, const char *file, int line);
/* The thread's cleanup handlers popped and run (pthread_exit, cancel). */
void posix_cleanup_run_all(struct posix_thread *t);

/* x->on_switch of a program: errno and TLS of the thread to resume. */
void posix_tls_switch(struct exec *x, struct sched_thread *to);
/* Install to's uselocale locale, or the global one for weft (process.c). */
void posix_locale_switch(struct exec *x, struct sched_thread *to);

/* What the program writes to descriptor 1 or 2 inside an execution
** (program.c): n, as write would return. */
ssize_t posix_output(struct exec *x, int fd, const void *buf, size_t n);
/* The program's exit(status) as a C library's call makes it ("err",
** "error"), from the program's call that returns to pc (program.c). */
_Noreturn void posix_exit_from(struct exec *x, const char *call, int status, const void *pc);

/* Is fd a pipe or socket end weft models in this execution (io.c)? */
bool posix_io_modelled(struct exec *x, int fd);
/* fopen's step on the name of the file it opens (io.c). */
void posix_fopen_step(struct exec *x, const char *path, const char *mode, struct sched_loc at);

/* Where a virtual clock starts, in ns (CLOCK_REALTIME: a date). */
int64_t posix_clock_start(clockid_t clock);

/* An absolute deadline of clock as virtual ns (x->now's scale): 0 for one
** before the clock started, INT64_MAX past what it can count. */
static inline int64_t posix_virtual_deadline(clockid_t clock, const struct timespec *t)
{
    if (t->tv_sec < 0)
        return 0;
    if (t->tv_sec >= INT64_MAX / 1000000000 - 1)
        return INT64_MAX;
    int64_t at = (int64_t)t->tv_sec * 1000000000 + t->tv_nsec - posix_clock_start(clock);
    return at > 0 ? at : 0;
}

/* Called by every program thread as it ends (pthread.c, program.c): once
** main called pthread_exit, the last one to end calls exit(0), as glibc's
** does (its atexit handlers run). */
void posix_thread_ends(struct exec *x, struct sched_loc at);

/* A write to a closed pipe or socket raises SIGPIPE in the writing thread
** (posix/signal.c): a step that reads the execution's disposition. True
** when it kills the process (the default); a handler runs in the thread
** before this returns; ignored, or blocked in the thread: nothing. */
bool posix_sigpipe(struct exec *x, struct sched_loc at);
void posix_call_handler(struct exec *x, struct posix_thread *t, int sig,
                        const struct sigaction *sa, int code, union sigval value);
/* Signals 1..POSIX_SIGNALS, a bit each (sig - 1), as the kernel's masks
** (posix/signal.c): a set's bits without the signals no mask holds
** (SIGKILL, SIGSTOP, glibc's two), and back; numbers no signal has or
** glibc keeps (EINVAL); sig's disposition for this execution. */
#define POSIX_SIGNALS 64
uint64_t posix_unblockable(void);
uint64_t posix_sigset_bits(const sigset_t *set);
void posix_sigset_of(uint64_t bits, sigset_t *set);
bool posix_bad_signal(int sig);
void posix_disposition(struct exec *x, int sig, struct sigaction *sa);
/* The running thread's mask unblocked signals: those pending are
** delivered now (posix/delivery.c); how many went to handlers. */
int posix_signals_unblocked(struct exec *x, struct sched_loc at);
/* A new thread runs the handlers made due in it before its first code. */
void posix_signals_due(struct exec *x);
/* A handler that comes while a call waits interrupts the wait; after it
** the call waits again (mutexes, joins, condition variables, sigwait),
** unless the call is one that then fails with EINTR: always (sleeps,
** sem_wait, poll and select, sigtimedwait, a read or write of a socket
** with a timeout), or unless every handler that ran has SA_RESTART
** (reads, writes, accept, connect: always if the wait has a timer, its
** socket's SO_RCVTIMEO or SO_SNDTIMEO as its first step found it). begin
** says which for the call about to wait; end, whether a handler ended its
** wait (the call then fails with EINTR, or returns what it did before). */
enum { POSIX_EINTR_NEVER, POSIX_EINTR_UNLESS_RESTART, POSIX_EINTR_ALWAYS };
void posix_eintr_begin(struct exec *x, int how);
bool posix_eintr_end(struct exec *x);
/* While other threads run, a mask change (sig 0) or sig's disposition
** change is a step, the change made as it returns; a disposition that
** ignores sig discards it where it is pending. */
void posix_signals_step(struct exec *x, int sig, struct sched_loc at);
void posix_signals_ignored(struct exec *x, int sig, const struct sigaction *act);
/* Would sig sent to the process now do something other than end it, be
** dropped or merge with one not yet taken: run a handler, or wait pending
** (every thread blocks it) for a sigwait? Visible: send sig to the process
** from the kernel (SI_KERNEL: an expired alarm, posix/itimer.c), shown at
** `at`. */
bool posix_signal_caught(struct exec *x, int sig);
void posix_signal_from_kernel(struct exec *x, int sig, struct sched_loc at);
/* The same from a POSIX timer (SI_TIMER, with its sigev_value), to the
** process or (tid >= 0) to thread tid (SIGEV_THREAD_ID). */
void posix_signal_from_timer(struct exec *x, int sig, int tid, union sigval value,
                             struct sched_loc at);
/* A signalfd (posix/io.c keeps the descriptor, posix/delivery.c takes
** the signals): signal sig's object and the process's pending set, made
** on first need. Visible: a read of b's signals pending for the caller
** (its own before the process's, lowest first) into up to room records,
** as the step finds them, shown as a read of fd_obj: how many; 0 when
** nonblock and none is pending, or when a handler or a cancellation
** request ended its wait; otherwise it waits for one. */
struct stream_bits;
struct signalfd_siginfo;
struct sched_obj *posix_signal_object(struct exec *x, int sig, struct sched_loc at);
const uint64_t *posix_signals_shared(struct exec *x, struct sched_loc at);
int posix_signalfd_read(struct exec *x, struct sched_obj *fd_obj, const struct stream_bits *b,
                        struct signalfd_siginfo *out, int room, bool nonblock,
                        struct sched_loc at);
/* A program's sigaction and signal (linked with --wrap: cli/loader.c). */
__attribute__((visibility("default"))) int
__wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
__attribute__((visibility("default"))) void (*__wrap_signal(int sig, void (*handler)(int)))(int);
/* And chdir, fchdir, umask and setlocale (posix/process.c). */
__attribute__((visibility("default"))) int __wrap_chdir(const char *path);
__attribute__((visibility("default"))) int __wrap_fchdir(int fd);
__attribute__((visibility("default"))) mode_t __wrap_umask(mode_t mask);
__attribute__((visibility("default"))) char *__wrap_setlocale(int category, const char *locale);
/* And uselocale, gettid, and syscall's SYS_gettid (posix/process.c). */
__attribute__((visibility("default"))) locale_t __wrap_uselocale(locale_t locale);
__attribute__((visibility("default"))) pid_t __wrap_gettid(void);
__attribute__((visibility("default"))) long __wrap_syscall(long number, ...);

/* The program of this execution (its scenario is the first member). */
static inline const struct posix_program *posix_program_of(struct exec *x)
{
    return (const struct posix_program *)x->cfg->scenario;
}

/* Where a call without a line of its own happens: the thread's last step. */
static inline struct sched_loc posix_loc(const char *file, int line)
{
    return (struct sched_loc){ file, line };
}

#endif
