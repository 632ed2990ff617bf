/*
** Two threads each allocate a block and use a mutex inside it, then take a
** shared lock: two classes (who takes the shared lock first). Which thread
** allocates first differs between schedules that are one class, so a
** handle must not be named by where its block lies among everything
** allocated (sched_handle_key: the block is named by the thread that
** asked for it and when). tests/cli.sh checks that plain DFS, every
** interleaving, sees exactly 2 classes (6 before), as DPOR runs 2
** executions.
*/
#include <weft.h>

struct box {
    weft_mutex_t own;
    int uses;
};

static weft_mutex_t shared;

static void allocate_then_share(void *arg)
{
    (void)arg;
    weft_yield();                     /* the other may allocate first */
    struct box *b = weft_alloc(sizeof *b);
    weft_mutex_init(&b->own, NULL, WEFT_MUTEX_NORMAL);
    weft_mutex_lock(&b->own);
    b->uses++;
    weft_mutex_unlock(&b->own);
    weft_mutex_lock(&shared);
    weft_mutex_unlock(&shared);
}

WEFT_SCENARIO(handles_in_blocks_of_two_threads,
              .summary = "each thread allocates a block with a mutex, then takes a shared lock",
              .expect = WEFT_PASS)
{
    weft_mutex_init(&shared, "shared", WEFT_MUTEX_NORMAL);
    weft_thread_t a = weft_spawn("a", allocate_then_share, NULL);
    weft_thread_t b = weft_spawn("b", allocate_then_share, NULL);
    weft_join(a);
    weft_join(b);
}
