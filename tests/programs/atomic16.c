/* atomic16.c -- 16-byte atomics, as lock-free code keeps a tag beside a
** pointer (tests/programs.sh): a program that used them did not load
** (weft had no __tsan_atomic128 hooks). Two threads each advance a
** {ptr, tag} pair twice with a compare-and-swap loop: both advances
** always land. -DLOST: a load and a store instead, an update lost. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    long ptr, tag;
} pair;

static _Atomic pair top;

static void *advance(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        pair old = atomic_load(&top), next;
#ifdef LOST
        next = (pair){ old.ptr + 1, old.tag + 1 };
        atomic_store(&top, next);
#else
        do
            next = (pair){ old.ptr + 1, old.tag + 1 };
        while (!atomic_compare_exchange_weak(&top, &old, next));
#endif
    }
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, advance, NULL);
    pthread_create(&b, NULL, advance, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pair p = atomic_load(&top);
    assert(p.ptr == 4 && p.tag == 4);
    return 0;
}
