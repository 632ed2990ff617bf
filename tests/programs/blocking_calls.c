/*
** blocking_calls.c -- calls that would block outside weft, or wait for a
** signal, stop the execution at their line rather than hang
** (tests/programs.sh; the argument picks one): "fgets", "getchar" read
** stdin that has nothing to give, "timer_create" and "itimer_prof" make
** timers of CPU time, which weft does not model (alarm, setitimer's
** ITIMER_REAL and timer_create on the other clocks are: alarm.c,
** posix_timers.c); "sigwait" and
** "pause" wait for a signal nobody sends: a deadlock.
*/
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    char line[16];
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (strcmp(what, "fgets") == 0 && fgets(line, sizeof line, stdin))
        puts(line);
    if (strcmp(what, "getchar") == 0)
        printf("%d\n", getchar());
    if (strcmp(what, "pause") == 0)
        pause();
    if (strcmp(what, "sigwait") == 0)
        sigwait(&set, &sig);
    timer_t timer;
    struct itimerval every = { { 1, 0 }, { 1, 0 } };
    if (strcmp(what, "timer_create") == 0)
        timer_create(CLOCK_PROCESS_CPUTIME_ID, NULL, &timer);
    if (strcmp(what, "itimer_prof") == 0)
        setitimer(ITIMER_PROF, &every, NULL);
    return 0;
}
