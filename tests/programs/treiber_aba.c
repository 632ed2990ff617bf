/* treiber_aba.c -- a lock-free stack whose pop frees the node it took
** (tests/programs.sh). A pop reads the top and its next, then swaps the
** top for that next if the top is still the one it read. Meanwhile
** another thread pops both nodes, allocates a scratch node (the block of
** the second one, freed last) and pushes a new value (the block of the
** first): the top is that address again, the swap succeeds, and the stack
** now starts at the scratch node, which is no node of it (ABA). weft's
** malloc hands a thread the block it freed last, as glibc's cache does.
** -DFIXED: popped nodes are not freed, so an address never comes back. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

static _Atomic(struct node *) top;

static struct node *node_new(int value, struct node *next)
{
    struct node *n = malloc(sizeof *n);
    assert(n != NULL);
    n->value = value;
    n->next = next;
    return n;
}

static void push(int value)
{
    struct node *n = node_new(value, atomic_load(&top));
    while (!atomic_compare_exchange_weak(&top, &n->next, n))
        ;
}

static int pop(void)
{
    struct node *t = atomic_load(&top);
    while (t && !atomic_compare_exchange_weak(&top, &t, t->next))
        ;
    if (t == NULL)
        return 0;
    int value = t->value;
#ifndef FIXED
    free(t);
#endif
    return value;
}

static int popped[3];

static void *one_pop(void *arg)
{
    (void)arg;
    popped[0] = pop();
    return NULL;
}

static void *two_pops_and_a_push(void *arg)
{
    (void)arg;
    popped[1] = pop();
    popped[2] = pop();
    struct node *scratch = node_new(-1, NULL);   /* not on the stack */
    push(3);
    (void)scratch;
    return NULL;
}

int main(void)
{
    push(2);
    push(1);
    pthread_t a, b;
    pthread_create(&a, NULL, one_pop, NULL);
    pthread_create(&b, NULL, two_pops_and_a_push, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    int seen = 0;                     /* each of 1, 2, 3 popped or left, once */
    for (int i = 0; i < 3; i++)
        seen += popped[i] ? 1 << popped[i] : 0;
    for (struct node *n = atomic_load(&top); n; n = n->next) {
        assert(n->value > 0);         /* a node of the stack */
        seen += 1 << n->value;
    }
    assert(seen == (1 << 1) + (1 << 2) + (1 << 3));
    return 0;
}
