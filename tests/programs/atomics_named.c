/*
** atomics_named.c -- a C11 atomic call's step is at its own line and names
** its object as the program spells it; its arguments are evaluated once
** (tests/programs.sh). Fails at the end on purpose, to show the steps.
*/
#include <assert.h>
#include <stdatomic.h>

static atomic_int counter;
static atomic_int cells[2];

int main(void)
{
    int i = 0;
    atomic_int *p = &counter;
    atomic_fetch_add(&cells[i++], 2);
    assert(i == 1 && atomic_load(&cells[0]) == 2);
    atomic_store(p, 5);
    int expected = 5;
    assert(atomic_compare_exchange_strong(&counter, &expected, 6));
    assert(atomic_exchange_explicit(&counter, 7, memory_order_relaxed) == 6);
    atomic_flag flag = ATOMIC_FLAG_INIT;
    assert(!atomic_flag_test_and_set(&flag));
    atomic_flag_clear(&flag);
    assert(atomic_fetch_sub(&counter, 1) == 8);
    return 0;
}
