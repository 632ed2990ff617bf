/*
** blocking_calls.c -- calls that would block outside weft, or wait for a
** signal, stop the execution at their line rather than hang
** (tests/programs.sh; the argument picks one): "fgets", "getchar" read
** stdin that has nothing to give, "alarm", "ualarm" send a signal in real
** time; "sigwait" and "pause" wait for a signal nobody sends: a deadlock.
*/
#include <signal.h>
#include <stdio.h>
#include <string.h>
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
    if (strcmp(what, "alarm") == 0)
        alarm(1);
    if (strcmp(what, "ualarm") == 0)
        ualarm(1000, 0);
    return 0;
}
