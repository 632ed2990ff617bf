/* exit_handler.c -- an atexit handler that flushes what a worker thread
** produced, and main returns without joining the worker (tests/programs.sh).
** The handlers run when main returns, in main's thread, while the worker
** may still be working: the flush can miss the work. Each execution starts
** with no handler; -DFIXED: main joins the worker first. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int produced, handlers_run;

static void flush(void)
{
    atomic_fetch_add(&handlers_run, 1);
    assert(atomic_load(&produced) == 1);      /* the worker's result is in */
}

static void *worker(void *arg)
{
    (void)arg;
    atomic_store(&produced, 1);
    return NULL;
}

int main(void)
{
    atomic_store(&produced, 0);
    atomic_store(&handlers_run, 0);
    atexit(flush);
    pthread_t w;
    pthread_create(&w, NULL, worker, NULL);
#ifdef FIXED
    pthread_join(w, NULL);
#else
    pthread_detach(w);
#endif
    return 0;
}
