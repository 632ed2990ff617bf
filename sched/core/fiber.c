/*
** fiber.c -- stack allocation, first-entry frames and the switch wrapper.
** The register swap itself is in fiber_<arch>.S; ucontext is the fallback for
** other architectures or -DWEFT_FIBER_UCONTEXT. Which fiber runs is sched.c's.
** Invariant: every switch tells AddressSanitizer where the new stack is, and
** a prepared stack is fully unpoisoned, whatever its last user left behind,
** and so is a stack before it is unmapped;
** Valgrind knows every stack from its mapping to its unmapping.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_STACK */
#endif
#include "core/fiber.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_ASAN 1
#endif
#endif

#ifdef WEFT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
/* Without the header weft cannot tell Valgrind about its stacks; it runs
** the same, and under Valgrind every switch is reported as an error. */
#define VALGRIND_STACK_REGISTER(start, end) ((void)(start), (void)(end), 0u)
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

#ifdef WEFT_FIBER_UCONTEXT
#include <ucontext.h>
/* The ucontext_t of a fiber stack sits above its usable bytes, so one mmap
** holds everything and fiber_stack_free needs no second pointer. */
#define UCTX_BYTES (((sizeof(ucontext_t) + 63) / 64) * 64)
#else
#define UCTX_BYTES ((size_t)0)
#endif

/* sysconf reads the page size from the auxiliary vector: no system call. */
static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

/* Called on the resumed side of every switch (and on first entry): finish
** ASan's bookkeeping, and learn the OS stack's bounds the first time the
** main fiber is left, since fiber_init_main cannot know them cheaply. */
static void after_switch(void *fake_stack, struct fiber *prev)
{
#ifdef WEFT_ASAN
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
    if (prev->asan_size == 0) {
        prev->asan_bottom = bottom;
        prev->asan_size = size;
    }
#else
    (void)fake_stack;
    (void)prev;
#endif
}

static void before_switch(struct fiber *from, struct fiber *to, int dying)
{
#ifdef WEFT_ASAN
    /* NULL save slot: ASan may free `from`'s fake stack for good. */
    __sanitizer_start_switch_fiber(dying ? NULL : &from->asan_fake_stack,
                                   to->asan_bottom, to->asan_size);
#else
    (void)from;
    (void)to;
    (void)dying;
#endif
}

void fiber_abandon(struct fiber *from, struct fiber *to)
{
    before_switch(from, to, 1);
}

void fiber_landed(struct fiber *to)
{
#ifdef WEFT_ASAN
    __sanitizer_finish_switch_fiber(to->asan_fake_stack, NULL, NULL);
#else
    (void)to;
#endif
}

/* First code run on a fresh stack. A fresh fiber has no fake stack yet,
** hence NULL; entry must never return, so returning is a hard error. */
static _Noreturn void fiber_begin(struct fiber *self, struct fiber *prev)
{
    after_switch(NULL, prev);
    self->entry(self->arg);
    abort();
}

void fiber_init_main(struct fiber *self)
{
    memset(self, 0, sizeof *self); /* asan_size 0: learned on first switch */
#ifdef WEFT_FIBER_UCONTEXT
    self->uctx = &self->main_uctx;
#endif
}

/* The guard: FIBER_GUARD_MIN, in whole pages. */
static size_t guard_size(size_t page)
{
    return FIBER_GUARD_MIN > page ? (FIBER_GUARD_MIN + page - 1) / page * page : page;
}

/* MAP_NORESERVE: a large --stack-size costs address space, not memory the
** kernel must promise up front; only the pages a thread touches are real. */
int fiber_stack_alloc(struct fiber *f, size_t stack_size)
{
    size_t page = page_size(), guard = guard_size(page);
    if (stack_size == 0 || stack_size > SIZE_MAX / 2)
        return -EINVAL;
    size_t usable = (stack_size + page - 1) / page * page;
    size_t total = guard + usable + UCTX_BYTES;
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return -errno;
    if (mprotect(base, guard, PROT_NONE) != 0) {
        int err = errno;
        munmap(base, total);
        return -err;
    }
    memset(f, 0, sizeof *f);
    f->stack = base;
    f->guard = (uint32_t)guard;
    f->stack_size = usable;
    char *bottom = (char *)base + guard;
    f->valgrind_id = VALGRIND_STACK_REGISTER(bottom, bottom + usable);
#ifdef WEFT_FIBER_UCONTEXT
    f->uctx = bottom + usable;
#endif
    return 0;
}

void fiber_stack_free(struct fiber *f)
{
    if (f->stack == NULL)
        return;
    VALGRIND_STACK_DEREGISTER(f->valgrind_id);
#ifdef WEFT_ASAN
    /* Redzones an abandoned run left poisoned would outlive the mapping:
    ** the next mapping at this address (a file libdw reads, say) would
    ** seem poisoned to AddressSanitizer. */
    ASAN_UNPOISON_MEMORY_REGION((char *)f->stack + f->guard, f->stack_size);
#endif
    munmap(f->stack, f->guard + f->stack_size + UCTX_BYTES);
    f->stack = NULL;
    f->stack_size = 0;
    f->sp = NULL;
}

