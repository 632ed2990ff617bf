/* two_files_lib.c -- the counter of two_files_main.c. */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int counter;

void counter_add(int locked)
{
    if (locked)
        pthread_mutex_lock(&mu);
    counter++;
    if (locked)
        pthread_mutex_unlock(&mu);
}

int counter_value(void)
{
    return counter;
}
