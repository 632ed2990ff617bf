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
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/registry.h"
#include "posix/posix.h"

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
FILE *cli_open_regular(const char *path)
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

/* Why the file at path, if there is one (*missing if not), must not be
** trusted, or NULL. Opened without following a symbolic link, checked on
** what was opened. */
static const char *distrust(const char *path, bool *missing)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    *missing = fd < 0 && errno == ENOENT;
    const char *why = fd < 0 && errno == ELOOP ? "it is a symbolic link"
                    : fd < 0 || fstat(fd, &st) != 0 ? strerror(errno)
                    : !S_ISREG(st.st_mode) ? kind_of(st.st_mode) : NULL;
    if (why == NULL && st.st_uid != geteuid())
        why = "it belongs to another user";
    else if (why == NULL && (st.st_mode & (S_IWGRP | S_IWOTH)))
        why = "it is writable by group or others";
    if (fd >= 0)
        close(fd);
    return why;
}

/* 1: the cached object so exists and is safe to load; 0: there is none;
** CLI_ERROR: there is one that must not be loaded (said why). */
static int cached_object(const char *so)
{
    bool missing;
    const char *why = distrust(so, &missing);
    if (missing)
        return 0;
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
    FILE *f = cli_open_regular(path);
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
/* A program's calls that weft answers itself, where a macro in its header
** would catch a member or a variable of the same name (posix/). */
#define WRAP_PROGRAM "-Wl,--wrap=__assert_fail", "-Wl,--wrap=sigaction", "-Wl,--wrap=signal", \
    "-Wl,--wrap=chdir", "-Wl,--wrap=fchdir", "-Wl,--wrap=umask", "-Wl,--wrap=setlocale", \
    "-Wl,--wrap=gettid", "-Wl,--wrap=syscall", "-Wl,--wrap=uselocale"
#define TEXT_OF(...) #__VA_ARGS__
#define EXPANDED_TEXT_OF(...) TEXT_OF(__VA_ARGS__)
#define LINK_FLAGS_TEXT EXPANDED_TEXT_OF(WRAP_FREE WRAP_PROGRAM)

/*
** Stack hardening for scenario files: -fstack-clash-protection makes a large
** frame touch each of its pages as it grows, so it meets the guard region
** below a fiber stack (core/fiber.h) instead of stepping over it into a
** neighbour's; -fstack-protector-strong catches a frame overrunning its own
** buffers. Each flag is used only if cc accepts it (asked once per
** compiler: probe); a flag cc lacks is replaced by a second "-g", which
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
static void stack_flags_for(const char *cc, const char *out[2])
{
    bool both = cc_accepts(cc, stack_flags[0], stack_flags[1]);
    for (int i = 0; i < 2; i++)
        out[i] = both || cc_accepts(cc, stack_flags[i], NULL) ? stack_flags[i] : "-g";
}

/* A growing argument vector for cc (the strings are not copied). */
struct argv_buf { char **v; int n, cap; bool oom; };

static void push(struct argv_buf *a, const char *word)
{
    if (a->n + 2 > a->cap) {
        int cap = a->cap ? 2 * a->cap : 32;
        char **v = realloc(a->v, (size_t)cap * sizeof *v);
        if (v == NULL) {
            a->oom = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = (char *)word;
    a->v[a->n] = NULL;
}

/* What every compile of one load shares. */
struct build {
    const char *cc, *inc;
    enum cli_memory memory;
    char **cflags;                    /* --cflags split at blanks, NULL-terminated */
    bool program;                     /* with weft_pthread.h in front */
    const struct probed *probed;      /* NULL: not asked yet (build_object asks) */
    const char *dir;                  /* the cache folder, which keeps what every
                                      ** build shares; NULL: nothing is kept */
    bool entry;                       /* the program's entry: no header in front */
};

/* -l, -L and -Wl, words of --cflags go to the link, the others to cc -c. */
static bool link_flag(const char *f)
{
    return strncmp(f, "-l", 2) == 0 || strncmp(f, "-L", 2) == 0 || strncmp(f, "-Wl,", 4) == 0;
}

/* What every compile passes, whatever the memory mode and kind. */
static const char *const compile_flags[] = { "-g", "-O1", "-fPIC", "-Wall" };

/*
** Comparisons are part of a loop turn (sync/compare.c): a loop that counts
** its failed polls in a local is not spinning. gcc takes trace-cmp alone;
** clang ignores it without a coverage kind, so it gets the cheapest (a
** flag per function, whose hook does nothing). A compiler that takes
** neither compiles without, and weft says what that loses.
*/
static const char *const compare_flags[] = {
    "-fsanitize-coverage=func,inline-bool-flag,trace-cmp", "-fsanitize-coverage=trace-cmp",
};

/* What the compiler takes, asked of it or kept from the last time. */
struct probed {
    const char *stack[2], *compare;
    char *kept;                       /* the file the answers are kept in, or NULL */
};

static const char *compare_flag_for(const char *cc)
{
    for (size_t i = 0; i < sizeof compare_flags / sizeof *compare_flags; i++)
        if (cc_accepts(cc, compare_flags[i], NULL))
            return compare_flags[i];
    return "-g";
}

/* Said by whoever compiles, once a load. */
static void warn_without_compare(const char *cc, const struct probed *p)
{
    if (strcmp(p->compare, "-g") == 0)
        fprintf(stderr, "weft: %s takes no -fsanitize-coverage=trace-cmp: loops that count "
                "their retries in locals look alike to the fairness rule (README, Limits)\n",
                cc);
}

/* cc's executable as execvp finds it, links resolved (malloc'd), or NULL. */
static char *find_executable(const char *cc)
{
    if (strchr(cc, '/'))
        return realpath(cc, NULL);
    const char *path = getenv("PATH");
    char *found = NULL;
    for (const char *p = path && *path ? path : "/usr/bin:/bin"; !found && *p;) {
        size_t len = strcspn(p, ":");
        char *candidate = format("%.*s/%s", (int)len, len ? p : ".", cc);
        if (candidate && access(candidate, X_OK) == 0)
            found = realpath(candidate, NULL);
        free(candidate);
        p += len + (p[len] == ':');
    }
    return found;
}

/*
** The answers are kept in the cache folder under the compiler's identity:
** its executable's place, inode, size and times, and weft's version.
** Asking runs cc three times, which costs a small file's first compile as
** much as the compile itself, so only a new or changed compiler is asked
** (and a compile that fails on kept answers asks again: build_object).
** NULL when cc cannot be found: it is asked every time.
*/
static char *probe_file(const char *dir, const char *cc)
{
    char *found = find_executable(cc), *file = NULL;
    struct stat st;
    if (found && stat(found, &st) == 0) {
        const long times[] = { (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                               (long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec };
        uint64_t h = fnv1a(0xcbf29ce484222325ULL, found, strlen(found) + 1);
        h = fnv1a(h, &st.st_dev, sizeof st.st_dev);
        h = fnv1a(h, &st.st_ino, sizeof st.st_ino);
        h = fnv1a(h, &st.st_size, sizeof st.st_size);
        h = fnv1a(h, times, sizeof times);
        h = fnv1a(h, WEFT_VERSION_STRING, strlen(WEFT_VERSION_STRING));
        file = format("%s/cc-%016llx.probe", dir, (unsigned long long)h);
    }
    free(found);
    return file;
}

#define NCOMPARE ((int)(sizeof compare_flags / sizeof *compare_flags))

/* The kept answers, "weft-probe S0 S1 C": 1 or 0 for each stack flag, the
** compare flag's index (NCOMPARE: none). Anything else is not an answer. */
static bool read_probed(const char *file, struct probed *p)
{
    bool missing;
    if (distrust(file, &missing) != NULL)   /* asked again, and replaced */
        return false;
    FILE *f = fopen(file, "re");
    char text[64] = "";
    size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[len] = 0;
    int s0, s1, c, end = -1;
    if (sscanf(text, "weft-probe %d %d %d\n%n", &s0, &s1, &c, &end) != 3 || end != (int)len ||
        (s0 | s1) & ~1 || c < 0 || c > NCOMPARE)
        return false;
    p->stack[0] = s0 ? stack_flags[0] : "-g";
    p->stack[1] = s1 ? stack_flags[1] : "-g";
    p->compare = c < NCOMPARE ? compare_flags[c] : "-g";
    return true;
}

/* Written whole or not at all (a temporary file renamed), mode 0600. */
static void write_probed(const char *file, const struct probed *p)
{
    int c = 0;
    while (c < NCOMPARE && p->compare != compare_flags[c])
        c++;
    char *tmp = format("%s.%ld.tmp", file, (long)getpid());
    int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f && fprintf(f, "weft-probe %d %d %d\n", p->stack[0] == stack_flags[0],
                           p->stack[1] == stack_flags[1], c) > 0;
    if (f)
        ok = fclose(f) == 0 && ok;
    else if (fd >= 0)
        close(fd);
    if (fd >= 0 && !(ok && rename(tmp, file) == 0))
        unlink(tmp);
    free(tmp);
}

/* The answers for cc, kept in the cache folder dir (NULL: none). */
static void probe(const char *cc, const char *dir, struct probed *p)
{
    p->kept = dir ? probe_file(dir, cc) : NULL;
    if (p->kept && read_probed(p->kept, p))
        return;
    stack_flags_for(cc, p->stack);
    p->compare = compare_flag_for(cc);
    if (p->kept)
        write_probed(p->kept, p);
}

/* The compiler: $CC, else cc. */
static const char *compiler(void)
{
    const char *cc = getenv("CC");
    return cc && *cc ? cc : "cc";
}

/* cc -c -o obj src, as b says; or, linked, cc -shared -o obj src (a plain scenario
** file: one run of the compiler's driver, not two). */
static int compile_one(const struct build *b, const char *src, const char *obj, bool linked)
{
    char incflag[PATH_MAX + 3], header[PATH_MAX + 20];
    struct program_features features;
    snprintf(incflag, sizeof incflag, "-I%s", b->inc);
    snprintf(header, sizeof header, "%s/weft_pthread.h", b->inc);
    struct argv_buf a = { 0 };
    push(&a, b->cc);
    push(&a, b->program ? "-std=gnu11" : "-std=c11");
    for (size_t i = 0; i < sizeof compile_flags / sizeof *compile_flags; i++)
        push(&a, compile_flags[i]);
    if (b->memory != CLI_MEMORY_OFF)
        push(&a, "-fsanitize=thread");
    push(&a, b->probed->compare);
    push(&a, b->probed->stack[0]);
    push(&a, b->probed->stack[1]);
    push(&a, incflag);
    if (b->program) {                 /* its globals never meet weft's, its printf stays printf */
        push(&a, "-fvisibility=hidden");
        /* Thread-locals reached through the thread vector, never at a fixed
        ** offset from the thread pointer: weft gives each thread its own
        ** block by changing the vector (posix/tls.c). aarch64's default
        ** dialect, TLS descriptors, may fix the offset at load. */
        push(&a, "-ftls-model=global-dynamic");
#if defined(__aarch64__)
        push(&a, "-mtls-dialect=trad");
#endif
        push(&a, "-U_FORTIFY_SOURCE");
    }
    if (b->program && !b->entry) {
        program_features(src, b->cflags, &features);
        for (int i = 0; i < features.n; i++)
            push(&a, features.define[i]);
        push(&a, "-include");
        push(&a, header);
    }
    for (char **f = b->cflags; f && *f; f++)
        if (!link_flag(*f))
            push(&a, *f);
    push(&a, linked ? "-shared" : "-c");
    push(&a, "-o");
    push(&a, obj);
    push(&a, src);
    for (char **f = b->cflags; linked && f && *f; f++)
        if (link_flag(*f))
            push(&a, *f);
    int rc = a.oom ? -1 : run(a.v);
    free(a.v);
    return rc;
}

/* A program's main is renamed (weft_pthread.h) and hidden like the rest:
** this source, linked in, hands it to weft by a visible symbol; and the
** address of a thread-local variable of the program's module, with which
** weft checks it can give each thread its own (posix/tls.c).
** The probe is aligned to 64 bytes, which aligns the module's TLS block:
** AddressSanitizer's leak check (GCC 12's) takes a dynamic TLS block
** whose address is 16 past a page boundary for an old glibc's, reads a
** bogus range from the bytes before it and crashes at exit ("Tracer
** caught signal 11"); a 64-byte aligned block is never there. */
static const char entry_source[] =
    "extern int weft_program_main_();\n"
    "__attribute__((visibility(\"default\"))) int (*weft_program_entry_)() = "
    "weft_program_main_;\n"
    "static __thread char weft_tls_probe_ __attribute__((aligned(64)));\n"
    "__attribute__((visibility(\"default\"))) void *weft_program_tls_probe_(void) "
    "{ return &weft_tls_probe_; }\n";


/* The entry, and how the program was compiled (weft cc's object says so
** to weft run). */
static int write_entry(const char *path, enum cli_memory memory)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(entry_source, f);
    fprintf(f, "__attribute__((visibility(\"default\"))) const int weft_program_memory_ = %d;\n",
            (int)memory);
    return fclose(f) == 0 ? 0 : -1;
}

/* cc -shared objs -o out. A program's data is restored by copying it back
** before each execution: -z now and no RELRO keep its GOT resolved once and
** writable, so the copy puts back the same addresses. */
static int link_objects(const struct build *b, char **objs, int n, const char *out)
{
    struct argv_buf a = { 0 };
    push(&a, b->cc);
    push(&a, "-shared");
    if (b->memory != CLI_MEMORY_OFF) {
        push(&a, "-Wl,--wrap=free");
        push(&a, "-Wl,--wrap=realloc");
    }
    if (b->program) {
        push(&a, "-Wl,-z,now");
        push(&a, "-Wl,-z,norelro");
        static const char *const wraps[] = { WRAP_PROGRAM };
        for (size_t i = 0; i < sizeof wraps / sizeof *wraps; i++)
            push(&a, wraps[i]);
    }
    push(&a, "-o");
    push(&a, out);
    for (int i = 0; i < n; i++)
        push(&a, objs[i]);
    for (char **f = b->cflags; f && *f; f++)
        if (link_flag(*f))
            push(&a, *f);
    int rc = a.oom ? -1 : run(a.v);
    free(a.v);
    return rc;
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

/* entry's source compiled into obj as b says (no header in front, no
** instrumentation). 0 or -1. */
static int compile_entry(const struct build *b, const char *src, const char *obj)
{
    struct build plain = { .cc = b->cc, .inc = b->inc, .memory = CLI_MEMORY_OFF,
                           .program = true, .probed = b->probed, .entry = true };
    int rc = write_entry(src, b->memory) == 0 && compile_one(&plain, src, obj, false) == 0 ? 0 : -1;
    unlink(src);
    return rc;
}

/*
** The program entry's object for b, in *obj (malloc'd). Every program's is
** the same for one compiler and memory mode, so with a cache folder it is
** compiled once into it (*kept) and published as the objects are; else
** beside out, for this link alone.
*/
static int entry_object(const struct build *b, const char *out, char **obj, bool *kept)
{
    *kept = b->dir && b->probed->kept;
    if (!*kept) {
        char *src = format("%s.entry.c", out);
        *obj = format("%s.entry.o", out);
        int rc = src && *obj ? compile_entry(b, src, *obj) : -1;
        free(src);
        return rc;
    }
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, entry_source, sizeof entry_source);
    h = fnv1a(h, b->probed->kept, strlen(b->probed->kept));   /* the compiler, weft's version */
    h = fnv1a(h, &b->memory, sizeof b->memory);
    *obj = format("%s/entry-%016llx.o", b->dir, (unsigned long long)h);
    if (*obj == NULL)
        return -1;
    bool missing;
    if (distrust(*obj, &missing) == NULL)
        return 0;                     /* else (re)made, and renamed over what was there */
    char *src = format("%s.%ld.c", *obj, (long)getpid()), *tmp = format("%s.%ld", *obj, (long)getpid());
    int rc = src && tmp && compile_entry(b, src, tmp) == 0 && publish(tmp, *obj) == 0 ? 0 : -1;
    if (rc != 0 && tmp)
        unlink(tmp);
    free(src);
    free(tmp);
    return rc;
}

/*
** Compile srcs into the shared object out. With --memory=atomics or all the
** compiler instruments them for ThreadSanitizer, whose hooks weft itself
** provides (sync/tsan.c): compiled alone, then linked without libtsan.
** Always with -g: a data race report names the lines of both accesses.
*/
static int compile(const struct build *b, char *const *srcs, int n, const char *out)
{
    if (n == 1 && !b->program && b->memory == CLI_MEMORY_OFF)
        return compile_one(b, srcs[0], out, true);   /* nothing to wrap, no entry */
    char **objs = calloc((size_t)n + 1, sizeof *objs);
    int made = 0, rc = objs == NULL ? -1 : 0;
    for (; rc == 0 && made < n; made++)
        if ((objs[made] = format("%s.%d.o", out, made)) == NULL ||
            compile_one(b, srcs[made], objs[made], false) != 0)
            rc = -1;
    char *entry = NULL;
    bool kept = false;
    if (rc == 0 && b->program)
        rc = entry_object(b, out, &entry, &kept);
    if (rc == 0)
        objs[made] = entry;
    if (rc == 0)
        rc = link_objects(b, objs, made + (entry != NULL), out);
    for (int i = 0; i < made; i++)
        if (objs[i]) {
            unlink(objs[i]);
            free(objs[i]);
        }
    if (entry && !kept)
        unlink(entry);
    free(entry);
    free(objs);
    return rc;
}

/*
** Hash the files that path includes with #include "..." (found beside the
** including file), and theirs, so that editing a scenario's own header
** recompiles it. System headers (<...>) are assumed not to change.
*/
static void hash_local_includes(const char *path, uint64_t *h, int depth)
{
    FILE *f = depth > 8 ? NULL : cli_open_regular(path);
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

int cli_source_hash(const char *path, uint64_t *h)
{
    *h = 0xcbf29ce484222325ULL;
    if (hash_file(path, h) != 0)
        return -1;
    hash_local_includes(path, h, 0);
    return 0;
}

/* compile, as b says. If that fails on kept answers, cc is asked again: one
** changed in place, or behind a wrapper whose identity is the one kept,
** may answer otherwise now, and then it compiles again with the new ones. */
static int compile_asked(struct build *b, char *const *operands, int n, const char *out)
{
    if (compile(b, operands, n, out) == 0)
        return 0;
    struct probed now;
    if (b->probed->kept == NULL)
        return -1;
    probe(b->cc, NULL, &now);
    if (now.stack[0] == b->probed->stack[0] && now.stack[1] == b->probed->stack[1] &&
        now.compare == b->probed->compare)
        return -1;                    /* the source's own error, said by cc */
    write_probed(b->probed->kept, &now);
    fprintf(stderr, "weft: %s now takes other flags than it did (its errors above); compiling "
            "again\n", b->cc);
    const struct probed *kept = b->probed;
    b->probed = &now;
    int rc = compile(b, operands, n, out);
    b->probed = kept;
    return rc;
}

/* Compile srcs into so: the cached object, or weft cc's output. */
static int build_object(const struct build *b, const char *const *srcs, int n, const char *so)
{
    struct probed asked = { .kept = NULL };
    struct build with = *b;
    if (with.probed == NULL) {
        probe(with.cc, with.dir, &asked);
        warn_without_compare(with.cc, &asked);
        with.probed = &asked;
    }
    char **operands = calloc((size_t)n, sizeof *operands);
    char *tmp = format("%s.%ld.tmp", so, (long)getpid());
    int rc = operands == NULL || tmp == NULL ? out_of_memory() : 0;
    for (int i = 0; rc == 0 && i < n; i++)
        if ((operands[i] = as_operand(srcs[i])) == NULL)
            rc = out_of_memory();
    if (rc == 0 && compile_asked(&with, operands, n, tmp) != 0) {
        fprintf(stderr, "weft: could not compile %s%s (with %s, -I%s)\n", srcs[0],
                n > 1 ? " and the other sources" : "", b->cc, b->inc);
        rc = CLI_ERROR;
    } else if (rc == 0 && publish(tmp, so) != 0) {
        fprintf(stderr, "weft: cannot write %s: %s\n", so, strerror(errno));
        rc = CLI_ERROR;
    }
    if (rc && tmp)
        unlink(tmp);
    for (int i = 0; operands && i < n; i++)
        free(operands[i]);
    free(operands);
    free(tmp);
    free(asked.kept);
    return rc;
}

const char *cli_cflags(const struct cli_opts *o)
{
    return o && o->cflags ? o->cflags : getenv("WEFT_CFLAGS");
}

/* cli_cflags split at blanks: a NULL-terminated vector whose words live in
** one block after it; NULL when there are none. */
static char **split_cflags(const struct cli_opts *o, bool *oom)
{
    const char *text = cli_cflags(o);
    size_t len = text ? strlen(text) : 0, words = 0;
    *oom = false;
    for (size_t i = 0; i < len; i++)
        words += !strchr(" \t\n", text[i]) && (i == 0 || strchr(" \t\n", text[i - 1]));
    if (words == 0)
        return NULL;
    char **v = malloc((words + 1) * sizeof *v + len + 1);
    if (v == NULL) {
        *oom = true;
        return NULL;
    }
    char *copy = memcpy((char *)(v + words + 1), text, len + 1);
    size_t k = 0;
    for (char *w = strtok(copy, " \t\n"); w; w = strtok(NULL, " \t\n"))
        v[k++] = w;
    v[k] = NULL;
    return v;
}

/* The cache key of srcs built as b says. */
static int cache_key(const struct build *b, const char *const *srcs, int n, uint64_t *h)
{
    const char *headers[] = { "weft.h", "weft_pthread.h" };
    *h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        if (hash_file(srcs[i], h) != 0) {
            fprintf(stderr, "weft: cannot read %s: %s\n", srcs[i], strerror(errno));
            return CLI_ERROR;
        }
        hash_local_includes(srcs[i], h, 0);
        /* The file's own place too: a byte-identical copy elsewhere must be
        ** an object of its own, since dlopen of an object already loaded
        ** registers nothing (the copy would "define no scenario"). */
        char *where = realpath(srcs[i], NULL);
        if (where)
            *h = fnv1a(*h, where, strlen(where) + 1);
        free(where);
    }
    for (int i = 0; i < (b->program ? 2 : 1); i++) {
        char *header = format("%s/%s", b->inc, headers[i]);
        if (header == NULL)
            return out_of_memory();
        hash_file(header, h);
        free(header);
    }
    *h = fnv1a(*h, b->cc, strlen(b->cc));
    *h = fnv1a(*h, WEFT_VERSION_STRING, strlen(WEFT_VERSION_STRING));
    *h = fnv1a(*h, &b->memory, sizeof b->memory);
    *h = fnv1a(*h, &b->program, sizeof b->program);
    *h = fnv1a(*h, LINK_FLAGS_TEXT, strlen(LINK_FLAGS_TEXT));
    if (b->program)                   /* objects built with another entry are stale */
        *h = fnv1a(*h, entry_source, sizeof entry_source);
    for (char **f = b->cflags; f && *f; f++)
        *h = fnv1a(*h, *f, strlen(*f) + 1);
    for (size_t i = 0; i < sizeof compile_flags / sizeof *compile_flags; i++)
        *h = fnv1a(*h, compile_flags[i], strlen(compile_flags[i]) + 1);
    for (size_t i = 0; i < sizeof compare_flags / sizeof *compare_flags; i++)
        *h = fnv1a(*h, compare_flags[i], strlen(compare_flags[i]) + 1);
    for (size_t i = 0; i < 2; i++)    /* objects built without the stack flags are stale */
        *h = fnv1a(*h, stack_flags[i], strlen(stack_flags[i]));
    return 0;
}

/* *so: where the cached shared object for .c files is (malloc'd), and *b
** how it is built (b->cflags malloc'd). 1: a safe one is there; 0: none
** is; CLI_ERROR (said why). */
static int find_object(const char *const *srcs, int n, const struct cli_opts *o, bool program,
                       struct cache *cache, struct build *b, char **so)
{
    bool oom;
    *b = (struct build){ .cc = compiler(), .inc = include_dir(),
                         .memory = cli_memory_for(o, srcs[0]), .cflags = split_cflags(o, &oom),
                         .program = program };
    uint64_t h;
    int rc = oom ? out_of_memory() : cache_key(b, srcs, n, &h);
    if (rc == 0 && cache_open(cache) != 0)
        rc = CLI_ERROR;
    if (rc == 0 && (*so = format("%s/%016llx.so", cache->dir, (unsigned long long)h)) == NULL)
        rc = out_of_memory();
    b->dir = cache->dir;
    return rc ? rc : cached_object(*so);
}

/* *so: the cached shared object for .c files (malloc'd), compiled unless
** a safe one is there. */
static int shared_object_for(const char *const *srcs, int n, const struct cli_opts *o,
                             bool program, struct cache *cache, char **so)
{
    struct build b;
    int cached = find_object(srcs, n, o, program, cache, &b, so);
    int rc = cached == 1 ? 0 : cached == 0 ? build_object(&b, srcs, n, *so) : CLI_ERROR;
    free(b.cflags);
    return rc;
}

static bool memory_as_built(void *handle, const char *path, const struct cli_opts *o);
static int register_program(void *handle, const char *const *srcs, const struct cli_opts *o);
static void disarm_destructors(void *handle);

int cli_load_file(const char *path, const struct cli_opts *o, int *from, int *to)
{
    char *so = NULL;
    struct cache cache = { 0 };
    int rc = check_regular(path);
    if (rc == 0 && cli_is_program(path))
        return cli_load_program(&path, 1, o, from, to);
    if (rc == 0 && cli_is_source(path))
        rc = shared_object_for(&path, 1, o, false, &cache, &so);
    else if (rc == 0 && (so = format("%s%s", strchr(path, '/') ? "" : "./", path)) == NULL)
        rc = out_of_memory();
    if (rc == 0 && registry_object(so, from, to)) {   /* dlopen would run no constructor */
        free(so);
        cache_close(&cache);
        return 0;
    }
    *from = registry_count();
    void *handle = rc == 0 ? dlopen(so, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (rc == 0 && handle == NULL) {
        fprintf(stderr, "weft: cannot load %s: %s\n", path, dlerror());
        rc = CLI_ERROR;
    }
    if (handle)
        disarm_destructors(handle);
    if (handle && dlsym(handle, "weft_program_entry_"))   /* weft cc's */
        rc = memory_as_built(handle, path, o) ? register_program(handle, &path, o) : CLI_ERROR;
    *to = registry_count();
    if (rc == 0 && *to > *from)
        registry_remember_object(so, *from, *to);
    free(so);
    cache_close(&cache);
    if (rc == 0 && *to == *from) {
        fprintf(stderr, "weft: %s defines no scenario (WEFT_SCENARIO)\n", path);
        rc = CLI_ERROR;
    }
    return rc;
}

/* ==========================================================================
** Programs: sources with a main and no WEFT_SCENARIO
** ========================================================================== */

/* How a program object weft cc built at path (loaded) was compiled, or -1
** when path is no such object. */
static int built_memory(const char *path)
{
    size_t len = strlen(path);
    if (len < 3 || strcmp(path + len - 3, ".so") != 0)
        return -1;
    char *so = format("%s%s", strchr(path, '/') ? "" : "./", path);
    void *handle = so ? dlopen(so, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD) : NULL;
    const int *memory = handle ? dlsym(handle, "weft_program_memory_") : NULL;
    int m = memory ? *memory : -1;
    if (handle)
        dlclose(handle);              /* NOLOAD took a reference of its own */
    free(so);
    return m;
}

enum cli_memory cli_memory_for(const struct cli_opts *o, const char *path)
{
    enum cli_memory m = o ? o->memory : CLI_MEMORY_OFF;
    int built = o && !o->memory_given ? built_memory(path) : -1;
    if (built >= 0)
        return (enum cli_memory)built;
    return o && !o->memory_given && cli_is_program(path) ? CLI_MEMORY_ATOMICS : m;
}

bool cli_is_program_object(const char *path)
{
    return built_memory(path) >= 0;
}

/* What a .c file is: a scenario file (a WEFT_SCENARIO anywhere), else a
** program source, with a main (a word "main" before "(") or without one. */
enum source_kind { NOT_SOURCE, SCENARIO_FILE, PROGRAM_MAIN, PROGRAM_PART };

static enum source_kind source_kind(const char *path)
{
    FILE *f = cli_is_source(path) ? cli_open_regular(path) : NULL;
    char *line = NULL;
    size_t cap = 0;
    bool main_seen = false, scenario = false;
    while (f && !scenario && getline(&line, &cap, f) > 0) {
        scenario = strstr(line, "WEFT_SCENARIO") != NULL;
        for (const char *m = line; !main_seen && (m = strstr(m, "main")) != NULL; m += 4) {
            const char *after = m + 4 + strspn(m + 4, " \t");
            bool word = (m == line || !(m[-1] == '_' || isalnum((unsigned char)m[-1])));
            main_seen = word && *after == '(';
        }
    }
    free(line);
    if (f == NULL)
        return NOT_SOURCE;
    fclose(f);
    return scenario ? SCENARIO_FILE : main_seen ? PROGRAM_MAIN : PROGRAM_PART;
}

bool cli_is_program(const char *path)
{
    return source_kind(path) == PROGRAM_MAIN;
}

bool cli_is_program_part(const char *path)
{
    enum source_kind k = source_kind(path);
    return k == PROGRAM_MAIN || k == PROGRAM_PART;
}

/* "prog" for "dir/prog.c" (malloc'd). */
static char *program_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t len = strlen(base);
    static const char *const suffixes[] = { ".c", ".weft.so", ".so" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && strcmp(base + len - n, suffixes[i]) == 0)
            return strndup(base, len - n);
    }
    return strdup(base);
}

/* The registered program, with its main, arguments and data copied; NULL
** after saying why. Never freed: it is registered for the process's life. */
static struct posix_program *program_from(void *handle, const char *const *srcs,
                                          const struct cli_opts *o)
{
    int (**entry)(int, char **) = dlsym(handle, "weft_program_entry_");
    int nargs = o ? o->nprog_args : 0;
    struct posix_program *p = calloc(1, sizeof *p);
    char **argv = calloc((size_t)nargs + 2, sizeof *argv);
    char *name = program_name(srcs[0]);
    char *first = strdup(srcs[0]);    /* srcs may be freed (a folder's files) */
    if (entry == NULL || p == NULL || argv == NULL || name == NULL || first == NULL) {
        fprintf(stderr, entry ? "weft: out of memory\n" : "weft: %s: no main found\n", srcs[0]);
        free(p);
        free(argv);
        free(name);
        free(first);
        return NULL;
    }
    posix_program_init(p, name, first);
    p->main = *entry;
    p->argc = nargs + 1;
    p->argv = argv;
    argv[0] = first;
    for (int i = 0; i < nargs; i++)
        argv[i + 1] = (char *)o->prog_args[i];
    p->ignore_exit_status = o && o->ignore_exit_status;
    p->scenario.spurious_wakeups = o && o->spurious_wakeups;
    if (posix_program_snapshot(p, handle, srcs[0]) != 0 ||
        posix_tls_find(p, handle, srcs[0]) != 0) {
        posix_program_release(p);
        free(name);
        free(first);
        free(argv);
        free(p);
        return NULL;
    }
    return p;
}

static const char *const memory_names[] = { "off", "atomics", "all" };

/* Can a program weft cc built run with the --memory asked for? Atomics
** and all need the instrumented build, off the plain one. */
static bool memory_as_built(void *handle, const char *path, const struct cli_opts *o)
{
    const int *built = dlsym(handle, "weft_program_memory_");
    if (built == NULL || *built < 0 || *built > CLI_MEMORY_ALL || o == NULL ||
        !o->memory_given || (o->memory == CLI_MEMORY_OFF) == (*built == CLI_MEMORY_OFF))
        return true;
    fprintf(stderr, "weft: %s was built with --memory=%s; to run it with --memory=%s, "
            "build it again with 'weft cc --memory=%s'\n", path, memory_names[*built],
            memory_names[o->memory], memory_names[o->memory]);
    return false;
}

/*
** A loaded object's destructors (its .fini_array) never run. weft's process
** ends with the object still loaded, in whatever state its last execution
** left (a program's data is restored before an execution, not after), and
** the C library would run them then: a destructor that checks an
** end-of-process invariant aborted weft after its summary, exit status
** 134 for a pass. Each entry is pointed at a function that does nothing.
** The array is in the object's read-only-after-relocation part, or not:
** its pages are made writable for the change and then read-only again only
** if the pages the loader protected cover them (PT_GNU_RELRO, its end
** rounded down to a page, as glibc protects it: the last part page holds
** writable data). Handlers the object's constructors gave atexit still run.
*/
static void no_destructor(void) {}

struct fini_span {
    const struct link_map *lm;
    uintptr_t from, to;               /* the array's pages */
    uintptr_t page;
    bool relro;                       /* all inside the pages PT_GNU_RELRO protects */
};

static int find_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct fini_span *f = arg;
    if (info->dlpi_addr != f->lm->l_addr || strcmp(info->dlpi_name, f->lm->l_name) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(f->page - 1);
        uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(f->page - 1);
        if (ph->p_type == PT_GNU_RELRO && f->from >= start && f->to <= end)
            f->relro = true;
    }
    return 1;
}

static void disarm_destructors(void *handle)
{
    struct link_map *lm = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL || lm->l_ld == NULL)
        return;
    uintptr_t array = 0;
    size_t bytes = 0;
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_FINI_ARRAY)
            array = lm->l_addr + d->d_un.d_ptr;      /* (the loader leaves it unrelocated) */
        else if (d->d_tag == DT_FINI_ARRAYSZ)
            bytes = d->d_un.d_val;
    }
    if (array == 0 || bytes == 0)
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = array & ~(page - 1), last = (array + bytes + page - 1) & ~(page - 1);
    struct fini_span f = { lm, first, last, page, false };
    dl_iterate_phdr(find_relro, &f);
    size_t len = last - first;
    if (mprotect((void *)first, len, PROT_READ | PROT_WRITE) != 0)
        return;                       /* left armed: nothing worse than before */
    void (**entry)(void) = (void (**)(void))array;
    for (size_t i = 0; i < bytes / sizeof *entry; i++)
        entry[i] = no_destructor;
    if (f.relro)
        mprotect((void *)first, len, PROT_READ);
}

