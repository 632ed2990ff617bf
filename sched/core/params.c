/*
** params.c -- scenario parameters (--param key=value) and which were read.
** Values are set before a run and read by scenarios through weft_param_int;
** the keys a scenario read, with the value it got, go into reports so that a
** replay command carries them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "sched.h"

struct param {
    char *key, *value;
    bool used;
    int order;                        /* first-read order, for reports */
    UT_hash_handle hh;
};

static struct param *params;
static int reads;

static struct param *param_put(const char *key, const char *value)
{
    struct param *p;
    HASH_FIND_STR(params, key, p);
    if (p == NULL) {
        p = calloc(1, sizeof *p);
        if (p == NULL || (p->key = strdup(key)) == NULL)
            goto oom;
        HASH_ADD_KEYPTR(hh, params, p->key, strlen(p->key), p);
    }
    free(p->value);
    if ((p->value = strdup(value)) == NULL)
        goto oom;
    return p;
oom:
    fprintf(stderr, "weft: out of memory for parameters\n");
    exit(2);
}

void sched_param_set(const char *key, const char *value) { param_put(key, value); }

void sched_params_clear(void)
{
    struct param *p, *tmp;
    HASH_ITER(hh, params, p, tmp) {
        HASH_DEL(params, p);
        free(p->key);
        free(p->value);
        free(p);
    }
    reads = 0;
}

int weft_param_int(const char *key, int fallback)
{
    struct param *p;
    HASH_FIND_STR(params, key, p);
    if (p == NULL) {
        char buf[24];
        snprintf(buf, sizeof buf, "%d", fallback);
        p = param_put(key, buf);
    }
    if (!p->used) {
        p->used = true;
        p->order = reads++;
    }
    return atoi(p->value);
}

static int by_order(struct param *a, struct param *b) { return a->order - b->order; }

void sched_params_unread(void (*fn)(const char *key, void *ctx), void *ctx)
{
    for (struct param *p = params; p; p = p->hh.next)
        if (!p->used)
            fn(p->key, ctx);
}

void sched_params_used(void (*fn)(const char *key, const char *value, void *ctx), void *ctx)
{
    HASH_SORT(params, by_order);
    for (struct param *p = params; p; p = p->hh.next)
        if (p->used)
            fn(p->key, p->value, ctx);
}
