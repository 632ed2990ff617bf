/* keys_by_order.c -- objects weft makes for a program while it runs are
** named, in the classes of executions (explore/classes.c), by what the
** program names them with, not by what other threads did first
** (tests/programs.sh: DPOR's classes are plain DFS's). Audit 21 found
** plain DFS counting twice the classes DPOR ran, one copy for each order
** of the threads' starts, because a name depended on that order:
**   once        a pthread_once's weft once, kept in weft's memory at a
**               place that another thread's start moved;
**   named_sem   a named semaphore, likewise, and its name, by the thread
**               that named it first;
**   clock       the virtual clock, made by the first timed call, shifted
**               the count of objects its maker had made, and with it the
**               name of the store buffer that thread made next. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static atomic_int published;
static const char *mode;

static void nothing(void) { }

static struct timespec in_2ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 2000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

static void *first(void *arg)
{
    (void)arg;
    if (strcmp(mode, "once") == 0) {
        pthread_once(&once, nothing);
    } else if (strcmp(mode, "named_sem") == 0) {
        sem_t *s = sem_open("/keys_by_order", O_CREAT, 0600, 0);
        sem_post(s);
        sem_close(s);
    } else {
        struct timespec t = in_2ms();
        pthread_mutex_lock(&m);
        while (pthread_cond_timedwait(&c, &m, &t) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&m);
        atomic_store_explicit(&published, 1, memory_order_release);
    }
    return NULL;
}

static void *second(void *arg)
{
    (void)arg;
    if (strcmp(mode, "clock") == 0) {
        struct timespec t = in_2ms();
        if (pthread_mutex_timedlock(&m, &t) == 0)
            pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t a, b;
    mode = argc > 1 ? argv[1] : "once";
    pthread_create(&a, NULL, first, NULL);
    pthread_create(&b, NULL, second, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
