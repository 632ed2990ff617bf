/*
** timer_passes.c -- a failure that needs a timer to fire while another
** thread could still run says so under its interleaving, and names
** --timers=idle (tests/programs.sh): main waits 2 s for a reply the worker
** sends at once. weft lets the 2 s pass before the worker's first step, as
** a loaded machine may; a reader took such a report for weft's mistake.
** With the argument "late" the worker sleeps 3 s first, a bug under any
** rule: under --timers=idle the timeout fires only while no other thread
** can run, and nothing is said of it. "past": the deadline is a second
** before the wait, which ends at once: nothing raced, and nothing is said
** (audit 21: it was). "spinner": no worker replies, and a poller spins
** with sched_yield until main is done: under --timers=idle the timeout
** fires while the poller could run, held back as spinning, and the note
** says so (audit 21: it spoke of a loaded machine, under the idle rule).
*/
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t replied = PTHREAD_COND_INITIALIZER;
static int reply;
static int late;
static atomic_int stop;

static void *poller(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop))
        sched_yield();
    return NULL;
}

static void *worker(void *arg)
{
    (void)arg;
    if (late)
        sleep(3);
    pthread_mutex_lock(&mu);
    reply = 42;
    pthread_cond_signal(&replied);
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    late = strcmp(mode, "late") == 0;
    pthread_t t;
    if (strcmp(mode, "spinner") == 0)
        pthread_create(&t, NULL, poller, NULL);
    else
        pthread_create(&t, NULL, worker, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += strcmp(mode, "past") == 0 ? -1 : 2;
    pthread_mutex_lock(&mu);
    while (reply == 0)
        if (pthread_cond_timedwait(&replied, &mu, &deadline) != 0)
            break;
    int got = reply;
    pthread_mutex_unlock(&mu);
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    assert(got == 42);
    return 0;
}
