/* big_stack.c -- a thread that asks for a large stack gets it
** (tests/programs.sh). The worker keeps 1 MB on its stack, and is made
** with pthread_attr_setstacksize(2 MB), as Linux allows (its default is
** 8 MB anyway); weft gave every thread its 256 KB (--stack-size) and
** reported a stack overflow of a correct program. With -DNO_ATTR the
** attributes are left out: weft's default stack overflows, and the report
** says how to give more. With -DOTHER another thread makes a thread
** without attributes meanwhile, in any order with main's: the size is
** the worker's alone (it was one value for the execution, which the other
** spawn could take first). */
#include <pthread.h>
#include <string.h>

#define BLOCK (1024 * 1024)

static void *worker(void *arg)
{
    volatile unsigned char buf[BLOCK];
    unsigned sum = 0;
    for (size_t i = 0; i < BLOCK; i += 4096)
        buf[i] = (unsigned char)(i >> 12);
    for (size_t i = 0; i < BLOCK; i += 4096)
        sum += buf[i];
    *(unsigned *)arg = sum;
    return NULL;
}

static void *idle(void *arg)
{
    return arg;
}

static void *spawner(void *arg)
{
    (void)arg;
    pthread_t t;
    pthread_create(&t, NULL, idle, NULL);
    pthread_join(t, NULL);
    return NULL;
}

int main(void)
{
    pthread_t t;
    unsigned sum = 0;
#ifdef OTHER
    pthread_t other;
    pthread_create(&other, NULL, spawner, NULL);
#endif
#ifdef NO_ATTR
    pthread_create(&t, NULL, worker, &sum);
#else
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 2 * BLOCK);
    pthread_create(&t, &attr, worker, &sum);
    pthread_attr_destroy(&attr);
#endif
    pthread_join(t, NULL);
#ifdef OTHER
    pthread_join(other, NULL);
#endif
    return sum == 0;
}
