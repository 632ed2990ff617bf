/*
** symbol.h -- the code at an address, for reports (symbol.c): its function,
** file and line from the scenario's debug information when weft was built
** with libdw, and always its module and offset. Slow (it reads files), so
** it runs only when a report is built, never during a search.
*/
#ifndef WEFT_SYMBOL_H
#define WEFT_SYMBOL_H

#include <stdbool.h>

struct symbol {
    bool known;                       /* there was an address */
    char function[64];                /* "" when unknown */
    char file[256];                   /* as the debug information has it; "" when unknown */
    int line;
    char module[64];                  /* the object's file name, without its folder */
    unsigned long offset;             /* of the call in the module: addr2line -e MODULE OFFSET */
};

/* Symbolise the return addresses pcs[0..n) of calls (NULL: not known). */
void symbol_lookup(const void *const *pcs, int n, struct symbol *out);

/* Many lookups in one reading of the process's modules: begin, look up,
** end. Begin returns NULL only without memory. */
struct symbol_session;
struct symbol_session *symbol_begin(void);
void symbol_end(struct symbol_session *s);
/* The frames of the call that returns to pc, innermost first: the calls
** the compiler inlined there, each with its function and line, then the
** function that holds the code. Writes at most max, returns how many
** (0 when pc is NULL). */
int symbol_frames(struct symbol_session *s, const void *pc, struct symbol *out, int max);

#endif
