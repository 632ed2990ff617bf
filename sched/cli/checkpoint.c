/*
** checkpoint.c -- --checkpoint FILE and --resume FILE for `weft run`: the
** search's position and counts, saved every few seconds so that a search
** killed (SIGKILL, a reboot, a batch system's time limit) goes on where it
** was. The file is written whole to FILE.tmp, synced, then renamed, so a
** kill during a write leaves the last complete checkpoint. Its first lines
** say what search it belongs to; --resume refuses any other.
**
**   weft-checkpoint 1
**   scenario NAME
**   source HASH            (of the scenario file and its #include "..." files;
**                           "-": built into weft)
**   options OPTIONS        (everything that shapes the search's tree)
**   counts EXECUTIONS PRUNED CUT TIMED BOUND_HIT CHECK_MEMORY
**   position
**   ...                    (the strategy's own, to the end: dfs.c)
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/params.h"

/* 2: counts of failures a search went on past; blocks named by their maker */
#define MAGIC "weft-checkpoint 2\n"
#define MAGIC_VERSION_AT (sizeof "weft-checkpoint " - 1)

/* The hash of a file and of the files it includes with #include "..."
** (cli_source_hash), as text; "-" when there is no file to read. */
static void source_hash(const char *path, char *out, size_t n)
{
    uint64_t h;
    if (path == NULL || cli_source_hash(path, &h) != 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%016" PRIx64, h);
}

/* A split search's own options: its shard and depth ("" when not split). */
static void split_options(const struct cli_opts *o, bool shard, char *out, size_t n)
{
    char depth[32] = "";
    if (o->split_depth == EXPLORE_SPLIT_AUTO)
        snprintf(depth, sizeof depth, " split-depth=auto");
    else if (o->split_depth)
        snprintf(depth, sizeof depth, " split-depth=%d", o->split_depth);
    if (shard && o->claims && o->claims->shard_count)   /* a --jobs worker of a shard */
        snprintf(out, n, " jobs shard=%u/%u%s", o->claims->shard_index, o->claims->shard_count,
                 depth);
    else if (shard && o->claims)      /* a --jobs worker: it takes units, has no shard */
        snprintf(out, n, " jobs%s", depth);
    else if (shard && o->shard_count)
        snprintf(out, n, " shard=%u/%u%s", o->shard_index, o->shard_count, depth);
    else
        snprintf(out, n, "%s", depth);
}

/* A sampled search's own options: its seed, pct's depth and the budget
** its executions are numbered in ("" for the others: their checkpoints
** keep the names they had). */
static void sample_options(const struct cli_opts *o, char *out, size_t n)
{
    const struct explore_plan *p = explore_plan_named(o->strategy);
    if (p == NULL || !p->sampled)
        return;
    unsigned long long budget = o->executions ? o->executions : CLI_SAMPLED_BUDGET;
    if (p->has_depth)
        snprintf(out, n, " seed=%llu depth=%d executions=%llu", (unsigned long long)o->seed,
                 o->depth, budget);
    else
        snprintf(out, n, " seed=%llu executions=%llu", (unsigned long long)o->seed, budget);
}

/* What a program run adds: its compiler flags, how its exit status and
** condition waits are taken, and its arguments in order, each a shell
** word ("" for none). Malloc'd; NULL without memory. */
static char *program_options(const struct cli_opts *o)
{
    const char *cflags = cli_cflags(o);
    size_t n = 64 + (cflags ? 4 * strlen(cflags) + 3 : 0);
    for (int i = 0; i < o->nprog_args; i++)
        n += 4 * strlen(o->prog_args[i]) + 4;
    char *text = malloc(n), *at = text;
    if (text == NULL)
        return NULL;
    char *flags = cflags ? cli_shell_word(cflags) : NULL;
    at += sprintf(at, "cflags=%s exit-status=%s spurious-wakeups=%s arguments",
                  flags ? flags : "''", o->ignore_exit_status ? "ignore" : "fail",
                  o->spurious_wakeups ? "on" : "off");
    free(flags);
    for (int i = 0; i < o->nprog_args; i++) {
        char *w = cli_shell_word(o->prog_args[i]);
        if (w == NULL) {
            free(text);
            return NULL;
        }
        at += sprintf(at, " %s", w);
        free(w);
    }
    return text;
}

char *cli_search_identity(const struct cli_opts *o, const struct cli_target *t, bool shard)
{
    char hash[32], split[64], sample[96] = "";
    source_hash(t->scenario->file, hash, sizeof hash);
    split_options(o, shard, split, sizeof split);
    sample_options(o, sample, sizeof sample);
    char *params = params_canonical(o->params), *program = program_options(o);
    size_t n = strlen(t->scenario->name) + (params ? strlen(params) : 0) +
               (program ? strlen(program) : 0) + 460;
    char *id = params && program ? malloc(n) : NULL;
    if (id)                           /* params and program: as the run set them,
                                         not as spelled (--param order, 007) */
        snprintf(id, n, "scenario %s\nsource %s\noptions %s sleep-sets=%d preemptions=%d "
                 "max-steps=%d timers=%s spin-order=%s memory=%d memory-model=%s "
                 "stack=%zu%s%s %s params %s\n",
                 t->scenario->name, hash, o->strategy, o->sleep_sets, o->max_preemptions,
                 o->max_steps, o->timers_idle ? "idle" : "race", o->exact_spins ? "exact" : "fast",
                 (int)o->memory, o->sc_atomics ? "sc" : o->reorder_stores ? "pso" : "tso",
                 o->stack_size, sample, split, program, params);
    free(params);
    free(program);
    return id;
}

/* Write text to path through path.tmp: 0, or -1 after saying why. */
static int write_atomically(const char *path, const char *head, const char *body)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (tmp == NULL)
        return -1;
    snprintf(tmp, n, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f && fputs(head, f) >= 0 && fputs(body, f) >= 0 && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    if (f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0))
        ok = false;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "weft: cannot write the checkpoint %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

static void save(void *ctx, const char *position, const struct explore_result *r,
                 bool check_memory, bool local_keys)
{
    struct cli_checkpoint *cp = ctx;
    size_t n = strlen(cp->identity) + 256;
    char *head = malloc(n);
    if (head == NULL)
        return;
    snprintf(head, n, MAGIC "%scounts %" PRIu64 " %" PRIu64 " %" PRIu64 " %d %d %d %d %d %" PRIu64
             " %d\nposition\n", cp->identity, r->cov.executions, r->cov.pruned, r->cov.cut,
             r->cov.timed, r->cov.bound_hit, check_memory, (int)r->cov.caveats, local_keys,
             r->cov.failing, r->cov.failing_result);
    write_atomically(cp->path, head, position);
    free(head);
}

/* The whole file, NUL-terminated; NULL after saying why. */
static char *read_all(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL) {
        fprintf(stderr, "weft: --resume %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *bigger = realloc(text, cap);
            if (bigger == NULL) {
                free(text);
                fclose(f);
                fprintf(stderr, "weft: --resume %s: out of memory\n", path);
                return NULL;
            }
            text = bigger;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    bool bad = ferror(f) || memchr(text, '\0', len) != NULL;
    fclose(f);
    text[len] = '\0';
    if (bad) {
        fprintf(stderr, "weft: --resume %s: not a checkpoint file (unreadable or binary)\n",
                path);
        free(text);
        return NULL;
    }
    return text;
}

const char *cli_first_difference(const char *a, const char *b, char *buf, size_t n)
{
    while (*a && *a == *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        if (!ea || !eb || ea - a != eb - b || strncmp(a, b, (size_t)(ea - a)) != 0)
            break;
        a = ea + 1;
        b = eb + 1;
    }
    const char *end = strchr(a, '\n');
    int len = end ? (int)(end - a) : (int)strlen(a);
    const char *label_end = memchr(a, ' ', (size_t)len), *word = label_end;
    for (size_t i = 0; word && a + i < a + len && a[i] == b[i]; i++)
        if (a[i] == ' ')              /* the word that differs, past the label */
            word = a + i + 1;
    if (word == NULL || word == label_end + 1)
        snprintf(buf, n, "%.*s", len, a);
    else
        snprintf(buf, n, "%.*s ... %.*s", (int)(label_end - a), a, (int)(a + len - word), word);
    return buf;
}

/* Read and check --resume's file into ec->resume: 0, or CLI_ERROR. */
/* A position that names objects by keys of the process that saved it
** (sched_handle_key: a weft object in memory weft did not hand out, such
** as malloc's) cannot be gone on from here: the loaded wakeup trees would
** take the same mutex for two and lose executions. The search starts
** again, and says so. */
static void start_over(const char *path, struct explore_resume *r)
{
    fprintf(stderr, "weft: --resume %s: its position names objects that only the process "
            "that saved it can name (a weft object in memory weft did not hand out, such as "
            "malloc's: use weft_alloc); the search starts again from the beginning\n", path);
    *r = (struct explore_resume){ 0 };
}

static int load(struct cli_checkpoint *cp, const char *path, struct explore_config *ec)
{
    if ((cp->text = read_all(path)) == NULL)
        return CLI_ERROR;
    const char *s = cp->text;
    char line[300];
    size_t id_len = strlen(cp->identity);
    if (strncmp(s, MAGIC, MAGIC_VERSION_AT) == 0 && strncmp(s, MAGIC, strlen(MAGIC)) != 0) {
        fprintf(stderr, "weft: --resume %s: a checkpoint of another version of weft (this "
                "one reads %.*s)\n", path, (int)(strlen(MAGIC) - 1), MAGIC);
        return CLI_ERROR;
    }
    if (strncmp(s, MAGIC, strlen(MAGIC)) != 0) {
        fprintf(stderr, "weft: --resume %s: not a weft checkpoint\n", path);
        return CLI_ERROR;
    }
    s += strlen(MAGIC);
    if (strncmp(s, cp->identity, id_len) != 0) {
        fprintf(stderr, "weft: --resume %s: made for another search ('%s'); this one is "
                "'%s'\n", path, cli_first_difference(s, cp->identity, line, 150),
                cli_first_difference(cp->identity, s, line + 150, 150));
        return CLI_ERROR;
    }
    s += id_len;
    struct explore_resume *r = &ec->resume;
    int timed, bound_hit, check_memory, caveats, local_keys, used = 0;
    if (sscanf(s, "counts %" SCNu64 " %" SCNu64 " %" SCNu64 " %d %d %d %d %d %" SCNu64
               " %d\nposition\n%n", &r->executions, &r->pruned, &r->cut, &timed, &bound_hit,
               &check_memory, &caveats, &local_keys, &r->failing, &r->failing_result,
               &used) != 10 || used == 0 || r->failing_result < 0 || caveats < 0 ||
        caveats > CAVEAT_ALL ||
        r->failing_result > WEFT_RESULT_LAST) {
        fprintf(stderr, "weft: --resume %s: its counts are damaged\n", path);
        return CLI_ERROR;
    }
    r->timed = timed != 0;
    r->caveats = (unsigned)caveats;
    r->bound_hit = bound_hit != 0;
    r->check_memory = check_memory != 0;
    r->position = s + used;
    if (local_keys)
        start_over(path, r);
    return 0;
}

int cli_checkpoint_begin(struct cli_checkpoint *cp, const struct cli_opts *o,
                         const struct cli_target *t, struct explore_config *ec)
{
    memset(cp, 0, sizeof *cp);
    if (o->checkpoint == NULL && o->resume == NULL)
        return 0;
    if ((cp->identity = cli_search_identity(o, t, true)) == NULL) {
        fprintf(stderr, "weft: out of memory\n");
        return CLI_ERROR;
    }
    if (o->resume && load(cp, o->resume, ec) != 0) {
        cli_checkpoint_end(cp);
        return CLI_ERROR;
    }
    if (o->checkpoint) {
        cp->path = o->checkpoint;
        ec->checkpoint = save;
        ec->checkpoint_ctx = cp;
        ec->checkpoint_every = o->checkpoint_every;
    }
    return 0;
}

void cli_checkpoint_end(struct cli_checkpoint *cp)
{
    free(cp->identity);
    free(cp->text);
    memset(cp, 0, sizeof *cp);
}

/* ==========================================================================
** --jobs --checkpoint DIR: checkpoints per unit
** ==========================================================================
** A folder: "search" names the search; each worker keeps its own
** checkpoint, worker-N.ck (as above, its position naming the unit it took
** and its counts when it took it); and a worker that finishes a unit
** writes unit-U with what it ran of it. After a kill, --resume DIR counts
** the finished units, starts a worker for each checkpoint whose unit is
** not finished, to go on with that unit alone from the worker's position
** inside it (from the unit's beginning if the position names objects by
** keys of the process that saved it: start_over), and leaves
** every other unit to new workers. Unit files are renamed into place, so a
** kill leaves whole ones or none.
*/

#define UNIT_MAGIC "weft-unit 1\n"

void cli_jobs_unit_done(void *ctx, uint64_t unit, const uint64_t counts[3])
{
    const char *dir = ctx;
    char path[4200], tmp[4300], text[128];
    snprintf(path, sizeof path, "%s/unit-%" PRIu64, dir, unit);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text, UNIT_MAGIC "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                     counts[0], counts[1], counts[2]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write(fd, text, (size_t)n) == n;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "weft: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
}

/* The unit a worker's checkpoint took (its position's "taken" line);
** false if it names none. */
static bool taken_by(const char *path, uint64_t *unit)
{
    FILE *f = fopen(path, "r");
    char line[256];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = sscanf(line, "taken %" SCNu64, unit) == 1;
    if (f)
        fclose(f);
    return found;
}

/* A finished unit's counts into st->base; false if the file is not one. */
static bool add_unit(struct cli_jobs_state *st, const char *path)
{
    FILE *f = fopen(path, "r");
    char magic[32];
    uint64_t c[3];
    bool ok = f && fgets(magic, sizeof magic, f) && strcmp(magic, UNIT_MAGIC) == 0 &&
              fscanf(f, "%" SCNu64 " %" SCNu64 " %" SCNu64, &c[0], &c[1], &c[2]) == 3;
    if (f)
        fclose(f);
    for (int i = 0; ok && i < 3; i++)
        st->base[i] += c[i];
    st->done += ok;
    return ok;
}

/* "search" in dir names this search: written afresh, or checked on --resume. */
static int same_search_file(const char *dir, const char *identity, bool resume)
{
    char path[4200], line[300];
    snprintf(path, sizeof path, "%s/search", dir);
    if (!resume)
        return write_atomically(path, MAGIC, identity) == 0 ? 0 : CLI_ERROR;
    char *text = read_all(path);
    if (text == NULL)
        return CLI_ERROR;
    int rc = strncmp(text, MAGIC, strlen(MAGIC)) == 0 &&
             strcmp(text + strlen(MAGIC), identity) == 0 ? 0 : CLI_ERROR;
    if (rc)
        fprintf(stderr, "weft: --resume %s: made for another search ('%s')\n", dir,
                strncmp(text, MAGIC, strlen(MAGIC)) ? "not a weft checkpoint"
                : cli_first_difference(text + strlen(MAGIC), identity, line, sizeof line));
    free(text);
    return rc;
}

static bool named(const char *name, const char *prefix, const char *suffix, uint64_t *n)
{
    size_t p = strlen(prefix), len = strlen(name), sl = strlen(suffix);
    char *end;
    if (strncmp(name, prefix, p) != 0 || len <= p + sl || strcmp(name + len - sl, suffix) != 0 ||
        !(name[p] >= '0' && name[p] <= '9'))
        return false;
    *n = strtoull(name + p, &end, 10);
    return (size_t)(end - name) == len - sl;
}

/* Every entry of dir that is a unit or a worker's checkpoint: unit files
** counted (or removed when starting afresh), checkpoints listed. */
static int scan(const char *dir, bool resume, struct cli_jobs_state *st, uint64_t **units,
                size_t *nunits)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "weft: %s: %s\n", dir, strerror(errno));
        return CLI_ERROR;
    }
    size_t cap = 0;
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
        char path[4200];
        uint64_t n;
        bool unit = named(de->d_name, "unit-", "", &n);
        bool worker = !unit && named(de->d_name, "worker-", ".ck", &n);
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if ((unit || worker) && !resume) {
            unlink(path);             /* a new search: the folder's old one goes */
            continue;
        }
        if (worker) {
            st->next_serial = n + 1 > st->next_serial ? n + 1 : st->next_serial;
            char **more = realloc(st->resume, (size_t)(st->nresume + 1) * sizeof *more);
            rc = more && (more[st->nresume] = strdup(path)) ? 0 : CLI_ERROR;
            if (more)
                st->resume = more;
            st->nresume += rc == 0;
        } else if (unit && add_unit(st, path)) {
            uint64_t *more = *nunits == cap ? realloc(*units, (cap = 2 * cap + 64) * sizeof *more)
                                            : *units;
            rc = more ? 0 : CLI_ERROR;
            if (more)
                (*units = more)[(*nunits)++] = n;
        }
    }
    closedir(d);
    if (rc)
        fprintf(stderr, "weft: out of memory reading %s\n", dir);
    return rc;
}

