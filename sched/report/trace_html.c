/*
** trace_html.c -- the failure as one self-contained page (--html): the
** page (trace_html.html, built in as trace_html_page.h) with the report's
** data in it as one JSON value: threads, steps, every thread's state after
** each step (report_view), the flows between steps and the wait-for graph.
** The page draws it; nothing is fetched.
*/
#include <stdlib.h>
#include <string.h>
#include "report/trace.h"
#include "report/trace_html_page.h"

#define DATA_MARK "/*WEFT_DATA*/"

static void key(FILE *f, const char *name, const char *value)
{
    fprintf(f, ",\"%s\":", name);
    report_json_string_in_html(f, value);
}


static void threads(FILE *f, const struct report *rep)
{
    fprintf(f, ",\"threads\":[");
    for (int i = 0; i < rep->nthreads; i++) {
        const struct report_thread *t = &rep->threads[i];
        fprintf(f, "%s{\"id\":%d", i ? "," : "", t->id);
        key(f, "name", t->name);
        key(f, "state", t->state);
        key(f, "wait", t->wait);
        key(f, "at", t->wait[0] ? report_loc(t->wait_at).s : "");
        fputc('}', f);
    }
    fputc(']', f);
}

/* The steps, then the attempts that block (blocks: true). */
static void steps(FILE *f, const struct report *rep)
{
    fprintf(f, ",\"steps\":[");
    for (uint32_t i = 0; i < rep->nsteps + rep->nblocked; i++) {
        const struct report_step *s = &rep->steps[i];
        char text[256];
        report_step_text(rep, s, text, sizeof text);
        fprintf(f, "%s\n{\"t\":%d", i ? "," : "", s->tid);
        key(f, "op", text);
        key(f, "at", report_loc(s->loc).s);
        fprintf(f, ",\"pre\":%s,\"blocks\":%s,\"chain\":", s->preempts ? "true" : "false",
                s->blocks ? "true" : "false");
        trace_chain_list(f, rep, s->chain);
        fputc('}', f);
    }
    fputc(']', f);
}

/* Row i: every thread's [state, detail] after step i + 1; null when the
** states could not be recorded. */
static void states(FILE *f, const struct report *rep)
{
    const struct report_view *v = rep->view;
    fprintf(f, ",\"states\":");
    if (v == NULL || v->nsteps != rep->nsteps || v->nthreads != rep->nthreads) {
        fprintf(f, "null");
        return;
    }
    fputc('[', f);
    for (uint32_t i = 0; i < v->nsteps; i++) {
        fprintf(f, "%s\n[", i ? "," : "");
        for (int t = 0; t < v->nthreads; t++) {
            const struct report_view_state *st = &v->rows[(size_t)i * (size_t)v->nthreads + t];
            fprintf(f, "%s[", t ? "," : "");
            report_json_string_in_html(f, st->state);
            fputc(',', f);
            report_json_string_in_html(f, st->detail);
            fputc(']', f);
        }
        fputc(']', f);
    }
    fputc(']', f);
}

static void flows(FILE *f, const struct report *rep)
{
    int n;
    struct trace_flow *fl = trace_flows(rep, &n);
    fprintf(f, ",\"flows\":[");
    for (int k = 0; k < n; k++)
        fprintf(f, "%s{\"from\":%u,\"to\":%u,\"kind\":\"%s\"}", k ? "," : "", fl[k].from,
                fl[k].to, fl[k].kind);
    fputc(']', f);
    free(fl);
}

static int graph(FILE *f, const struct report *rep)
{
    struct trace_graph g;
    if (trace_graph(rep, &g) != 0)
        return -1;
    fprintf(f, ",\"graph\":{\"nodes\":[");
    for (int i = 0; i < g.nnodes; i++) {
        fprintf(f, "%s{\"thread\":%s,\"cycle\":%s", i ? "," : "",
                g.nodes[i].thread ? "true" : "false", g.nodes[i].on_cycle ? "true" : "false");
        key(f, "label", g.nodes[i].label);
        key(f, "state", g.nodes[i].state ? g.nodes[i].state : "");
        fputc('}', f);
    }
    fprintf(f, "],\"edges\":[");
    for (int i = 0; i < g.nedges; i++) {
        const struct trace_edge *e = &g.edges[i];
        fprintf(f, "%s{\"from\":%d,\"to\":%d,\"guess\":%s,\"cycle\":%s", i ? "," : "", e->from,
                e->to, e->guess ? "true" : "false", e->on_cycle ? "true" : "false");
        key(f, "label", e->label);
        fputc('}', f);
    }
    fprintf(f, "]}");
    trace_graph_free(&g);
    return 0;
}

static int data(FILE *f, const struct report *rep, const char *text)
{
    char replay[1024];
    snprintf(replay, sizeof replay, "%s replay %s%s --schedule %s", rep->command, rep->target,
             rep->params, rep->schedule ? rep->schedule : "");
    fprintf(f, "{\"nsteps\":%u", rep->nsteps);
    key(f, "scenario", rep->scenario);
    key(f, "summary", rep->summary ? rep->summary : "");
    key(f, "result", weft_result_name(rep->result));
    key(f, "expected", weft_result_name(rep->expect));
    key(f, "message", rep->message);
    key(f, "replay", replay);
    key(f, "report", text ? text : "");
    fprintf(f, ",\"cycle\":[");
    for (int i = 0; i + 1 < rep->ncycle; i++)
        fprintf(f, "%s%d", i ? "," : "", rep->cycle[i]);
    fputc(']', f);
    threads(f, rep);
    steps(f, rep);
    states(f, rep);
    flows(f, rep);
    int rc = graph(f, rep);
    fputc('}', f);
    return rc;
}

int report_write_html(FILE *f, const struct report *rep, const char *text)
{
    const char *mark = strstr(trace_html_page, DATA_MARK);
    if (mark == NULL)
        return -1;                    /* the page was built without its marker */
    fwrite(trace_html_page, 1, (size_t)(mark - trace_html_page), f);
    int rc = data(f, rep, text);
    fputs(mark + strlen(DATA_MARK), f);
    return rc || ferror(f) ? -1 : 0;
}
