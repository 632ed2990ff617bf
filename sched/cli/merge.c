/*
** merge.c -- `weft merge RESULT.json...`: the results of the N shards of a
** split search (--shard K/N --format json), joined into the result one
** unsplit-into-processes run would have printed. Every shard of a search
** must be there once, and all must have cut the same tree: the same
** scenario, source, options and parameters ("search"), depth, units and
** unit hash. The counts are summed; the search is exhaustive only if every
** shard was; the failure is the one of the lowest failing unit, which a
** single run of the split search reaches first. Its report is rebuilt by
** replaying its schedule (as `weft replay` does), so the scenario must be
** at hand, as for a replay.
*/
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/registry.h"

#define MERGE_MAX_DEPTH 32            /* JSON nesting a result never exceeds */
#define MERGE_LISTED 20               /* --keep-going: failing units named per result */

static int out_of_memory(void)
{
    fprintf(stderr, "weft merge: out of memory\n");
    return CLI_ERROR;
}

/* ==========================================================================
** Reading results: just enough JSON
** ==========================================================================
** A result is one JSON object a line. What merge reads are scalars at the
** top and one level down ("split.units"); arrays are read past.
*/

struct field {
    char *key;                        /* "executions", "split.units" */
    char *value;                      /* a string unescaped, or a literal as written */
};

struct record {
    const char *file;
    int line;
    struct field *fields;
    int nfields, cap;
};

struct reader {
    const char *p;
    struct record *rec;
    bool oom;
};

static void skip_space(struct reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n')
        r->p++;
}

