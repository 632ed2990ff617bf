/*
** atomic_families.c -- benchmarks, not bugs: two families from the
** partial-order-reduction literature, on weft_atomic_t cells, whose
** counts of interleaving classes measure how close a search comes to one
** execution per class.
**
** writer_readers: one writer stores to a cell that `readers` threads
** (default 2) each load once. Loads commute, so a class is which readers
** read before the store: 2^readers classes.
**
** lastzero (Abdulla et al., Source Sets, 2014): an array of n + 1 cells,
** zero; thread i (1..n, `threads`, default 2) sets a[i] = a[i-1] + 1, and a
** reader scans from a[n] down for the last zero. Every interleaving passes.
*/
#include <weft.h>

#define MAX_THREADS 16

static const char *const reader_names[MAX_THREADS] = {
    "reader0", "reader1", "reader2", "reader3", "reader4", "reader5", "reader6", "reader7",
    "reader8", "reader9", "reader10", "reader11", "reader12", "reader13", "reader14", "reader15",
};

static const char *const writer_names[MAX_THREADS + 1] = {
    "writer0", "writer1", "writer2", "writer3", "writer4", "writer5", "writer6", "writer7",
    "writer8", "writer9", "writer10", "writer11", "writer12", "writer13", "writer14", "writer15",
    "writer16",
};

static void store_one(void *arg) { weft_atomic_store((weft_atomic_t *)arg, 1); }
static void load_once(void *arg) { weft_atomic_load((weft_atomic_t *)arg); }

/* The family size from --param key, or the body stops with a failure. */
static int family_size(const char *key, int fallback)
{
    int n = weft_param_int(key, fallback);
    weft_assert(n >= 1 && n < MAX_THREADS, "%s must be 1..%d", key, MAX_THREADS - 1);
    return n;
}

WEFT_SCENARIO(writer_readers,
              .summary = "benchmark: one writer, N readers of one atomic cell (2^N classes)",
              .expect = WEFT_PASS)
{
    int n = family_size("readers", 2);
    weft_atomic_t *cell = weft_calloc(1, sizeof *cell);
    weft_thread_t th[MAX_THREADS];
    weft_atomic_init(cell, "cell", 0);
    th[0] = weft_spawn("writer", store_one, cell);
    for (int i = 1; i <= n; i++)
        th[i] = weft_spawn(reader_names[i - 1], load_once, cell);
    for (int i = 0; i <= n; i++)
        weft_join(th[i]);
}

struct array {
    weft_atomic_t a[MAX_THREADS + 1];
    int n;
};

struct writer {
    struct array *arr;
    int i;
};

static void scan_for_zero(void *arg)
{
    struct array *arr = arg;
    int i = arr->n;
    while (i > 0 && weft_atomic_load(&arr->a[i]) != 0)
        i--;
}

static void set_next(void *arg)
{
    struct writer *w = arg;
    weft_atomic_store(&w->arr->a[w->i], weft_atomic_load(&w->arr->a[w->i - 1]) + 1);
}

WEFT_SCENARIO(lastzero,
              .summary = "benchmark: lastzero(n), writers fill an array, a reader scans it",
              .expect = WEFT_PASS)
{
    struct array *arr = weft_calloc(1, sizeof *arr);
    struct writer *w = weft_calloc(MAX_THREADS, sizeof *w);
    weft_thread_t th[MAX_THREADS + 1];
    arr->n = family_size("threads", 2);
    for (int i = 0; i <= arr->n; i++)
        weft_atomic_init(&arr->a[i], NULL, 0);
    th[0] = weft_spawn("reader", scan_for_zero, arr);
    for (int i = 1; i <= arr->n; i++) {
        w[i] = (struct writer){ arr, i };
        th[i] = weft_spawn(writer_names[i], set_next, &w[i]);
    }
    for (int i = 0; i <= arr->n; i++)
        weft_join(th[i]);
}
