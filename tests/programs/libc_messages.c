/*
** libc_messages.c -- the C library's own messages are the program's
** standard error, named by its argv[0], and err's and error's exit is the
** program's (tests/programs.sh; posix/messages.c). Before, they went to
** weft's stderr as "weft: ...", once for every run of the execution, and
** err ended weft's search with a crash.
**
**   say        warn, warnx, vwarn, error and error_at_line with status 0,
**              psignal and getopt's complaint, from a thread and main;
**              main returns 9, so that the report shows what they wrote
**   err        a worker's err(3) after a failed open: the program's exit(3)
**   errx, error, error_at_line   the same through those calls
**
** With -DOWN: the program's own functions named error and warn (one
** global, one static) stay its own; it passes.
*/
#ifdef OWN
#include <stdio.h>

static int said;

void error(const char *what);
void error(const char *what) { printf("own error: %s\n", what); said++; }
static void warn(int level) { said += level; }

int main(void)
{
    error("disk full");
    warn(2);
    return said == 3 ? 0 : 1;
}
#else
#include <err.h>
#include <errno.h>
#include <error.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *mode;

static void vsay(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarnx(fmt, ap);
    va_end(ap);
}

static void *worker(void *arg)
{
    (void)arg;
    errno = ENOENT;
    if (strcmp(mode, "say") == 0) {
        warn("worker: cannot open %s", "a.conf");
        warnx("worker: %d retries left", 2);
        vsay("worker: via %s", "vwarnx");
        error(0, EACCES, "worker: %s", "error, status 0");
        error_at_line(0, 0, "conf.c", 7, "worker: %s", "error_at_line, status 0");
        psignal(SIGPIPE, "worker");
    } else if (strcmp(mode, "err") == 0)
        err(3, "cannot open %s", "a.conf");
    else if (strcmp(mode, "errx") == 0)
        errx(4, "bad line %d", 12);
    else if (strcmp(mode, "error") == 0)
        error(5, EIO, "cannot read %s", "a.conf");
    else if (strcmp(mode, "error_at_line") == 0)
        error_at_line(6, 0, "a.conf", 12, "unknown key");
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "say";
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    if (strcmp(mode, "say") == 0) {
        char *args[] = { argv[0], "-x", NULL };
        optind = 1;
        int c = getopt(2, args, "v");
        printf("getopt gave '%c'\n", c);
    }
    pthread_join(t, NULL);
    return strcmp(mode, "say") == 0 ? 9 : 0;
}
#endif
