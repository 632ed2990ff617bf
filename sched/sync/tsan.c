/*
** tsan.c -- weft's own ThreadSanitizer hooks, for scenario files compiled
** with --memory=all or --memory=atomics (-fsanitize=thread; the compiler's
** instrumentation calls these, and libtsan is never linked).
**
** Plain loads and stores are checked for data races (race.c) when the
** execution checks all memory; they are scheduling points only where a
** loop polls one address (below). C11 and
** __atomic operations are visible operations on the cell at their address
** (atomic.c), with the order the code asks for: a store weaker than
** seq_cst waits in the thread's store buffer, as on x86. Outside an
** execution (a constructor, setup) every hook
** does what the uninstrumented code would have done.
**
** The compiler has no hook for free: the scenario is linked with
** --wrap=free and --wrap=realloc (cli/loader.c), so its calls come here
** first: a free is checked as a write of the block, whose accesses are
** then forgotten (race_free).
*/
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include "core/race.h"
#include "sync/sync.h"

#define HOOK __attribute__((visibility("default")))

/* The execution whose scenario thread runs instrumented code, or NULL. */
static struct exec *checking(void)
{
    struct exec *x = sync_exec();
    return x && x->cfg->check_all_memory ? x : NULL;
}

/*
** A loop that polls plain memory (`while (busy) ;` on a volatile flag, the
** inner spin of a test-and-test-and-set lock) makes no visible operation,
** so no other thread could run to end it, and the watchdog would call a
** correct program a livelock. So when a thread has read one address
** PLAIN_POLLS times since its last step, that read is also a step: a load
** of the address, as an atomic load is. It is a poll, so the fairness rule
** (core/sched.c) sees the loop's turn come round and lets the others move
** first; and the searches order it with the atomic writes of the address,
** as they order the reads the loop makes. Reads of many addresses (a
** computation) make no such step.
*/
#define PLAIN_POLLS 1024

static void note_plain_read(struct exec *x, const volatile void *addr, size_t size)
{
    struct sched_thread *t = x->current;
    if (t->plain_polled != addr || t->plain_since != t->last_step) {
        t->plain_polled = addr;
        t->plain_since = t->last_step;
        t->plain_reads = 0;
    }
    if (++t->plain_reads == PLAIN_POLLS && (size == 1 || size == 2 || size == 4 || size == 8))
        sync_atomic_at((volatile void *)addr, (int)size, SYNC_LOAD, 0, 0, SYNC_SEQ_CST);
}

/* An instrumented access knows only the code that made it, pc (the hook's
** return address): a report symbolises it into a function and a line
** (report/symbol.c); here it costs nothing more than a pointer. */
static void plain_access(const volatile void *addr, size_t size, bool write, const void *pc)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    if (x->current->buffered)         /* rare: a store weaker than seq_cst waits */
        sync_plain_access(x, addr, size);
    /* errno is each thread's own under real threads; weft's threads share
    ** the OS thread's, whose value a program's threads swap (posix/tls.c). */
    if (x->cfg->check_all_memory && addr != (const volatile void *)&errno)
        race_access_pc(x, (const void *)addr, size, write, sync_current_loc(x), pc);
    if (!write)
        note_plain_read(x, addr, size);
}

#define CALLER __builtin_return_address(0)

HOOK void __tsan_init(void) {}
HOOK void __tsan_func_entry(void *pc) { (void)pc; }
HOOK void __tsan_func_exit(void) {}

#define PLAIN_HOOKS(n)                                                                     \
    HOOK void __tsan_read##n(void *a) { plain_access(a, n, false, CALLER); }               \
    HOOK void __tsan_write##n(void *a) { plain_access(a, n, true, CALLER); }               \
    HOOK void __tsan_unaligned_read##n(void *a) { plain_access(a, n, false, CALLER); }     \
    HOOK void __tsan_unaligned_write##n(void *a) { plain_access(a, n, true, CALLER); }     \
    HOOK void __tsan_volatile_read##n(void *a) { plain_access(a, n, false, CALLER); }      \
    HOOK void __tsan_volatile_write##n(void *a) { plain_access(a, n, true, CALLER); }
PLAIN_HOOKS(1)
PLAIN_HOOKS(2)
PLAIN_HOOKS(4)
PLAIN_HOOKS(8)
PLAIN_HOOKS(16)

