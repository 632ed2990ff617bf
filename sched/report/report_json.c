/*
** report_json.c -- the report as one JSON object per scenario run (one line).
** Field names are a contract documented in the README; add fields, never
** rename them. Every string goes through report_json_string; the struct
** is built elsewhere.
*/
#include <stdbool.h>
#include <string.h>
#include "report/report.h"

/* ==========================================================================
** The one string writer: every string in the output goes through it
** ========================================================================== */

size_t report_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
          : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n <= 1 || c < 0xc2 || c > 0xf4)
        return n == 1 ? 1 : 0;        /* a stray continuation byte, or an overlong 2-byte lead */
    unsigned cp = c & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)    /* also stops at the terminating 0 */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
    return overlong || surrogate || cp > 0x10ffff ? 0 : (size_t)n;
}

/* The len bytes at p escaped for a JSON string, without the quotes: " and
** \ and control characters escaped (a 0 byte too), and < too when the
** string goes inside an HTML script; valid UTF-8 as it is, any other byte
** as \ufffd. p[len] is readable (a 0 ends a sequence). */
static void json_escaped(FILE *f, const unsigned char *p, size_t len, bool in_html)
{
    for (const unsigned char *end = p + len; p < end;) {
        size_t n = report_utf8_len(p);
        if (n > (size_t)(end - p))
            n = 0;                    /* cut short by the end */
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f || (in_html && *p == '<'))
            fprintf(f, "\\u%04x", *p);
        else if (n == 0)
            fputs("\\ufffd", f);
        else
            fwrite(p, 1, n, f);
        p += n ? n : 1;
    }
}

static void json_bytes(FILE *f, const unsigned char *p, size_t len)
{
    json_escaped(f, p, len, false);
}

static void json_chars(FILE *f, const char *s)
{
    if (s)
        json_bytes(f, (const unsigned char *)s, strlen(s));
}

void report_json_string_in_html(FILE *f, const char *s)
{
    fputc('"', f);
    if (s)
        json_escaped(f, (const unsigned char *)s, strlen(s), true);
    fputc('"', f);
}

void report_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    json_chars(f, s);
    fputc('"', f);
}

/* "stdout":"...","stdout_more":N when the program wrote to it. */
static void json_output(FILE *f, const char *key, const struct report_output *o)
{
    if (o->len == 0 && o->more == 0)
        return;
    fprintf(f, ",\"%s\":\"", key);
    json_bytes(f, (const unsigned char *)o->text, o->len);
    fprintf(f, "\",\"%s_more\":%llu", key, (unsigned long long)o->more);
}

#define json_str report_json_string

/* The replay command, one JSON string: its words are shell-quoted already. */
static void json_replay(FILE *f, const struct report *rep)
{
    fputs(",\"replay\":\"", f);
    json_chars(f, rep->command);
    fputs(" replay ", f);
    json_chars(f, rep->target);
    json_chars(f, rep->params);
    fputs(" --schedule ", f);
    json_chars(f, rep->schedule);
    fputc('"', f);
}

/* ==========================================================================
** The report
** ========================================================================== */

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
        fprintf(f, ",\"race\":{\"thread\":%d,\"access\":\"%s\",\"atomic\":%s", rep->race.tid,
                rep->race.write ? "write" : "read", rep->race.atomic ? "true" : "false");
        json_loc(f, "at", rep->race.at);
        fprintf(f, ",\"name\":");
        json_str(f, rep->race.name);
        json_code(f, &rep->race.code);
        fputc('}', f);
    }
    json_output(f, "stdout", &rep->output[0]);
    json_output(f, "stderr", &rep->output[1]);
    fprintf(f, ",\"schedule\":");
    json_str(f, rep->schedule);
    json_replay(f, rep);
    fprintf(f, ",\"threads\":[");
    for (int i = 0; i < rep->nthreads; i++) {
        fprintf(f, "%s", i ? "," : "");
        json_thread(f, rep, &rep->threads[i]);
    }
    fprintf(f, "],\"locks\":[");
    for (int i = 0; i < rep->nlocks; i++) {
        const struct report_lock *l = &rep->locks[i];
        fprintf(f, "%s{\"kind\":", i ? "," : "");
        json_str(f, l->kind);
        fprintf(f, ",\"name\":");
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
    if (s->block)                     /* a sampled search: units of executions */
        fprintf(f, ",\"block\":%llu", (unsigned long long)s->block);
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
    if (c->failing)                   /* a search that went on past failures (--classes) */
        fprintf(f, ",\"failing\":%llu", (unsigned long long)c->failing);
    fprintf(f, ",\"timers_fire_when_idle\":%s,\"spins_merged\":%s,\"loops_held\":%s,"
            "\"atomics_as_sc\":%s,\"relaxed_as_x86\":%s,\"relaxed_loads_in_order\":%s,"
            "\"memory_checked\":\"%s\"",
            c->timed ? "true" : "false",
            report_caveat(rep, CAVEAT_SPINS_MERGED) ? "true" : "false",
            report_caveat(rep, CAVEAT_LOOPS_HELD) ? "true" : "false",
            report_caveat(rep, CAVEAT_ATOMICS_SC) ? "true" : "false",
            report_caveat(rep, CAVEAT_RELAXED_X86) ? "true" : "false",
            report_caveat(rep, CAVEAT_RELAXED_LOADS) ? "true" : "false",
            c->all_memory ? "all" : rep->unmarked ? "none" : "marked");
    if (rep->accept_sampled)
        fprintf(f, ",\"accept\":\"sampled\",\"min_executions\":%llu,\"sample_accepted\":%s",
                (unsigned long long)rep->min_executions, rep->sample_accepted ? "true" : "false");
    if (c->split.depth || c->split.block || rep->identity)
        json_split(f, rep);
    if (c->interrupted)
        fprintf(f, ",\"interrupted\":true");
    if (c->forked)
        fprintf(f, ",\"isolation\":\"fork\"");
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

const struct report_format report_json_format = { .name = "json", .print = print_json };
