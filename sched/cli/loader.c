/*
** loader.c -- turns command-line arguments into scenarios: bundled names,
** .so files (dlopen), .c files (compiled against weft.h into a cached shared
** object first) and folders of .c files. A compile error is shown as the
** compiler printed it and is a CLI_ERROR.
**
** Loading a shared object runs its code, so the cache is a folder only its
** user can write, checked before every use; and an input that is not a
** regular file is refused before it is opened (a FIFO would block).
*/
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/registry.h"

/* printf into a new string; NULL without memory. */
static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

static int out_of_memory(void)
{
    fprintf(stderr, "weft: out of memory\n");
    return CLI_ERROR;
}

/* ==========================================================================
** Input files
** ========================================================================== */

static const char *kind_of(mode_t mode)
{
    return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket"
         : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : S_ISLNK(mode) ? "a symbolic link"
         : "not a regular file";
}

/* 0 if path is a regular file; else CLI_ERROR after saying what it is. */
static int check_regular(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "weft: cannot read %s: %s\n", path, strerror(errno));
        return CLI_ERROR;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "weft: %s is %s, not a scenario file\n", path, kind_of(st.st_mode));
        return CLI_ERROR;
    }
    return 0;
}

/* A regular file opened for reading, or NULL. O_NONBLOCK: a FIFO that
** replaced the file since it was checked must not block the open. */
static FILE *open_regular(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "r") : NULL;
    if (f == NULL)
        close(fd);
    return f;
}

/* ==========================================================================
** The cache: a folder only its user can write
** ========================================================================== */

/* The cache folder of one load. Without WEFT_CACHE_DIR, XDG_CACHE_HOME or
** HOME it is a private folder (mkdtemp) removed once its object is loaded
** (a mapped object outlives its file): never a shared fallback such as
** /tmp/.cache, where another user could plant the objects weft loads. */
struct cache {
    char *dir;                        /* absolute, symbolic links resolved */
    bool private;                     /* this load's own: remove it after */
};