/* The program loaded as handle, made of srcs, registered: 0 or CLI_ERROR. */
static int register_program(void *handle, const char *const *srcs, const struct cli_opts *o)
{
    struct posix_program *p = program_from(handle, srcs, o);
    if (p == NULL)
        return CLI_ERROR;
    weft_register(&p->scenario);
    return 0;
}

int cli_load_program(const char *const *srcs, int n, const struct cli_opts *o, int *from,
                     int *to)
{
    char *so = NULL;
    struct cache cache = { 0 };
    void *handle = NULL;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = check_regular(srcs[i]);
    if (rc == 0)
        rc = shared_object_for(srcs, n, o, true, &cache, &so);
    *from = registry_count();
    if (rc == 0 && (handle = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        fprintf(stderr, "weft: cannot load %s: %s\n", srcs[0], dlerror());
        rc = CLI_ERROR;
    }
    if (handle)
        disarm_destructors(handle);
    free(so);
    cache_close(&cache);
    if (rc == 0)
        rc = register_program(handle, srcs, o);
    *to = registry_count();
    return rc;
}

/* ==========================================================================
** Resolving arguments
** ========================================================================== */

struct targets { struct cli_target *v; int n, cap; };

/* Add s, named in a replay command as spelling (copied), from the file
** group (copied; NULL: a built-in scenario). */
static int add(struct targets *t, const struct weft_scenario *s, const char *spelling,
               const char *group, bool all_memory)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 32;
        struct cli_target *v = cap > t->cap ? realloc(t->v, (size_t)cap * sizeof *v) : NULL;
        if (v == NULL)
            return out_of_memory();
        t->v = v;
        t->cap = cap;
    }
    char *copy = strdup(spelling), *in = group ? strdup(group) : NULL;
    if (copy == NULL || (group && in == NULL)) {
        free(copy);
        return out_of_memory();
    }
    t->v[t->n++] = (struct cli_target){ .scenario = s, .all_memory = all_memory,
                                        .spelling = copy, .group = in };
    return 0;
}

