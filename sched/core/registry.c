/*
** registry.c -- the scenarios known to this process, and execution epochs.
** WEFT_SCENARIO's constructor calls weft_register, both for scenarios built
** into a program and for scenario files loaded with dlopen; the loader
** tells them apart by the registry's length before and after. This file
** holds weft's only process-wide state (registry.h says why).
*/
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "core/registry.h"

static const struct weft_scenario **entries;
static int count, cap;
static bool lost;                     /* a registration failed for want of memory */
static _Atomic uint64_t epochs;
static struct object_range {
    char *path;
    int from, to;
} *objects;
static int nobjects;

void weft_register(const struct weft_scenario *s)
{
    if (count == cap) {
        int bigger = cap ? 2 * cap : 32;
        const struct weft_scenario **e = realloc(entries, (size_t)bigger * sizeof *e);
        if (e == NULL) {
            lost = true;
            return;
        }
        entries = e;
        cap = bigger;
    }
    entries[count++] = s;
}

int registry_count(void) { return count; }

bool registry_incomplete(void) { return lost; }

const struct weft_scenario *registry_get(int i)
{
    return i >= 0 && i < count ? entries[i] : NULL;
}

const struct weft_scenario *registry_find(const char *name, int from, int to)
{
    for (int i = from; i < to && i < count; i++)
        if (strcmp(entries[i]->name, name) == 0)
            return entries[i];
    return NULL;
}

uint64_t registry_next_epoch(void)
{
    return atomic_fetch_add_explicit(&epochs, 1, memory_order_relaxed) + 1;
}

void registry_remember_object(const char *path, int from, int to)
{
    char *copy = strdup(path);
    struct object_range *more = copy ? realloc(objects, ((size_t)nobjects + 1) * sizeof *more)
                                     : NULL;
    if (more == NULL) {
        free(copy);
        return;
    }
    objects = more;
    objects[nobjects++] = (struct object_range){ copy, from, to };
}

bool registry_object(const char *path, int *from, int *to)
{
    for (int i = 0; i < nobjects; i++)
        if (strcmp(objects[i].path, path) == 0) {
            *from = objects[i].from;
            *to = objects[i].to;
            return true;
        }
    return false;
}
