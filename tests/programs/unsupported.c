/* unsupported.c -- a call weft does not model yet fails the execution at
** its line, naming the call (tests/programs.sh): fork; with the argument
** vfork, vfork (its child's _exit was taken for the program's: a pass
** that never ran the parent's assertion). signalfd is modelled now:
** signalfd.c. */
#include <assert.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "vfork") == 0) {
        pid_t child = vfork();
        if (child == 0)
            _exit(0);
        assert(!"the parent goes on");
    }
    return fork() < 0;
}
