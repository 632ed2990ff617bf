/*
** features.c -- a program's feature-test macros, for the compile of its
** sources (loader.c).
**
** cc puts weft_pthread.h in front of each source of a program, and that
** header includes the system headers. So a _GNU_SOURCE or _POSIX_C_SOURCE
** that the source defines before its own first #include would come after
** glibc chose what to declare: the program would get glibc's default, not
** what it asked for (POSIX's strerror_r, say, which returns an int where
** GNU's returns a char *). weft finds them first and passes each as a -D
** option with the source's own value, so the source's #define is then an
** identical redefinition (no warning).
**
** They are looked for where glibc would meet them: in the source's lines
** before its first #include of a system header, and in the local headers
** ("config.h", found beside the file that includes it or in a -I folder)
** that it includes before that, the way autoconf's AC_USE_SYSTEM_EXTENSIONS
** defines _GNU_SOURCE. Conditionals are read as taken: the usual
** "#ifndef _GNU_SOURCE / #define _GNU_SOURCE" defines it either way.
*/
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

/* The macros glibc's <features.h> reads (_FORTIFY_SOURCE stays out: weft
** compiles without it, loader.c). */
static const char *const feature_names[] = {
    "_GNU_SOURCE", "_POSIX_C_SOURCE", "_POSIX_SOURCE", "_XOPEN_SOURCE",
    "_XOPEN_SOURCE_EXTENDED", "_DEFAULT_SOURCE", "_BSD_SOURCE", "_SVID_SOURCE",
    "_ISOC99_SOURCE", "_ISOC11_SOURCE", "_ISOC2X_SOURCE", "_LARGEFILE_SOURCE",
    "_LARGEFILE64_SOURCE", "_FILE_OFFSET_BITS", "_TIME_BITS", "_REENTRANT", "_THREAD_SAFE",
    "_ATFILE_SOURCE", "_DYNAMIC_STACK_SIZE_SOURCE",
};
#define FEATURE_NAMES (sizeof feature_names / sizeof *feature_names)

/* How deep local headers are followed. */
#define FEATURE_DEPTH 8

struct scan {
    struct program_features *out;
    char *const *cflags;
};

static bool is_feature(const char *name, size_t len)
{
    for (size_t i = 0; i < FEATURE_NAMES; i++)
        if (strlen(feature_names[i]) == len && memcmp(feature_names[i], name, len) == 0)
            return true;
    return false;
}

/* Where the option for name is in out (its first bytes "-Dname="), or -1. */
static int feature_at(const struct program_features *out, const char *name, size_t len)
{
    for (int i = 0; i < out->n; i++)
        if (strncmp(out->define[i] + 2, name, len) == 0 && out->define[i][2 + len] == '=')
            return i;
    return -1;
}

/* Line without its comments, in place; *open: a block comment goes on
** from the line before (and on into the next). Strings are not looked at:
** a preprocessor line before the first #include has none that matter. */
static void strip_comments(char *line, bool *open)
{
    char *w = line;
    for (const char *r = line; *r;) {
        if (*open) {
            const char *end = strstr(r, "*/");
            if (end == NULL)
                break;
            *open = false;
            r = end + 2;
            *w++ = ' ';
        } else if (r[0] == '/' && r[1] == '*') {
            *open = true;
            r += 2;
        } else if (r[0] == '/' && r[1] == '/') {
            break;
        } else {
            *w++ = *r++;
        }
    }
    while (w > line && isspace((unsigned char)w[-1]))
        w--;
    *w = 0;
}

/* Length of the identifier p starts with (0 if none). */
static size_t identifier_length(const char *p)
{
    size_t len = 0;
    while (isalnum((unsigned char)p[len]) || p[len] == '_')
        len++;
    return len;
}

/* "#define NAME VALUE" of a feature macro: noted (the first one wins). A
** function-like macro, a value continued on the next line or one too long
** for an option is not one glibc reads. */
static void note_define(const char *p, struct program_features *out)
{
    size_t len = identifier_length(p);
    if (len == 0 || p[len] == '(' || !is_feature(p, len) || feature_at(out, p, len) >= 0)
        return;
    const char *value = p + len + strspn(p + len, " \t");
    size_t vlen = strlen(value);
    if (out->n >= PROGRAM_FEATURES_MAX || (vlen > 0 && value[vlen - 1] == '\\') ||
        len + vlen + 4 > sizeof out->define[0])
        return;
    snprintf(out->define[out->n++], sizeof out->define[0], "-D%.*s=%s", (int)len, p, value);
}

/* "#undef NAME": forgotten, as cc would. */
static void note_undef(const char *p, struct program_features *out)
{
    size_t len = identifier_length(p);
    int i = len ? feature_at(out, p, len) : -1;
    if (i < 0)
        return;
    memmove(out->define[i], out->define[i + 1], (size_t)(out->n - i - 1) * sizeof out->define[0]);
    out->n--;
}

/* The local header name that from includes, into path: beside it, else in
** a -I folder of cflags. False if none is a file. */
static bool find_local(const char *from, const char *name, int len, char *const *cflags,
                       char path[PATH_MAX])
{
    const char *slash = strrchr(from, '/');
    int n = snprintf(path, PATH_MAX, "%.*s%.*s", slash ? (int)(slash - from + 1) : 0, from,
                     len, name);
    if (n < PATH_MAX && access(path, R_OK) == 0)
        return true;
    for (char *const *f = cflags; f && *f; f++) {
        const char *dir = strncmp(*f, "-I", 2) != 0 ? NULL : (*f)[2] ? *f + 2 : f[1];
        if (dir && snprintf(path, PATH_MAX, "%s/%.*s", dir, len, name) < PATH_MAX &&
            access(path, R_OK) == 0)
            return true;
    }
    return false;
}

static bool scan_file(struct scan *s, const char *path, int depth);

/* An #include (p after the word): a local header is read on; true when the
** scan ends here (a system header, or one named by a macro). */
static bool scan_include(struct scan *s, const char *from, const char *p, int depth)
{
    const char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
    char path[PATH_MAX];
    if (end == NULL)
        return true;
    return depth < FEATURE_DEPTH && find_local(from, p + 1, (int)(end - p - 1), s->cflags, path) &&
           scan_file(s, path, depth + 1);
}

/* Read path's directives until its first system #include: true when it
** met one. */
static bool scan_file(struct scan *s, const char *path, int depth)
{
    FILE *f = cli_open_regular(path);
    char *line = NULL;
    size_t cap = 0;
    bool comment = false, done = false;
    while (!done && f && getline(&line, &cap, f) > 0) {
        strip_comments(line, &comment);
        const char *p = line + strspn(line, " \t");
        if (*p++ != '#')
            continue;
        p += strspn(p, " \t");
        size_t word = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
        const char *rest = p + word + strspn(p + word, " \t");
        if (word == 6 && strncmp(p, "define", 6) == 0)
            note_define(rest, s->out);
        else if (word == 5 && strncmp(p, "undef", 5) == 0)
            note_undef(rest, s->out);
        else if (word == 7 && strncmp(p, "include", 7) == 0)
            done = scan_include(s, path, rest, depth);
    }
    free(line);
    if (f)
        fclose(f);
    return done;
}

void program_features(const char *src, char *const *cflags, struct program_features *out)
{
    struct scan s = { out, cflags };
    out->n = 0;
    scan_file(&s, src, 0);
}
