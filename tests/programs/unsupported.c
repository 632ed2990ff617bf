/* unsupported.c -- a pthread call weft does not model yet fails the
** execution at its line, naming the call (tests/programs.sh): a signal
** sent with pthread_kill (its existence check, signal 0, is modelled). */
#include <pthread.h>
#include <signal.h>

static void *worker(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_kill(t, SIGUSR1);          /* weft delivers no signal */
    pthread_join(t, NULL);
    return 0;
}
