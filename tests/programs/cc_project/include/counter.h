/* counter.h -- a shared counter (tests/programs.sh builds this project
** with weft cc, -I include and -D flags, from src/). */
#ifndef COUNTER_H
#define COUNTER_H
#include <pthread.h>

#ifndef COUNTER_THREADS
#error "build with -DCOUNTER_THREADS=N"
#endif

struct counter {
    pthread_mutex_t lock;
    int value;
};

void counter_add(struct counter *c, int n);
#endif
