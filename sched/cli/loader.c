/*
** loader.c -- turns command-line arguments into scenarios: bundled names,
** .so files (dlopen), .c files (compiled against weft.h into a cached shared
** object first) and folders of .c files. A compile error is shown as the
** compiler printed it and is a CLI_ERROR.
*/
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/registry.h"

/* ==========================================================================
** Compiling scenario files
** ========================================================================== */

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int hash_file(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        *h = fnv1a(*h, buf, n);
    fclose(f);
    return 0;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder holding weft.h: $WEFT_INCLUDE_DIR, the installed one, or the
** source tree this weft was built from. */
static const char *include_dir(void)
{
    char path[1024];
    const char *env = getenv("WEFT_INCLUDE_DIR");
    const char *dirs[] = { env, WEFT_INCLUDEDIR, WEFT_SRCDIR "/sched" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (dirs[i] == NULL)
            continue;
        snprintf(path, sizeof path, "%s/weft.h", dirs[i]);
        if (is_file(path))
            return dirs[i];
    }
    return WEFT_SRCDIR "/sched";
}

static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0755);
            *p = '/';
        }
    return mkdir(path, 0755) == 0 || is_file(path) ? 0 : 0;
}

static void cache_dir(char *out, size_t n)
{
    const char *env = getenv("WEFT_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(out, n, "%s", env);
    else if (xdg && *xdg)
        snprintf(out, n, "%s/weft", xdg);
    else
        snprintf(out, n, "%s/.cache/weft", home && *home ? home : "/tmp");
    make_dirs(out);
}

/* Run a command; its messages go to stderr as it printed them. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(2, 1);
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
** Stack hardening for scenario files: -fstack-clash-protection makes a large
** frame touch each of its pages as it grows, so it meets the guard region
** below a fiber stack (core/fiber.h) instead of stepping over it into a
** neighbour's; -fstack-protector-strong catches a frame overrunning its own
** buffers. Each flag is used only if cc accepts it, asked (~15 ms) only when
** something is compiled; a flag cc lacks is replaced by a second "-g", which
** changes nothing.
*/
static const char *const stack_flags[] = { "-fstack-clash-protection", "-fstack-protector-strong" };

/* Does cc compile an empty file with flag f1, and f2 unless NULL, warnings
** counted as errors? Silent. */
static bool cc_accepts(const char *cc, const char *f1, const char *f2)
{
    char *argv[] = { (char *)cc, "-Werror", "-x", "c", "-c", "-o", "/dev/null", "/dev/null",
                     (char *)f1, (char *)f2, NULL };
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(cc, argv);
        _exit(127);
    }
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The two stack flags for cc: one probe when it has both, as gcc and clang do. */
static void stack_flags_for(const char *cc, char *out[2])
{
    bool both = cc_accepts(cc, stack_flags[0], stack_flags[1]);
    for (int i = 0; i < 2; i++)
        out[i] = both || cc_accepts(cc, stack_flags[i], NULL) ? (char *)stack_flags[i] : "-g";
}

/*
** Compile src into the shared object out. With --memory=atomics or all the
** compiler instruments it for ThreadSanitizer, whose hooks weft itself
** provides (sync/tsan.c): compiled alone, then linked without libtsan.
*/
static int compile(const char *cc, const char *inc, const char *src, const char *out,
                   enum cli_memory memory)
{
    char incflag[1100], obj[1300], *stack[2];
    snprintf(incflag, sizeof incflag, "-I%s", inc);
    stack_flags_for(cc, stack);
    if (memory == CLI_MEMORY_OFF) {
        char *argv[] = { (char *)cc, "-std=c11", "-g", "-O1", "-fPIC", "-shared", "-Wall",
                         stack[0], stack[1],
                         incflag, "-o", (char *)out, (char *)src, NULL };
        return run(argv);
    }
    snprintf(obj, sizeof obj, "%s.o", out);
    char *cc_argv[] = { (char *)cc, "-std=c11", "-g", "-O1", "-fPIC", "-fsanitize=thread",
                        "-Wall", stack[0], stack[1],
                        incflag, "-c", "-o", obj, (char *)src, NULL };
    char *ld_argv[] = { (char *)cc, "-shared", "-o", (char *)out, obj, NULL };
    int rc = run(cc_argv);
    if (rc == 0)
        rc = run(ld_argv);
    unlink(obj);
    return rc;
}

/*
** Hash the files that path includes with #include "..." (found beside the
** including file), and theirs, so that editing a scenario's own header
** recompiles it. System headers (<...>) are assumed not to change.
*/
static void hash_local_includes(const char *path, uint64_t *h, int depth)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (f == NULL || depth > 8) {
        if (f)
            fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        char name[512], inc[1100];
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (sscanf(p, "#include \"%511[^\"]\"", name) != 1 &&
            sscanf(p, "# include \"%511[^\"]\"", name) != 1)
            continue;
        const char *slash = strrchr(path, '/');
        snprintf(inc, sizeof inc, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, name);
        *h = fnv1a(*h, inc, strlen(inc));
        if (hash_file(inc, h) == 0)
            hash_local_includes(inc, h, depth + 1);
    }
    fclose(f);
}

