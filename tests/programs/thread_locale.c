/* thread_locale.c -- uselocale is per thread (tests/programs.sh). The C
** library keeps a thread's locale in its own thread-local storage, which
** weft's threads share; weft keeps each thread's and installs it when the
** thread runs. Thread "utf8" takes C.UTF-8 and keeps it across waits;
** thread "plain" stays in the global "C" locale, whatever utf8 does in
** between; a thread starts in the global locale, and so does every
** execution, though utf8 never goes back to it. */
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static sem_t chosen, checked;

static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s\n", what);
        abort();
    }
}

static void *utf8(void *arg)
{
    (void)arg;
    must(uselocale((locale_t)0) == LC_GLOBAL_LOCALE, "a thread starts in the global locale");
    must(MB_CUR_MAX == 1, "the execution starts in the C locale");
    locale_t l = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
    if (l == (locale_t)0)
        return NULL;                  /* no C.UTF-8 here: nothing to check */
    must(uselocale(l) == LC_GLOBAL_LOCALE, "uselocale gives back the global locale");
    sem_post(&chosen);
    sem_wait(&checked);
    must(MB_CUR_MAX > 1, "utf8 kept its locale while plain ran");
    must(uselocale((locale_t)0) == l, "uselocale(0) names utf8's locale");
    return NULL;                      /* its locale left in place */
}

static void *plain(void *arg)
{
    (void)arg;
    sem_wait(&chosen);
    must(MB_CUR_MAX == 1, "plain is in the global locale, not utf8's");
    must(uselocale((locale_t)0) == LC_GLOBAL_LOCALE, "plain's uselocale(0)");
    sem_post(&checked);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    sem_init(&chosen, 0, 0);
    sem_init(&checked, 0, 0);
    pthread_create(&a, NULL, utf8, NULL);
    pthread_create(&b, NULL, plain, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    must(MB_CUR_MAX == 1, "main is in the global locale");
    return 0;
}