void cli_targets_free(struct cli_target *t, int n)
{
    for (int i = 0; t && i < n; i++) {
        free(t[i].spelling);
        free(t[i].group);
    }
    free(t);
}

bool cli_is_source(const char *path)
{
    size_t len = strlen(path);
    return len > 2 && strcmp(path + len - 2, ".c") == 0;
}

/* path as one shell word that no command reads as an option. */
static char *path_word(const char *path)
{
    char *dotted = format("%s%s", path[0] == '-' ? "./" : "", path);
    char *word = dotted ? cli_shell_word(dotted) : NULL;
    free(dotted);
    return word;
}

char *cli_file_spelling(const char *path, const char *name)
{
    char *p = path_word(path), *n = cli_shell_word(name);
    char *spelling = p && n ? format("%s %s", p, n) : NULL;
    free(p);
    free(n);
    return spelling;
}

/* Add scenario i of the registry, defined in the file path. */
static int add_from_file(struct targets *t, const char *path, int i, bool all)
{
    char *spelling = cli_file_spelling(path, registry_get(i)->name);
    int rc = spelling ? add(t, registry_get(i), spelling, path, all) : out_of_memory();
    free(spelling);
    return rc;
}

/* Is word a name that may choose a scenario of the file before it (not
** a path, not a folder)? */
static bool names_no_path(const char *word)
{
    struct stat st;
    return stat(word, &st) != 0;
}

