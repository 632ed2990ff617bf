/*
** report_json.c -- the report as one JSON object per scenario run (one line).
** Field names are a contract documented in the README; add fields, never
** rename them. Strings are escaped here; the struct is built elsewhere.
*/
#include <string.h>
#include "report/report.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_loc(FILE *f, const char *key, struct sched_loc loc)
{
    fprintf(f, ",\"%s\":", key);
    json_str(f, report_loc(loc).s);
}

/* A call chain: [{"function":..,"at":"x.c:12"}, ...], innermost first;
** "at" is "module+0xoffset" without debug information. */
static void json_chain(FILE *f, const struct report *rep, struct report_chain c)
{
    fprintf(f, ",\"chain\":[");
    for (int i = 0; i < c.n; i++) {
        const struct report_frame *fr = &rep->frames[c.first + i];
        char at[192];
        if (fr->file[0])
            snprintf(at, sizeof at, "%s:%d", fr->file, fr->line);
        else
            snprintf(at, sizeof at, "%s+0x%lx", fr->module, fr->offset);
        fprintf(f, "%s{\"function\":", i ? "," : "");
        json_str(f, fr->function);
        fprintf(f, ",\"at\":");
        json_str(f, at);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_thread(FILE *f, const struct report *rep, const struct report_thread *t)
{
    fprintf(f, "{\"id\":%d,\"name\":", t->id);
    json_str(f, t->name);
    fprintf(f, ",\"state\":");
    json_str(f, t->state);
    if (t->wait[0]) {
        fprintf(f, ",\"waits_for\":");
        json_str(f, t->wait);
        json_loc(f, "at", t->wait_at);
        fprintf(f, ",\"blocked_by\":[");
        int n = 0;
        MASK_FOR(i, t->blockers)
            if (i < rep->nthreads)
                fprintf(f, "%s%d", n++ ? "," : "", i);
        static const char *const how[] = { "exact", "likely", "anyone" };
        fprintf(f, "],\"blocked_by_certainty\":\"%s\"", how[t->how]);
        if (t->held_at.file)
            json_loc(f, "holder_locked_at", t->held_at);
    }
    if (t->chain.n)
        json_chain(f, rep, t->chain);
    fputc('}', f);
}

/* An instrumented access's code (--memory=all): function and line when
** libdw found them ("" when not), module and offset always. */
static void json_code(FILE *f, const struct symbol *code)
{
    if (!code->known)
        return;
    fprintf(f, ",\"code\":{\"function\":");
    json_str(f, code->function);
    fprintf(f, ",\"line\":");
    json_str(f, code->file[0] ? report_loc((struct sched_loc){ code->file, code->line }).s : "");
    fprintf(f, ",\"module\":");
    json_str(f, code->module);
    fprintf(f, ",\"offset\":\"0x%lx\"}", code->offset);
}

static void json_failure(FILE *f, const struct report *rep)
{
    char text[128];
    fprintf(f, ",\"message\":");
    json_str(f, rep->message);
    fprintf(f, ",\"failing_thread\":%d", rep->failing_tid);
    json_loc(f, "at", rep->where);
    if (rep->result == WEFT_DATA_RACE) {
        fprintf(f, ",\"access\":\"%s\"",
                rep->race.now_free ? "free" : rep->race.now_write ? "write" : "read");
        json_code(f, &rep->race.now_code);
        fprintf(f, ",\"race\":{\"thread\":%d,\"access\":\"%s\"", rep->race.tid,
                rep->race.write ? "write" : "read");
        json_loc(f, "at", rep->race.at);
        fprintf(f, ",\"name\":");
        json_str(f, rep->race.name);
        json_code(f, &rep->race.code);
        fputc('}', f);
    }
    fprintf(f, ",\"schedule\":");
    json_str(f, rep->schedule);
    fprintf(f, ",\"replay\":\"%s replay %s%s --schedule %s\"", rep->command, rep->target,
            rep->params, rep->schedule);
    fprintf(f, ",\"threads\":[");
    for (int i = 0; i < rep->nthreads; i++) {
        fprintf(f, "%s", i ? "," : "");
        json_thread(f, rep, &rep->threads[i]);
    }
    fprintf(f, "],\"locks\":[");
    for (int i = 0; i < rep->nlocks; i++) {
        const struct report_lock *l = &rep->locks[i];
        fprintf(f, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "", l->kind);
        json_str(f, l->name);
        if (l->holder >= 0) {
            fprintf(f, ",\"holder\":%d,\"how\":", l->holder);
            json_str(f, l->how[0] ? l->how : "owned");
            json_loc(f, "at", l->at);
        } else {
            fprintf(f, ",\"state\":");
            json_str(f, l->state);
        }
        fputc('}', f);
    }
    fprintf(f, "],\"cycle\":[");
    for (int i = 0; i < rep->ncycle; i++)
        fprintf(f, "%s%d", i ? "," : "", rep->cycle[i]);
    fprintf(f, "],\"steps\":[");
    uint32_t rows = rep->steps ? rep->nsteps + rep->nblocked : 0;   /* none when it died */
    for (uint32_t i = 0; i < rows; i++) {
        const struct report_step *s = &rep->steps[i];
        report_step_text(rep, s, text, sizeof text);
        if (i == rep->nsteps)
            fprintf(f, "],\"blocked_attempts\":[");
        fprintf(f, "%s{", i && i != rep->nsteps ? "," : "");
        if (!s->blocks)
            fprintf(f, "\"step\":%u,", i + 1);
        fprintf(f, "\"thread\":%d,\"op\":", s->tid);
        json_str(f, text);
        json_loc(f, "at", s->loc);
        char ms[32];
        sched_ms_text(s->time, ms, sizeof ms);
        fprintf(f, ",\"time_ms\":%s", ms);
        if (s->preempts)
            fprintf(f, ",\"preempts\":true");
        if (s->nwoke) {
            fprintf(f, ",\"woke\":[");
            for (int k = 0; k < s->nwoke; k++)
                fprintf(f, "%s%d", k ? "," : "", rep->woken[s->woke_first + k]);
            fputc(']', f);
        }
        json_chain(f, rep, s->chain);
        fputc('}', f);
    }
    fputc(']', f);
}

/* A split search: how it was cut, which shard this is and what it must
** agree on with the other shards (weft merge reads it). */
static void json_split(FILE *f, const struct report *rep)
{
    const struct coverage_split *s = &rep->cov.split;
    fprintf(f, ",\"split\":{\"depth\":%d,\"units\":%llu,\"unit_hash\":\"%016llx\"", s->depth,
            (unsigned long long)s->units, (unsigned long long)s->unit_hash);
    if (s->count)
        fprintf(f, ",\"shard\":%u,\"shards\":%u", s->index, s->count);
    if (rep->failed && s->failed_unit != EXPLORE_NO_UNIT)
        fprintf(f, ",\"failed_unit\":%llu", (unsigned long long)s->failed_unit);
    if (s->count && !rep->marks_lost) {   /* [unit, executions, pruned, cut] before each */
        fprintf(f, ",\"unit_counts\":[");
        for (size_t i = 0; i < rep->nmarks; i++) {
            const struct split_mark *m = &rep->marks[i];
            fprintf(f, "%s[%llu,%llu,%llu,%llu]", i ? "," : "", (unsigned long long)m->unit,
                    (unsigned long long)m->executions, (unsigned long long)m->pruned,
                    (unsigned long long)m->cut);
        }
        fputc(']', f);
    }
    fprintf(f, ",\"target\":");
    json_str(f, rep->target);
    fprintf(f, ",\"params\":");
    json_str(f, rep->params);
    if (rep->identity) {
        fprintf(f, ",\"search\":");
        json_str(f, rep->identity);
    }
    fputc('}', f);
}

static void print_json(FILE *f, const struct report *rep, int flags)
{
    bool replay = flags & REPORT_REPLAY;
    const struct coverage *c = &rep->cov;
    char plan[128];
    report_plan(c, plan, sizeof plan);
    fprintf(f, "{\"scenario\":");
    json_str(f, rep->scenario);
    fprintf(f, ",\"result\":\"%s\",\"expected\":\"%s\",\"as_expected\":%s,\"strategy\":",
            weft_result_name(rep->result), weft_result_name(rep->expect),
            rep->as_expected ? "true" : "false");
    json_str(f, plan);
    fprintf(f, ",\"executions\":%llu,\"pruned\":%llu,\"cut\":%llu,\"exhaustive\":%s,"
            "\"bound_hit\":%s", (unsigned long long)c->executions, (unsigned long long)c->pruned,
            (unsigned long long)c->cut, c->exhaustive ? "true" : "false",
            c->bound_hit ? "true" : "false");
    fprintf(f, ",\"timers_fire_when_idle\":%s,\"memory_checked\":\"%s\"",
            c->timed ? "true" : "false", c->all_memory ? "all" : "marked");
    if (c->split.depth)
        json_split(f, rep);
    if (c->interrupted)
        fprintf(f, ",\"interrupted\":true");
    if (rep->died)
        fprintf(f, ",\"process_died\":true");
    if (!replay)
        fprintf(f, ",\"elapsed_s\":%.6f", rep->elapsed_s);
    if (rep->divergence[0]) {
        fprintf(f, ",\"divergence\":");
        json_str(f, rep->divergence);
    }
    if (rep->failed && !replay && rep->shrink_failed)
        fprintf(f, ",\"shrink_failed\":true");
    if (rep->failed && !replay && rep->shrunk_from_steps && !rep->shrink_failed)
        fprintf(f, ",\"shrunk\":{\"from_preemptions\":%u,\"from_steps\":%u,"
                "\"preemptions\":%u,\"steps\":%u}", rep->shrunk_from_preemptions,
                rep->shrunk_from_steps, rep->preemptions, rep->nsteps);
    if (rep->failed)
        json_failure(f, rep);
    fprintf(f, "}\n");
}

const struct report_format report_json_format = { "json", print_json };
