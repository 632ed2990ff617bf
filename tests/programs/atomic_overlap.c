/* atomic_overlap.c -- atomics on overlapping bytes at different addresses
** (tests/programs.sh). weft named an atomic's cell by its address only, so
** a store to a byte of a word and a load of the whole word were two cells
** the searches took to commute, and a cell kept the width of its first
** access. The mode is the first argument:
**   overlap  one thread stores to byte 1 of y and to the high half of w;
**            another loads y and then w: the loads may come first, so y
**            may be read as 0, an assertion (DPOR ran 1 execution and
**            passed; plain DFS and Linux read 0 too);
**   widen    a byte of y is loaded, then all four bytes: the second load
**            reads all of them (it read one: the first access's width);
**   apart    two threads add to the two halves of one 8-byte word: their
**            bytes are apart, so the additions commute (1 execution). */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

static uint32_t y;
static uint64_t w;
static uint32_t ry;
static uint64_t rw;
static struct { _Alignas(8) uint32_t lo; uint32_t hi; } halves;

static void *writer(void *arg)
{
    (void)arg;
    __atomic_store_n((uint8_t *)&y + 1, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n((uint32_t *)&w + 1, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    ry = __atomic_load_n(&y, __ATOMIC_SEQ_CST);
    rw = __atomic_load_n(&w, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *add_lo(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&halves.lo, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *add_hi(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&halves.hi, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void two(void *(*a)(void *), void *(*b)(void *))
{
    pthread_t t[2];
    pthread_create(&t[0], NULL, a, NULL);
    pthread_create(&t[1], NULL, b, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "overlap";
    if (strcmp(mode, "widen") == 0) {
        y = 0x11223344;
        assert(__atomic_load_n((uint8_t *)&y, __ATOMIC_SEQ_CST) == 0x44);
        assert(__atomic_load_n(&y, __ATOMIC_SEQ_CST) == 0x11223344);
    } else if (strcmp(mode, "apart") == 0) {
        two(add_lo, add_hi);
        assert(halves.lo == 1 && halves.hi == 1);
    } else {
        two(writer, reader);
        assert(ry == 0x100);          /* fails when the load of y came first */
    }
    return 0;
}
