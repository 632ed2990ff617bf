/*
** trace_dot.c -- the wait-for graph for Graphviz (--dot): threads as
** ellipses, the objects they wait on as boxes, an edge from a waiting
** thread to its object and from the object to the threads that must act;
** the wait-for cycle in red. Dashed: a thread that could act (the waiter
** waits for anyone). `dot -Tsvg FILE` draws it.
*/
#include <string.h>
#include "report/trace.h"

/* s in a DOT string's quotes: UTF-8, as Graphviz reads it (a byte that
** is not is U+FFFD), control characters left out. */
static void dot_str(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        size_t n = report_utf8_len(s);
        if (n == 0)
            fputs("\xef\xbf\xbd", f);
        else if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s >= 0x20 && *s != 0x7f)
            fwrite(s, 1, n, f);
        s += n ? n : 1;
    }
    fputc('"', f);
}

static void node(FILE *f, const struct trace_node *n, int i)
{
    char label[SCHED_NAME_MAX + 64];
    if (n->thread)
        snprintf(label, sizeof label, "%s\n%s", n->label, n->state);
    else
        snprintf(label, sizeof label, "%s", n->label);
    fprintf(f, "  n%d [label=", i);
    dot_str(f, label);
    fprintf(f, ", shape=%s", n->thread ? "ellipse" : "box");
    if (n->on_cycle)
        fprintf(f, ", color=red, fontcolor=red, penwidth=2");
    else if (n->thread && strcmp(n->state, "blocked") != 0)
        fprintf(f, ", color=gray50, fontcolor=gray40");
    fprintf(f, "];\n");
}

static void edge(FILE *f, const struct trace_edge *e)
{
    fprintf(f, "  n%d -> n%d [label=", e->from, e->to);
    dot_str(f, e->label);
    if (e->on_cycle)
        fprintf(f, ", color=red, fontcolor=red, penwidth=2");
    if (e->guess)
        fprintf(f, ", style=dashed");
    fprintf(f, "];\n");
}

int report_write_dot(FILE *f, const struct report *rep)
{
    struct trace_graph g;
    if (trace_graph(rep, &g) != 0)
        return -1;
    fprintf(f, "// weft: the wait-for graph of %s (%s)\n", rep->scenario,
            weft_result_name(rep->result));
    fprintf(f, "// A -> object -> B: A waits on the object until B acts; red: the wait-for "
            "cycle;\n// dashed: B could act (A waits for any thread).\n");
    fprintf(f, "digraph wait_for {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
            "  edge [fontname=\"Helvetica\", fontsize=10];\n  label=");
    char title[300];
    snprintf(title, sizeof title, "%s: %s", rep->scenario, weft_result_name(rep->result));
    dot_str(f, title);
    fprintf(f, ";\n  labelloc=t;\n");
    for (int i = 0; i < g.nnodes; i++)
        node(f, &g.nodes[i], i);
    for (int i = 0; i < g.nedges; i++)
        edge(f, &g.edges[i]);
    fprintf(f, "}\n");
    trace_graph_free(&g);
    return ferror(f) ? -1 : 0;
}