static char *make_private_dir(void)
{
    const char *tmpdir = getenv("TMPDIR");
    char *dir = format("%s/weft-XXXXXX", tmpdir && *tmpdir == '/' ? tmpdir : "/tmp");
    if (dir == NULL || mkdtemp(dir) == NULL) {
        fprintf(stderr, "weft: cannot make a private cache folder %s: %s\n",
                dir ? dir : "", strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* The folder path names, made with its missing parents, each mode 0700. */
static void make_dirs(const char *path)
{
    char *p = strdup(path);
    for (char *c = p ? p + 1 : NULL; c && *c; c++)
        if (*c == '/') {
            *c = 0;
            mkdir(p, 0700);
            *c = '/';
        }
    if (p)
        mkdir(p, 0700);
    free(p);
}

/* Whether a folder is unsafe, with why: the cache folder must be its user's
** and writable by no one else; a folder that holds it, its user's or
** root's, and writable by others only if sticky (/tmp: they cannot rename
** what is ours there). */
static bool unsafe(const char *path, bool is_cache, char *why, size_t n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        snprintf(why, n, "%s", strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        snprintf(why, n, "it is not a folder");
    else if (st.st_uid != geteuid() && (is_cache || st.st_uid != 0))
        snprintf(why, n, "it belongs to user %ld, not to you (user %ld)%s", (long)st.st_uid,
                 (long)geteuid(), is_cache ? "" : " or root");
    else if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (is_cache || !(st.st_mode & S_ISVTX)))
        snprintf(why, n, "it is writable by %s (mode %04o)",
                 st.st_mode & S_IWOTH ? "others" : "its group", (unsigned)st.st_mode & 07777);
    else
        return false;
    return true;
}

/* 0 when dir (absolute, symbolic links resolved) and every folder above it
** are safe; else CLI_ERROR after saying which is not, and why. */
static int check_dir_safe(const char *dir)
{
    char *p = strdup(dir), why[160];
    if (p == NULL)
        return out_of_memory();
    bool bad = unsafe(dir, true, why, sizeof why);
    size_t len = strlen(p);
    while (!bad && len > 1) {         /* up one folder at a time, "/" last */
        while (len > 1 && p[len - 1] != '/')
            len--;
        len -= len > 1;
        p[len] = 0;
        bad = unsafe(p, false, why, sizeof why);
    }
    if (bad)
        fprintf(stderr, "weft: refusing the cache folder %s: %s%s%s; another user could put "
                "code there that weft would run (use a folder of yours that only you can "
                "write, or set WEFT_CACHE_DIR to one)\n", dir, strcmp(p, dir) ? p : "",
                strcmp(p, dir) ? ", which holds it: " : "", why);
    free(p);
    return bad ? CLI_ERROR : 0;
}

/* Find the cache folder, make it if missing, check it: 0, or CLI_ERROR
** after saying why it cannot be used. */
static int cache_open(struct cache *c)
{
    const char *env = getenv("WEFT_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    c->private = !(env && *env) && !(xdg && *xdg) && !(home && *home);
    char *path = env && *env ? strdup(env) : xdg && *xdg ? format("%s/weft", xdg)
               : home && *home ? format("%s/.cache/weft", home) : make_private_dir();
    if (path == NULL)
        return c->private ? CLI_ERROR : out_of_memory();
    make_dirs(path);
    c->dir = realpath(path, NULL);
    if (c->dir == NULL)
        fprintf(stderr, "weft: cannot make the cache folder %s: %s\n", path, strerror(errno));
    if (c->dir == NULL && c->private)
        rmdir(path);
    free(path);
    return c->dir == NULL ? CLI_ERROR : check_dir_safe(c->dir);
}

/* A private folder is emptied and removed; the folder's name freed. */
static void cache_close(struct cache *c)
{
    DIR *d = c->private && c->dir ? opendir(c->dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    if (d) {
        closedir(d);
        rmdir(c->dir);
    }
    free(c->dir);
    c->dir = NULL;
}

/* 1: the cached object so exists and is safe to load; 0: there is none;
** CLI_ERROR: there is one that must not be loaded (said why). Opened
** without following a symbolic link, checked on what was opened. */
static int cached_object(const char *so)
{
    struct stat st;
    int fd = open(so, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    const char *why = fd < 0 && errno == ELOOP ? "it is a symbolic link"
                    : fd < 0 || fstat(fd, &st) != 0 ? strerror(errno)
                    : !S_ISREG(st.st_mode) ? kind_of(st.st_mode) : NULL;
    if (why == NULL && st.st_uid != geteuid())
        why = "it belongs to another user";
    else if (why == NULL && (st.st_mode & (S_IWGRP | S_IWOTH)))
        why = "it is writable by group or others";
    if (fd >= 0)
        close(fd);
    if (why == NULL)
        return 1;
    fprintf(stderr, "weft: refusing the cached object %s: %s; remove it to rebuild it\n", so,
            why);
    return CLI_ERROR;
}

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
    FILE *f = open_regular(path);
    if (f == NULL)
        return -1;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        *h = fnv1a(*h, buf, n);
    int rc = ferror(f) ? -1 : 0;
    fclose(f);
    return rc;
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
    const char *env = getenv("WEFT_INCLUDE_DIR");
    const char *dirs[] = { env, WEFT_INCLUDEDIR, WEFT_SRCDIR "/sched" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *path = dirs[i] ? format("%s/weft.h", dirs[i]) : NULL;
        bool found = path && is_file(path);
        free(path);
        if (found)
            return dirs[i];
    }
    return WEFT_SRCDIR "/sched";
}

/* path as a compiler operand: "./" before a name that starts with '-' or
** '@', which cc would read as an option or an @response file (gcc has no
** "--" that ends its options). NULL without memory. */
static char *as_operand(const char *path)
{
    return path[0] == '-' || path[0] == '@' ? format("./%s", path) : strdup(path);
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

/* Instrumented scenarios call weft's free and realloc first: a freed
** block's accesses are forgotten (sync/tsan.c). Part of the cache key. */
#define WRAP_FREE "-Wl,--wrap=free", "-Wl,--wrap=realloc"
#define TEXT_OF(...) #__VA_ARGS__
#define EXPANDED_TEXT_OF(...) TEXT_OF(__VA_ARGS__)
#define LINK_FLAGS_TEXT EXPANDED_TEXT_OF(WRAP_FREE)

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
** Always with -g: a data race report names the lines of both accesses.
*/
static int compile(const char *cc, const char *inc, const char *src, const char *out,
                   enum cli_memory memory)
{
    char incflag[PATH_MAX + 3], obj[PATH_MAX + 3], *stack[2];   /* no path the compiler can open is cut */
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
    char *ld_argv[] = { (char *)cc, "-shared", WRAP_FREE, "-o", (char *)out, obj, NULL };
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
    FILE *f = depth > 8 ? NULL : open_regular(path);
    char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0) {
        const char *p = line + strspn(line, " \t"), *name;
        if (*p++ != '#')
            continue;
        p += strspn(p, " \t");
        if (strncmp(p, "include", 7) != 0)
            continue;
        p += 7 + strspn(p + 7, " \t");
        if (*p != '"' || (name = strchr(p + 1, '"')) == NULL)
            continue;
        const char *slash = strrchr(path, '/');
        char *inc = format("%.*s%.*s", slash ? (int)(slash - path + 1) : 0, path,
                           (int)(name - p - 1), p + 1);
        if (inc == NULL)
            continue;
        *h = fnv1a(*h, inc, strlen(inc));
        if (hash_file(inc, h) == 0)
            hash_local_includes(inc, h, depth + 1);
        free(inc);
    }
    free(line);
    if (f)
        fclose(f);
}

/* tmp made private to its user (the linker gave it the umask's mode) and
** renamed to so: a reader of the cache sees the old object or the whole
** new one, never a part of it. 0 or -1 (errno). */
static int publish(const char *tmp, const char *so)
{
    int fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int rc = fd < 0 || fchmod(fd, S_IRWXU) != 0 || rename(tmp, so) != 0 ? -1 : 0;
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Compile src into the cached object so. */
static int build_object(const char *cc, const char *inc, const char *src, const char *so,
                        enum cli_memory memory)
{
    char *operand = as_operand(src), *tmp = format("%s.%ld.tmp", so, (long)getpid());
    int rc = 0;
    if (operand == NULL || tmp == NULL)
        rc = out_of_memory();
    else if (compile(cc, inc, operand, tmp, memory) != 0) {
        fprintf(stderr, "weft: could not compile %s (with %s, -I%s)\n", src, cc, inc);
        rc = CLI_ERROR;
    } else if (publish(tmp, so) != 0) {
        fprintf(stderr, "weft: cannot write %s: %s\n", so, strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc && tmp)
        unlink(tmp);
    free(operand);
    free(tmp);
    return rc;
}

/* *so: the cached shared object for a .c file (malloc'd), compiled unless
** a safe one is there. */
static int shared_object_for(const char *src, enum cli_memory memory, struct cache *cache,
                             char **so)
{
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    const char *inc = include_dir();
    char *header = format("%s/weft.h", inc);
    uint64_t h = 0xcbf29ce484222325ULL;
    if (header == NULL)
        return out_of_memory();
    if (hash_file(src, &h) != 0) {
        fprintf(stderr, "weft: cannot read %s: %s\n", src, strerror(errno));
        free(header);
        return CLI_ERROR;
    }
    hash_file(header, &h);
    free(header);
    hash_local_includes(src, &h, 0);
    h = fnv1a(h, cc, strlen(cc));
    h = fnv1a(h, WEFT_VERSION_STRING, strlen(WEFT_VERSION_STRING));
    h = fnv1a(h, &memory, sizeof memory);
    h = fnv1a(h, LINK_FLAGS_TEXT, strlen(LINK_FLAGS_TEXT));
    for (size_t i = 0; i < 2; i++)    /* objects built without the stack flags are stale */
        h = fnv1a(h, stack_flags[i], strlen(stack_flags[i]));
    if (cache_open(cache) != 0)
        return CLI_ERROR;
    if ((*so = format("%s/%016llx.so", cache->dir, (unsigned long long)h)) == NULL)
        return out_of_memory();
    int cached = cached_object(*so);
    return cached == 1 ? 0 : cached == 0 ? build_object(cc, inc, src, *so, memory) : CLI_ERROR;
}

int cli_load_file(const char *path, enum cli_memory memory, int *from, int *to)
{
    char *so = NULL;
    struct cache cache = { 0 };
    int rc = check_regular(path);
    if (rc == 0 && cli_is_source(path))
        rc = shared_object_for(path, memory, &cache, &so);
    else if (rc == 0 && (so = format("%s%s", strchr(path, '/') ? "" : "./", path)) == NULL)
        rc = out_of_memory();
    *from = registry_count();
    if (rc == 0 && dlopen(so, RTLD_NOW | RTLD_LOCAL) == NULL) {
        fprintf(stderr, "weft: cannot load %s: %s\n", path, dlerror());
        rc = CLI_ERROR;
    }
    free(so);
    cache_close(&cache);
    *to = registry_count();
    if (rc == 0 && *to == *from) {
        fprintf(stderr, "weft: %s defines no scenario (WEFT_SCENARIO)\n", path);
        rc = CLI_ERROR;
    }
    return rc;
}

/* ==========================================================================
** Resolving arguments
** ========================================================================== */

struct targets { struct cli_target *v; int n, cap; };

/* Add s, named in a replay command as spelling (copied). */
static int add(struct targets *t, const struct weft_scenario *s, const char *spelling,
               bool all_memory)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 32;
        struct cli_target *v = cap > t->cap ? realloc(t->v, (size_t)cap * sizeof *v) : NULL;
        if (v == NULL)
            return out_of_memory();
        t->v = v;
        t->cap = cap;
    }
    char *copy = strdup(spelling);
    if (copy == NULL)
        return out_of_memory();
    t->v[t->n++] = (struct cli_target){ .scenario = s, .all_memory = all_memory,
                                        .spelling = copy };
    return 0;
}

void cli_targets_free(struct cli_target *t, int n)
{
    for (int i = 0; t && i < n; i++)
        free(t[i].spelling);
    free(t);
}

bool cli_is_source(const char *path)
{
    size_t len = strlen(path);
    return len > 2 && strcmp(path + len - 2, ".c") == 0;
}

char *cli_file_spelling(const char *path, const char *name)
{
    return format("%s%s %s", path[0] == '-' ? "./" : "", path, name);
}

static int add_file(struct targets *t, const char *path, enum cli_memory memory)
{
    int from, to;
    int rc = cli_load_file(path, memory, &from, &to);
    bool all = memory == CLI_MEMORY_ALL && cli_is_source(path);
    for (int i = from; i < to && rc == 0; i++) {
        char *spelling = cli_file_spelling(path, registry_get(i)->name);
        rc = spelling ? add(t, registry_get(i), spelling, all) : out_of_memory();
        free(spelling);
    }
    return rc;
}

static int is_source_entry(const struct dirent *e)
{
    return cli_is_source(e->d_name);
}

/* strcmp, not alphasort's strcoll: the order must not depend on the locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every .c file directly in dir, in name order; a folder without one is
** an error (a mistyped folder must not pass as "nothing failed"). */
static int add_dir(struct targets *t, const char *dir, enum cli_memory memory)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_source_entry, by_name), rc = 0;
    if (n < 0) {
        fprintf(stderr, "weft: cannot read folder %s: %s\n", dir, strerror(errno));
        return CLI_ERROR;
    }
    if (n == 0) {
        fprintf(stderr, "weft: folder %s has no scenario files (.c)\n", dir);
        rc = CLI_ERROR;
    }
    size_t dl = strlen(dir);
    for (int i = 0; i < n; i++) {
        char *path = format("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                            names[i]->d_name);
        if (rc == 0)
            rc = path ? add_file(t, path, memory) : out_of_memory();
        free(path);
        free(names[i]);
    }
    free(names);
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
