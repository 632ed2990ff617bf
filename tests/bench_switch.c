/*
** bench_switch.c -- nanoseconds per main->fiber->main round trip (10M trips).
** Times the hand-written switch and, built with -DBENCH_UCONTEXT plus a second
** copy of fiber.c whose symbols carry a uc_ prefix, the ucontext fallback.
** Invariant: both variants run the same loop text (one macro, two expansions).
**
** Hand-written only:
**   gcc -std=c11 -O2 -D_GNU_SOURCE -I sched/core sched/core/fiber.c \
**       sched/core/fiber_x86_64.S sched/core/fiber_aarch64.S \
**       tests/bench_switch.c -o bench_switch
** Both: add -DBENCH_UCONTEXT and an object built from fiber.c with
**   -DWEFT_FIBER_UCONTEXT -Dfiber=uc_fiber -Dfiber_init_main=uc_fiber_init_main
**   -Dfiber_stack_alloc=uc_fiber_stack_alloc -Dfiber_stack_free=uc_fiber_stack_free
**   -Dfiber_prepare=uc_fiber_prepare -Dfiber_switch=uc_fiber_switch
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core/fiber.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TRIPS = 10 * 1000 * 1000, WARMUP = 100 * 1000 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The fiber bumps a counter each time it runs, so nothing can be elided and
** the run can be checked: exactly one increment per round trip. */
#define DEFINE_BENCH(NAME)                                                    \
    static struct fiber NAME##_main, NAME##_fib;                              \
    static volatile long NAME##_count;                                        \
    static void NAME##_entry(void *arg)                                       \
    {                                                                         \
        (void)arg;                                                            \
        for (;;) {                                                            \
            NAME##_count++;                                                   \
            fiber_switch(&NAME##_fib, &NAME##_main, 0);                       \
        }                                                                     \
    }                                                                         \
    static double NAME(void)                                                  \
    {                                                                         \
        fiber_init_main(&NAME##_main);                                        \
        if (fiber_stack_alloc(&NAME##_fib, 64 * 1024) != 0)                   \
            abort();                                                          \
        fiber_prepare(&NAME##_fib, NAME##_entry, NULL);                       \
        for (long i = 0; i < WARMUP; i++)                                     \
            fiber_switch(&NAME##_main, &NAME##_fib, 0);                       \
        double t0 = now_ns();                                                 \
        for (long i = 0; i < TRIPS; i++)                                      \
            fiber_switch(&NAME##_main, &NAME##_fib, 0);                       \
        double t1 = now_ns();                                                 \
        if (NAME##_count != WARMUP + TRIPS)                                   \
            abort();                                                          \
        fiber_stack_free(&NAME##_fib); /* abandoned mid-loop: fine */         \
        return (t1 - t0) / TRIPS;                                             \
    }

DEFINE_BENCH(bench_native)

#ifdef BENCH_UCONTEXT
/* Second view of fiber.h: the ucontext layout under uc_-prefixed names. */
#undef WEFT_FIBER_H
#define WEFT_FIBER_UCONTEXT 1
#define fiber uc_fiber
#define fiber_init_main uc_fiber_init_main
#define fiber_stack_alloc uc_fiber_stack_alloc
#define fiber_stack_free uc_fiber_stack_free
#define fiber_prepare uc_fiber_prepare
#define fiber_switch uc_fiber_switch
#define fiber_abandon uc_fiber_abandon
#define fiber_landed uc_fiber_landed
#define fiber_overflowed uc_fiber_overflowed
#define fiber_check_stack uc_fiber_check_stack
#define fiber_stack_overflowed uc_fiber_stack_overflowed
#include "core/fiber.h"
DEFINE_BENCH(bench_ucontext)
#endif

int main(void)
{
    double ns = bench_native();
    printf("hand-written: %.2f ns per round trip (%.2f ns per switch), %d trips\n",
           ns, ns / 2, TRIPS);
#ifdef BENCH_UCONTEXT
    ns = bench_ucontext();
    printf("ucontext:     %.2f ns per round trip (%.2f ns per switch), %d trips\n",
           ns, ns / 2, TRIPS);
#endif
    return 0;
}