/* Mark the finished units and the units of the checkpoints still to go on
** taken, in a table the workers share; drop checkpoints whose unit is
** finished (or that name none). */
static int mark_taken(struct cli_jobs_state *st, const uint64_t *units, size_t nunits)
{
    uint64_t *of = calloc((size_t)st->nresume + 1, sizeof *of);
    bool *has = calloc((size_t)st->nresume + 1, sizeof *has);
    if (of == NULL || has == NULL) {
        free(of);
        free(has);
        fprintf(stderr, "weft: out of memory\n");
        return CLI_ERROR;
    }
    st->cap = 1;
    for (size_t i = 0; i < nunits; i++)
        st->cap = units[i] + 1 > st->cap ? units[i] + 1 : st->cap;
    for (int i = 0; i < st->nresume; i++)
        if ((has[i] = taken_by(st->resume[i], &of[i])) && of[i] + 1 > st->cap && of[i] < (1u << 30))
            st->cap = of[i] + 1;
    st->taken = mmap(NULL, st->cap, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int rc = 0;
    if (st->taken == MAP_FAILED) {
        st->taken = NULL;
        fprintf(stderr, "weft: out of memory\n");
        rc = CLI_ERROR;
    }
    for (size_t i = 0; rc == 0 && i < nunits; i++)
        st->taken[units[i]] = 1;
    int kept = 0;
    st->resume_unit = calloc((size_t)st->nresume + 1, sizeof *st->resume_unit);
    if (rc == 0 && st->resume_unit == NULL) {
        fprintf(stderr, "weft: out of memory\n");
        rc = CLI_ERROR;
    }
    for (int i = 0; i < st->nresume; i++) {
        if (rc == 0 && has[i] && of[i] < st->cap && !st->taken[of[i]]) {
            st->taken[of[i]] = 1;
            st->resume_unit[kept] = of[i];
            st->resume[kept++] = st->resume[i];
            continue;
        }
        if (rc == 0)
            unlink(st->resume[i]);    /* its unit is finished: it has nothing left */
        free(st->resume[i]);
    }
    st->nresume = kept;
    free(of);
    free(has);
    return rc;
}

int cli_jobs_state_read(const char *dir, const char *identity, bool resume,
                        struct cli_jobs_state *st)
{
    memset(st, 0, sizeof *st);
    if (!resume && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "weft: --checkpoint %s (a folder with --jobs): %s\n", dir,
                strerror(errno));
        return CLI_ERROR;
    }
    uint64_t *units = NULL;
    size_t nunits = 0;
    int rc = same_search_file(dir, identity, resume);
    if (rc == 0)
        rc = scan(dir, resume, st, &units, &nunits);
    if (rc == 0 && resume)
        rc = mark_taken(st, units, nunits);
    free(units);
    return rc;
}

void cli_jobs_state_free(struct cli_jobs_state *st)
{
    for (int i = 0; i < st->nresume; i++)
        free(st->resume[i]);
    free(st->resume);
    free(st->resume_unit);
    if (st->taken)
        munmap(st->taken, st->cap);
    memset(st, 0, sizeof *st);
}
