/*
** c11.c -- C11 <threads.h> in a program: thrd_*, mtx_*, cnd_*, call_once
** and tss_* are the pthread calls under other names (glibc lays mtx_t,
** cnd_t, once_flag, thrd_t and tss_t out as their pthread counterparts),
** with C11's result codes. Only thread creation needs a shape of its own:
** a C11 thread returns an int.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <stdint.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/sync.h"

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "mtx_t is a pthread mutex");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "cnd_t is a pthread cond");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is a pthread_t");
_Static_assert(sizeof(once_flag) == sizeof(pthread_once_t), "once_flag is a pthread_once_t");

int weft_c11_result(int rc)
{
    switch (rc) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ETIMEDOUT: return thrd_timedout;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
    }
}

/* What a C11 thread runs: its int-returning start, then the int as a
** pointer-sized result for pthread_join. */
struct c11_start { int (*fn)(void *); void *arg; };

static void *c11_trampoline(void *p)
{
    struct c11_start s = *(struct c11_start *)p;
    return (void *)(intptr_t)s.fn(s.arg);
}

int weft_thrd_create_at(thrd_t *t, int (*fn)(void *), void *arg, const char *fn_name,
                        const char *file, int line)
{
    if (sync_exec() == NULL)
        return thrd_create(t, fn, arg);
    struct c11_start *s = weft_program_malloc(sizeof *s);   /* the execution's heap */
    if (s == NULL)
        return thrd_nomem;
    *s = (struct c11_start){ fn, arg };
    pthread_t th;
    int rc = weft_pthread_create_at(&th, NULL, c11_trampoline, s, fn_name, file, line);
    if (rc == 0)
        *t = (thrd_t)th;
    return weft_c11_result(rc == EAGAIN ? ENOMEM : rc);
}

int weft_thrd_join_at(thrd_t t, int *res, const char *file, int line)
{
    void *v = NULL;
    int rc = weft_pthread_join_at((pthread_t)t, &v, file, line);
    if (rc == 0 && res)
        *res = (int)(intptr_t)v;
    return weft_c11_result(rc);
}

int weft_mtx_init_at(mtx_t *m, int type, const char *name, const char *file, int line)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    if (type & mtx_recursive)
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    int rc = weft_pthread_mutex_init_at((pthread_mutex_t *)m, &a, name, file, line);
    pthread_mutexattr_destroy(&a);
    return weft_c11_result(rc);
}

/* thrd_sleep: 0; -1 when a signal's handler ended it (rem: what was
** left); -2 for a bad duration. */
int weft_thrd_sleep_at(const struct timespec *d, struct timespec *rem, const char *file,
                       int line)
{
    if (weft_nanosleep_at(d, rem, file, line) == 0)
        return 0;
    return errno == EINTR ? -1 : -2;
}
