/*
** builtins_named.c -- GCC's __sync and __atomic builtins, called by the
** program itself, are steps at their own line naming their object as the
** program spells it, as C11 atomic calls are; their arguments are
** evaluated once (tests/programs.sh). Fails at the end on purpose, to
** show the steps.
*/
#include <assert.h>
#include <pthread.h>

static int counter, flag, cells[2];
static long wide;

static void *bump(void *arg)
{
    (void)arg;
    __sync_fetch_and_add(&counter, 1);
    __atomic_fetch_add(&wide, 2, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, bump, NULL);
    pthread_join(t, NULL);
    int i = 0;
    assert(__sync_add_and_fetch(&cells[i++], 3) == 3 && i == 1);
    assert(__sync_bool_compare_and_swap(&flag, 0, 1));
    assert(__sync_val_compare_and_swap(&flag, 1, 2) == 1);
    assert(__sync_lock_test_and_set(&flag, 4) == 2);
    __sync_lock_release(&flag);
    assert(__atomic_load_n(&counter, __ATOMIC_ACQUIRE) == 1);
    int *p = &counter;
    __atomic_store_n(p, 5, __ATOMIC_RELEASE);
    assert(__sync_sub_and_fetch(&wide, 2) == 1);
    return 0;
}
