/*
** process.c -- what a program changes of its process that a new process
** would not have: its working directory (chdir, fchdir), its file mode
** mask (umask), its locale (setlocale) and where it has read standard
** input to. Each is noted as the program was loaded and put back before
** every execution that follows one which changed it (posix_process_reset),
** so the second execution does not start in the first one's directory,
** and `weft run prog.c < input` gives every execution the whole input
** when it is a regular file. And each thread's id (gettid) and locale
** (uselocale), which the C library keeps per thread of the process. The calls are
** linked with --wrap (cli/loader.c): a macro would catch a member of the
** same name.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <locale.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

struct posix_process {
    int cwd;                          /* the directory as loaded, open; or -1 */
    mode_t umask;
    char *locale;                     /* setlocale(LC_ALL, NULL) as loaded */
    off_t stdin_at;                   /* where a regular file on standard input
                                         was at; -1: it is no such file */
    bool cwd_changed, umask_changed, locale_changed;
};

static struct posix_process *process_of(struct exec *x)
{
    if (x == NULL || !posix_is_program(x->cfg->scenario))
        return NULL;
    return ((struct posix_program *)posix_program_of(x))->process;
}

int posix_process_snapshot(struct posix_program *p)
{
    struct posix_process *s = calloc(1, sizeof *s);
    const char *locale = setlocale(LC_ALL, NULL);
    if (s == NULL || (s->locale = strdup(locale ? locale : "C")) == NULL) {
        free(s);
        return -1;
    }
    s->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    s->umask = umask(022);
    umask(s->umask);
    struct stat st;
    s->stdin_at = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)
                ? lseek(STDIN_FILENO, 0, SEEK_CUR) : -1;
    p->process = s;
    return 0;
}

void posix_process_reset(struct posix_program *p)
{
    struct posix_process *s = p->process;
    if (s == NULL)
        return;
    if (s->cwd_changed && s->cwd >= 0 && fchdir(s->cwd) == 0)
        s->cwd_changed = false;
    if (s->umask_changed) {
        umask(s->umask);
        s->umask_changed = false;
    }
    if (s->locale_changed) {
        setlocale(LC_ALL, s->locale);
        s->locale_changed = false;
    }
    if (s->stdin_at >= 0) {           /* the whole input again, nothing buffered */
        __fpurge(stdin);
        clearerr(stdin);
        lseek(STDIN_FILENO, s->stdin_at, SEEK_SET);
    }
}

void posix_process_release(struct posix_program *p)
{
    struct posix_process *s = p->process;
    if (s == NULL)
        return;
    if (s->cwd >= 0)
        close(s->cwd);
    free(s->locale);
    free(s);
    p->process = NULL;
}

int __wrap_chdir(const char *path)
{
    struct posix_process *s = process_of(sync_exec());
    if (s)
        s->cwd_changed = true;
    return chdir(path);
}

int __wrap_fchdir(int fd)
{
    struct posix_process *s = process_of(sync_exec());
    if (s)
        s->cwd_changed = true;
    return fchdir(fd);
}

mode_t __wrap_umask(mode_t mask)
{
    struct posix_process *s = process_of(sync_exec());
    if (s)
        s->umask_changed = true;
    return umask(mask);
}

char *__wrap_setlocale(int category, const char *locale)
{
    struct posix_process *s = process_of(sync_exec());
    if (s && locale)
        s->locale_changed = true;
    return setlocale(category, locale);
}

/*
** Thread locales. uselocale sets the calling thread's locale, which the C
** library keeps in its own thread-local storage, one for all of weft's
** threads: a locale one thread chose would be every thread's. Each weft
** thread's is kept in its record instead and installed whenever it is
** resumed; weft itself, and each execution's start, run in the global one.
*/
locale_t __wrap_uselocale(locale_t locale)
{
    struct exec *x = process_of(sync_exec()) ? sync_exec() : NULL;
    struct posix_thread *t = x ? posix_thread_self(x) : NULL;
    if (t == NULL)
        return uselocale(locale);
    locale_t old = t->locale ? t->locale : LC_GLOBAL_LOCALE;
    if (locale != (locale_t)0) {
        t->locale = locale == LC_GLOBAL_LOCALE ? (locale_t)0 : locale;
        posix_state(x)->thread_locales |= t->locale != (locale_t)0;
        uselocale(locale);
    }
    return old;
}

void posix_locale_switch(struct exec *x, struct sched_thread *to)
{
    struct posix_exec *st = posix_state(x);
    if (st == NULL || !st->thread_locales)
        return;                       /* nobody left the global locale */
    struct posix_thread *t = to ? posix_thread_at(x, to->id) : NULL;
    uselocale(t && t->locale ? t->locale : LC_GLOBAL_LOCALE);
}

/*
** Thread ids. weft's threads share one thread of the process, so the
** kernel would give each the same id; a program that keys a lock by
** gettid() would let two threads in. Each gets its own: main's is the
** process id, as on Linux, another thread's the process id plus its
** number in the execution.
*/
static pid_t thread_id(struct exec *x)
{
    return getpid() + x->current->id;
}

pid_t __wrap_gettid(void)
{
    struct exec *x = sync_exec();
    return x ? thread_id(x) : gettid();
}

long __wrap_syscall(long number, ...)
{
    struct exec *x = sync_exec();
    if (x && number == SYS_gettid)
        return thread_id(x);
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    return syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
