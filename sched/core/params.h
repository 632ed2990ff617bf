/*
** params.h -- scenario parameters (--param key=value) and which were read.
** A parameter set belongs to whoever runs the search (the command line, an
** embedding program); executions read it through weft_param_int.
*/
#ifndef WEFT_PARAMS_H
#define WEFT_PARAMS_H

#include <stddef.h>

struct params;

/* An empty set, or NULL without memory. */
struct params *params_new(void);
void params_free(struct params *p);
/* Set key to value, an int in decimal (the only kind weft_param_int reads):
** 0, WEFT_EINVAL if it is not one, or WEFT_ENOMEM. */
int params_set(struct params *p, const char *key, const char *value);
/* The value of key as an int, or fallback (then recorded as read). */
int params_int(struct params *p, const char *key, int fallback);
/* How many parameters are set. A child process that ran scenarios tells
** its parent which of the first n were read (in the order they were set):
** params_read_get fills read[i] (0 or 1), params_read_add marks them. */
size_t params_count(const struct params *p);
void params_read_get(const struct params *p, unsigned char *read, size_t n);
void params_read_add(struct params *p, const unsigned char *read, size_t n);
/* The parameters set, as "key=value" words sorted by key with each value
** as weft_param_int reads it ("" for none): the same text for the same
** values however they were given. Malloc'd; NULL without memory. */
char *params_canonical(const struct params *p);
/* Visit the parameters set that no scenario has read (a misspelled key). */
void params_unread(const struct params *p, void (*fn)(const char *key, void *ctx), void *ctx);

#endif
