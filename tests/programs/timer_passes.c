/*
** timer_passes.c -- a failure that needs a timer to fire while another
** thread could still run says so under its interleaving, and names
** --timers=idle (tests/programs.sh): main waits 2 s for a reply the worker
** sends at once. weft lets the 2 s pass before the worker's first step, as
** a loaded machine may; a reader took such a report for weft's mistake.
** With the argument "late" the worker sleeps 3 s first, a bug under any
** rule: under --timers=idle the timeout fires only while no other thread
** can run, and nothing is said of it.
*/
#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t replied = PTHREAD_COND_INITIALIZER;
static int reply;
static int late;

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
    late = argc > 1 && strcmp(argv[1], "late") == 0;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    pthread_mutex_lock(&mu);
    while (reply == 0)
        if (pthread_cond_timedwait(&replied, &mu, &deadline) != 0)
            break;
    int got = reply;
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
    assert(got == 42);
    return 0;
}
