/* main.c -- COUNTER_THREADS threads each add argv[1] (default 1) once. */
#include <assert.h>
#include <stdlib.h>
#include "counter.h"

static struct counter shared = { PTHREAD_MUTEX_INITIALIZER, 0 };
static int amount = 1;

static void *adder(void *arg)
{
    counter_add(&shared, amount);
    return arg;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        amount = atoi(argv[1]);
    pthread_t t[COUNTER_THREADS];
    for (int i = 0; i < COUNTER_THREADS; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < COUNTER_THREADS; i++)
        pthread_join(t[i], NULL);
    assert(shared.value == COUNTER_THREADS * amount);
    return 0;
}
