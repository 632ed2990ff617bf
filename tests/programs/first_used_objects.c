/*
** first_used_objects.c -- objects a program makes on first use: C11
** atomics (globals) and mutexes in blocks from malloc. Thread a adds to x
** then y, b to y then x: three classes (b cannot take both before a while
** a takes both before b in the other order). Which thread touches a cell
** first, or allocates first, differs between schedules of one class, so
** neither may name the objects: tests/cli.sh checks that plain DFS, every
** interleaving, sees exactly the 3 classes DPOR runs (40 before cells and
** blocks were named by where they live).
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int x, y;

struct box {
    pthread_mutex_t lock;
    int uses;
};

static void use_a_box(void)
{
    struct box *b = malloc(sizeof *b);
    if (b == NULL)
        abort();
    pthread_mutex_init(&b->lock, NULL);
    pthread_mutex_lock(&b->lock);
    b->uses++;
    pthread_mutex_unlock(&b->lock);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

static void *x_then_y(void *arg)
{
    (void)arg;
    use_a_box();
    atomic_fetch_add(&x, 1);
    atomic_fetch_add(&y, 1);
    return NULL;
}

static void *y_then_x(void *arg)
{
    (void)arg;
    use_a_box();
    atomic_fetch_add(&y, 1);
    atomic_fetch_add(&x, 1);
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, x_then_y, NULL);
    pthread_create(&b, NULL, y_then_x, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return atomic_load(&x) == 2 && atomic_load(&y) == 2 ? 0 : 1;
}
