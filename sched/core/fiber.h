/*
** fiber.h -- stacks and context switch for weft's green threads.
** A fiber is a stack plus a saved register set; fiber_switch is the only way
** control moves between fibers. Scheduling policy lives in sched.c, not here.
** Invariant: a fiber's stack is mmap'd with a PROT_NONE guard region below
** it, at least FIBER_GUARD_MIN bytes, and (under Valgrind) registered.
*/
#ifndef WEFT_FIBER_H
#define WEFT_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef WEFT_FIBER_UCONTEXT
#include <ucontext.h>
#endif

/* Architectures without hand-written switch code always use ucontext; the
** macro must be set here (not only in fiber.c) because it changes the struct. */
#if !defined(__x86_64__) && !defined(__aarch64__) && !defined(WEFT_FIBER_UCONTEXT)
#define WEFT_FIBER_UCONTEXT 1
#endif

/* The guard region below every stack. A frame that allocates without
** touching each page (code built without -fstack-clash-protection) can only
** step over a guard larger than it; 64 KB is also the guard GCC assumes on
** aarch64, where clash-protected code probes only frames above it. */
#define FIBER_GUARD_MIN ((size_t)64 * 1024)

/* Internal to libweft: only weft_* symbols leave the shared library. */
#pragma GCC visibility push(hidden)

struct fiber {
    void *sp;              /* saved stack pointer while switched out */
    void *stack;           /* mmap'd region, guard first (NULL: OS stack) */
    /* One word for these two: a fiber is in every thread, and a larger
    ** thread costs time on every step. */
    uint32_t guard;        /* bytes of the guard region */
    unsigned valgrind_id;  /* the stack's id for Valgrind (0 without it) */
    size_t stack_size;     /* usable bytes above the guard */
    void (*entry)(void *);
    void *arg;
    void *asan_fake_stack; /* AddressSanitizer's per-fiber fake stack */
    const void *asan_bottom; size_t asan_size; /* what ASan is told */
#ifdef WEFT_FIBER_UCONTEXT
    void *uctx;            /* ucontext_t, fallback architectures only; for a
                              stack it lives just above the usable bytes */
    struct fiber *uc_resumer;  /* who switched to it last */
    ucontext_t main_uctx;  /* the OS stack's own, for fiber_init_main */
#endif
};

/* Make `self` describe the calling OS thread's own stack (the scheduler). */
void fiber_init_main(struct fiber *self);
/* mmap a stack of stack_size bytes plus guard region: 0 or -errno. */
int fiber_stack_alloc(struct fiber *f, size_t stack_size);
void fiber_stack_free(struct fiber *f);
/* Did f outgrow its stack? A fault at `addr` inside the guard region, or a
** stack pointer `sp` (NULL: unknown) below the usable bytes, says so: a
** frame larger than the guard leaves sp below it, whatever it touched. */
bool fiber_overflowed(const struct fiber *f, const void *addr, const void *sp);
/* Raise the fault an overflow of f's stack would have caused: SIGSEGV. */
void fiber_stack_overflowed(const struct fiber *f);
/* Called on running's own stack, on every visible operation: SIGSEGV if
** the caller's frame lies below it. A frame that stepped over the guard
** without touching it (code built without -fstack-clash-protection) is so
** caught at the thread's next visible operation at the latest. Inline, and
** reading the stack pointer itself (a frame pointer would cost more than
** the test): one comparison when all is well. */
static inline void fiber_check_stack(const struct fiber *running)
{
    uintptr_t sp;
#if defined(__x86_64__)
    __asm__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
    __asm__("mov %0, sp" : "=r"(sp));
#else
    sp = (uintptr_t)__builtin_frame_address(0);
#endif
    if (sp < (uintptr_t)running->stack + running->guard)
        fiber_stack_overflowed(running);
}
/* Prepare f (stack already allocated, may be reused) to run entry(arg) on
** its next switch-in. entry must never return: it switches away for good. */
void fiber_prepare(struct fiber *f, void (*entry)(void *), void *arg);
/* Save the caller in `from`, resume `to`. No system call on this path.
** `from_dying` tells the sanitizers that `from` will never run again. */
void fiber_switch(struct fiber *from, struct fiber *to, int from_dying);
/* A signal handler leaves `from` for good by a longjmp onto `to`'s stack:
** fiber_abandon just before the jump, fiber_landed just after it, so that
** the sanitizers know which stack runs. */
void fiber_abandon(struct fiber *from, struct fiber *to);
void fiber_landed(struct fiber *to);

#pragma GCC visibility pop

#endif