/* The file args[*i] and the names after it that it defines: those
** scenarios alone (`weft run my.c a b`), or every one when no name follows.
** *i moves past the names taken. */
static int add_file(struct targets *t, const char *const *args, int nargs, int *i,
                    const struct cli_opts *o)
{
    const char *path = args[*i];
    int from, to, chosen = 0;
    int rc = cli_load_file(path, o, &from, &to);
    bool all = (cli_is_source(path) || cli_is_program_object(path)) &&
               cli_memory_for(o, path) == CLI_MEMORY_ALL;
    while (rc == 0 && *i + 1 < nargs && names_no_path(args[*i + 1])) {
        const struct weft_scenario *s = registry_find(args[*i + 1], from, to);
        if (s == NULL)
            break;                    /* a built-in scenario, or a mistake: said later */
        for (int k = from; k < to; k++)
            if (registry_get(k) == s)
                rc = add_from_file(t, path, k, all);
        (*i)++;
        chosen++;
    }
    for (int k = from; k < to && rc == 0 && chosen == 0; k++)
        rc = add_from_file(t, path, k, all);
    return rc;
}

/* stderr goes to /dev/null: the descriptor that restores it, or -1. */
static int stderr_off(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    if (null >= 0)
        close(null);
    return saved;
}

static void stderr_on(int saved)
{
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
}

