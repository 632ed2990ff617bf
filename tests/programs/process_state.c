/* process_state.c -- a program's signal dispositions, working directory,
** umask, locale and standard input, each execution as in a new process
** (tests/programs.sh). The mode is the first argument:
**   race     main closes a pipe's read end, starts a writer and then
**            ignores SIGPIPE: when the write comes first, SIGPIPE kills
**            the process (weft ran 1 execution and passed: signal was no
**            step; and once an execution had ignored SIGPIPE, every later
**            one started with it ignored). -DFIXED: ignored first, a pass;
**   masked   main blocks SIGPIPE before it starts the writer, which gets
**            EPIPE and lives (weft reported a crash);
**   handler  a SIGPIPE handler runs once in the writing thread, which then
**            gets EPIPE;
**   restore  each execution finds the directory, umask and locale as the
**            program was loaded, changes them, and races two threads (the
**            second execution started where the first one left them);
**   input    each execution reads all of standard input (< a file): the
**            second one found it read already. */
#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fds[2];
static char loaded_cwd[4096];
static mode_t loaded_umask;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int handled, turns;

__attribute__((constructor)) static void as_loaded(void)
{
    assert(getcwd(loaded_cwd, sizeof loaded_cwd) != NULL);
    loaded_umask = umask(0);
    umask(loaded_umask);
}

static void *writer(void *arg)
{
    (void)arg;
    assert(write(fds[1], "x", 1) == -1 && errno == EPIPE);
    return NULL;
}

static void on_sigpipe(int sig)
{
    assert(sig == SIGPIPE);
    handled++;
}

static void *turn(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    turns++;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void race_two(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, turn, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
}

static void restore(void)
{
    char cwd[4096];
    assert(getcwd(cwd, sizeof cwd) && strcmp(cwd, loaded_cwd) == 0);
    assert(umask(077) == loaded_umask);
    assert(strcmp(setlocale(LC_ALL, NULL), "C") == 0);
    assert(chdir("/") == 0);
    setlocale(LC_ALL, "C.UTF-8");
    race_two();
}

static void input(void)
{
    char all[64];
    size_t n = fread(all, 1, sizeof all - 1, stdin);
    all[n] = 0;
    assert(strcmp(all, "5\n") == 0);
    race_two();
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "race";
    pthread_t t;
    if (strcmp(mode, "restore") == 0) {
        restore();
        return 0;
    }
    if (strcmp(mode, "input") == 0) {
        input();
        return 0;
    }
    assert(pipe(fds) == 0);
    close(fds[0]);
    if (strcmp(mode, "masked") == 0) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_only, NULL);
    } else if (strcmp(mode, "handler") == 0) {
        struct sigaction sa = { .sa_handler = on_sigpipe };
        sigemptyset(&sa.sa_mask);
        assert(sigaction(SIGPIPE, &sa, NULL) == 0);
    }
#ifdef FIXED
    signal(SIGPIPE, SIG_IGN);
#endif
    pthread_create(&t, NULL, writer, NULL);
    if (strcmp(mode, "race") == 0)
        signal(SIGPIPE, SIG_IGN);     /* too late when the write came first */
    pthread_join(t, NULL);
    assert(strcmp(mode, "handler") != 0 || handled == 1);
    return 0;
}
