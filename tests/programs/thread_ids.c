/* thread_ids.c -- each thread its own gettid() (tests/programs.sh). weft's
** threads share one thread of the process, and gettid() gave them all the
** same id, so a recursive lock keyed by it let two threads in at once
** (audit 7). main's id is the process id, as on Linux, and
** syscall(SYS_gettid) agrees with gettid(). */
#define _GNU_SOURCE
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int owner;              /* the holder's thread id, or 0 */
static int depth, inside;

static void lock(void)
{
    int me = gettid(), free_ = 0;
    if (atomic_load(&owner) == me) {
        depth++;
        return;
    }
    while (!atomic_compare_exchange_weak(&owner, &free_, me)) {
        free_ = 0;
        sched_yield();
    }
    depth = 1;
}

static void unlock(void)
{
    if (--depth == 0)
        atomic_store(&owner, 0);
}

static void *worker(void *arg)
{
    (void)arg;
    assert(syscall(SYS_gettid) == gettid() && gettid() != getpid());
    lock();
    lock();
    assert(!inside);
    inside = 1;
    sched_yield();
    inside = 0;
    unlock();
    unlock();
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    assert(gettid() == getpid());
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
