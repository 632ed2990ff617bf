/*
** classes.h -- the class of an execution (classes.c): a hash that equal
** executions up to commuting operations share, for tests of the searches.
*/
#ifndef WEFT_CLASSES_H
#define WEFT_CLASSES_H

#include "core/sched.h"

struct class_event;

struct classes {
    struct class_event *ev;
    size_t n, ev_cap;
    int32_t *objs;
    size_t nobjs, objs_cap;
    struct class_thread {             /* per thread, thread_cap of them */
        uint32_t steps;
        uint32_t spawned;             /* threads it has started */
        uint64_t name;                /* by who started it, 0: none yet */
    } *thread;
    size_t thread_cap;
    uint64_t values;                  /* data choices made in the step being applied */
};

void classes_begin(struct classes *c);
/* The step being applied chose value v (a select among ready cases). */
void classes_value(struct classes *c, uint32_t v);
/* Step s performed op: 0, or WEFT_ENOMEM. */
int classes_step(struct classes *c, const struct sched_step *s, const struct sched_op *op,
                 const struct sched_obj *clock);
/* The class of the steps since classes_begin. */
uint64_t classes_hash(const struct classes *c);
/* The class of a failure of thread tid that stopped the execution: of its
** steps and those they depend on (what came first by chance is left out). */
uint64_t classes_hash_failure(const struct classes *c, int tid);
void classes_free(struct classes *c);

#endif
