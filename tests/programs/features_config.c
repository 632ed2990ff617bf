/*
** features_config.c -- a program whose _GNU_SOURCE comes from its
** config.h, included first (tests/programs.sh): it gets GNU's strerror_r,
** which returns the message, and GNU's recursive mutex initialiser. The
** header is found beside the source, or in a folder --cflags=-I names.
*/
#include "features_config.h"
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static void *worker(void *arg)
{
    char buf[64];
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock);
    *(const char **)arg = strerror_r(EINVAL, buf, sizeof buf);
    assert(strcmp(*(const char **)arg, "Invalid argument") == 0);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    const char *got = NULL;
    pthread_t t;
    pthread_create(&t, NULL, worker, &got);
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    return 0;
}