HOOK void __tsan_read_range(void *a, unsigned long size) { plain_access(a, size, false, CALLER); }
HOOK void __tsan_write_range(void *a, unsigned long size) { plain_access(a, size, true, CALLER); }
HOOK void __tsan_vptr_update(void **p, void *v)
{
    (void)v;
    plain_access(p, sizeof *p, true, CALLER);
}
HOOK void __tsan_vptr_read(void **p) { plain_access(p, sizeof *p, false, CALLER); }

/* ==========================================================================
** Freed memory: the scenario's free and realloc (linked with --wrap)
** ========================================================================== */

/* The block at p, about to be freed at pc. Its usable size may exceed
** what was asked for; those bytes were the block's too. */
static void free_block(void *p, const void *pc)
{
    struct exec *x = checking();
    if (x && p)
        race_free(x, (uintptr_t)p, malloc_usable_size(p), sync_current_loc(x), pc);
}

HOOK void __wrap_free(void *p)
{
    free_block(p, CALLER);
    free(p);
}

/* realloc writes the whole block, and may free it: it is checked as a free
** before it runs. What it keeps in place then has no recorded access, like
** a new block (a later unordered access by another thread to a block
** resized in place goes unreported). */
HOOK void *__wrap_realloc(void *p, size_t size)
{
    free_block(p, CALLER);
    return realloc(p, size);
}

/* ==========================================================================
** Atomics: one visible operation each (sync_atomic_at, atomic.c)
** ========================================================================== */

#define ORDER(mo) ((enum sync_order)(mo))
#define RMW_HOOK(n, T, name, kind, value)                                                  \
    HOOK T __tsan_atomic##n##_##name(volatile T *a, T v, int mo)                           \
    {                                                                                      \
        return (T)sync_atomic_at(a, n / 8, kind, value, 0, ORDER(mo));                     \
    }
#define ATOMIC_HOOKS(n, T)                                                                 \
    HOOK T __tsan_atomic##n##_load(const volatile T *a, int mo)                            \
    {                                                                                      \
        return (T)sync_atomic_at((volatile void *)a, n / 8, SYNC_LOAD, 0, 0, ORDER(mo));   \
    }                                                                                      \
    HOOK void __tsan_atomic##n##_store(volatile T *a, T v, int mo)                         \
    {                                                                                      \
        sync_atomic_at(a, n / 8, SYNC_STORE, (sync_word)v, 0, ORDER(mo));                  \
    }                                                                                      \
    RMW_HOOK(n, T, exchange, SYNC_EXCHANGE, (sync_word)v)                                  \
    RMW_HOOK(n, T, fetch_add, SYNC_ADD, (sync_word)v)                                      \
    RMW_HOOK(n, T, fetch_sub, SYNC_SUB, (sync_word)v)                                      \
    RMW_HOOK(n, T, fetch_and, SYNC_AND, (sync_word)v)                                      \
    RMW_HOOK(n, T, fetch_or, SYNC_OR, (sync_word)v)                                        \
    RMW_HOOK(n, T, fetch_xor, SYNC_XOR, (sync_word)v)                                      \
    RMW_HOOK(n, T, fetch_nand, SYNC_NAND, (sync_word)v)                                    \
    HOOK T __tsan_atomic##n##_compare_exchange_val(volatile T *a, T c, T v, int mo,        \
                                                   int fmo)                                \
    {                                                                                      \
        (void)fmo;                                                                         \
        return (T)sync_atomic_at(a, n / 8, SYNC_CAS, (sync_word)v, (sync_word)c, ORDER(mo)); \
    }                                                                                      \
    HOOK int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo,  \
                                                        int fmo)                           \
    {                                                                                      \
        T old = __tsan_atomic##n##_compare_exchange_val(a, *c, v, mo, fmo);                \
        if (old == *c)                                                                     \
            return 1;                                                                      \
        *c = old;                                                                          \
        return 0;                                                                          \
    }                                                                                      \
    HOOK int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo,    \
                                                      int fmo)                             \
    {                                                                                      \
        return __tsan_atomic##n##_compare_exchange_strong(a, c, v, mo, fmo);               \
    }
ATOMIC_HOOKS(8, unsigned char)
ATOMIC_HOOKS(16, unsigned short)
ATOMIC_HOOKS(32, unsigned int)
ATOMIC_HOOKS(64, unsigned long long)
ATOMIC_HOOKS(128, unsigned __int128)

/* A seq_cst fence drains the store buffer (x86's mfence); weaker fences
** order nothing that x86 does not order already. */
HOOK void __tsan_atomic_thread_fence(int mo) { sync_atomic_fence(ORDER(mo)); }
HOOK void __tsan_atomic_signal_fence(int mo) { (void)mo; }
