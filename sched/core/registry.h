/*
** registry.h -- lookup of registered scenarios by index range and name.
** Registration itself is the public weft_register (weft.h).
*/
#ifndef WEFT_REGISTRY_H
#define WEFT_REGISTRY_H

#include "weft.h"

int registry_count(void);
const struct weft_scenario *registry_get(int i);
/* The first scenario called name among entries [from, to), or NULL. */
const struct weft_scenario *registry_find(const char *name, int from, int to);

#endif
