/*
** features_none.c -- a program that defines no feature-test macro
** (tests/programs.sh) gets glibc's default, as cc gives it: no
** _GNU_SOURCE, so a function of its own named gettid compiles (before
** glibc 2.30 declared one, many programs had their own).
*/
#include <assert.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef _GNU_SOURCE
#error "_GNU_SOURCE is defined, though the program did not ask for it"
#endif

static long gettid(void)
{
    return 7;
}

static void *worker(void *arg)
{
    *(long *)arg = gettid();
    return NULL;
}

int main(void)
{
    long got = 0;
    pthread_t t;
    pthread_create(&t, NULL, worker, &got);
    pthread_join(t, NULL);
    assert(got == 7);
    return 0;
}
