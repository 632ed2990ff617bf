/*
** report_ci.c -- the report for CI systems: TAP 14 (one test point per
** scenario, the report in its YAML block) and JUnit XML (one <testcase>
** per scenario, a <testsuite> per file). Both carry the text report
** itself, cleaned of what their readers refuse: control characters and
** bytes that are not UTF-8 become U+FFFD.
*/
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "report/report.h"

#define REPLACEMENT "\xef\xbf\xbd"    /* U+FFFD in UTF-8 */

/* The text report of rep as --format text prints it (malloc'd), or NULL
** without memory. */
static char *text_of(const struct report *rep, int flags)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    if (m == NULL)
        return NULL;
    report_format_named("text")->print(m, rep, flags);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Write s a character at a time through put, valid UTF-8 and \n and \t as
** they are, anything else as U+FFFD. */
static void clean(FILE *f, const char *s, void (*put)(FILE *, const char *, size_t))
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t n = report_utf8_len(p);
        bool control = (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f;
        if (n == 0 || control)
            put(f, REPLACEMENT, 3);
        else
            put(f, (const char *)p, n);
        p += n ? n : 1;
    }
}

/* "deadlock (expected pass)": a result as the summary names it. */
static void verdict(char *buf, size_t n, const struct report *rep)
{
    bool sampled_pass = !rep->failed && !rep->cov.exhaustive;
    snprintf(buf, n, "%s (expected %s)", sampled_pass ? "no failure found"
             : weft_result_name(rep->result), weft_result_name(rep->expect));
}

/* ==========================================================================
** TAP 14
** ========================================================================== */

/* A character of a YAML literal block: each new line indented. */
static void put_yaml_block(FILE *f, const char *c, size_t n)
{
    if (*c == '\n')
        fputs("\n    ", f);
    else
        fwrite(c, 1, n, f);
}

static void tap_begin(FILE *f, int nscenarios)
{
    fprintf(f, "TAP version 14\n1..%d\n", nscenarios);
}

/* One test point: ok when the scenario met its expectation; its YAML
** block holds the counts and, for a failure, the report. */
static void tap_print(FILE *f, const struct report *rep, int flags)
{
    char v[96], plan[128];
    verdict(v, sizeof v, rep);
    report_plan(&rep->cov, plan, sizeof plan);
    fprintf(f, "%s", rep->as_expected ? "ok" : "not ok");
    if (rep->number > 0)
        fprintf(f, " %d", rep->number);
    fprintf(f, " - %s: %s\n  ---\n  scenario: ", rep->scenario, v);
    report_json_string(f, rep->scenario);   /* JSON strings are YAML strings */
    fprintf(f, "\n  file: ");
    report_json_string(f, rep->group);
    fprintf(f, "\n  result: %s\n  expected: %s\n  strategy: ", weft_result_name(rep->result),
            weft_result_name(rep->expect));
    report_json_string(f, plan);
    fprintf(f, "\n  executions: %llu\n  exhaustive: %s\n",
            (unsigned long long)rep->cov.executions, rep->cov.exhaustive ? "true" : "false");
    /* What "exhaustive" leaves out, as the JSON says it (README). */
    fprintf(f, "  timers_fire_when_idle: %s\n  spins_merged: %s\n  loops_held: %s\n"
            "  atomics_as_sc: %s\n  relaxed_as_x86: %s\n  relaxed_loads_in_order: %s\n"
            "  memory_checked: %s\n",
            rep->cov.timed ? "true" : "false",
            report_caveat(rep, CAVEAT_SPINS_MERGED) ? "true" : "false",
            report_caveat(rep, CAVEAT_LOOPS_HELD) ? "true" : "false",
            report_caveat(rep, CAVEAT_ATOMICS_SC) ? "true" : "false",
            report_caveat(rep, CAVEAT_RELAXED_X86) ? "true" : "false",
            report_caveat(rep, CAVEAT_RELAXED_LOADS) ? "true" : "false",
            rep->cov.all_memory ? "all" : rep->unmarked ? "none" : "marked");
    if (!(flags & REPORT_REPLAY))
        fprintf(f, "  elapsed_s: %.3f\n", rep->elapsed_s);
    if (rep->failed) {
        fprintf(f, "  message: ");
        report_json_string(f, rep->message);
        fprintf(f, "\n  schedule: ");
        report_json_string(f, rep->schedule);
        fprintf(f, "\n");
    }
    char *text = rep->failed && (!rep->as_expected || !(flags & REPORT_QUIET))
                 ? text_of(rep, flags & ~REPORT_QUIET) : NULL;
    if (text) {
        size_t len = strlen(text);
        if (len && text[len - 1] == '\n')
            text[len - 1] = 0;
        fprintf(f, "  report: |\n    ");
        clean(f, text, put_yaml_block);
        fprintf(f, "\n");
        free(text);
    }
    fprintf(f, "  ...\n");
}