static bool keep(struct reader *r, const char *key, char *value)
{
    struct record *rec = r->rec;
    if (rec->nfields == rec->cap) {
        int cap = rec->cap ? 2 * rec->cap : 32;
        struct field *f = realloc(rec->fields, (size_t)cap * sizeof *f);
        if (f == NULL) {
            r->oom = true;
            free(value);
            return false;
        }
        rec->fields = f;
        rec->cap = cap;
    }
    char *k = strdup(key);
    if (k == NULL) {
        r->oom = true;
        free(value);
        return false;
    }
    rec->fields[rec->nfields++] = (struct field){ k, value };
    return true;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string at r->p (after its quote), unescaped; NULL if malformed. Only
** the escapes weft writes below U+0080 are decoded; others stay as '?'. */
static char *read_string(struct reader *r)
{
    size_t n = 0, cap = 64;
    char *s = malloc(cap);
    for (; s; r->p++) {
        char c = *r->p;
        if (c == '\0')
            break;
        if (c == '"') {
            r->p++;
            s[n] = '\0';
            return s;
        }
        if (c == '\\') {
            c = *++r->p;
            if (c == 'n')
                c = '\n';
            else if (c == 't')
                c = '\t';
            else if (c == 'u') {
                int v = 0;
                for (int i = 1; i <= 4; i++)
                    v = hex_digit(r->p[i]) < 0 ? -1 : v < 0 ? -1 : v * 16 + hex_digit(r->p[i]);
                if (v < 0)
                    break;
                c = v < 0x80 ? (char)v : '?';
                r->p += 4;
            } else if (c == '\0')
                break;
        }
        if (n + 2 > cap) {
            char *t = realloc(s, cap *= 2);
            if (t == NULL)
                break;
            s = t;
        }
        s[n++] = c;
    }
    if (s == NULL)
        r->oom = true;
    free(s);
    return NULL;
}

static bool read_value(struct reader *r, const char *key, int depth);

/* An object's members, after its '{'; keys below the top are "outer.inner". */
static bool read_object(struct reader *r, const char *prefix, int depth)
{
    skip_space(r);
    if (*r->p == '}') {
        r->p++;
        return true;
    }
    for (;;) {
        skip_space(r);
        if (*r->p++ != '"')
            return false;
        char *name = read_string(r);
        if (name == NULL)
            return false;
        char key[128];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", name);
        free(name);
        skip_space(r);
        if (*r->p++ != ':' || !read_value(r, key, depth + 1))
            return false;
        skip_space(r);
        if (*r->p == '}') {
            r->p++;
            return true;
        }
        if (*r->p++ != ',')
            return false;
    }
}

/* An array's elements, after its '[': read past. */
static bool read_array(struct reader *r, int depth)
{
    skip_space(r);
    if (*r->p == ']') {
        r->p++;
        return true;
    }
    for (;;) {
        if (!read_value(r, NULL, depth + 1))
            return false;
        skip_space(r);
        if (*r->p == ']') {
            r->p++;
            return true;
        }
        if (*r->p++ != ',')
            return false;
    }
}

/* A value; kept under key unless key is NULL (inside an array). */
static bool read_value(struct reader *r, const char *key, int depth)
{
    skip_space(r);
    if (depth > MERGE_MAX_DEPTH)
        return false;
    char c = *r->p;
    if (c == '{') {
        r->p++;
        return read_object(r, key ? key : "", depth);
    }
    if (c == '[') {                   /* kept as its text, to be read by whom needs it */
        const char *start = r->p++;
        if (!read_array(r, depth))
            return false;
        char *text = key ? strndup(start, (size_t)(r->p - start)) : NULL;
        if (key && text == NULL)
            r->oom = true;
        return key == NULL || (text && keep(r, key, text));
    }
    if (c == '"') {
        r->p++;
        char *s = read_string(r);
        return s && (key ? keep(r, key, s) : (free(s), true));
    }
    size_t n = strspn(r->p, "0123456789+-.eEtruefalsn");
    if (n == 0)
        return false;
    char *lit = key ? strndup(r->p, n) : NULL;
    r->p += n;
    if (key && lit == NULL)
        r->oom = true;
    return key == NULL || (lit && keep(r, key, lit));
}

static const char *get(const struct record *rec, const char *key)
{
    for (int i = 0; i < rec->nfields; i++)
        if (strcmp(rec->fields[i].key, key) == 0)
            return rec->fields[i].value;
    return NULL;
}

static uint64_t get_u64(const struct record *rec, const char *key)
{
    const char *v = get(rec, key);
    return v ? strtoull(v, NULL, 10) : 0;
}

static bool get_bool(const struct record *rec, const char *key)
{
    const char *v = get(rec, key);
    return v && strcmp(v, "true") == 0;
}

static void record_free(struct record *rec)
{
    for (int i = 0; i < rec->nfields; i++) {
        free(rec->fields[i].key);
        free(rec->fields[i].value);
    }
    free(rec->fields);
}

/* ==========================================================================
** The shards given
** ========================================================================== */

struct shards {
    struct record *recs;
    int n, cap;
};

static void shards_free(struct shards *s)
{
    for (int i = 0; i < s->n; i++)
        record_free(&s->recs[i]);
    free(s->recs);
}

/* Every field a shard's result must have. */
static const char *const needed[] = {
    "scenario", "result", "expected", "executions", "pruned", "cut", "exhaustive",
    "split.depth", "split.units", "split.unit_hash", "split.shard", "split.shards",
    "split.target", "split.params", "split.search",
};

/* One line of a result file into s: 0, or CLI_ERROR after saying why. */
static int add_line(struct shards *s, const char *file, int line, const char *text)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        struct record *r = realloc(s->recs, (size_t)cap * sizeof *r);
        if (r == NULL)
            return out_of_memory();
        s->recs = r;
        s->cap = cap;
    }
    struct record *rec = &s->recs[s->n++];
    *rec = (struct record){ .file = file, .line = line };
    struct reader r = { .p = text, .rec = rec };
    skip_space(&r);
    bool ok = *r.p == '{' && (r.p++, read_object(&r, "", 0));
    skip_space(&r);
    if (r.oom)
        return out_of_memory();
    if (!ok || *r.p != '\0') {
        fprintf(stderr, "weft merge: %s:%d: not a JSON result (weft run --format json)\n",
                file, line);
        return CLI_ERROR;
    }
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (get(rec, needed[i]) == NULL) {
            fprintf(stderr, "weft merge: %s:%d: %s is not the result of a shard (it has no "
                    "\"%s\"; run with --shard K/N --format json)\n", file, line,
                    get(rec, "scenario") ? get(rec, "scenario") : "this", needed[i]);
            return CLI_ERROR;
        }
    return 0;
}

