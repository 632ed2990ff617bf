/* unsupported.c -- a call weft does not model yet fails the execution at
** its line, naming the call (tests/programs.sh): fork; with the argument
** vfork, vfork (its child's _exit was taken for the program's: a pass
** that never ran the parent's assertion); with the argument signalfd, a
** descriptor that signals make readable (timerfds are modelled:
** timerfd.c). */
#include <assert.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    sigset_t set;
    sigemptyset(&set);
    if (argc > 1 && strcmp(argv[1], "signalfd") == 0)
        return signalfd(-1, &set, 0) < 0;
    if (argc > 1 && strcmp(argv[1], "vfork") == 0) {
        pid_t child = vfork();
        if (child == 0)
            _exit(0);
        assert(!"the parent goes on");
    }
    return fork() < 0;
}
