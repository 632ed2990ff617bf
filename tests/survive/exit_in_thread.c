/*
** A thread calls _exit(0) (issue 8). The process that runs the search ends
** with status 0, which is not a pass: weft reports a crash with the
** execution's schedule, and the next scenario of the folder still runs.
*/
#include <unistd.h>
#include <weft.h>

static void leave(void *arg)
{
    (void)arg;
    _exit(0);
}

WEFT_SCENARIO(exit_in_thread, .summary = "_exit(0) in a thread", .expect = WEFT_CRASH)
{
    weft_thread_t t = weft_spawn("leaver", leave, NULL);
    weft_join(t);
}
