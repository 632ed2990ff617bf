/*
** registry.h -- the process-wide state, and the only mutable state outside
** an exploration: the scenarios registered so far (weft_register, weft.h)
** and the serial that makes every execution's epoch unique.
*/
#ifndef WEFT_REGISTRY_H
#define WEFT_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include "weft.h"

int registry_count(void);
const struct weft_scenario *registry_get(int i);
/* The first scenario called name among entries [from, to), or NULL. */
const struct weft_scenario *registry_find(const char *name, int from, int to);
/* Were registrations lost for want of memory? */
bool registry_incomplete(void);
/* A number no other execution in this process has had (never 0). */
uint64_t registry_next_epoch(void);
/* The entries [from, to) a shared object registered when it was loaded: a
** second dlopen of it runs no constructor (cli/loader.c). remember keeps
** the range of the object at path (best effort: without memory it is not
** kept); loaded tells it, false for an object not loaded before. */
void registry_remember_object(const char *path, int from, int to);
bool registry_object(const char *path, int *from, int *to);

#endif
