/*
** A thread blocks in a real system call, outside weft (issue 8): weft's
** scheduler never gets control back, and the process uses no CPU. After
** --watchdog seconds plus one without progress the supervisor reports the
** execution as stuck, with its schedule, and the search goes on.
*/
#include <unistd.h>
#include <weft.h>

static void sleeper(void *arg)
{
    (void)arg;
    sleep(3600);
}

WEFT_SCENARIO(blocked_for_real, .summary = "sleep(3600) in a thread", .expect = WEFT_STUCK)
{
    weft_thread_t t = weft_spawn("sleeper", sleeper, NULL);
    weft_join(t);
}
