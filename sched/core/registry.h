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

#endif