/* Raised late, on the overflowed stack: the signal handler sees a stack
** pointer below the stack, a stack overflow (crash.c). */
void fiber_stack_overflowed(const struct fiber *f)
{
    if (fiber_overflowed(f, NULL, __builtin_frame_address(0)))
        raise(SIGSEGV);
}

/* How far below its stack a stack pointer may be and still count as an
** overflow: more than any frame, less than a wild pointer. */
#define OVERFLOW_REACH ((uintptr_t)1 << 30)

bool fiber_overflowed(const struct fiber *f, const void *addr, const void *sp)
{
    if (f->stack == NULL)
        return false;
    uintptr_t base = (uintptr_t)f->stack, bottom = base + f->guard;
    uintptr_t a = (uintptr_t)addr, s = (uintptr_t)sp;
    if (a >= base && a < bottom)
        return true;
    return sp != NULL && s < bottom && bottom - s <= OVERFLOW_REACH;
}

#ifdef WEFT_FIBER_UCONTEXT
/* Fallback only: glibc's swapcontext makes a sigprocmask system call on
** every switch (~20x slower). makecontext passes only ints, so the
** trampoline gets its fiber's address in two halves; fiber_switch records
** in `to` who switched to it. */
static void uc_trampoline(unsigned hi, unsigned lo)
{
    struct fiber *self = (struct fiber *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);
    fiber_begin(self, self->uc_resumer);
}

static void arch_prepare(struct fiber *f, char *bottom, char *top)
{
    ucontext_t *uc = f->uctx;
    uintptr_t p = (uintptr_t)f;
    if (getcontext(uc) != 0)
        abort();
    uc->uc_stack.ss_sp = bottom;
    uc->uc_stack.ss_size = (size_t)(top - bottom);
    uc->uc_link = NULL; /* entry never returns */
    makecontext(uc, (void (*)(void))uc_trampoline, 2, (unsigned)(p >> 16 >> 16),
                (unsigned)(p & 0xFFFFFFFFu));
}

void fiber_switch(struct fiber *from, struct fiber *to, int from_dying)
{
    to->uc_resumer = from;
    before_switch(from, to, from_dying);
    if (swapcontext(from->uctx, to->uctx) != 0)
        abort();
    after_switch(from->asan_fake_stack, from->uc_resumer);
}

#else /* hand-written switch, fiber_<arch>.S */

/* The swap returns the `save` argument of whoever switched to us, i.e.
** &prev->sp; on a fresh stack the stub passes it to fiber_start_ instead. */
#define HIDDEN __attribute__((visibility("hidden"))) /* not weft_*: internal */
HIDDEN void *fiber_swap_context_(void **save, void *new_sp);
HIDDEN void fiber_entry_stub_(void);
HIDDEN _Noreturn void fiber_start_(struct fiber *self, void **prev_save);

static struct fiber *fiber_of_sp(void **save)
{
    return (struct fiber *)(void *)((char *)save - offsetof(struct fiber, sp));
}

_Noreturn void fiber_start_(struct fiber *self, void **prev_save)
{
    fiber_begin(self, fiber_of_sp(prev_save));
}

/* Build the frame fiber_swap_context_ pops; the layouts mirror the .S. */
static void arch_prepare(struct fiber *f, char *bottom, char *top)
{
    (void)bottom;
#if defined(__x86_64__)
    /* mxcsr|x87cw, r15, r14, r13, r12, rbx=f, rbp=0, return=stub. After the
    ** ret the stub runs with rsp == top, 16-aligned as before a call. ABI
    ** default FP control state: the same for every run, whoever prepares. */
    uintptr_t *w = (uintptr_t *)(void *)top - 8;
    memset(w, 0, 8 * sizeof *w);
    w[0] = (uintptr_t)0x1F80u | ((uintptr_t)0x037Fu << 32);
    w[5] = (uintptr_t)f;
    w[7] = (uintptr_t)fiber_entry_stub_;
#elif defined(__aarch64__)
    /* x19=f .. x28, x29=0, x30=stub, d8-d15, fpcr=0 (the Linux default
    ** for a new process: round to nearest, no flush-to-zero), pad. */
    uintptr_t *w = (uintptr_t *)(void *)top - 22;
    memset(w, 0, 22 * sizeof *w);
    w[0] = (uintptr_t)f;
    w[11] = (uintptr_t)fiber_entry_stub_;
#else
#error "no hand-written fiber switch for this architecture: use WEFT_FIBER_UCONTEXT"
#endif
    f->sp = w;
}

void fiber_switch(struct fiber *from, struct fiber *to, int from_dying)
{
    before_switch(from, to, from_dying);
    void **prev = fiber_swap_context_(&from->sp, to->sp);
    after_switch(from->asan_fake_stack, fiber_of_sp(prev));
}
#endif

void fiber_prepare(struct fiber *f, void (*entry)(void *), void *arg)
{
    char *bottom = (char *)f->stack + f->guard;
    char *top = bottom + f->stack_size;
#ifdef WEFT_ASAN
    /* An abandoned run may have left redzones poisoned on this stack. */
    ASAN_UNPOISON_MEMORY_REGION(bottom, f->stack_size);
#endif
    f->entry = entry;
    f->arg = arg;
    f->asan_fake_stack = NULL;
    f->asan_bottom = bottom;
    f->asan_size = f->stack_size;
    arch_prepare(f, bottom, top);
}
