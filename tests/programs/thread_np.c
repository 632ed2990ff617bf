/*
** thread_np.c -- the calls programs make about their threads as they start
** them: a name (pthread_setname_np, getname_np), a scheduling policy and
** priority, a CPU affinity. weft keeps them and checks their arguments as
** glibc does (ERANGE for a name of 16 bytes or more, EINVAL for a priority
** outside the policy's range, ESRCH for a thread joined already); none is
** a step, since weft explores every interleaving whatever they say. glibc's
** own would take weft's pthread_t for a pointer and crash.
** pthread_getattr_np gives what the thread has: joinable, the policy set,
** its stack; pthread_getcpuclockid a clock clock_gettime reads (the joins
** that give up: join_np.c).
*/
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>
static void *f(void *a)
{
    assert(pthread_setname_np(pthread_self(), "worker-1") == 0);
    return a;
}
int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, f, NULL);
    char buf[16];
    assert(pthread_getname_np(t, buf, sizeof buf) == 0);
    assert(strcmp(buf, "f") == 0 || strcmp(buf, "worker-1") == 0);
    assert(pthread_setname_np(t, "a-name-too-long-for-linux") == ERANGE);
    struct sched_param sp = { .sched_priority = 0 };
    int pol;
    assert(pthread_getschedparam(t, &pol, &sp) == 0 && pol == SCHED_OTHER);
    sp.sched_priority = 5;
    assert(pthread_setschedparam(t, SCHED_OTHER, &sp) == EINVAL);
    assert(pthread_setschedparam(t, SCHED_FIFO, &sp) == 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    assert(pthread_setaffinity_np(t, sizeof set, &set) == 0);
    assert(pthread_getaffinity_np(t, sizeof set, &set) == 0 && CPU_ISSET(0, &set) &&
           CPU_COUNT(&set) == 1);
    pthread_attr_t attr;
    int detached, policy;
    void *stack;
    size_t size;
    assert(pthread_getattr_np(t, &attr) == 0);
    assert(pthread_attr_getdetachstate(&attr, &detached) == 0 &&
           detached == PTHREAD_CREATE_JOINABLE);
    assert(pthread_attr_getschedpolicy(&attr, &policy) == 0 && policy == SCHED_FIFO);
    assert(pthread_attr_getstack(&attr, &stack, &size) == 0 && stack && size >= 16384);
    pthread_attr_destroy(&attr);
    clockid_t cpu;
    struct timespec used;
    assert(pthread_getcpuclockid(t, &cpu) == 0 && clock_gettime(cpu, &used) == 0);
    pthread_join(t, NULL);
    assert(pthread_getattr_np(t, &attr) == ESRCH);
    assert(pthread_setname_np(t, "x") == ESRCH);
    return 0;
}
