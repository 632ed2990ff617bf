/*
** same_spelling.c -- two mutexes that the program spells alike, made in
** a loop as m[i] and locked in opposite orders: a deadlock
** (tests/programs.sh). The report tells them apart as it does threads of
** one name: "m[i]" and "m[i]#2" (both were "m[i]", and the cycle read like
** one thread waiting for a lock it held).
**
** With -DRING, three of them, each thread holding m[i] and wanting the
** next: "m[i]", "m[i]#2", "m[i]#3" (the third was "m[i]" again, named
** after its renamed neighbour).
*/
#include <pthread.h>

#ifndef RING
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
#else
static pthread_mutex_t m[3];

static void *grab(void *arg)
{
    int i = (int)(long)arg;
    pthread_mutex_lock(&m[i]);
    pthread_mutex_lock(&m[(i + 1) % 3]);
    pthread_mutex_unlock(&m[(i + 1) % 3]);
    pthread_mutex_unlock(&m[i]);
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_mutex_init(&m[i], NULL);
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, grab, (void *)i);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return 0;
}
#endif
