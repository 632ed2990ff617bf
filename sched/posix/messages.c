/*
** messages.c -- the C library's own messages, for a program: err, warn and
** their forms, error and error_at_line, psignal and psiginfo, and what
** getopt says of a bad option.
**
** glibc writes these to its stderr, named by the process (weft's: "weft:
** cannot open ..."), beside the output weft keeps for the program's report;
** and err, errx and error end the process with exit, which ended weft's
** search. Here their text is the program's standard error, named by its
** argv[0] as its own run would be, and their exit is the program's exit
** (program.c: a nonzero status fails the execution where it was called).
**
** They are defined under the C library's names and exported by weft, so
** the program's module finds them before libc's; a function of the
** program's own of that name (hidden, as all its symbols are) stays its
** own, which a macro or a link-time wrap would not leave it. Each lets the
** C library write the text, with its stderr and its names for the program
** swapped for the call (no other code runs meanwhile: a program's threads
** are fibers of this one), so every format is glibc's. Outside a program's
** execution each is the C library's, found past weft's (RTLD_NEXT).
*/
#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "posix/state.h"
#include "sync/sync.h"

#define EXPORTED __attribute__((visibility("default")))

/* The C library's function of that name, past weft's. */
#define LIBC(type, name) ((type)dlsym(RTLD_NEXT, name))

/* The C library's stderr and names for the process, while the program's
** are in their place. */
struct said {
    struct exec *x;                   /* NULL: nothing swapped */
    FILE *was;
    char *name, *short_name;
    FILE *out;
    char *text;
    size_t n;
};

/* The running program's execution, or NULL (weft's own code, or a scenario). */
static struct exec *program_exec(void)
{
    struct exec *x = sync_exec();
    return x && posix_is_program(x->cfg->scenario) ? x : NULL;
}

/* Begin a message of the program's: stderr becomes a buffer and the
** process is named as the program. errno is kept for the message's %m. */
static void say_begin(struct said *s)
{
    int saved = errno;
    *s = (struct said){ .x = program_exec() };
    if (s->x && (s->out = open_memstream(&s->text, &s->n)) == NULL)
        s->x = NULL;                  /* no memory: weft's stderr has it */
    if (s->x) {
        char *argv0 = posix_program_of(s->x)->argv[0];
        const char *slash = strrchr(argv0, '/');
        s->was = stderr;
        s->name = program_invocation_name;
        s->short_name = program_invocation_short_name;
        stderr = s->out;
        program_invocation_name = argv0;
        program_invocation_short_name = (char *)(slash ? slash + 1 : argv0);
    }
    errno = saved;
}

/* End it: the buffer's text is the program's standard error. */
static void say_end(struct said *s)
{
    if (s->x == NULL)
        return;
    int saved = errno;
    stderr = s->was;
    program_invocation_name = s->name;
    program_invocation_short_name = s->short_name;
    if (fclose(s->out) == 0 && s->n)
        posix_output(s->x, STDERR_FILENO, s->text, s->n);
    free(s->text);
    errno = saved;
}

/* After err's or error's message: the program's exit, from its call that
** returns to pc, or the process's. */
static _Noreturn void exit_after(const char *call, int status, const void *pc)
{
    struct exec *x = program_exec();
    if (x)
        posix_exit_from(x, call, status, pc);
    exit(status);
}

#define CALLER __builtin_return_address(0)

/* ---- warn and err (BSD's <err.h>) ---- */

EXPORTED void vwarn(const char *fmt, va_list ap)
{
    struct said s;
    say_begin(&s);
    LIBC(void (*)(const char *, va_list), "vwarn")(fmt, ap);
    say_end(&s);
}

EXPORTED void vwarnx(const char *fmt, va_list ap)
{
    struct said s;
    say_begin(&s);
    LIBC(void (*)(const char *, va_list), "vwarnx")(fmt, ap);
    say_end(&s);
}

EXPORTED void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

EXPORTED void warnx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarnx(fmt, ap);
    va_end(ap);
}

