/*
** cli.h -- the weft command: options, scenario loading, subcommands.
** The command line is the only part of weft that reads the wall clock
** (elapsed time, --time-limit) or the environment.
*/
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "weft.h"

#define CLI_OK 0          /* every scenario met its expectation */
#define CLI_UNEXPECTED 1  /* one did not */
#define CLI_ERROR 2       /* usage, input or build error */

struct cli_opts {
    const char *strategy;
    bool sleep_sets;
    int max_preemptions;
    uint64_t executions;
    double time_limit;
    uint64_t seed;
    int depth;
    int max_steps;
    const char *format;
    const char *schedule;
    bool quiet;
    bool shrink;
    int progress;                     /* 1 --progress, 0 --quiet, -1 on a terminal */
    char params[256];                 /* " --param k=v ..." as given */
    const char *args[256];            /* positional arguments */
    int nargs;
};

/* A scenario to run and how to name it in a replay command. */
struct cli_target {
    const struct weft_scenario *scenario;
    char spelling[1024];
};

/* Parse argv after the subcommand: 0, or CLI_ERROR with a message printed. */
int cli_parse(int argc, char **argv, struct cli_opts *o, const char *usage);

/* Resolve names, .c/.so files and folders into targets (malloc'd array). */
int cli_resolve(const char *const *args, int nargs, struct cli_target **out, int *n);
/* Load one .c (compiled, cached) or .so file; its scenarios are the
** registry entries [*from, *to). 0 or CLI_ERROR. */
int cli_load_file(const char *path, int *from, int *to);

int cli_list(struct cli_opts *o);
int cli_run(struct cli_opts *o);
int cli_replay(struct cli_opts *o);
int cli_explain(struct cli_opts *o);

#endif
