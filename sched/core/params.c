/*
** params.c -- scenario parameters (--param key=value) and which were read.
** Values are set before a run and read by scenarios through weft_param_int;
** a key set but never read is reported as probably misspelled.
*/
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "core/exec.h"
#include "core/params.h"

struct param {
    char *key, *value;
    int number;                       /* value, parsed once (params_set checked it) */
    bool used;
    bool defaulted;                   /* not set: kept only to find the key fast, and
                                         every read gets its own fallback (another
                                         scenario's, or another line's, may differ) */
    UT_hash_handle hh;
};

/* Scenarios read their parameters in every execution, by string literals:
** the last few found, by the key's address (checked by content, since a
** reloaded scenario may reuse an address), skip hashing the key. */
#define PARAMS_RECENT 4
struct params {
    struct param *table;
    struct { const char *key; struct param *p; } recent[PARAMS_RECENT];
    unsigned next_recent;
};

struct params *params_new(void) { return calloc(1, sizeof(struct params)); }

static void param_free(struct param *p)
{
    free(p->key);
    free(p->value);
    free(p);
}

void params_free(struct params *ps)
{
    if (ps == NULL)
        return;
    struct param *p, *tmp;
    HASH_ITER(hh, ps->table, p, tmp) {
        HASH_DEL(ps->table, p);
        param_free(p);
    }
    free(ps);
}

/* value as an int: an optional '-' and decimal digits, nothing else, in
** range (atoi would read "x" as 0 and "9999999999" as anything). */
static bool parse_int(const char *value, int *out)
{
    const char *digits = value + (value[0] == '-');
    char *end;
    errno = 0;
    long x = *digits >= '0' && *digits <= '9' ? strtol(value, &end, 10) : 0;
    if (*digits < '0' || *digits > '9' || *end || errno || x < INT_MIN || x > INT_MAX)
        return false;
    *out = (int)x;
    return true;
}

/* The entry for key, set to value: NULL without memory. */
static struct param *param_put(struct params *ps, const char *key, const char *value)
{
    struct param *p;
    char *copy = strdup(value);
    if (copy == NULL)
        return NULL;
    HASH_FIND_STR(ps->table, key, p);
    if (p == NULL) {
        p = calloc(1, sizeof *p);
        if (p == NULL || (p->key = strdup(key)) == NULL) {
            free(p);
            free(copy);
            return NULL;
        }
        HASH_ADD_KEYPTR(hh, ps->table, p->key, strlen(p->key), p);
    }
    free(p->value);
    p->value = copy;
    p->defaulted = false;
    p->number = 0;
    parse_int(copy, &p->number);      /* params_set parsed it already */
    return p;
}

int params_set(struct params *ps, const char *key, const char *value)
{
    int unused;
    if (!parse_int(value, &unused))
        return WEFT_EINVAL;
    return param_put(ps, key, value) ? 0 : WEFT_ENOMEM;
}

/* The entry for key, or NULL; remembered among the recent ones. */
static struct param *param_find(struct params *ps, const char *key)
{
    for (unsigned i = 0; i < PARAMS_RECENT; i++)
        if (ps->recent[i].key == key && strcmp(ps->recent[i].p->key, key) == 0)
            return ps->recent[i].p;
    struct param *p;
    HASH_FIND_STR(ps->table, key, p);
    if (p) {
        unsigned i = ps->next_recent++ % PARAMS_RECENT;
        ps->recent[i].key = key;
        ps->recent[i].p = p;
    }
    return p;
}

int params_int(struct params *ps, const char *key, int fallback)
{
    if (ps == NULL)
        return fallback;
    struct param *p = param_find(ps, key);
    if (p == NULL) {
        char buf[24];
        snprintf(buf, sizeof buf, "%d", fallback);
        p = param_put(ps, key, buf);
        if (p == NULL)
            return fallback;
        p->defaulted = true;
    }
    p->used = true;
    return p->defaulted ? fallback : p->number;
}

size_t params_count(const struct params *ps)
{
    return ps ? HASH_COUNT(ps->table) : 0;
}

void params_read_get(const struct params *ps, unsigned char *read, size_t n)
{
    size_t i = 0;
    for (struct param *p = ps ? ps->table : NULL; p && i < n; p = p->hh.next)
        read[i++] = p->used;
}

void params_read_add(struct params *ps, const unsigned char *read, size_t n)
{
    size_t i = 0;
    for (struct param *p = ps ? ps->table : NULL; p && i < n; p = p->hh.next)
        p->used |= read[i++] != 0;
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(struct param *const *)a)->key, (*(struct param *const *)b)->key);
}

char *params_canonical(const struct params *ps)
{
    size_t n = 0, len = 1;
    for (struct param *p = ps ? ps->table : NULL; p; p = p->hh.next)
        if (!p->defaulted) {
            n++;
            len += strlen(p->key) + 14;   /* " key=-2147483648" */
        }
    struct param **set = malloc((n ? n : 1) * sizeof *set);
    char *text = malloc(len), *at = text;
    if (set == NULL || text == NULL) {
        free(set);
        free(text);
        return NULL;
    }
    n = 0;
    for (struct param *p = ps ? ps->table : NULL; p; p = p->hh.next)
        if (!p->defaulted)
            set[n++] = p;
    qsort(set, n, sizeof *set, by_key);
    *at = 0;
    for (size_t i = 0; i < n; i++)
        at += sprintf(at, "%s%s=%d", i ? " " : "", set[i]->key, set[i]->number);
    free(set);
    return text;
}

void params_unread(const struct params *ps, void (*fn)(const char *key, void *ctx), void *ctx)
{
    for (struct param *p = ps ? ps->table : NULL; p; p = p->hh.next)
        if (!p->used)
            fn(p->key, ctx);
}

int weft_param_int(const char *key, int fallback)
{
    struct exec *x = exec_current();
    return x ? params_int(x->cfg->params, key, fallback) : fallback;
}