EXPORTED _Noreturn void verr(int status, const char *fmt, va_list ap)
{
    vwarn(fmt, ap);
    exit_after("err", status, CALLER);
}

EXPORTED _Noreturn void verrx(int status, const char *fmt, va_list ap)
{
    vwarnx(fmt, ap);
    exit_after("errx", status, CALLER);
}

EXPORTED _Noreturn void err(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    exit_after("err", status, CALLER);
}

EXPORTED _Noreturn void errx(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarnx(fmt, ap);
    exit_after("errx", status, CALLER);
}

/* ---- error and error_at_line (glibc's <error.h>, not included: its
** inline forms would be definitions of these) ---- */

/* error, or error_at_line when file is not NULL: glibc has no va_list
** forms of them, so the message is formatted here and handed over whole
** ("%s"), with status 0 (the exit is exit_after's, from pc). */
static void error_as(int status, int errnum, const char *file, unsigned line, const char *fmt,
                     va_list ap, const void *pc)
{
    char *text = NULL;
    if (fmt == NULL || vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    struct said s;
    say_begin(&s);
    if (file)
        LIBC(void (*)(int, int, const char *, unsigned, const char *, ...), "error_at_line")(
            0, errnum, file, line, "%s", text ? text : "");
    else
        LIBC(void (*)(int, int, const char *, ...), "error")(0, errnum, "%s", text ? text : "");
    say_end(&s);
    free(text);
    if (status)
        exit_after(file ? "error_at_line" : "error", status, pc);
}

EXPORTED void error(int status, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_as(status, errnum, NULL, 0, fmt, ap, CALLER);
    va_end(ap);
}

EXPORTED void error_at_line(int status, int errnum, const char *file, unsigned line,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_as(status, errnum, file ? file : "", line, fmt, ap, CALLER);
    va_end(ap);
}

/* ---- psignal and psiginfo ---- */

EXPORTED void psignal(int sig, const char *s)
{
    struct said said;
    say_begin(&said);
    LIBC(void (*)(int, const char *), "psignal")(sig, s);
    say_end(&said);
}

EXPORTED void psiginfo(const siginfo_t *info, const char *s)
{
    struct said said;
    say_begin(&said);
    LIBC(void (*)(const siginfo_t *, const char *), "psiginfo")(info, s);
    say_end(&said);
}

/* ---- getopt's complaints ("invalid option -- 'x'") ---- */

typedef int getopt_fn(int, char *const *, const char *);

static int getopt_as(const char *name, int argc, char *const argv[], const char *opts)
{
    struct said s;
    say_begin(&s);
    int c = LIBC(getopt_fn *, name)(argc, argv, opts);
    say_end(&s);
    return c;
}

EXPORTED int getopt(int argc, char *const argv[], const char *opts)
{
    return getopt_as("getopt", argc, argv, opts);
}

/* getopt, for a program that asked for POSIX and not GNU (<unistd.h>) */
EXPORTED int __posix_getopt(int argc, char *const argv[], const char *opts);
EXPORTED int __posix_getopt(int argc, char *const argv[], const char *opts)
{
    return getopt_as("__posix_getopt", argc, argv, opts);
}

typedef int getopt_long_fn(int, char *const *, const char *, const struct option *, int *);

static int getopt_long_as(const char *name, int argc, char *const argv[], const char *opts,
                          const struct option *longs, int *index)
{
    struct said s;
    say_begin(&s);
    int c = LIBC(getopt_long_fn *, name)(argc, argv, opts, longs, index);
    say_end(&s);
    return c;
}

EXPORTED int getopt_long(int argc, char *const argv[], const char *opts,
                         const struct option *longs, int *index)
{
    return getopt_long_as("getopt_long", argc, argv, opts, longs, index);
}

EXPORTED int getopt_long_only(int argc, char *const argv[], const char *opts,
                              const struct option *longs, int *index)
{
    return getopt_long_as("getopt_long_only", argc, argv, opts, longs, index);
}
