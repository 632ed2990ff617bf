/*
** compare.c -- what a scenario's own code compares, for the fairness rule.
**
** Scenario files and programs are compiled with
** -fsanitize-coverage=trace-cmp (cli/loader.c): the compiler calls one of
** these hooks before each comparison and switch in their code. Each one
** adds what was compared to the running thread's loop turn (core/sched.c,
** sched_turn_compared). A loop that gives up after a count of failed
** polls keeps that count in a local, which no step shows; its comparison
** does. Without it the loop's turns looked alike, the fairness rule held
** it back after two of them, and its give-up path was never explored
** (tests/regress/poll_gives_up.c). Outside an execution (a constructor,
** setup) and in code compiled without the flag, nothing is recorded.
*/
#include <string.h>
#include "sync/sync.h"

#define HOOK __attribute__((visibility("default")))
#define CALLER ((uintptr_t)__builtin_return_address(0))

/* How a compared with b at their width (bits): 0 when equal, else -1 or 1
** by their signed order, doubled when the unsigned order disagrees. Which
** test the code made (<, ==, unsigned) it does not know, but whichever it
** was, its result cannot change while this does not. */
static int order(uint64_t a, uint64_t b, int bits)
{
    if (a == b)
        return 0;
    int shift = 64 - bits;            /* sign-extend from the width */
    int64_t sa = (int64_t)(a << shift) >> shift, sb = (int64_t)(b << shift) >> shift;
    return (sa < sb ? -1 : 1) * ((a < b) == (sa < sb) ? 1 : 2);
}

static void compared_as(uintptr_t pc, uint64_t a, uint64_t b, int outcome)
{
    struct exec *x = sync_exec();
    if (x != NULL)
        sched_turn_compared(x, pc, a, b, outcome);
}

static void compared(uintptr_t pc, uint64_t a, uint64_t b, int bits)
{
    compared_as(pc, a, b, order(a, b, bits));
}

HOOK void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b) { compared(CALLER, a, b, 8); }
HOOK void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b) { compared(CALLER, a, b, 16); }
HOOK void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b) { compared(CALLER, a, b, 32); }
HOOK void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b) { compared(CALLER, a, b, 64); }
HOOK void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b) { compared(CALLER, a, b, 8); }
HOOK void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b) { compared(CALLER, a, b, 16); }
HOOK void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b) { compared(CALLER, a, b, 32); }
HOOK void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b) { compared(CALLER, a, b, 64); }

/* Floating-point comparisons (GCC): their bits, and their order (2 when
** either is NaN). A float widens to a double exactly. */
static void compared_floats(uintptr_t pc, double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    compared_as(pc, x, y, a < b ? -1 : a > b ? 1 : a == b ? 0 : 2);
}

HOOK void __sanitizer_cov_trace_cmpf(float a, float b) { compared_floats(CALLER, a, b); }
HOOK void __sanitizer_cov_trace_cmpd(double a, double b) { compared_floats(CALLER, a, b); }

/* clang's coverage kind for the flags above (cli/loader.c): a flag per
** function, which weft does not read. */
HOOK void __sanitizer_cov_bool_flag_init(bool *start, bool *stop)
{
    (void)start;
    (void)stop;
}

/* A switch on val: cases holds their number, their width and the labels;
** the outcome is the label val matched, or -1. */
HOOK void __sanitizer_cov_trace_switch(uint64_t val, uint64_t *cases)
{
    int which = -1;
    for (uint64_t i = 0; i < cases[0] && which < 0; i++)
        if (cases[2 + i] == val)
            which = (int)i;
    compared_as(CALLER, val, 0, which);
}