/* Every line of every file into s: 0, or CLI_ERROR after saying why. */
static int read_files(struct shards *s, const char *const *files, int n)
{
    for (int i = 0; i < n; i++) {
        FILE *f = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "r");
        if (f == NULL) {
            fprintf(stderr, "weft merge: %s: %s\n", files[i], strerror(errno));
            return CLI_ERROR;
        }
        char *line = NULL;
        size_t cap = 0;
        int rc = 0, lineno = 0, any = 0;
        while (rc == 0 && getline(&line, &cap, f) != -1) {
            lineno++;
            if (line[strspn(line, " \t\r\n")] == '\0')
                continue;
            any++;
            rc = add_line(s, files[i], lineno, line);
        }
        free(line);
        if (f != stdin)
            fclose(f);
        if (rc == 0 && any == 0) {
            fprintf(stderr, "weft merge: %s: no result in it (empty)\n", files[i]);
            rc = CLI_ERROR;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ==========================================================================
** Checking that the shards make one search
** ========================================================================== */

/* Do two searches' names agree? Line by line, except that a source line
** of "-" (the scenario's file was not found where weft ran: a scenario
** built into weft, run from another folder) agrees with any. */
static bool same_name(const char *a, const char *b)
{
    while (*a || *b) {
        size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
        bool unknown = (na == 8 && strncmp(a, "source -", 8) == 0) ||
                       (nb == 8 && strncmp(b, "source -", 8) == 0);
        if (!(na == nb && strncmp(a, b, na) == 0) &&
            !(unknown && strncmp(a, "source ", 7) == 0 && strncmp(b, "source ", 7) == 0))
            return false;
        a += na + (a[na] == '\n');
        b += nb + (b[nb] == '\n');
    }
    return true;
}

/* Does b come from the same split search as a? If not, say how not. */
static bool same_search(const struct record *a, const struct record *b)
{
    static const char *const tree[] = { "split.depth", "split.units", "split.unit_hash",
                                        "split.shards", "split.block" };
    char mine[300], theirs[300];
    if (!same_name(get(a, "split.search"), get(b, "split.search"))) {
        fprintf(stderr, "weft merge: %s:%d and %s:%d are shards of different searches: "
                "'%s' against '%s'\n", a->file, a->line, b->file, b->line,
                cli_first_difference(get(a, "split.search"), get(b, "split.search"), mine,
                                     sizeof mine),
                cli_first_difference(get(b, "split.search"), get(a, "split.search"), theirs,
                                     sizeof theirs));
        return false;
    }
    for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++) {
        const char *x = get(a, tree[i]), *y = get(b, tree[i]);   /* block: sampled only */
        if (x != y && (x == NULL || y == NULL || strcmp(x, y) != 0)) {
            fprintf(stderr, "weft merge: %s:%d and %s:%d cut the search differently: %s %s "
                    "against %s (another weft, or a scenario that does not run the same "
                    "way twice?)\n", a->file, a->line, b->file, b->line, tree[i] + 6,
                    x ? x : "none", y ? y : "none");
            return false;
        }
    }
    return true;
}

/* A search's shards are missing: if a record of another scenario was
** given, it may have been meant as one of them. */
static void foreign(const struct shards *s, const struct record *a)
{
    for (int i = 0; i < s->n; i++) {
        const struct record *b = &s->recs[i];
        if (strcmp(get(a, "scenario"), get(b, "scenario")) != 0 ||
            strcmp(get(a, "split.target"), get(b, "split.target")) != 0) {
            fprintf(stderr, "weft merge: %s:%d is shard %s/%s of another scenario, %s (%s)\n",
                    b->file, b->line, get(b, "split.shard"), get(b, "split.shards"),
                    get(b, "scenario"), get(b, "split.target"));
            return;
        }
    }
}

/* The records of one search: those naming the same scenario and target as
** recs[first]; each index marked in taken. Checks that they agree and that
** each shard is there once. n: how many. 0, or CLI_ERROR after saying why. */
static int gather(struct shards *s, int first, bool *taken, int *group, int *n)
{
    const struct record *a = &s->recs[first];
    *n = 0;
    for (int i = first; i < s->n; i++) {
        const struct record *b = &s->recs[i];
        if (taken[i] || strcmp(get(a, "scenario"), get(b, "scenario")) != 0 ||
            strcmp(get(a, "split.target"), get(b, "split.target")) != 0)
            continue;
        if (!same_search(a, b))
            return CLI_ERROR;
        taken[i] = true;
        group[(*n)++] = i;
    }
    uint64_t shards = get_u64(a, "split.shards");
    char *seen = calloc(shards ? shards : 1, 1);
    if (seen == NULL)
        return out_of_memory();
    int rc = 0;
    for (int i = 0; i < *n && rc == 0; i++) {
        const struct record *b = &s->recs[group[i]];
        uint64_t k = get_u64(b, "split.shard");
        if (k >= shards) {
            fprintf(stderr, "weft merge: %s:%d: shard %llu of %llu does not exist\n", b->file,
                    b->line, (unsigned long long)k, (unsigned long long)shards);
            rc = CLI_ERROR;
        } else if (seen[k]) {
            fprintf(stderr, "weft merge: %s: shard %llu/%llu is given twice (%s:%d and %s:%d)\n",
                    get(b, "scenario"), (unsigned long long)k, (unsigned long long)shards,
                    s->recs[group[seen[k] - 1]].file, s->recs[group[seen[k] - 1]].line,
                    b->file, b->line);
            rc = CLI_ERROR;
        } else {
            seen[k] = (char)(i + 1 > 127 ? 127 : i + 1);
        }
    }
    uint64_t missing = 0;
    for (uint64_t k = 0; rc == 0 && k < shards; k++)
        missing += !seen[k];
    if (rc == 0 && missing) {
        fprintf(stderr, "weft merge: %s: %llu of its %llu shards missing:", get(a, "scenario"),
                (unsigned long long)missing, (unsigned long long)shards);
        for (uint64_t k = 0, shown = 0; k < shards && shown < 20; k++)
            if (!seen[k])
                fprintf(stderr, " %llu/%llu%s", (unsigned long long)k,
                        (unsigned long long)shards, ++shown == 20 && missing > 20 ? " ..." : "");
        fprintf(stderr, "\n");
        foreign(s, a);
        rc = CLI_ERROR;
    }
    free(seen);
    return rc;
}

/* ==========================================================================
** The merged result
** ========================================================================== */

static enum weft_result result_named(const char *name)
{
    for (int r = 0; r <= (int)WEFT_RESULT_LAST; r++)
        if (strcmp(weft_result_name((enum weft_result)r), name) == 0)
            return (enum weft_result)r;
    return WEFT_PASS;
}

/* The plan a search's name says it ran ("options dpor ..."). */
static const struct explore_plan *plan_of(const struct record *rec)
{
    const char *o = strstr(get(rec, "split.search"), "\noptions ");
    char name[32] = "";
    if (o)
        sscanf(o + 9, "%31[a-z]", name);
    const struct explore_plan *p = explore_plan_named(name);
    return p ? p : explore_plan_named("dpor");
}

/* A sampled search's seed and depth, as its name says them (" seed=S"). */
static void sample_of(const struct record *rec, struct coverage *c)
{
    const char *o = strstr(get(rec, "split.search"), "\noptions ");
    const char *seed = o ? strstr(o, " seed=") : NULL, *depth = o ? strstr(o, " depth=") : NULL;
    c->seed = seed ? strtoull(seed + 6, NULL, 10) : 0;
    c->depth = depth ? atoi(depth + 7) : 0;
}

/* The counts a shard had when its first unit past `unit` began (from its
** "unit_counts": [unit, executions, pruned, cut] as each began), or its
** totals if none of its units lies past it. false: it has no marks. */
static bool counts_before(const struct record *b, uint64_t unit, uint64_t out[3])
{
    const char *p = get(b, "split.unit_counts");
    if (p == NULL)
        return false;
    out[0] = get_u64(b, "executions");
    out[1] = get_u64(b, "pruned");
    out[2] = get_u64(b, "cut");
    for (;;) {
        uint64_t m[4];
        for (int i = 0; i < 4; i++) {
            p += strcspn(p, "0123456789");
            if (*p == '\0')
                return true;
            m[i] = strtoull(p, (char **)&p, 10);
        }
        if (m[0] > unit) {
            memcpy(out, m + 1, 3 * sizeof *out);
            return true;
        }
    }
}

/* A shard whose search died while it counted the units of the tree, as
** every shard's does (a split of depth 0: commands.c, supervised_split)? */
static bool died_counting(const struct record *r)
{
    return get_u64(r, "split.depth") == 0 && get(r, "split.block") == NULL;
}

/* What one run would have counted before it stopped at the failure of
** unit u (the lowest failing one): every unit below u, whole, and u up to
** its failure, which only the failing shard ran (a --keep-going worker
** left the rest of u and went on: to its next unit's mark). false when a
** shard has no unit marks (it was resumed from a checkpoint, or died):
** the counts stay sums. */
static bool count_to_failure(const struct shards *s, const int *group, int n,
                             const struct record *failing, struct coverage *c)
{
    uint64_t u = get_u64(failing, "split.failed_unit"), sum[3] = { 0, 0, 0 };
    int alone = (int)(failing - s->recs);
    if (died_counting(failing)) {     /* each died there alike: one counts */
        n = 1;
        group = &alone;
    }
    for (int i = 0; i < n; i++) {
        const struct record *b = &s->recs[group[i]];
        uint64_t counts[3];
        if (!counts_before(b, u, counts))
            return false;
        for (int k = 0; k < 3; k++)
            sum[k] += counts[k];
    }
    c->executions = sum[0];
    c->pruned = sum[1];
    c->cut = sum[2];
    return true;
}

/* The coverage of the group's shards, joined; *failing: the record of the
** lowest failing unit, or NULL. */
static void join(const struct shards *s, const int *group, int n, struct cli_merged *m,
                 const struct record **failing)
{
    const struct record *a = &s->recs[group[0]];
    struct coverage *c = &m->cov;
    uint64_t lowest = EXPLORE_NO_UNIT;
    *c = (struct coverage){ .plan = plan_of(a), .exhaustive = true };
    *failing = NULL;
    for (int i = 0; i < n; i++) {
        const struct record *b = &s->recs[group[i]];
        c->executions += get_u64(b, "executions");
        c->pruned += get_u64(b, "pruned");
        c->cut += get_u64(b, "cut");
        c->exhaustive &= get_bool(b, "exhaustive");
        c->bound_hit |= get_bool(b, "bound_hit");
        c->timed |= get_bool(b, "timers_fire_when_idle");
        c->caveats |= (get_bool(b, "spins_merged") ? CAVEAT_SPINS_MERGED : 0) |
                      (get_bool(b, "loops_held") ? CAVEAT_LOOPS_HELD : 0) |
                      (get_bool(b, "atomics_as_sc") ? CAVEAT_ATOMICS_SC : 0) |
                      (get_bool(b, "relaxed_as_x86") ? CAVEAT_RELAXED_X86 : 0) |
                      (get_bool(b, "relaxed_loads_in_order") ? CAVEAT_RELAXED_LOADS : 0);
        c->interrupted |= get_bool(b, "interrupted");
        uint64_t went_past = get(b, "failing") ? get_u64(b, "failing") : 0;
        if (went_past && c->failing == 0)   /* --classes: the first shard's first failure */
            c->failing_result = (int)result_named(get(b, "result"));
        c->failing += went_past;
        const char *mem = get(b, "memory_checked");
        c->all_memory = mem && strcmp(mem, "all") == 0;
        double e = get(b, "elapsed_s") ? strtod(get(b, "elapsed_s"), NULL) : 0;
        m->elapsed_s = e > m->elapsed_s ? e : m->elapsed_s;
        if (get(b, "split.failed_unit") && get_u64(b, "split.failed_unit") < lowest) {
            lowest = get_u64(b, "split.failed_unit");
            *failing = b;
        }
    }
    sample_of(a, c);
    c->split = (struct coverage_split){
        .depth = (int)get_u64(a, "split.depth"), .block = get_u64(a, "split.block"),
        .units = get_u64(a, "split.units"),
        .unit_hash = strtoull(get(a, "split.unit_hash"), NULL, 16), .failed_unit = lowest,
    };
    if (*failing) {
        c->exhaustive = false;
        count_to_failure(s, group, n, *failing, c);
        m->shrunk_from_steps = (uint32_t)get_u64(*failing, "shrunk.from_steps");
        m->shrunk_from_preemptions = (uint32_t)get_u64(*failing, "shrunk.from_preemptions");
        m->shrink_failed = get_bool(*failing, "shrink_failed");
    }
}

void cli_merged_split(struct report *rep, const struct cli_merged *m)
{
    if (m->identity == NULL)
        return;
    rep->identity = strdup(m->identity);
    rep->marks = m->nmarks ? malloc(m->nmarks * sizeof *rep->marks) : NULL;
    if (rep->marks)
        memcpy(rep->marks, m->marks, m->nmarks * sizeof *rep->marks);
    rep->nmarks = rep->marks ? m->nmarks : 0;
    rep->marks_lost = m->marks_lost || (m->nmarks && rep->marks == NULL);
}

/* A search that found nothing: the summary needs no scenario at hand. */
static int print_passing(const struct record *a, const struct cli_merged *m,
                         const struct cli_opts *o)
{
    struct weft_scenario sc = { .name = get(a, "scenario"),
                                .expect = result_named(get(a, "expected")) };
    const char *mem = get(a, "memory_checked");
    struct report_request req = { .command = o->command, .target = get(a, "split.target"),
                                  .params = get(a, "split.params"),
                                  .program = mem && strcmp(mem, "none") == 0 };
    struct explore_result r = { .cov = m->cov };
    struct report *rep = report_snapshot(NULL, &sc, &req, &r);
    if (rep == NULL)
        return out_of_memory();
    rep->elapsed_s = m->elapsed_s;
    cli_merged_split(rep, m);
    report_format_named(o->format)->print(stdout, rep, o->quiet ? REPORT_QUIET : 0);
    fflush(stdout);
    int rc = rep->as_expected ? CLI_OK : CLI_UNEXPECTED;
    report_free(rep);
    return rc;
}

/* Split text into shell words (single quotes as shell_word writes them),
** appending to words; false without memory. */
static bool split_words(const char *text, char ***words, int *n, char **store)
{
    char *out = malloc(strlen(text) + 1), *w = out;
    if (out == NULL)
        return false;
    *store = out;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        char *start = w;
        while (*p && *p != ' ') {
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    *w++ = *p;
                if (*p)
                    p++;
            } else if (*p == '\\' && p[1]) {
                *w++ = p[1];
                p += 2;
            } else {
                *w++ = *p++;
            }
        }
        *w++ = '\0';
        char **more = realloc(*words, (size_t)(*n + 1) * sizeof **words);
        if (more == NULL)
            return false;
        *words = more;
        (*words)[(*n)++] = start;
    }
    return true;
}

