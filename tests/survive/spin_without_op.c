/*
** A thread waits for a flag in a loop without a visible operation (issue
** 8): when it gets the lock before main, main never runs again to set the
** flag. The watchdog reports a livelock (the thread spins without any
** weft operation) after --watchdog seconds of CPU, and the search goes on
** to the next scenario.
*/
#include <weft.h>

static volatile int flag;

static void waiter(void *arg)
{
    weft_mutex_t *m = arg;
    weft_mutex_lock(m);
    weft_mutex_unlock(m);
    while (!flag) {
    }
}

static void reset(void) { flag = 0; }

WEFT_SCENARIO(spin_without_op, .summary = "while (!flag) {} with no weft operation",
              .expect = WEFT_LIVELOCK, .setup = reset)
{
    weft_mutex_t *m = weft_alloc(sizeof *m);
    weft_mutex_init(m, "m", WEFT_MUTEX_NORMAL);
    weft_thread_t t = weft_spawn("waiter", waiter, m);
    weft_mutex_lock(m);
    flag = 1;
    weft_mutex_unlock(m);
    weft_join(t);
}
