/*
** The end of an execution with a detached thread is a step of its own,
** taken by the last thread not detached to return: main or w here. The
** classes of executions named that step by its thread, so plain DFS
** counted 8 classes where DPOR ran 4 (and 3 executions blocked by sleep
** sets). Since the returns of main and w are steps of their own, ordered
** with each other, which of them returns last is part of the class: 8
** classes, and DPOR runs each once with none blocked (tests/cli.sh checks
** that they agree).
*/
#include <weft.h>

static weft_atomic_t *cell;

static void stores_1(void *arg)
{
    (void)arg;
    weft_atomic_store(cell, 1);
}

static void stores_2(void *arg)
{
    (void)arg;
    weft_atomic_store(cell, 2);
}

WEFT_SCENARIO(end_taken_by_either, .expect = WEFT_PASS)
{
    cell = weft_calloc(1, sizeof *cell);
    weft_spawn_detached("det", stores_1, NULL);
    weft_spawn("w", stores_2, NULL);
    weft_yield();
}