/* Compile the one-file target path into the cache in a child process if
** it is not there: its pid, or 0. */
static pid_t start_build(const char *path, const struct cli_opts *o, const struct probed *pr)
{
    struct stat st;
    struct cache cache = { 0 };
    struct build b = { 0 };
    char *so = NULL;
    pid_t pid = 0;
    enum source_kind kind = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? source_kind(path)
                          : NOT_SOURCE;
    bool program = kind == PROGRAM_MAIN;
    if ((kind == SCENARIO_FILE || program) &&
        find_object(&path, 1, o, program, &cache, &b, &so) == 0 && !cache.private) {
        b.probed = pr;
        fflush(NULL);
        if ((pid = fork()) == 0)
            _exit(build_object(&b, &path, 1, so) == 0 ? 0 : 1);
    }
    free(b.cflags);
    free(so);
    cache_close(&cache);
    return pid > 0 ? pid : 0;
}

/*
** The one-file targets of paths (scenario files, programs) not cached yet,
** compiled into the cache several at once, one per core: the loading after
** finds them there, in order (cc takes about 0.2 s for the smallest file,
** and a folder of 600 took two minutes on one core). Quietly: a file that
** fails here is compiled again there, which says why. Not with a private
** cache folder, which each load makes anew.
*/
static void prebuild(const char *const *paths, int n, const struct cli_opts *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    pid_t *running = cores > 1 && n > 1 ? calloc((size_t)cores, sizeof *running) : NULL;
    struct cache cache = { 0 };
    int saved = stderr_off();         /* what goes wrong here, the load says */
    if (running == NULL || cache_open(&cache) != 0 || cache.private) {
        stderr_on(saved);
        cache_close(&cache);
        free(running);
        return;
    }
    struct probed pr;
    probe(compiler(), cache.dir, &pr);  /* once, for every child */
    long busy = 0, started = 0;
    for (int i = 0; i < n; i++) {
        if (busy == cores) {          /* the oldest ends first, roughly */
            waitpid(running[0], NULL, 0);
            memmove(running, running + 1, (size_t)--busy * sizeof *running);
        }
        pid_t pid = start_build(paths[i], o, &pr);
        if (pid > 0)
            running[busy++] = pid, started++;
    }
    while (busy > 0)
        waitpid(running[--busy], NULL, 0);
    stderr_on(saved);
    if (started)
        warn_without_compare(compiler(), &pr);
    free(pr.kept);
    cache_close(&cache);
    free(running);
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
static int add_dir(struct targets *t, const char *dir, const struct cli_opts *o)
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
    char **paths = calloc((size_t)n + 1, sizeof *paths);
    for (int i = 0; i < n; i++) {
        if (paths && (paths[i] = format("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                                        names[i]->d_name)) == NULL)
            rc = rc ? rc : out_of_memory();
        free(names[i]);
    }
    free(names);
    if (paths == NULL && n > 0)
        rc = rc ? rc : out_of_memory();
    if (rc == 0)
        prebuild((const char *const *)paths, n, o);
    for (int i = 0; rc == 0 && i < n; i++) {
        int none = 0;
        rc = add_file(t, (const char *const *)&paths[i], 1, &none, o);
    }
    for (int i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

/* The sources of a program as the words of a replay command (malloc'd). */
static char *program_spelling(const char *const *srcs, int n)
{
    char *spelling = strdup("");
    for (int i = 0; spelling && i < n; i++) {
        char *word = path_word(srcs[i]);
        char *longer = word ? format("%s%s%s", spelling, i ? " " : "", word) : NULL;
        free(word);
        free(spelling);
        spelling = longer;
    }
    return spelling;
}

/* The program made of the program sources among args (when one of them
** has a main: the .c files without WEFT_SCENARIO), as one target named
** after the source with main and spelled by all of them; none is fine. */
static int add_program(struct targets *t, const char *const *args, int nargs,
                       const struct cli_opts *o, int *nsources)
{
    const char **srcs = calloc((size_t)nargs + 1, sizeof *srcs);
    int n = 0, from, to, rc = srcs ? 0 : out_of_memory(), with_main = -1;
    for (int i = 0; rc == 0 && i < nargs; i++)
        if (with_main < 0 && cli_is_program(args[i]))
            with_main = i;
    for (int i = 0; rc == 0 && with_main >= 0 && i < nargs; i++)
        if (i == with_main || cli_is_program_part(args[i]))
            srcs[n++] = args[i];
    for (int i = 1; i < n && srcs[0] != args[with_main]; i++)   /* main's file first */
        if (srcs[i] == args[with_main]) {
            srcs[i] = srcs[0];
            srcs[0] = args[with_main];
        }
    *nsources = n;
    if (rc == 0 && n > 0)
        rc = cli_load_program(srcs, n, o, &from, &to);
    char *spelling = rc == 0 && n > 0 ? program_spelling(srcs, n) : NULL;
    if (rc == 0 && n > 0 && spelling == NULL)
        rc = out_of_memory();
    if (spelling) {                   /* "prog.c": the replay finds its one scenario */
        bool all = cli_memory_for(o, srcs[0]) == CLI_MEMORY_ALL;
        rc = add(t, registry_get(from), spelling, srcs[0], all);
    }
    free(spelling);
    free(srcs);
    return rc;
}

int cli_resolve(const char *const *args, int nargs, const struct cli_opts *o,
                struct cli_target **out, int *n)
{
    struct targets t = { 0 };
    int builtin = registry_count(), sources = 0;
    bool parts = false;               /* then the program is built of several sources */
    for (int i = 0; i < nargs && !parts; i++)
        parts = cli_is_program_part(args[i]);
    if (!parts)
        prebuild(args, nargs, o);
    int rc = add_program(&t, args, nargs, o, &sources), objects = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        struct stat st;
        const struct weft_scenario *s;
        if (sources > 0 && cli_is_program_part(args[i]))
            continue;                 /* in the program above */
        if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_dir(&t, args[i], o);
        else if (stat(args[i], &st) == 0) {
            const char *path = args[i];
            rc = add_file(&t, args, nargs, &i, o);
            objects += rc == 0 && cli_is_program_object(path);   /* weft cc's, once loaded */
        } else if ((s = registry_find(args[i], 0, builtin)) != NULL)
            rc = add(&t, s, s->name, NULL, false);
        else if (i > 0 && cli_is_source(args[i - 1]) && stat(args[i - 1], &st) == 0) {
            fprintf(stderr, "weft: no scenario '%s' in %s, and none built in (see 'weft list "
                    "%s')\n", args[i], args[i - 1], args[i - 1]);
            rc = CLI_ERROR;
        } else {
            fprintf(stderr, "weft: no scenario or file named '%s' (see 'weft list')\n", args[i]);
            rc = CLI_ERROR;
        }
    }
    if (rc == 0 && sources + objects == 0 && o && o->nprog_args > 0) {
        fprintf(stderr, "weft: arguments after -- (or --arg) are a program's, and no program "
                "(a FILE.c with a main and no WEFT_SCENARIO, or a PROG.weft.so of 'weft cc') "
                "was named\n");
        rc = CLI_ERROR;
    }
    *out = t.v;
    *n = t.n;
    return rc;
}

/* ==========================================================================
** weft cc: a program built from a project's own sources and flags
** ========================================================================== */

/* cc options whose value may be the next word: kept with it, so that the
** value is never taken for a source or for the output. */
static bool takes_value(const char *arg)
{
    static const char *const opts[] = { "-I", "-D", "-U", "-L", "-l", "-include", "-imacros",
                                        "-isystem", "-iquote", "-idirafter", "-x" };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(arg, opts[i]) == 0)
            return true;
    return false;
}

/* "-I" "dir" as one word ("-Idir"), so that -L and -l still go to the link
** (link_flag); the other pairs stay two words, in order. */
static const char *joined(const char *opt, const char *value, char **owned)
{
    bool join = strlen(opt) == 2;
    *owned = join ? format("%s%s", opt, value) : NULL;
    return join ? *owned : NULL;
}

struct cc_args {
    const char *out;
    enum cli_memory memory;
    const char **srcs, **flags;
    char **owned;                     /* joined words, freed after */
    int nsrcs, nflags, nowned;
};

static int cc_usage(const char *why, const char *arg)
{
    fprintf(stderr, "weft cc: %s%s%s\nusage: weft cc [--memory=off|atomics|all] [cc options] "
            "-o PROG.weft.so SOURCE.c...\n", why, arg ? " " : "", arg ? arg : "");
    return CLI_ERROR;
}

static int cc_memory(struct cc_args *a, const char *v)
{
    for (int m = 0; m <= CLI_MEMORY_ALL; m++)
        if (strcmp(v, memory_names[m]) == 0) {
            a->memory = (enum cli_memory)m;
            return 0;
        }
    return cc_usage("--memory takes off, atomics or all, not", v);
}

/* Sort argv into the output, the sources and the flags for cc. */
static int cc_parse(int argc, char **argv, struct cc_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        size_t len = strlen(arg);
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--memory") == 0 || takes_value(arg)) {
            if (i + 1 == argc)
                return cc_usage("a value must follow", arg);
            const char *v = argv[++i];
            if (arg[1] == 'o')
                a->out = v;
            else if (arg[1] == '-' && cc_memory(a, v))
                return CLI_ERROR;
            else if (arg[1] != '-') {
                const char *word = joined(arg, v, &a->owned[a->nowned]);
                if (word == NULL) {
                    a->flags[a->nflags++] = arg;
                    a->flags[a->nflags++] = v;
                } else
                    a->flags[a->nflags++] = a->owned[a->nowned++];
            }
        } else if (strncmp(arg, "--memory=", 9) == 0) {
            if (cc_memory(a, arg + 9))
                return CLI_ERROR;
        } else if (strncmp(arg, "-o", 2) == 0)
            a->out = arg + 2;
        else if (strcmp(arg, "-c") == 0 || strcmp(arg, "-S") == 0 || strcmp(arg, "-E") == 0)
            return cc_usage("builds a whole program; it takes no", arg);
        else if (arg[0] != '-' && len > 2 && strcmp(arg + len - 2, ".c") == 0)
            a->srcs[a->nsrcs++] = arg;
        else
            a->flags[a->nflags++] = arg;
    }
    if (a->out == NULL)
        return cc_usage("no output named (-o PROG.weft.so)", NULL);
    if (a->nsrcs == 0)
        return cc_usage("no C sources (.c) named", NULL);
    return 0;
}

int cli_cc(int argc, char **argv)
{
    struct cc_args a = { .memory = CLI_MEMORY_ATOMICS };
    a.srcs = calloc((size_t)argc + 1, sizeof *a.srcs);
    a.flags = calloc((size_t)argc + 1, sizeof *a.flags);
    a.owned = calloc((size_t)argc + 1, sizeof *a.owned);
    int rc = a.srcs && a.flags && a.owned ? cc_parse(argc, argv, &a) : out_of_memory();
    for (int i = 0; rc == 0 && i < a.nsrcs; i++)
        rc = check_regular(a.srcs[i]);
    struct cache cache = { 0 };
    if (rc == 0) {                    /* what it keeps, if there is one to use */
        int saved = stderr_off();
        struct build b = { .cc = compiler(), .inc = include_dir(), .memory = a.memory,
                           .cflags = (char **)a.flags, .program = true,
                           .dir = cache_open(&cache) == 0 ? cache.dir : NULL };
        stderr_on(saved);
        rc = build_object(&b, a.srcs, a.nsrcs, a.out);
    }
    cache_close(&cache);
    for (int i = 0; a.owned && i < a.nowned; i++)
        free(a.owned[i]);
    free(a.owned);
    free(a.flags);
    free(a.srcs);
    return rc;
}