/* Run the replay command in a process of its own: a scenario file is
** loaded once per process (a second load of the same file would find its
** scenarios registered already). Its exit status, or CLI_ERROR. */
static int replay_apart(int argc, char **argv, const struct cli_program *program,
                        const struct cli_merged *m)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "weft merge: cannot start the replay: %s\n", strerror(errno));
        return CLI_ERROR;
    }
    if (pid == 0) {
        int rc = cli_command(argc, argv, program, m);
        fflush(stdout);
        _exit(ferror(stdout) ? CLI_ERROR : rc);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return CLI_ERROR;
    return WIFEXITED(status) ? WEXITSTATUS(status) : CLI_ERROR;
}

/* The files the failure is written to (--output-dir, --trace, --dot,
** --html), as options of the replay; its new argc. */
static int add_files(char **argv, int argc, const struct cli_opts *o)
{
    const char *const files[][2] = { { "--output-dir", o->output_dir }, { "--trace", o->trace },
                                     { "--dot", o->dot }, { "--html", o->html } };
    for (int i = 0; i < 4; i++)
        if (files[i][1]) {
            argv[argc++] = (char *)files[i][0];
            argv[argc++] = (char *)files[i][1];
        }
    return argc;
}

/* A search that failed: the lowest unit's failure, replayed for its report. */
static int print_failing(const struct record *f, struct cli_merged *m, const struct cli_opts *o)
{
    const char *token = get(f, "schedule");
    if (token == NULL || *token == '\0') {
        fprintf(stderr, "weft merge: %s:%d: the failure of unit %s has no schedule token to "
                "replay\n", f->file, f->line, get(f, "split.failed_unit"));
        return CLI_ERROR;
    }
    char **argv = NULL, *store1 = NULL, *store2 = NULL;
    int argc = 0;
    bool ok = split_words("weft replay", &argv, &argc, &store1) &&
              split_words(get(f, "split.target"), &argv, &argc, &store2);
    char *store3 = NULL;
    ok = ok && split_words(get(f, "split.params"), &argv, &argc, &store3);
    char **more = ok ? realloc(argv, (size_t)(argc + 14) * sizeof *argv) : NULL;
    int rc = CLI_ERROR;
    if (more) {
        argv = more;
        argv[argc++] = (char *)"--schedule";
        argv[argc++] = (char *)token;
        argv[argc++] = (char *)"--format";
        argv[argc++] = (char *)o->format;
        if (o->quiet)
            argv[argc++] = (char *)"--quiet";
        argc = add_files(argv, argc, o);
        argv[argc] = NULL;
        rc = replay_apart(argc, argv, o->program, m);
    } else {
        fprintf(stderr, "weft merge: out of memory\n");
    }
    free(argv);
    free(store1);
    free(store2);
    free(store3);
    return rc;
}

