/*
** Some interleavings of N workers (--param workers=N, default 3) end the
** process (issue 8): those where the last worker takes the lock first and
** the one before it second call _exit(0) while holding it, with the
** others still to come. --param how=1 makes them spin without a visible
** operation instead, how=2 block in a real sleep, how=3 fail an assertion
** (the ordinary failure the others are compared with). how=4 ends the
** process there too, and fails an assertion where worker 0 takes the lock
** first and worker 1 second: a search split into units meets the
** assertion in low units and the exit in high ones, so a --jobs
** --keep-going worker that keeps the assertion as its result and goes on
** dies later. Every other interleaving passes. A search that goes on past failures (--classes)
** reports each death and goes on: its counts are those of how=3.
*/
#include <unistd.h>
#include <weft.h>

static weft_mutex_t *lock;
#define MAX_WORKERS 8

static int order[MAX_WORKERS], taken, workers, how;

static void end_here(void)
{
    switch (how) {
    case 0:
    case 4:
        _exit(0);
    case 1:
        for (volatile int spin = 1; spin;) {
        }
        break;
    case 2:
        sleep(3600);
        break;
    default:
        weft_assert(0, "the interleaving c, b");
    }
}

static void worker(void *arg)
{
    int id = (int)(long)arg;
    weft_mutex_lock(lock);
    order[taken++] = id;
    if (how == 4 && taken == 2 && order[0] == 0 && order[1] == 1)
        weft_assert(0, "the interleaving a, b");
    if (taken == 2 && order[0] == workers - 1 && order[1] == workers - 2)
        end_here();
    weft_mutex_unlock(lock);
}

static void reset(void)
{
    taken = 0;
    workers = weft_param_int("workers", 3);
    how = weft_param_int("how", 0);
}

WEFT_SCENARIO(dies_in_one, .summary = "_exit(0) in some interleavings of N workers", .expect = WEFT_CRASH,
              .setup = reset)
{
    lock = weft_alloc(sizeof *lock);
    weft_mutex_init(lock, "lock", WEFT_MUTEX_NORMAL);
    weft_assert(workers >= 2 && workers <= MAX_WORKERS, "--param workers=2..8");
    weft_thread_t t[MAX_WORKERS];
    for (int i = 0; i < workers; i++)
        t[i] = weft_spawn("worker", worker, (void *)(long)i);
    for (int i = 0; i < workers; i++)
        weft_join(t[i]);
}
