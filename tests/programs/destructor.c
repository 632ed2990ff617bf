/* destructor.c -- a program's destructor runs in no execution and not at
** weft's exit either (tests/programs.sh). It checks an end-of-process
** invariant that only a whole process run makes true; weft ended with the
** program still loaded, in whatever state the last execution left, and
** the C library ran the destructor then: weft printed "pass" and died of
** the abort, exit status 134. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int finished;

__attribute__((destructor)) static void at_process_end(void)
{
    if (finished != 2)
        abort();
}

static void *worker(void *arg)
{
    (void)arg;
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    finished++;
    return 0;
}