int cli_merge_files(const struct cli_opts *o, const char *const *files, int nfiles)
{
    struct shards s = { 0 };
    int rc = read_files(&s, files, nfiles), worst = CLI_OK;
    bool *taken = rc ? NULL : calloc((size_t)s.n, sizeof *taken);
    int *group = rc ? NULL : calloc((size_t)s.n, sizeof *group);
    if (rc == 0 && (taken == NULL || group == NULL))
        rc = out_of_memory();
    /* Check every search before printing any: a refusal prints nothing. */
    for (int i = 0, n; rc == 0 && i < s.n; i++)
        if (!taken[i])
            rc = gather(&s, i, taken, group, &n);
    if (rc == 0)
        memset(taken, 0, (size_t)s.n * sizeof *taken);
    for (int i = 0, n; rc == 0 && i < s.n; i++) {
        if (taken[i])
            continue;
        gather(&s, i, taken, group, &n);
        struct cli_merged m = { 0 };
        const struct record *failing;
        join(&s, group, n, &m, &failing);
        int one = failing ? print_failing(failing, &m, o)
                          : print_passing(&s.recs[group[0]], &m, o);
        if (one == CLI_ERROR)
            rc = CLI_ERROR;
        else if (one > worst)
            worst = one;
    }
    free(taken);
    free(group);
    shards_free(&s);
    return rc ? rc : worst;
}

