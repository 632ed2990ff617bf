/* two_files_main.c -- a program of two sources (with two_files_lib.c):
** a counter incremented by two threads, one of them without the lock. */
#include <assert.h>
#include <pthread.h>

void counter_add(int locked);
int counter_value(void);

static void *worker(void *arg)
{
    counter_add(arg != NULL);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, worker, (void *)1);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert(counter_value() == 2);
    return 0;
}