/* Path of the shared object for a .c file, compiled if not cached. */
static int shared_object_for(const char *src, enum cli_memory memory, char *so, size_t n)
{
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    const char *inc = include_dir();
    char header[1100], dir[900], tmp[1200];
    uint64_t h = 0xcbf29ce484222325ULL;
    snprintf(header, sizeof header, "%s/weft.h", inc);
    if (hash_file(src, &h) != 0) {
        fprintf(stderr, "weft: cannot read %s\n", src);
        return CLI_ERROR;
    }
    hash_file(header, &h);
    hash_local_includes(src, &h, 0);
    h = fnv1a(h, cc, strlen(cc));
    h = fnv1a(h, WEFT_VERSION_STRING, strlen(WEFT_VERSION_STRING));
    h = fnv1a(h, &memory, sizeof memory);
    for (size_t i = 0; i < 2; i++)    /* objects built without the stack flags are stale */
        h = fnv1a(h, stack_flags[i], strlen(stack_flags[i]));
    cache_dir(dir, sizeof dir);
    snprintf(so, n, "%s/%016llx.so", dir, (unsigned long long)h);
    if (is_file(so))
        return 0;
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", so, (long)getpid());
    if (compile(cc, inc, src, tmp, memory) != 0) {
        unlink(tmp);
        fprintf(stderr, "weft: could not compile %s (with %s, -I%s)\n", src, cc, inc);
        return CLI_ERROR;
    }
    if (rename(tmp, so) != 0) {
        unlink(tmp);
        fprintf(stderr, "weft: cannot write %s\n", so);
        return CLI_ERROR;
    }
    return 0;
}

int cli_load_file(const char *path, enum cli_memory memory, int *from, int *to)
{
    char so[1024];
    if (cli_is_source(path)) {
        int rc = shared_object_for(path, memory, so, sizeof so);
        if (rc)
            return rc;
    } else {
        snprintf(so, sizeof so, "%s%s", strchr(path, '/') ? "" : "./", path);
    }
    *from = registry_count();
    if (dlopen(so, RTLD_NOW | RTLD_LOCAL) == NULL) {
        fprintf(stderr, "weft: cannot load %s: %s\n", path, dlerror());
        return CLI_ERROR;
    }
    *to = registry_count();
    if (*to == *from) {
        fprintf(stderr, "weft: %s defines no scenario (WEFT_SCENARIO)\n", path);
        return CLI_ERROR;
    }
    return 0;
}

/* ==========================================================================
** Resolving arguments
** ========================================================================== */

struct targets { struct cli_target *v; int n, cap; };

static int add(struct targets *t, const struct weft_scenario *s, const char *spelling,
               bool all_memory)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 32;
        struct cli_target *v = realloc(t->v, (size_t)cap * sizeof *v);
        if (v == NULL) {
            fprintf(stderr, "weft: out of memory\n");
            return CLI_ERROR;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n].scenario = s;
    t->v[t->n].all_memory = all_memory;
    snprintf(t->v[t->n].spelling, sizeof t->v[t->n].spelling, "%s", spelling);
    t->n++;
    return 0;
}

bool cli_is_source(const char *path)
{
    size_t len = strlen(path);
    return len > 2 && strcmp(path + len - 2, ".c") == 0;
}

static int add_file(struct targets *t, const char *path, enum cli_memory memory)
{
    int from, to;
    int rc = cli_load_file(path, memory, &from, &to);
    bool all = memory == CLI_MEMORY_ALL && cli_is_source(path);
    if (rc)
        return rc;
    for (int i = from; i < to && rc == 0; i++) {
        char spelling[1024];
        snprintf(spelling, sizeof spelling, "%s %s", path, registry_get(i)->name);
        rc = add(t, registry_get(i), spelling, all);
    }
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .c file directly in dir, in name order. */
static int add_dir(struct targets *t, const char *dir, enum cli_memory memory)
{
    DIR *d = opendir(dir);
    char *names[512];
    int n = 0, rc = 0;
    if (d == NULL) {
        fprintf(stderr, "weft: cannot open folder %s\n", dir);
        return CLI_ERROR;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 512;) {
        size_t len = strlen(e->d_name);
        if (len > 2 && strcmp(e->d_name + len - 2, ".c") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        char path[1024];
        size_t dl = strlen(dir);
        snprintf(path, sizeof path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        if (rc == 0)
            rc = add_file(t, path, memory);
        free(names[i]);
    }
    return rc;
}

int cli_resolve(const char *const *args, int nargs, enum cli_memory memory,
                struct cli_target **out, int *n)
{
    struct targets t = { 0 };
    int builtin = registry_count(), rc = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        struct stat st;
        const struct weft_scenario *s;
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_dir(&t, args[i], memory);
        else if (stat(args[i], &st) == 0)
            rc = add_file(&t, args[i], memory);
        else if ((s = registry_find(args[i], 0, builtin)) != NULL)
            rc = add(&t, s, s->name, false);
        else {
            fprintf(stderr, "weft: no scenario or file named '%s' (see 'weft list')\n", args[i]);
            rc = CLI_ERROR;
        }
    }
    *out = t.v;
    *n = t.n;
    return rc;
}