/* "  deadlock in unit 7, 17, 19 and 3 more": the failing units of result
** r (failed[u] == r + 1), the first MERGE_LISTED of them named. */
static void list_result(const struct explore_claims *c, uint64_t from, uint64_t to, int r)
{
    uint64_t shown = 0, same = 0;
    fprintf(stderr, "  %s in unit", weft_result_name((enum weft_result)r));
    for (uint64_t u = from; u < to; u++)
        if (c->failed[u] == r + 1 && same++ < MERGE_LISTED)
            fprintf(stderr, "%s %llu", shown++ ? "," : "", (unsigned long long)u);
    if (same > shown)
        fprintf(stderr, " and %llu more", (unsigned long long)(same - shown));
    fprintf(stderr, "\n");
}

/* --keep-going: every failing unit (each searched to its first failure,
** as the workers marked them in c->failed, whether or not the worker that
** found one lived to report it) and what the workers ran in all, on
** stderr; the report on stdout stays the one a single run prints. */
static void list_failures(const struct shards *s, const struct explore_claims *c)
{
    uint64_t executions = 0, pruned = 0, n = c->failed_past_cap;
    for (int i = 0; i < s->n; i++) {
        const struct record *rec = &s->recs[i];
        executions += get_u64(rec, "executions");
        pruned += get_u64(rec, "pruned");
        if (get(rec, "split.failed_unit") && died_counting(rec)) {
            fprintf(stderr, "weft: %s, --keep-going: a %s before the search was split into "
                    "units (every worker meets it there): no unit was searched\n",
                    get(rec, "scenario"), get(rec, "result"));
            return;
        }
    }
    uint64_t units = get_u64(&s->recs[0], "split.units");
    uint64_t listed = units < c->failed_cap ? units : c->failed_cap;
    bool named[WEFT_RESULT_LAST + 2] = { false };
    for (uint64_t u = 0; u < listed; u++)
        n += c->failed[u] != 0;
    fprintf(stderr, "weft: %s, --keep-going: %llu of %llu units fail (%llu executions + %llu "
            "pruned searched in all)%s\n", get(&s->recs[0], "scenario"), (unsigned long long)n,
            (unsigned long long)units, (unsigned long long)executions,
            (unsigned long long)pruned, n ? ":" : "");
    /* By result, the result of the lowest failing unit first. */
    for (uint64_t u = 0; u < listed; u++)
        if (c->failed[u] && c->failed[u] <= WEFT_RESULT_LAST + 1 && !named[c->failed[u]]) {
            named[c->failed[u]] = true;
            list_result(c, u, listed, c->failed[u] - 1);
        }
    if (c->failed_past_cap)
        fprintf(stderr, "  and %llu failing units past unit %llu, not named\n",
                (unsigned long long)c->failed_past_cap, (unsigned long long)c->failed_cap);
}

