/*
** A thread calls exit(3) (issue 8): a crash with the exit status, reported
** with the execution's schedule; no atexit handler of the scenario runs.
*/
#include <stdlib.h>
#include <weft.h>

static void leave(void *arg)
{
    (void)arg;
    exit(3);
}

WEFT_SCENARIO(exit_status, .summary = "exit(3) in a thread", .expect = WEFT_CRASH)
{
    weft_thread_t t = weft_spawn("leaver", leave, NULL);
    weft_yield();
    weft_join(t);
}
