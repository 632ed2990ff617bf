/*
** barrier_if_not_while.c -- a barrier built on a condition variable whose
** waiters test the generation with `if`, not `while`: a spurious wakeup,
** which POSIX allows, lets a thread through before the others arrive. weft
** finds it with --spurious-wakeups on (an untimed wait may also wake with
** no signal); without the option, waits wake only when signalled, and it
** passes. -DFIXED tests in a loop and passes either way.
*/
#include <pthread.h>
#include <stdio.h>
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int count, generation;
static void barrier_wait(int n)
{
    pthread_mutex_lock(&mu);
    int gen = generation;
    if (++count == n) {
        count = 0;
        generation++;
        pthread_cond_broadcast(&cv);
    } else {
#ifdef FIXED
        while (gen == generation)
#else
        if (gen == generation)       /* bug: a spurious wakeup passes the barrier */
#endif
            pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
}
static int phase[3];
static void *w(void *a)
{
    long i = (long)a;
    phase[i] = 1;
    barrier_wait(3);
    for (int j = 0; j < 3; j++)
        if (phase[j] == 0) {
            fprintf(stderr, "thread %ld passed early\n", i);
            return (void *)1;
        }
    return NULL;
}
int main(void)
{
    pthread_t t[3];
    void *r;
    int bad = 0;
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, w, (void *)i);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    return bad;
}
