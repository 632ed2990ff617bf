/* double_free.c -- a reference count dropped by two threads, each reading
** the count again after its decrement: both may read 0 and free the block
** (tests/programs.sh). The crash is reported at the second free's line, not
** at the thread's step before it (a load two lines up), and names the
** thread that freed the block first (audit 21). -DFIXED frees on the
** decrement's own result. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int refs = 2;
static char *buffer;

static void drop(void)
{
#ifdef FIXED
    if (atomic_fetch_sub(&refs, 1) == 1)
        free(buffer);
#else
    atomic_fetch_sub(&refs, 1);
    if (atomic_load(&refs) == 0)
        /* the last reference is gone, or so both threads may read */
        free(buffer);                 /* the second free */
#endif
}

static void *dropper(void *arg)
{
    (void)arg;
    drop();
    return NULL;
}

int main(void)
{
    pthread_t t;
    buffer = malloc(64);
    pthread_create(&t, NULL, dropper, NULL);
    drop();
    pthread_join(t, NULL);
    return 0;
}
