/*
** race.h -- happens-before and data races (race.c).
**
** Plain memory is not a scheduling point. The searches interleave the
** visible operations only; what makes that enough is the race check here.
** Every checked load and store (WEFT_READ/WEFT_WRITE, or every access of a
** scenario file compiled with --memory=all, sync/tsan.c) is compared with the earlier
** accesses to the same bytes: two by different threads, at least one a
** write, that no chain of synchronisation orders are a data race, and the
** execution fails with WEFT_DATA_RACE. A program with no data race in any
** interleaving of its visible operations behaves, in every interleaving of
** all its instructions, like one of those interleavings (data-race freedom
** gives sequential consistency at synchronisation points), so exploring
** the visible operations and checking every access covers every behaviour.
**
** Happens-before is tracked with a vector clock per thread and per object:
** a step acquires the clock of every object it touches and, when it
** changes one (a write, a lock, a send), releases its own clock into it.
** A spawned thread starts from its parent's clock, a joiner acquires the
** clock its child ended with, and a thread whose operation another
** completes (a rendezvous, a released waiter) acquires the completer's.
** Reading or setting the virtual clock orders nothing. An atomic weaker
** than seq_cst orders what C11 says (op.h, sched_op.sync): a relaxed one
** nothing but through fences (race_fence), an acquire load only what it
** reads, a release store only what it writes, and a store that waits in a
** store buffer releases, when it reaches memory, the clock it was made
** with (race_store_clock). This order has all
** the edges the Go and C11 memory models give and a few more (two sends on
** one buffered channel are ordered here), so a race those models see only
** between such operations may go unreported; it never reports one that is
** not there.
**
** Clocks are kept only with cfg->check_memory. A search starts without:
** the first execution that uses checked memory sets x->memory_unchecked,
** and the search starts again from scratch with check_memory on, so every
** execution it counts was checked from its first step.
*/
#ifndef WEFT_RACE_H
#define WEFT_RACE_H

#include "core/exec.h"

/* A new thread's clock: its parent's (NULL for main), its own entry 1.
** Returns false when out of memory. */
bool race_thread_begin(struct exec *x, struct sched_thread *t, struct sched_thread *parent);
/* After t's step with op: acquire from, and maybe release into, its objects. */
void race_step(struct exec *x, struct sched_thread *t, struct sched_op *op);
/* x->current completes op for its thread: that thread acquires x->current's clock. */
void race_complete(struct exec *x, struct sched_op *op);
/* t returned: a join of t acquires what t ended with. */
void race_thread_end(struct exec *x, struct sched_thread *t);
/* The running scenario thread reads (write false) or writes size bytes at
** addr, named name (or NULL) in reports, at `at`: fails the execution when
** this access races with an earlier one, or when there is no memory to
** remember it. */
void race_access(struct exec *x, const void *addr, size_t size, bool write, const char *name,
                 struct sched_loc at);
/* The same for an instrumented access (sync/tsan.c): it has no line of its
** own, only pc, the address of the code that made it, and step, where the
** thread's last step was. */
void race_access_pc(struct exec *x, const void *addr, size_t size, bool write,
                    struct sched_loc step, const void *pc);
/* The running thread's atomic operation on size bytes at addr, a write
** unless it left them as they were (its step at `at`, just made): it races
** with another thread's plain access that nothing orders with it, as C11
** has it, never with another atomic. */
void race_atomic(struct exec *x, const void *addr, size_t size, bool write, struct sched_loc at);
/* A store buffer (sync/atomic.c). The clock the running thread's atomic
** store, buffered now, releases when it reaches memory: its clock for a
** release store, its clock at its last release fence for a relaxed one
** (or NULL: nothing). Then, in the apply that writes it to memory,
** o (its cell) gets that clock. */
uint32_t *race_store_clock(struct exec *x, bool release, struct sched_loc at);
void race_store_reaches(struct exec *x, struct sched_obj *o, const uint32_t *c);
/* The running thread's atomic_thread_fence: an acquire fence acquires
** what its relaxed loads read before it, a release fence makes its later
** relaxed stores release its clock as it is now (C11's fences). */
void race_fence(struct exec *x, bool acquire, bool release, struct sched_loc at);
/* The running thread frees size bytes at addr (an address, never
** dereferenced), at pc, after its step at step. A free writes the whole
** block: another thread's access to it that nothing orders before the free
** is a race (that access may as well come after it). Then every access to
** the bytes is forgotten, so the block's next owner races with none of the
** old owner's: the allocator orders a free before the malloc that hands the
** block out again, an order weft does not see. Memory of the execution's
** arena needs no call: the whole shadow goes when the execution ends. */
void race_free(struct exec *x, uintptr_t addr, size_t size, struct sched_loc step,
               const void *pc);

#endif
