/*
** posix.h -- a pthread program run as a scenario (`weft run prog.c`): the
** loader (cli/loader.c) compiles its sources with weft_pthread.h in front,
** loads them, fills a posix_program and registers its scenario; the body
** runs the program's main as thread 0, and setup gives every execution
** the program's data as it was when loaded.
*/
#ifndef WEFT_POSIX_H
#define WEFT_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "weft.h"

#define POSIX_MAX_SEGMENTS 4

/* One writable segment of the loaded program (.data, .bss) and its bytes
** as loaded. */
struct posix_segment {
    unsigned char *addr;
    unsigned char *copy;
    size_t size;
};

/* The program's thread-local storage (its PT_TLS segment): every thread of
** an execution gets a block of its own, made from this image (posix/tls.c). */
struct posix_tls {
    size_t modid;                     /* the C library's module id; 0: no TLS */
    const unsigned char *image;       /* the initialised part, then zeros */
    size_t filesz, memsz, align;
};
struct posix_owned;

struct posix_signals;
struct posix_process;

struct posix_program {
    struct weft_scenario scenario;    /* first: the registry holds its address */
    int (*main)(int, char **);
    int argc;
    char **argv;                      /* argv[0] is the first source's name */
    bool ignore_exit_status;          /* --exit-status=ignore */
    struct posix_segment segments[POSIX_MAX_SEGMENTS];
    int nsegments;
    struct posix_tls tls;
    struct posix_owned *reserved;     /* descriptors an execution opened (io.c) */
    int nreserved, reserved_cap;
    FILE **files;                     /* streams an execution opened (program.c) */
    int nfiles, files_cap;
    bool dropping_files;              /* posix_stdio_reset at work */
    char no_words[1];                 /* where strtok is left between executions */
    struct posix_signals *signals;    /* dispositions as loaded (posix/signal.c) */
    struct posix_process *process;    /* its directory, umask, locale and input
                                         as loaded (posix/process.c) */
};

/* Fill p's scenario: name, body and setup. name is kept, not copied. */
void posix_program_init(struct posix_program *p, const char *name, const char *file);
/* Is s a pthread program's scenario (its plain memory has no marks)? */
bool posix_is_program(const struct weft_scenario *s);
/* Copy the writable segments of the object dlopen loaded as handle: 0, or
** -1 after saying why on stderr. */
int posix_program_snapshot(struct posix_program *p, void *handle, const char *path);
/* Find the program's thread-local storage and check that weft can give
** each thread its own (posix/tls.c): 0, or -1 after saying why on stderr. */
int posix_tls_find(struct posix_program *p, void *handle, const char *path);
/* Note the dispositions of p's signals as loaded (0, or -1 without memory);
** before each execution, put back those the last one changed and start
** SIGPIPE's over (posix/signal.c); free them. */
int posix_signals_snapshot(struct posix_program *p);
void posix_signals_reset(struct posix_program *p);
void posix_signals_release(struct posix_program *p);
/* The same for its working directory, umask, locale and standard input
** (posix/process.c). */
int posix_process_snapshot(struct posix_program *p);
void posix_process_reset(struct posix_program *p);
void posix_process_release(struct posix_program *p);
/* The segments' copies freed. */
void posix_program_release(struct posix_program *p);
/* Close the descriptors an execution left open for its pipes (io.c). */
void posix_io_reset(struct posix_program *p);
void posix_io_release(struct posix_program *p);
/* Drop the streams an execution opened and left open, their buffers
** unwritten (program.c). */
void posix_stdio_reset(struct posix_program *p);

#endif
