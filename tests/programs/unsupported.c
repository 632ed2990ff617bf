/* unsupported.c -- a pthread call weft does not model yet fails the
** execution at its line, naming the call (tests/programs.sh): a thread's
** CPU-time clock (weft's threads share one OS thread); with the argument
** signalfd, a descriptor that signals make readable (timerfds are
** modelled: timerfd.c). */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>

static void *worker(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    pthread_t t;
    clockid_t clock;
    sigset_t set;
    sigemptyset(&set);
    if (argc > 1 && strcmp(argv[1], "signalfd") == 0)
        return signalfd(-1, &set, 0) < 0;
    pthread_create(&t, NULL, worker, NULL);
    pthread_getcpuclockid(t, &clock);
    pthread_join(t, NULL);
    return 0;
}
