/*
** datatable_barrier_throw.c -- h2oai/datatable PR 2521, "Fix deadlock
** in barrier when an exception occurs".
**
** Upstream (the C++ thread pool under datatable's parallel regions): the
** threads of a parallel region meet at a barrier between two phases. In
** the PR's words: "The problem may happen if some of the threads arrive at
** a barrier, while some other thread throws an exception. In such a case
** the threads at a barrier will be left waiting forever." It was caught by
** test_progress_interrupt[nested-6], a test that interrupts a parallel job
** while it runs. The same shape hangs Python tests that start N threads at
** a threading.Barrier(N) when one of them raises first
** (Quansight-Labs/free-threaded-compatibility issue 133, after a hang in
** NumPy's CI).
**
** The hang (threads=3):
**   test        interrupts the job
**   worker[0]   sees the interrupt while it reports progress and throws:
**               it leaves the region without arriving at the barrier
**   worker[1,2] wait at the barrier for a third party that never comes
** If the interrupt comes after worker[0] passed its check, the round
** completes and the job ends normally: the hang depends on the timing.
**
** Fix: a thread that throws still arrives at the barrier (and its
** exception is rethrown after the region), and every thread checks after
** the barrier whether the job failed before it starts the next phase.
** (weft's barrier, like pthread_barrier_t, cannot be aborted, so this is
** the fix modelled; the upstream patch changed datatable's own barrier.)
*/
#include <weft.h>

#define MAX_THREADS 8

static const char *const worker_names[MAX_THREADS] = {
    "worker[0]", "worker[1]", "worker[2]", "worker[3]",
    "worker[4]", "worker[5]", "worker[6]", "worker[7]",
};

struct job {
    weft_barrier_t barrier;     /* between the two phases of the region */
    weft_atomic_t interrupted;  /* the test's interrupt has arrived */
    weft_atomic_t failed;       /* an exception is stored for rethrow */
    int fixed;
};

struct worker {
    struct job *job;
    int reports_progress;       /* this thread checks for the interrupt */
};

/* progress.update(): throws (here: returns 1) once interrupted. */
static int progress_throws(struct job *j)
{
    if (weft_atomic_load(&j->interrupted) == 0)
        return 0;
    weft_atomic_store(&j->failed, 1);  /* the exception, kept for later */
    return 1;
}

/* One thread's share of the parallel region. */
static void region(void *arg)
{
    struct worker *w = arg;
    struct job *j = w->job;

    /* phase 1: this thread's chunk of the work */
    if (w->reports_progress && progress_throws(j)) {
        if (!j->fixed)
            return;             /* bug: unwinds past the barrier */
        weft_barrier_wait(&j->barrier);   /* fix: arrive anyway */
        return;
    }
    weft_barrier_wait(&j->barrier);
    if (j->fixed && weft_atomic_load(&j->failed))
        return;                 /* fix: skip phase 2 after an exception */
    /* phase 2 */
}

static void interrupt(void *arg)
{
    struct job *j = arg;

    weft_atomic_store(&j->interrupted, 1);
}

static void run(int fixed)
{
    struct job *j = weft_calloc(1, sizeof *j);
    int nthreads = weft_param_int("threads", 3);
    struct worker *w;
    weft_thread_t t[MAX_THREADS], test;

    weft_assert(nthreads >= 2 && nthreads <= MAX_THREADS,
                "threads must be 2..%d", MAX_THREADS);
    j->fixed = fixed;
    weft_barrier_init(&j->barrier, "region.barrier", nthreads);
    weft_atomic_init(&j->interrupted, "interrupted", 0);
    weft_atomic_init(&j->failed, "exception", 0);

    w = weft_calloc((size_t)nthreads, sizeof *w);
    test = weft_spawn("interrupt", interrupt, j);
    for (int i = 0; i < nthreads; i++) {
        w[i].job = j;
        w[i].reports_progress = i == 0;
        t[i] = weft_spawn(worker_names[i], region, &w[i]);
    }
    for (int i = 0; i < nthreads; i++)
        weft_join(t[i]);
    weft_join(test);
}

WEFT_SCENARIO(datatable_barrier_throw,
              .summary = "a thread throws before the barrier, the rest wait (h2oai/datatable#2521)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(datatable_barrier_throw_fixed,
              .summary = "a throwing thread still arrives at the barrier (h2oai/datatable#2521)",
              .expect = WEFT_PASS)
{
    run(1);
}
