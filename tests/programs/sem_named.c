/*
** sem_named.c -- named semaphores: sem_open, sem_close, sem_unlink in a
** namespace of each execution's own (tests/programs.sh). main makes
** "/ready" and never unlinks it, so a name kept from one execution to the
** next would fail its O_EXCL. Each -D picks a claim some interleaving
** breaks, or a bug weft must find:
**   -DFIRST_MAKES  of two threads that open "/job" with O_CREAT | O_EXCL,
**                  the first started is the one that makes it
**   -DTYPO         the worker posts "/raedy", which it makes: main's wait
**                  on "/ready" never ends (a deadlock)
** With none of them, every call is checked against what POSIX (and glibc)
** return, and the program passes in every interleaving.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#ifdef TYPO
#define WORKER_NAME "/raedy"
#else
#define WORKER_NAME "/ready"
#endif

static int made;

static void *worker(void *arg)
{
    (void)arg;
    sem_t *ready = sem_open(WORKER_NAME, O_CREAT, 0600, 0);
    assert(ready != SEM_FAILED);
    sem_post(ready);
    assert(sem_close(ready) == 0);
    return NULL;
}

static void *maker(void *arg)
{
    sem_t *job = sem_open("/job", O_CREAT | O_EXCL, 0600, 1);
    assert(job != SEM_FAILED || errno == EEXIST);
    if (job != SEM_FAILED) {
        made = (int)(long)arg;
        sem_close(job);
    }
    return NULL;
}

/* What needs no other thread: the errors, and what one name stands for. */
static void alone(void)
{
    char too_long[NAME_MAX + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    assert(sem_open("/missing", 0) == SEM_FAILED && errno == ENOENT);
    assert(sem_open("/a/b", O_CREAT, 0600, 0) == SEM_FAILED && errno == EINVAL);
    assert(sem_open("/", O_CREAT, 0600, 0) == SEM_FAILED && errno == EINVAL);
    assert(sem_open(too_long, O_CREAT, 0600, 0) == SEM_FAILED && errno == ENAMETOOLONG);
    assert(sem_open("/big", O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1) == SEM_FAILED &&
           errno == EINVAL);
    assert(sem_unlink("/missing") == -1 && errno == ENOENT);
    sem_t *a = sem_open("/count", O_CREAT | O_EXCL, 0600, 2);
    assert(a != SEM_FAILED);
    assert(sem_open("/count", O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED && errno == EEXIST);
    sem_t *b = sem_open("count", 0);  /* the same name without its slash */
    assert(b == a);
    int value;
    assert(sem_getvalue(a, &value) == 0 && value == 2);
    assert(sem_unlink("/count") == 0);
    assert(sem_unlink("/count") == -1 && errno == ENOENT);
    assert(sem_wait(b) == 0);         /* unlinked: still usable by its openers */
    sem_t *c = sem_open("/count", O_CREAT, 0600, 5);   /* a new one */
    assert(c != a && sem_getvalue(c, &value) == 0 && value == 5);
    assert(sem_close(a) == 0 && sem_close(b) == 0 && sem_close(c) == 0);
    assert(sem_close(a) == -1 && errno == EINVAL);
}

int main(void)
{
    alone();
    sem_t *ready = sem_open("/ready", O_CREAT | O_EXCL, 0600, 0);
    assert(ready != SEM_FAILED);
    pthread_t t[3];
    pthread_create(&t[0], NULL, worker, NULL);
    pthread_create(&t[1], NULL, maker, (void *)1L);
    pthread_create(&t[2], NULL, maker, (void *)2L);
    assert(sem_wait(ready) == 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    assert(made == 1 || made == 2);
#ifdef FIRST_MAKES
    assert(made == 1);
#endif
    return 0;
}
