/*
** same_spelling.c -- two mutexes that the program spells alike, made in
** a loop as m[i] and locked in opposite orders: a deadlock
** (tests/programs.sh). The report tells them apart as it does threads of
** one name: "m[i]" and "m[i]#2" (both were "m[i]", and the cycle read like
** one thread waiting for a lock it held).
*/
#include <pthread.h>

static pthread_mutex_t m[2];

static void *forward(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m[0]);
    pthread_mutex_lock(&m[1]);
    pthread_mutex_unlock(&m[1]);
    pthread_mutex_unlock(&m[0]);
    return NULL;
}

static void *backward(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m[1]);
    pthread_mutex_lock(&m[0]);
    pthread_mutex_unlock(&m[0]);
    pthread_mutex_unlock(&m[1]);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    for (int i = 0; i < 2; i++)
        pthread_mutex_init(&m[i], NULL);
    pthread_create(&a, NULL, forward, NULL);
    pthread_create(&b, NULL, backward, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
