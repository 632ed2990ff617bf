/* unsupported.c -- a pthread call weft does not model yet fails the
** execution at its line, naming the call (tests/programs.sh): a thread's
** CPU-time clock (weft's threads share one OS thread). */
#include <pthread.h>
#include <time.h>

static void *worker(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    clockid_t clock;
    pthread_create(&t, NULL, worker, NULL);
    pthread_getcpuclockid(t, &clock);
    pthread_join(t, NULL);
    return 0;
}
