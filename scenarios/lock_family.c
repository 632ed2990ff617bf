/*
** lock_family.c -- a benchmark, not a bug: `threads` threads (default 2)
** each lock and unlock one shared mutex `sections` times (default 2); main
** joins them all. Every interleaving passes; the count of executions an
** exhaustive search needs measures the explorer (n threads with k sections
** each have (nk)! / (k!)^n lock orders). With symmetric=1 the workers are
** spawned as interchangeable, and (nk)! / ((k!)^n n!) orders remain.
*/
#include <weft.h>

#define MAX_THREADS 16

static const char *const worker_names[MAX_THREADS] = {
    "worker0", "worker1", "worker2", "worker3",
    "worker4", "worker5", "worker6", "worker7",
    "worker8", "worker9", "worker10", "worker11",
    "worker12", "worker13", "worker14", "worker15",
};

/* --param threads (default 2), or 0 after reporting a value out of range. */
static int threads_param(void)
{
    int threads = weft_param_int("threads", 2);
    weft_assert(threads >= 1 && threads <= MAX_THREADS,
                "threads must be 1..%d", MAX_THREADS);
    return threads >= 1 && threads <= MAX_THREADS ? threads : 0;
}

struct family {
    weft_mutex_t mu;
    int sections;
};

static void worker(void *arg)
{
    struct family *f = arg;

    for (int k = 0; k < f->sections; k++) {
        weft_mutex_lock(&f->mu);
        weft_mutex_unlock(&f->mu);
    }
}

WEFT_SCENARIO(lock_family,
              .summary = "benchmark: threads x sections critical sections on one mutex",
              .expect = WEFT_PASS)
{
    struct family *f = weft_calloc(1, sizeof *f);
    int threads = threads_param();
    weft_thread_t th[MAX_THREADS];

    if (threads == 0)
        return;
    f->sections = weft_param_int("sections", 2);
    weft_mutex_init(&f->mu, "mu", WEFT_MUTEX_NORMAL);
    int symmetric = weft_param_int("symmetric", 0);
    for (int i = 0; i < threads; i++)
        th[i] = symmetric ? weft_spawn_symmetric(worker_names[i], worker, f)
                          : weft_spawn(worker_names[i], worker, f);
    for (int i = 0; i < threads; i++)
        weft_join(th[i]);
}

/*
** two_stage: the same workers, then each takes a second mutex once. The
** second mutex's sections commute with the first's, so the classes are the
** lock orders of each mutex times each other: (nk)! / (k!)^n * n!. An
** optimal search runs exactly that many executions, none of them
** sleep-set-blocked (the Source-DPOR paper's family that shows why source
** sets alone are not optimal).
*/
struct two_stage {
    weft_mutex_t first, second;
    int sections;
};

static void two_stage_worker(void *arg)
{
    struct two_stage *f = arg;

    for (int k = 0; k < f->sections; k++) {
        weft_mutex_lock(&f->first);
        weft_mutex_unlock(&f->first);
    }
    weft_mutex_lock(&f->second);
    weft_mutex_unlock(&f->second);
}

WEFT_SCENARIO(two_stage,
              .summary = "benchmark: threads x sections on one mutex, then one on another",
              .expect = WEFT_PASS)
{
    struct two_stage *f = weft_calloc(1, sizeof *f);
    int threads = threads_param();
    weft_thread_t th[MAX_THREADS];

    if (threads == 0)
        return;
    f->sections = weft_param_int("sections", 1);
    weft_mutex_init(&f->first, "first", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&f->second, "second", WEFT_MUTEX_NORMAL);
    for (int i = 0; i < threads; i++)
        th[i] = weft_spawn(worker_names[i], two_stage_worker, f);
    for (int i = 0; i < threads; i++)
        weft_join(th[i]);
}
