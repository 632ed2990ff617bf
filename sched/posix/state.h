/*
** state.h -- what the pthread shim keeps per execution (x->program, in the
** execution's arena, so it starts empty every time): the program's
** threads, its heap blocks, its pthread_once table.
*/
#ifndef WEFT_POSIX_STATE_H
#define WEFT_POSIX_STATE_H

#include <setjmp.h>
#include <time.h>
#include "core/sched.h"
#include "posix/posix.h"

/* A thread of the program: what pthread_create started, what it returned. */
struct posix_thread {
    void *(*fn)(void *);
    void *arg;
    void *result;
    jmp_buf *exit_to;                 /* pthread_exit jumps here */
    int exit_status;                  /* main thread: exit()'s status */
    bool detached, joined;
};

struct heap_block;
struct once_entry;
struct posix_fd;

struct posix_exec {
    struct posix_thread **threads;    /* by thread id, cap of them (posix_slot) */
    int cap;
    struct heap_block *blocks;        /* by address (uthash) */
    struct once_entry *onces;         /* by the pthread_once_t's address */
    struct posix_fd *fds;             /* pipes and socket pairs, by number (io.c) */
    bool oom;                         /* uthash could not grow */
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

/* What the program writes to descriptor 1 or 2 inside an execution
** (program.c): n, as write would return. */
ssize_t posix_output(struct exec *x, int fd, const void *buf, size_t n);

/* Where a virtual clock starts, in ns (CLOCK_REALTIME: a date). */
int64_t posix_clock_start(clockid_t clock);

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
