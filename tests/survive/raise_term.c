/*
** A thread raises SIGTERM (issue 8), a signal weft does not catch in
** scenario threads: the process dies of it, and weft reports a crash
** naming the signal, with the execution's schedule.
*/
#include <signal.h>
#include <weft.h>

static void terminate(void *arg)
{
    (void)arg;
    raise(SIGTERM);
}

WEFT_SCENARIO(raise_term, .summary = "raise(SIGTERM) in a thread", .expect = WEFT_CRASH)
{
    weft_thread_t t = weft_spawn("terminator", terminate, NULL);
    weft_join(t);
}
