/*
** cancel_joins.c -- a join that a cancellation request interrupts while
** the thread it waits for still runs (tests/programs.sh checks that DPOR
** visits exactly plain DFS's classes; the argument picks the mode):
**   main     main is cancelled in pthread_join while the joined thread and
**            another yield: main's cancellation is its pthread_exit, and
**            the last thread to end exits. Whether a thread's end comes
**            after main's (and is then a step that may exit) is decided by
**            main's own end step.
**   locks    as main, but the joined thread and the other each take a
**            mutex, the one after the other (in either order), after the
**            cancellation request. A rewind back to main's interrupted join
**            gave the joined thread main's clock as if the join had met it,
**            which ordered its later steps after the join and hid their
**            races: DPOR visited 633 of plain DFS's 641 classes.
**   joiner   a thread is cancelled in its join of a thread that goes on
**            (it blocks SIGUSR1 and raises it, while a third raises it
**            twice): the join's step comes before or after that thread's
**            end.
** Before, DPOR visited 12 of main's 119 classes and 867 of joiner's 1,233.
*/
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>

static pthread_t main_thread, joiner_thread, worker_thread;
static sem_t go;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int locks;                     /* the mode: the threads take `lock` */

static void critical_section(void)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
}
static volatile sig_atomic_t hits;

static void on_signal(int sig)
{
    (void)sig;
    hits++;
}

static void *canceller(void *arg)
{
    if (arg == NULL) {
        pthread_cancel(main_thread);
        if (locks)
            critical_section();
        else
            sched_yield();
        return NULL;
    }
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sem_wait(&go);                    /* until the joiner exists */
    pthread_cancel(joiner_thread);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    raise(SIGUSR1);
    return NULL;
}

static void *bystander(void *arg)
{
    if (arg) {
        raise(SIGUSR1);
        raise(SIGUSR1);
    } else if (locks) {
        critical_section();
    } else {
        sched_yield();
    }
    return NULL;
}

static void *joiner(void *arg)
{
    pthread_join(*(pthread_t *)arg, NULL);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t other;
    main_thread = pthread_self();
    signal(SIGUSR1, on_signal);
    if (argc > 1 && strcmp(argv[1], "joiner") == 0) {
        sem_init(&go, 0, 0);
        pthread_create(&worker_thread, NULL, canceller, &go);
        pthread_create(&joiner_thread, NULL, joiner, &worker_thread);
        sem_post(&go);
        pthread_create(&other, NULL, bystander, &go);
        pthread_join(other, NULL);
        pthread_join(joiner_thread, NULL);
        pthread_join(worker_thread, NULL);
        return 0;
    }
    locks = argc > 1 && strcmp(argv[1], "locks") == 0;
    pthread_create(&worker_thread, NULL, canceller, NULL);
    pthread_create(&other, NULL, bystander, NULL);
    pthread_join(worker_thread, NULL);   /* cancelled here, or before */
    return 0;
}
