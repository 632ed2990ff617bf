/* close_twice.c -- two threads close one pipe end (tests/programs.sh):
** exactly one close succeeds, the other fails with EBADF, in every order.
** Each looks the descriptor up when its call begins, so the second could
** find it there and then step after the first close: weft itself once
** crashed there, taking the descriptor out of its table twice. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static int ends[2];
static atomic_int closed;

static void close_once(void)
{
    if (close(ends[0]) == 0)
        atomic_fetch_add(&closed, 1);
    else
        assert(errno == EBADF);
}

static void *worker(void *arg)
{
    (void)arg;
    close_once();
    return NULL;
}

int main(void)
{
    assert(pipe(ends) == 0);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    close_once();
    pthread_join(t, NULL);
    assert(atomic_load(&closed) == 1);
    return 0;
}
