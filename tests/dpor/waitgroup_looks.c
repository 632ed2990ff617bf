/*
** waitgroup_looks.c -- two threads each add to a wait group and finish,
** while main waits: main's look at the counter may come between one
** thread's add and its done, after the other finished. With a wait
** group's decrements taken as releases (op.h), DPOR ran 32 of plain DFS's
** 34 classes (audit 8; tests/cli.sh).
*/
#include <weft.h>

static void job(void *arg)
{
    weft_waitgroup_t *wg = arg;
    weft_waitgroup_add(wg, 1);
    weft_waitgroup_done(wg);
}

WEFT_SCENARIO(waitgroup_looks, .summary = "adds and dones in two threads, a wait in main",
              .expect = WEFT_PASS)
{
    weft_waitgroup_t *wg = weft_calloc(1, sizeof *wg);
    weft_waitgroup_init(wg, "wg");
    weft_thread_t a = weft_spawn("a", job, wg);
    weft_thread_t b = weft_spawn("b", job, wg);
    weft_waitgroup_wait(wg);
    weft_join(a);
    weft_join(b);
}
