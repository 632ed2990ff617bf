/* libc_blocks.c -- blocks the C library allocates for the program, freed
** by it, under --memory=all (tests/programs.sh). Each worker formats a
** message with asprintf, and copies one with strdup, edits and frees it:
** no two threads share a block, but glibc's allocator, one for all of
** weft's threads, handed the block one freed to the next, whose accesses
** were taken for a race with the old owner's (an audit's false alarm).
** strdup's copies are now the execution's own, like malloc's; a block
** glibc made is forgotten by the race check when the program frees it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int round = 0; round < 2; round++) {
        char *msg = NULL;
        if (asprintf(&msg, "worker %ld round %d", id, round) < 0)
            return NULL;
        msg[0] = 'W';
        free(msg);
        char *copy = strdup("a name to edit");
        if (copy == NULL)
            return NULL;
        copy[0] = (char)('A' + id);
        free(copy);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}
