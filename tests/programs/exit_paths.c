/*
** exit_paths.c -- how a program ends (tests/programs.sh), by its first
** argument:
**   lock    main calls exit(0) while a thread may hold a lock: a pass in
**           every interleaving, since exit ends the process, lock and all;
**   return  main returns while a detached thread runs on: the thread's
**           failing assert is found where it runs before the return;
**   thread  a thread calls exit(0) while main waits to join it forever:
**           the process ends there, a pass;
**   main_pthread_exit  main calls pthread_exit; the thread goes on and
**           ends the process with exit(3): a failure with status 3;
**   last    main calls pthread_exit; the thread returns, and as the last
**           one it ends the process with exit(0), which runs main's atexit
**           handler: its failing assert is found (no handler ran);
**   on_exit an on_exit handler gets exit's status and its argument, and
**           ends the process with _exit(0): a pass (it never ran: the
**           status 5 failed);
**   _exit   a thread's _exit(0) ends main's wait and runs no atexit
**           handler: a pass (weft called it a crash);
**   quick   quick_exit(9) runs the at_quick_exit handler, which ends the
**           process with _exit(0), and no atexit handler: a pass.
*/
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int stage;

static void *holds_lock(void *arg)
{
    pthread_mutex_lock(&lock);
    stage = 1;
    sched_yield();                    /* main may exit here, the lock held */
    pthread_mutex_unlock(&lock);
    return arg;
}

static void *fails_late(void *arg)
{
    pthread_mutex_lock(&lock);
    stage = 1;
    pthread_mutex_unlock(&lock);
    assert(stage == 0 && "the thread ran on until main returned");
    return arg;
}

static void *exits(void *arg)
{
    sched_yield();
    exit(0);
    return arg;
}

static void *exits_3(void *arg)
{
    sched_yield();
    exit(3);
    return arg;
}

static int token;

static void never_runs(void)
{
    assert(!"an atexit handler ran");
}

static void on_exit_handler(int status, void *arg)
{
    assert(status == 5 && arg == &token);
    _exit(0);
}

static void quick_handler(void)
{
    _exit(0);
}

static void *returns(void *arg)
{
    sched_yield();
    return arg;
}

static void *exits_at_once(void *arg)
{
    sched_yield();
    _exit(0);
    return arg;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "lock";
    pthread_t t;
    if (strcmp(mode, "lock") == 0) {
        pthread_create(&t, NULL, holds_lock, NULL);
        exit(0);
    }
    if (strcmp(mode, "return") == 0) {
        pthread_create(&t, NULL, fails_late, NULL);
        pthread_detach(t);
        return 0;
    }
    if (strcmp(mode, "thread") == 0) {
        pthread_create(&t, NULL, exits, NULL);
        pthread_mutex_lock(&lock);
        pthread_join(t, NULL);            /* never returns: the thread exits */
        assert(!"main went on after the process exited");
    }
    if (strcmp(mode, "last") == 0) {
        atexit(never_runs);           /* it does run: the last thread exits */
        pthread_create(&t, NULL, returns, NULL);
        pthread_exit(NULL);
    }
    if (strcmp(mode, "on_exit") == 0) {
        on_exit(on_exit_handler, &token);
        exit(5);
    }
    if (strcmp(mode, "_exit") == 0) {
        atexit(never_runs);
        pthread_create(&t, NULL, exits_at_once, NULL);
        pthread_join(t, NULL);        /* never returns: the thread exits */
        assert(!"main went on after the process exited");
    }
    if (strcmp(mode, "quick") == 0) {
        atexit(never_runs);
        at_quick_exit(quick_handler);
        quick_exit(9);
    }
    pthread_create(&t, NULL, exits_3, NULL);
    pthread_exit(NULL);
}
