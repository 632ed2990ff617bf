/*
** trace.h -- what the trace, graph and page writers share (trace_*.c):
** the happens-before edges between steps that the report can name, the
** wait-for graph of threads and objects, and a JSON string writer that is
** safe inside an HTML <script> too. Internal to sched/report/.
*/
#ifndef WEFT_TRACE_H
#define WEFT_TRACE_H

#include <stdio.h>
#include "report/report.h"

/* A step that enabled a later one of another thread: an unlock and the
** lock it let through, a send and the receive that took its value, a
** signal and the wake-up it caused, a close and a receive that saw it. */
struct trace_flow {
    uint32_t from, to;                /* step indexes, from < to */
    const char *kind;                 /* "unlock -> lock", ... (static) */
};
/* The flows of rep's steps in the order of their targets (malloc'd, free
** it); *n of them. NULL with *n 0 when there are none or no memory. */
struct trace_flow *trace_flows(const struct report *rep, int *n);

/* The wait-for graph: every thread, the objects blocked threads wait on
** or that are held at the end, and who waits for what. */
struct trace_node {
    bool thread;                      /* else an object */
    int id;                           /* a thread's id, or an object's */
    char label[SCHED_NAME_MAX + 24];  /* "createTailnet", "mutex closeMutex" */
    const char *state;                /* a thread's end state; NULL for an object */
    bool on_cycle;
};
struct trace_edge {
    int from, to;                     /* node indexes */
    char label[224];                  /* "wants mutex \"m\"", "held by", ... */
    bool guess;                       /* only could act: the waiter waits for anyone */
    bool on_cycle;
};
struct trace_graph {
    struct trace_node *nodes;
    int nnodes;
    struct trace_edge *edges;
    int nedges;
};
/* 0, or WEFT_ENOMEM; free with trace_graph_free. */
int trace_graph(const struct report *rep, struct trace_graph *g);
void trace_graph_free(struct trace_graph *g);


/* A call chain as a JSON list of "function at file:line" strings. */
void trace_chain_list(FILE *f, const struct report *rep, struct report_chain c);
/* The step's words ("lock closeMutex") and where it ran ("x.c:12"). */
void trace_step_words(const struct report *rep, uint32_t i, char *buf, size_t n);

#endif
