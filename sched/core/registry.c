/*
** registry.c -- the scenarios known to this process.
** WEFT_SCENARIO's constructor calls weft_register, both for scenarios built
** into the weft command and for scenario files loaded with dlopen; the
** loader tells them apart by the registry's length before and after.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "registry.h"

static const struct weft_scenario **entries;
static int count, cap;

void weft_register(const struct weft_scenario *s)
{
    if (count == cap) {
        cap = cap ? 2 * cap : 32;
        entries = realloc(entries, (size_t)cap * sizeof *entries);
        if (entries == NULL) {
            fprintf(stderr, "weft: out of memory registering scenarios\n");
            exit(2);
        }
    }
    entries[count++] = s;
}

int registry_count(void) { return count; }

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