/* The next [unit, executions, pruned, cut] of a "unit_counts" list at *p;
** false at its end. */
static bool next_mark(const char **p, struct split_mark *m)
{
    uint64_t v[4];
    for (int i = 0; i < 4; i++) {
        *p += strcspn(*p, "0123456789");
        if (**p == '\0')
            return false;
        v[i] = strtoull(*p, (char **)p, 10);
    }
    *m = (struct split_mark){ v[0], v[1], v[2], v[3] };
    return true;
}

static int by_unit(const void *a, const void *b)
{
    const struct split_mark *x = a, *y = b;
    return x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* Append to m->marks each unit of worker b with what it ran of it (to
** its next unit's mark, or to its totals); false without memory. */
static bool unit_sizes(const struct record *b, struct cli_merged *m, size_t *cap)
{
    const char *p = get(b, "split.unit_counts");
    struct split_mark cur, next;
    bool more = next_mark(&p, &cur);
    while (more) {
        more = next_mark(&p, &next);
        if (!more)
            next = (struct split_mark){ 0, get_u64(b, "executions"), get_u64(b, "pruned"),
                                        get_u64(b, "cut") };
        if (m->nmarks == *cap) {
            struct split_mark *bigger = realloc(m->marks, (*cap = 2 * *cap + 64) * sizeof *bigger);
            if (bigger == NULL)
                return false;
            m->marks = bigger;
        }
        m->marks[m->nmarks++] = (struct split_mark){ cur.unit, next.executions - cur.executions,
                                                     next.pruned - cur.pruned, next.cut - cur.cut };
        cur = next;
    }
    return true;
}

/* --jobs --shard: the shard's unit marks as one process running its units
** in order would have made them, from the workers' (each unit's size,
** summed in unit order, up to the failure). Lost when a worker has none
** (it was resumed). */
static void shard_marks(const struct shards *s, const int *group, int n, struct cli_merged *m)
{
    size_t cap = 0;
    for (int i = 0; i < n && !m->marks_lost; i++)
        if (get(&s->recs[group[i]], "split.unit_counts") == NULL ||
            !unit_sizes(&s->recs[group[i]], m, &cap))
            m->marks_lost = true;
    qsort(m->marks, m->nmarks, sizeof *m->marks, by_unit);
    while (m->nmarks && m->marks[m->nmarks - 1].unit > m->cov.split.failed_unit)
        m->nmarks--;                  /* begun by workers the failure stopped */
    uint64_t sum[3] = { 0, 0, 0 };
    for (size_t i = 0; i < m->nmarks; i++) {
        uint64_t size[3] = { m->marks[i].executions, m->marks[i].pruned, m->marks[i].cut };
        m->marks[i].executions = sum[0];
        m->marks[i].pruned = sum[1];
        m->marks[i].cut = sum[2];
        for (int k = 0; k < 3; k++)
            sum[k] += size[k];
    }
}

/* A worker that ran out of time before it had counted the units (one that
** took a failed one's place late): it cut nothing, and ran nothing. */
static bool ran_nothing(const struct record *rec)
{
    return get_u64(rec, "executions") == 0 && get_u64(rec, "pruned") == 0 &&
           get(rec, "split.failed_unit") == NULL && !get_bool(rec, "exhaustive");
}

int cli_merge_jobs(const struct cli_opts *o, const char *const *files, int nfiles,
                   const uint64_t base[3], const struct explore_claims *claims)
{
    struct shards s = { 0 };
    int rc = read_files(&s, files, nfiles);
    int *group = rc ? NULL : calloc((size_t)s.n, sizeof *group);
    if (rc == 0 && group == NULL)
        rc = out_of_memory();
    int n = 0;
    bool idle = false;
    for (int i = 0; rc == 0 && i < s.n; i++) {
        if (ran_nothing(&s.recs[i]) && s.n > 1) {
            idle = true;
            continue;
        }
        group[n++] = i;
        if (!same_search(&s.recs[group[0]], &s.recs[i]))
            rc = CLI_ERROR;
    }
    if (rc == 0 && n == 0)            /* none ran a unit: one says how far it got */
        group[n++] = 0;
    if (rc == 0) {
        struct cli_merged m = { 0 };
        const struct record *failing;
        join(&s, group, n, &m, &failing);
        m.cov.exhaustive &= !idle;
        if (o->shard_count) {         /* --shard: the result is the shard's */
            m.cov.split.index = o->shard_index;
            m.cov.split.count = o->shard_count;
            m.identity = get(&s.recs[group[0]], "split.search");
            shard_marks(&s, group, n, &m);
            m.marks_lost |= base[0] || base[1] || base[2];
        }
        if (base[0] || base[1] || base[2]) {   /* --resume: the units finished before */
            if (failing)              /* the workers' sums, as a resumed shard's */
                m.cov.executions = m.cov.pruned = m.cov.cut = 0;
            for (int i = 0; failing && i < n; i++) {
                m.cov.executions += get_u64(&s.recs[group[i]], "executions");
                m.cov.pruned += get_u64(&s.recs[group[i]], "pruned");
                m.cov.cut += get_u64(&s.recs[group[i]], "cut");
            }
            m.cov.executions += base[0];
            m.cov.pruned += base[1];
            m.cov.cut += base[2];
        }
        rc = failing ? print_failing(failing, &m, o) : print_passing(&s.recs[group[0]], &m, o);
        if (o->keep_going && claims->failed && rc != CLI_ERROR)
            list_failures(&s, claims);
        free(m.marks);
    }
    free(group);
    shards_free(&s);
    return rc;
}

int cli_merge(struct cli_opts *o)
{
    if (report_format_named(o->format) == NULL) {
        fprintf(stderr, "weft merge: unknown format '%s' (text or json)\n", o->format);
        return CLI_ERROR;
    }
    if (o->nargs == 0) {
        fprintf(stderr, "weft merge: name the shards' results (files of 'weft run --shard "
                "K/N --format json')\n");
        return CLI_ERROR;
    }
    return cli_merge_files(o, o->args, o->nargs);
}
