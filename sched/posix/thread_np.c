/*
** thread_np.c -- the calls a program makes about a thread that change
** nothing weft explores: its name (pthread_setname_np, getname_np), its
** scheduling policy and priority, its CPU affinity. Real programs make
** them as they start their threads; glibc's versions would read weft's
** pthread_t (a small number naming the thread) as a pointer and crash. Here
** each checks its thread and arguments as glibc does and returns, with no
** step: weft runs every interleaving whatever the policy, the priority or
** the CPUs, so none of them changes what the search explores. A name set
** is kept and given back; reports keep naming threads by their start
** function. The non-portable joins (tryjoin, timedjoin, clockjoin) wait,
** and are named as unsupported at their line (program.c).
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <errno.h>
#include <string.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

#define NAME_MAX_NP 16                /* glibc's TASK_COMM_LEN, with the NUL */

/* The record of thread th in this execution, or NULL (ESRCH): none, or
** joined already (its id is no one's any more). */
static struct posix_thread *named(pthread_t th)
{
    struct exec *x = sync_exec();
    struct posix_thread *t = x ? posix_thread_named(x, th) : NULL;
    return t && !t->joined ? t : NULL;
}

int weft_pthread_setname_np_at(pthread_t th, const char *name, const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    if (name == NULL || strlen(name) >= NAME_MAX_NP)
        return ERANGE;
    memcpy(t->np_name, name, strlen(name) + 1);
    return 0;
}

int weft_pthread_getname_np_at(pthread_t th, char *buf, size_t len, const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    const char *name = t->np_name[0] ? t->np_name : sched_thread(sync_exec(), (int)(th - 1))->obj.name;
    if (buf == NULL || len < strlen(name) + 1)
        return ERANGE;
    memcpy(buf, name, strlen(name) + 1);
    return 0;
}

int weft_pthread_getschedparam_at(pthread_t th, int *policy, struct sched_param *param,
                                  const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    *policy = t->policy;
    memset(param, 0, sizeof *param);
    param->sched_priority = t->priority;
    return 0;
}

int weft_pthread_setschedparam_at(pthread_t th, int policy, const struct sched_param *param,
                                  const char *file, int line)
{
    (void)file;
    (void)line;
    struct posix_thread *t = named(th);
    if (t == NULL)
        return ESRCH;
    if (param == NULL || (policy != SCHED_OTHER && policy != SCHED_FIFO && policy != SCHED_RR &&
                          policy != SCHED_BATCH && policy != SCHED_IDLE))
        return EINVAL;
    int lo = sched_get_priority_min(policy), hi = sched_get_priority_max(policy);
    if (param->sched_priority < lo || param->sched_priority > hi)
        return EINVAL;
    t->policy = policy;
    t->priority = param->sched_priority;
    return 0;
}

int weft_pthread_affinity_at(pthread_t th, size_t size, void *set, int get, const char *file,
                             int line)
{
    (void)file;
    (void)line;
    if (named(th) == NULL)
        return ESRCH;
    if (set == NULL || size == 0)
        return EINVAL;
    if (get) {                        /* every CPU weft runs on: one */
        memset(set, 0, size);
        ((unsigned char *)set)[0] = 1;
    }
    return 0;
}
