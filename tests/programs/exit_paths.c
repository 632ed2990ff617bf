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
**           ends the process with exit(3): a failure with status 3.
*/
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

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
    pthread_create(&t, NULL, exits_3, NULL);
    pthread_exit(NULL);
}
