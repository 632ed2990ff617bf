/*
** trace_perfetto.c -- the failing execution as Chrome/Perfetto trace-event
** JSON (--trace): one track per thread, one slice per step on a virtual
** timeline where step i runs from i ms to i + 1 ms (the order is real,
** the time is not), flow arrows from a step to the later step of another
** thread it enabled, and instant markers for preemptions, for where each
** thread blocked for good, and for the failure.
*/
#include <stdlib.h>
#include <string.h>
#include "report/trace.h"

#define STEP_US 1000                  /* a step's width on the timeline */
#define PID 1

static long long step_ts(uint32_t i) { return (long long)i * STEP_US; }

/* Each event starts with ",\n" but the first. */
struct events {
    FILE *f;
    bool any;
};

static void begin(struct events *ev, const char *ph, const char *name, int tid)
{
    fprintf(ev->f, "%s{\"ph\":\"%s\",\"pid\":%d,\"tid\":%d,\"name\":", ev->any ? ",\n" : "", ph,
            PID, tid + 1);
    report_json_string_in_html(ev->f, name);
    ev->any = true;
}

static void metadata(struct events *ev, const struct report *rep)
{
    char name[300];
    snprintf(name, sizeof name, "weft: %s (%s)", rep->scenario, weft_result_name(rep->result));
    begin(ev, "M", "process_name", -1);
    fprintf(ev->f, ",\"args\":{\"name\":");
    report_json_string_in_html(ev->f, name);
    fprintf(ev->f, "}}");
    for (int i = 0; i < rep->nthreads; i++) {
        begin(ev, "M", "thread_name", i);
        fprintf(ev->f, ",\"args\":{\"name\":");
        report_json_string_in_html(ev->f, rep->threads[i].name);
        fprintf(ev->f, "}}");
        begin(ev, "M", "thread_sort_index", i);
        fprintf(ev->f, ",\"args\":{\"sort_index\":%d}}", i);
    }
}

/* "at" and, when known, the call chain ("f at x.c:12", innermost first). */
static void where_args(FILE *f, const struct report *rep, struct sched_loc loc,
                       struct report_chain c)
{
    fprintf(f, "\"at\":");
    report_json_string_in_html(f, report_loc(loc).s);
    if (c.n == 0)
        return;
    fprintf(f, ",\"chain\":");
    trace_chain_list(f, rep, c);
}

static void step_slice(struct events *ev, const struct report *rep, uint32_t i)
{
    const struct report_step *s = &rep->steps[i];
    char text[256];
    trace_step_words(rep, i, text, sizeof text);
    begin(ev, "X", text, s->tid);
    fprintf(ev->f, ",\"cat\":\"step\",\"ts\":%lld,\"dur\":%d,\"args\":{\"step\":%u,",
            step_ts(i), STEP_US, i + 1);
    where_args(ev->f, rep, s->loc, s->chain);
    if (s->time)
        fprintf(ev->f, ",\"virtual_time_ns\":%lld", (long long)s->time);
    fprintf(ev->f, "}}");
    if (!s->preempts || i == 0)
        return;
    begin(ev, "i", "preemption", s->tid);
    fprintf(ev->f, ",\"cat\":\"preemption\",\"ts\":%lld,\"s\":\"t\",\"args\":{\"step\":%u,"
            "\"preempted\":", step_ts(i), i + 1);
    report_json_string_in_html(ev->f, rep->threads[rep->steps[i - 1].tid].name);
    fprintf(ev->f, "}}");
}

/* Where each blocked thread stopped for good: its attempt that blocks
** (at the end of the timeline), or its last step when that blocked. */
static void blocked_marks(struct events *ev, const struct report *rep)
{
    for (int t = 0; t < rep->nthreads; t++) {
        const struct report_thread *th = &rep->threads[t];
        if (strcmp(th->state, "blocked") != 0)
            continue;
        long long ts = step_ts(rep->nsteps);
        for (uint32_t i = rep->nsteps; i-- > 0;)
            if (rep->steps[i].tid == t) {
                ts = rep->steps[i].note && strcmp(rep->steps[i].note, "blocks") == 0
                     ? step_ts(i) + STEP_US - 1 : ts;
                break;
            }
        begin(ev, "i", "blocks forever", t);
        fprintf(ev->f, ",\"cat\":\"blocked\",\"ts\":%lld,\"s\":\"t\",\"args\":{\"waits\":", ts);
        report_json_string_in_html(ev->f, th->wait);
        fputc(',', ev->f);
        where_args(ev->f, rep, th->wait_at, th->chain);
        fprintf(ev->f, "}}");
    }
}

static void failure_mark(struct events *ev, const struct report *rep)
{
    if (rep->failing_tid < 0 || rep->failing_tid >= rep->nthreads)
        return;
    char name[300];
    snprintf(name, sizeof name, "%s", weft_result_name(rep->result));
    begin(ev, "i", name, rep->failing_tid);
    fprintf(ev->f, ",\"cat\":\"failure\",\"ts\":%lld,\"s\":\"g\",\"args\":{\"message\":",
            step_ts(rep->nsteps));
    report_json_string_in_html(ev->f, rep->message);
    fprintf(ev->f, ",\"at\":");
    report_json_string_in_html(ev->f, report_loc(rep->where).s);
    fprintf(ev->f, ",\"replay\":");
    char replay[1024];
    snprintf(replay, sizeof replay, "%s replay %s%s --schedule %s", rep->command, rep->target,
             rep->params, rep->schedule ? rep->schedule : "");
    report_json_string_in_html(ev->f, replay);
    fprintf(ev->f, "}}");
}

/* An arrow: "s" inside the enabling step's slice, "f" bound to the
** enclosing slice of the step it enabled (bp "e"). */
static void flow_arrows(struct events *ev, const struct report *rep)
{
    int n;
    struct trace_flow *fl = trace_flows(rep, &n);
    for (int k = 0; k < n; k++) {
        const struct trace_flow *f = &fl[k];
        begin(ev, "s", f->kind, rep->steps[f->from].tid);
        fprintf(ev->f, ",\"cat\":\"flow\",\"id\":%d,\"ts\":%lld}", k + 1,
                step_ts(f->from) + STEP_US / 2);
        begin(ev, "f", f->kind, rep->steps[f->to].tid);
        fprintf(ev->f, ",\"cat\":\"flow\",\"id\":%d,\"bp\":\"e\",\"ts\":%lld}", k + 1,
                step_ts(f->to) + STEP_US / 2);
    }
    free(fl);
}

int report_write_trace(FILE *f, const struct report *rep)
{
    struct events ev = { f, false };
    fprintf(f, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":");
    report_json_string_in_html(f, rep->scenario);
    fprintf(f, ",\"result\":\"%s\",\"schedule\":", weft_result_name(rep->result));
    report_json_string_in_html(f, rep->schedule);
    fprintf(f, ",\"timeline\":\"virtual: step N runs from N-1 ms to N ms\"},\n"
            "\"traceEvents\":[\n");
    metadata(&ev, rep);
    for (uint32_t i = 0; i < rep->nsteps; i++)
        step_slice(&ev, rep, i);
    flow_arrows(&ev, rep);
    blocked_marks(&ev, rep);
    failure_mark(&ev, rep);
    fprintf(f, "\n]}\n");
    return ferror(f) ? -1 : 0;
}
