/* exit_before_detached.c -- main returns, which exits the process, while a
** detached thread may not have run yet: the program counts on it having
** set its flag (tests/programs.sh). The exit is a step whenever a thread
** ended unjoined, so DPOR reverses it with that thread's steps too (it
** ran 1 execution and passed when the detached thread had finished by the
** exit). -DFIXED: main waits for the flag on a semaphore. */
#include <pthread.h>
#include <semaphore.h>

static int flag;
static sem_t done;

static void *set_flag(void *arg)
{
    (void)arg;
    flag = 1;
    sem_post(&done);
    return NULL;
}

static void *idle(void *arg)
{
    (void)arg;
    return NULL;
}

int main(void)
{
    pthread_t d, j;
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    sem_init(&done, 0, 0);
    pthread_create(&d, &detached, set_flag, NULL);
    pthread_create(&j, NULL, idle, NULL);
    pthread_join(j, NULL);
#ifdef FIXED
    sem_wait(&done);
#endif
    return flag ? 0 : 1;
}
