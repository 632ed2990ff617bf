/*
** features_posix.c -- a program that asks for POSIX.1-2008 and no more
** (tests/programs.sh). It gets POSIX's strerror_r, which returns 0 and
** fills the buffer, and may have a function of its own named gettid,
** which glibc declares only under _GNU_SOURCE. (weft's header, in front
** of every source, defined _GNU_SOURCE itself: strerror_r returned a
** char *, and the gettid did not compile.)
*/
/* A comment before the macro, as a licence header would be. */
#define _POSIX_C_SOURCE 200809L
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef _GNU_SOURCE
#error "_GNU_SOURCE is defined, though the program did not ask for it"
#endif

static pid_t gettid(void)
{
    return 7;
}

static void *worker(void *arg)
{
    char buf[64] = "untouched";
    int rc = strerror_r(EINVAL, buf, sizeof buf);
    assert(rc == 0 && strcmp(buf, "Invalid argument") == 0);
    *(pid_t *)arg = gettid();
    return NULL;
}

int main(void)
{
    pid_t got = 0;
    pthread_t t;
    pthread_create(&t, NULL, worker, &got);
    pthread_join(t, NULL);
    assert(got == 7);
    return 0;
}
