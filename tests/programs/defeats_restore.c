/*
** defeats_restore.c -- a program whose state outlives weft's restore: the
** environment lives in the C library, not in the program's data, so the
** second execution finds the variable the first one set. With
** --isolate fork every execution starts from the process as loaded and
** the program passes (tests/programs.sh).
*/
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *touch(void *arg)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    return arg;
}

int main(void)
{
    assert(getenv("WEFT_DEFEATS_RESTORE") == NULL);
    setenv("WEFT_DEFEATS_RESTORE", "1", 1);
    pthread_t t;
    pthread_create(&t, NULL, touch, NULL);
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    return 0;
}
