/* relaxed_race.c -- what atomics weaker than seq_cst order, for the data
** race check of --memory=all (tests/programs.sh). weft took every atomic
** to order everything, so a flag stored or loaded relaxed "published" the
** plain data before it, and a program that C11 calls racy passed "all
** memory checked". The writer sets data, then a flag; the reader reads
** data once it sees the flag. The mode is the first argument:
**   relaxed       both relaxed: a data race (GCC's ThreadSanitizer agrees);
**   relaxed_load  a release store, a relaxed load: a data race (likewise);
**   release       release and acquire: no race;
**   fences        relaxed, with a release fence before the store and an
**                 acquire fence after the load: no race (C11's fences;
**                 ThreadSanitizer, which ignores fences, reports one);
**   sequence      the writer's release store, then another thread's
**                 relaxed increment of the flag, which the reader's
**                 acquire load sees: a release sequence, no race;
**   refcount      three holders of a block drop their reference with a
**                 release decrement; the last, after an acquire fence,
**                 frees it: no race (a free races with an atomic write
**                 the release ordered before it, as weft recorded the
**                 write one clock tick too late);
**   refcount_nofence  the same without the fence: the free races. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int flag;
static int data;
static const char *mode;

static int on(const char *name) { return strcmp(mode, name) == 0; }

static void *writer(void *arg)
{
    (void)arg;
    data = 42;
    if (on("fences")) {
        atomic_thread_fence(memory_order_release);
        atomic_store_explicit(&flag, 1, memory_order_relaxed);
    } else {
        atomic_store_explicit(&flag, 1, on("relaxed") ? memory_order_relaxed
                                                      : memory_order_release);
    }
    return NULL;
}

static void *bumper(void *arg)
{
    (void)arg;
    atomic_fetch_add_explicit(&flag, 1, memory_order_relaxed);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    int seen;
    if (on("fences")) {
        seen = atomic_load_explicit(&flag, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
    } else {
        seen = atomic_load_explicit(&flag, on("release") || on("sequence")
                                               ? memory_order_acquire : memory_order_relaxed);
    }
    if (on("sequence") ? seen == 2 : seen != 0)
        printf("data %d\n", data);
    return NULL;
}

struct block { atomic_int refs; int data; };
static struct block *shared;
static int seen[2];

static void drop(struct block *b)
{
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_release) == 1) {
        if (on("refcount"))
            atomic_thread_fence(memory_order_acquire);
        free(b);
    }
}

static void *holder(void *arg)
{
    seen[(long)arg] = shared->data;
    drop(shared);
    return NULL;
}

static int refcount(void)
{
    shared = malloc(sizeof *shared);
    atomic_init(&shared->refs, 3);
    shared->data = 1;
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, holder, (void *)i);
    drop(shared);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "relaxed";
    if (strncmp(mode, "refcount", 8) == 0)
        return refcount();
    pthread_t w, r, b;
    pthread_create(&w, NULL, writer, NULL);
    if (on("sequence")) {             /* the bump comes after the release */
        pthread_join(w, NULL);
        pthread_create(&b, NULL, bumper, NULL);
    }
    pthread_create(&r, NULL, reader, NULL);
    if (on("sequence"))
        pthread_join(b, NULL);
    else
        pthread_join(w, NULL);
    pthread_join(r, NULL);
    return 0;
}
