/* race_ends_the_token.c -- a data race found by --memory=all, shrunk, then
** replayed with the command its report prints (tests/programs.sh). Each
** thread writes x, then takes and gives back a lock. The shrunk schedule
** ends where the second thread's write meets the first's, while main could
** still run; a replay's first run has no clocks yet (it learns there that
** the program's memory is checked, and runs again with them), went on past
** the race, ran out of the token's choices, and the second run's race was
** reported as "the schedule diverged at step 7" (audit 21). */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int x;

static void *writer(void *arg)
{
    x = (int)(long)arg;
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, writer, (void *)1L);
    pthread_create(&b, NULL, writer, (void *)2L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("%d\n", x);
    return 0;
}
