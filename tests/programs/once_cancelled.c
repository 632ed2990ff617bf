/* once_cancelled.c -- a pthread_once routine cancelled while it waits: as
** POSIX asks (and glibc does), the once is then as if never called, and
** the next pthread_once runs the routine again (tests/programs.sh; weft
** reported the second caller waiting forever for the cancelled one). */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static sem_t started, never_posted;
static int runs;

static void setup(void)
{
    if (++runs == 1) {
        sem_post(&started);
        sem_wait(&never_posted);      /* a cancellation point */
    }
}

static void *first_caller(void *arg)
{
    (void)arg;
    pthread_once(&setup_once, setup);
    return NULL;
}

int main(void)
{
    sem_init(&started, 0, 0);
    sem_init(&never_posted, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, first_caller, NULL);
    sem_wait(&started);
    pthread_cancel(t);
    void *result;
    pthread_join(t, &result);
    assert(result == PTHREAD_CANCELED);
    pthread_once(&setup_once, setup);  /* runs it again */
    assert(runs == 2);
    return 0;
}
