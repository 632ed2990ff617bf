/*
** fresh_state.c -- every execution of a program starts from its data as
** loaded and an empty heap (tests/programs.sh runs it 10,000 times): an
** initialised global, a zeroed one, a static inside a function, heap
** blocks, a static mutex, errno and thread-local variables (main's and
** another thread's) all look new each time, and are then changed.
*/
#define _GNU_SOURCE                   /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int initialised = 42;
static long zeroed[16];
static char *kept;                    /* a heap block, from the last execution if leaked */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t again = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static __thread int tls_initialised = 5;
static _Thread_local char tls_zeroed[32];

/* This thread's errno and thread-locals as a thread starts, then changed. */
static void fresh_thread_state(void)
{
    assert(errno == 0);
    assert(tls_initialised == 5);
    for (int i = 0; i < 32; i++)
        assert(tls_zeroed[i] == 0);
    errno = EINTR;
    tls_initialised++;
    strcpy(tls_zeroed, "changed");
}

static int calls(void)
{
    static int n;                     /* a static inside a function */
    return ++n;
}

static void *worker(void *arg)
{
    fresh_thread_state();
    pthread_mutex_lock(&lock);
    initialised++;
    zeroed[3] += (long)(intptr_t)arg;
    calls();
    pthread_mutex_unlock(&lock);
    return arg;
}

int main(void)
{
    assert(initialised == 42);
    for (int i = 0; i < 16; i++)
        assert(zeroed[i] == 0);
    assert(kept == NULL);
    assert(calls() == 1);
    fresh_thread_state();
    pthread_mutex_lock(&again);       /* recursive: a second lock is fine */
    pthread_mutex_lock(&again);
    pthread_mutex_unlock(&again);
    pthread_mutex_unlock(&again);

    int *block = calloc(64, sizeof *block);
    for (int i = 0; i < 64; i++)
        assert(block[i] == 0);
    kept = malloc(32);
    strcpy(kept, "changed");
    block = realloc(block, 128 * sizeof *block);
    block[100] = 7;

    pthread_t t[2];
    for (intptr_t i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    void *r0, *r1;
    pthread_join(t[0], &r0);
    pthread_join(t[1], &r1);
    assert(r0 == (void *)1 && r1 == (void *)2);
    assert(initialised == 44 && zeroed[3] == 3 && calls() == 4);
    assert(errno == EINTR && tls_initialised == 6);
    free(block);
    return 0;
}
