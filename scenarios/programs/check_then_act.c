/*
** check_then_act.c -- an atomic check-then-act, a plain pthread program
** (weft run scenarios/programs/check_then_act.c).
**
** A server admits at most MAX_SESSIONS sessions. Each connection thread
** checks the atomic count of open sessions and, when it is below the
** limit, increments it: each step is atomic, the pair is not, so two
** threads can both see room for one more session and both take it. Built
** with -DFIXED the check and the increment are one compare-and-swap.
*/
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#define MAX_SESSIONS 2
#define CLIENTS 3

struct server {
    atomic_int sessions;
    atomic_int refused;
};

static struct server srv;

static bool admit(struct server *s)
{
#ifdef FIXED
    int n = atomic_load(&s->sessions);
    while (n < MAX_SESSIONS)
        if (atomic_compare_exchange_weak(&s->sessions, &n, n + 1))
            return true;
    return false;
#else
    if (atomic_load(&s->sessions) >= MAX_SESSIONS)
        return false;
    atomic_fetch_add(&s->sessions, 1);    /* another thread may have come in between */
    return true;
#endif
}

static void *client(void *arg)
{
    struct server *s = arg;
    if (admit(s)) {
        int open = atomic_load(&s->sessions);
        assert(open <= MAX_SESSIONS);
    } else {
        atomic_fetch_add(&s->refused, 1);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&t[i], NULL, client, &srv);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(t[i], NULL);
    printf("%d sessions, %d refused\n", atomic_load(&srv.sessions), atomic_load(&srv.refused));
    return 0;
}
