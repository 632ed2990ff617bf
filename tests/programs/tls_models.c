/*
** tls_models.c -- thread-locals pinned to the initial-exec and local-exec
** models are per thread too, at addresses of their own, and new in every
** execution (tests/programs.sh; local-exec would not even link into a
** shared object as written).
*/
#include <assert.h>
#include <pthread.h>

static __thread int calls __attribute__((tls_model("initial-exec")));
static _Thread_local int local_calls __attribute__((__tls_model__("local-exec"))) = 7;

static void *work(void *arg)
{
    int **where = arg;
    assert(calls == 0 && local_calls == 7);
    for (int i = 0; i < 2; i++) {
        calls++;
        local_calls++;
        sched_yield();
    }
    assert(calls == 2 && local_calls == 9);
    *where = &calls;
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    int *where[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, &where[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert(where[0] != where[1] && where[0] != &calls);
    assert(calls == 0 && local_calls == 7);
    calls = 5;
    return 0;
}