static void tap_error(FILE *f, int number, const char *scenario, const char *group)
{
    (void)group;
    fprintf(f, "not ok %d - %s: weft could not run it (its error is on standard error)\n",
            number, scenario);
}

static void tap_end(FILE *f, const struct report_totals *t)
{
    if (t->not_run)
        fprintf(f, "Bail out! %d of %d scenarios not run\n", t->not_run, t->scenarios);
    fprintf(f, "# %d scenario%s: %d as expected, %d unexpected, %d error%s\n", t->scenarios,
            t->scenarios == 1 ? "" : "s", t->as_expected, t->unexpected, t->errors,
            t->errors == 1 ? "" : "s");
}

const struct report_format report_tap_format = {
    .name = "tap", .print = tap_print, .begin = tap_begin, .end = tap_end, .error = tap_error,
};

/* ==========================================================================
** JUnit XML
** ========================================================================== */

static void put_xml(FILE *f, const char *c, size_t n)
{
    switch (*c) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\n': fputs("&#10;", f); break;  /* kept in attributes too */
    default: fwrite(c, 1, n, f);
    }
}

/* Element text: quotes and new lines as they are, for a person reading it. */
static void put_xml_text(FILE *f, const char *c, size_t n)
{
    if (*c == '\n' || *c == '"')
        fputc(*c, f);
    else
        put_xml(f, c, n);
}

/* "scenarios.abba": a file as a JUnit class name, folders as packages. */
static void put_classname(FILE *f, const char *path)
{
    while (strncmp(path, "./", 2) == 0 || strncmp(path, "../", 3) == 0)
        path += path[1] == '/' ? 2 : 3;
    const char *dot = strrchr(path, '.');
    size_t n = dot && dot > path && !strchr(dot, '/') ? (size_t)(dot - path) : strlen(path);
    char *name = strndup(path, n);
    for (char *p = name; p && *p; p++)
        if (*p == '/')
            *p = '.';
    clean(f, name ? name : path, put_xml);
    free(name);
}

static void junit_begin(FILE *f, int nscenarios)
{
    (void)nscenarios;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"weft\">\n");
}

static void testcase_open(FILE *f, const char *scenario, const char *group, double seconds)
{
    fprintf(f, "    <testcase name=\"");
    clean(f, scenario, put_xml);
    fprintf(f, "\" classname=\"");
    put_classname(f, group);
    fprintf(f, "\" time=\"%.3f\">\n", seconds);
}

/* One testcase: a <failure> with the report when not as expected, else
** the report (or the summary) as its output. */
static void junit_print(FILE *f, const struct report *rep, int flags)
{
    char v[96];
    verdict(v, sizeof v, rep);
    testcase_open(f, rep->scenario, rep->group, rep->elapsed_s);
    char *text = text_of(rep, rep->as_expected ? flags : flags & ~REPORT_QUIET);
    if (rep->as_expected) {
        fprintf(f, "      <system-out>");
    } else {
        fprintf(f, "      <failure type=\"%s\" message=\"", weft_result_name(rep->result));
        clean(f, v, put_xml);
        if (rep->failed) {
            fprintf(f, ": ");
            clean(f, rep->message, put_xml);
        }
        fprintf(f, "\">");
    }
    clean(f, text ? text : v, put_xml_text);
    fprintf(f, "%s\n    </testcase>\n", rep->as_expected ? "</system-out>" : "</failure>");
    free(text);
}

static void junit_error(FILE *f, int number, const char *scenario, const char *group)
{
    (void)number;
    testcase_open(f, scenario, group, 0);
    fprintf(f, "      <error type=\"error\" message=\"weft could not run it (its error is on "
            "standard error)\"/>\n    </testcase>\n");
}

static void junit_group(FILE *f, const char *name, const struct report_totals *t,
                        const char *body, size_t len)
{
    fprintf(f, "  <testsuite name=\"");
    clean(f, name, put_xml);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n",
            t->scenarios, t->unexpected, t->errors, t->seconds);
    fwrite(body, 1, len, f);
    fprintf(f, "  </testsuite>\n");
}

static void junit_end(FILE *f, const struct report_totals *t)
{
    (void)t;
    fprintf(f, "</testsuites>\n");
}

const struct report_format report_junit_format = {
    .name = "junit", .print = junit_print, .begin = junit_begin, .end = junit_end,
    .error = junit_error, .group = junit_group,
};
