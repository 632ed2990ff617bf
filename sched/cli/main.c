/*
** main.c -- the command line: subcommands, options, help. Each
** subcommand's behaviour lives in commands.c; this file only parses. In
** the help texts "@" stands for the program's name ("weft", or a test
** program's).
*/
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/params.h"
#include "core/registry.h"

static const char usage_main[] =
    "usage: @ COMMAND [OPTIONS] ...\n"
    "\n"
    "weft explores the interleavings of a concurrent scenario to find deadlocks,\n"
    "leaked or spinning threads and failed assertions, and replays them exactly.\n"
    "\n"
    "commands:\n"
    "  list    [FILE|DIR...]                 scenarios and what they expect\n"
    "  run     [OPTIONS] NAME|FILE.c [NAME...]|FILE.so|DIR...   explore\n"
    "  replay  [OPTIONS] NAME|FILE [NAME] --schedule TOKEN   re-run one execution\n"
    "  explain [OPTIONS] NAME|FILE [NAME] --schedule TOKEN   the same, step by step\n"
    "  cc      [--memory=M] [cc options] -o PROG.weft.so SOURCE.c...   build a pthread\n"
    "          program with its own -I, -D, -std flags, to run as '@ run PROG.weft.so'\n"
    "  merge   [OPTIONS] RESULT.json...      join the shards of a split search\n"
    "\n"
    "Run '@ COMMAND --help' for a command's options, '@ --version' for the version.\n"
    "Exit status: 0 every scenario as expected, 1 one was not, 2 usage/input/build error.\n";

static const char usage_run_head[] =
    "usage: @ run [OPTIONS] NAME|FILE.c [NAME...]|FILE.so|DIR... [-- PROGRAM ARGUMENTS]\n"
    "\n"
    "Explore each scenario until its search space is covered, a bound is reached,\n"
    "or an execution fails; print the failure's report and a one-line summary,\n"
    "and a totals line at the end.\n"
    "A .c file is compiled against weft.h into a cached shared object; the names\n"
    "after a file choose some of its scenarios, else it runs them all; a folder\n"
    "means every .c file in it. Bundled scenarios run by name ('@ list').\n"
    "The .c files with a main and no WEFT_SCENARIO are one pthread program: its\n"
    "main is thread 0, from fresh data and heap in every execution.\n"
    "\n"
    "  --strategy NAME          how to search (default auto):\n";

static const char usage_run_tail[] =
    "  --no-sleep-sets          dfs: explore without sleep-set pruning\n"
    "  --max-preemptions N      dfs: at most N preemptions; bounded: stop at N\n"
    "  --depth D                pct: the bug depth (default 3)\n"
    "  --executions N           stop after N executions (random, pct: default 1000)\n"
    "  --time-limit S           stop each scenario after S seconds (default 60)\n"
    "  --seed N                 random, pct: seed (default 1)\n"
    "  --max-steps N            steps per execution before a livelock is reported\n"
    "  --stack-size SIZE        each thread's stack, in bytes or with K, M or G\n"
    "                           (default 256K, 64K to 1G); a frame that outgrows it\n"
    "                           is reported as a stack overflow crash\n"
    "  --timers race|idle       race (default): a timer may fire at any step, as on a\n"
    "                           real machine; idle: only when every thread waits (an\n"
    "                           under-approximation, labelled so in the summary)\n"
    "  --spin-order fast|exact  fast (default): sleep sets and DPOR may merge orders\n"
    "                           of steps around a spin that fairness held back (said\n"
    "                           in the summary); exact: they keep every such order\n"
    "                           (slower where threads poll)\n"
    "  --memory off|atomics|all how a scenario FILE.c is compiled. off (default):\n"
    "                           plain C, only WEFT_READ/WEFT_WRITE are checked for\n"
    "                           data races; atomics: C11 atomics are visible\n"
    "                           operations too; all: and every load and store is\n"
    "                           checked (-fsanitize=thread with weft's own hooks).\n"
    "                           A program's default is atomics\n"
    "  --memory-model tso|pso|sc  tso (default): a C11 atomic store weaker than\n"
    "                           seq_cst waits in its thread's store buffer, as on\n"
    "                           x86, so a store then a load may be seen reordered;\n"
    "                           pso: and stores to different addresses may reach\n"
    "                           memory in another order, as C11 allows (ARM);\n"
    "                           sc: every atomic is sequentially consistent (fewer\n"
    "                           behaviours, labelled so in the summary)\n"
    "  --cflags 'FLAGS'         more compiler flags for FILE.c (default $WEFT_CFLAGS)\n"
    "  --exit-status fail|ignore  a program's nonzero exit status fails the\n"
    "                           execution (fail, the default) or not (ignore)\n"
    "  --spurious-wakeups off|on  on: a program's untimed condition waits may\n"
    "                           also wake without a signal, as POSIX allows\n"
    "  --arg WORD               a program argument, as after -- (repeatable)\n"
    "  --param KEY=VALUE        scenario parameter, a whole number (repeatable)\n"
    "  --format FORMAT          text (default), json (one object per scenario), tap\n"
    "                           (TAP 14, a test point per scenario) or junit (XML)\n"
    "  --quiet                  a summary line for a scenario as expected (an\n"
    "                           unexpected one keeps its report), no progress line\n"
    "  --progress               a live progress line on stderr even when it is not\n"
    "                           a terminal (executions, rate, estimated total, time left)\n"
    "  --no-shrink              show a failure as found, not minimised\n"
    "  --trace FILE             write the failure as Chrome/Perfetto trace JSON\n"
    "                           (ui.perfetto.dev): a track per thread, a slice per\n"
    "                           step, arrows from each unlock, send or signal to the\n"
    "                           step it enabled (one scenario only)\n"
    "  --dot FILE               write the failure's wait-for graph for Graphviz\n"
    "  --html FILE              write the failure as one self-contained page: the\n"
    "                           report, the steps thread by thread (click one for\n"
    "                           every thread's state then) and the wait-for graph\n"
    "  --accept exhaustive|sampled[:N]  what a pass needs: a search that covered\n"
    "                           every behaviour (the default, or the scenario's\n"
    "                           .accept), or also a sample of N executions (default\n"
    "                           1000) without a failure when it could not\n"
    "  --output-dir DIR         for each failure found, DIR/NAME/ with report.txt,\n"
    "                           report.json and replay.sh (keep them as CI artifacts)\n"
    "  --checkpoint FILE        save the search's position and counts to FILE every\n"
    "                           few seconds and when it stops early (dpor, dfs;\n"
    "                           written whole to FILE.tmp, then renamed)\n"
    "  --checkpoint-every S     seconds between checkpoints (default 5)\n"
    "  --resume FILE            go on from a checkpoint of the same search: the\n"
    "                           final counts and verdict are an uninterrupted run's\n"
    "                           (with --jobs, both name a folder: checkpoints per\n"
    "                           unit, and --resume DIR goes on saving there)\n"
    "  --shard K/N              explore only shard K (0 to N-1) of the search: dpor,\n"
    "                           dfs cut the tree's top into units, pct and random\n"
    "                           their executions into blocks, dealt out in turn;\n"
    "                           '@ merge' joins the N results\n"
    "  --split-depth D          cut the tree at its D-th choice (default: deep enough\n"
    "                           for 64 units per shard; 1 to 64). Alone: one process\n"
    "                           explores every unit (the run N shards add up to)\n"
    "  --jobs N                 dpor, dfs, pct, random: N worker processes (0: one\n"
    "                           per core), each searching a share of the split\n"
    "                           search's units; merged and printed as one run's result\n"
    "                           (workers take units in turn; a failure stops the\n"
    "                           workers on higher units)\n"
    "  --keep-going             with --jobs: a failure stops no worker; every unit\n"
    "                           is searched to its first failure (a worker goes on\n"
    "                           to its next unit), and stderr lists the units that\n"
    "                           fail (the report stays the same)\n"
    "  --classes FILE           write the class of every complete execution (a hash\n"
    "                           of its trace up to commuting operations) to FILE as\n"
    "                           'scenario hash schedule [stopped]' lines, and search\n"
    "                           on past failures (to test the searches; a failure that\n"
    "                           stopped an execution is classed by its causes alone)\n"
    "  --watchdog S             a thread that runs S seconds of CPU without a visible\n"
    "                           operation is a livelock (default 2; 0: no watchdog)\n"
    "  --isolate process|fork|none  process (default; also spelled restore): search\n"
    "                           in a child process that weft watches, so that exit,\n"
    "                           _exit, a fatal signal or a hang is reported, a\n"
    "                           program's data restored before each execution; fork:\n"
    "                           and a new process for every execution, for programs\n"
    "                           whose state restoring misses (dpor, dfs); none: in\n"
    "                           this process (to debug weft)\n"
    "\n"
    "SIGINT or SIGTERM stops the search and prints the coverage so far.\n"
    "Exit status: 0 every scenario as expected, 1 one was not, 2 usage/input/build error,\n"
    "130 or 143 stopped by SIGINT or SIGTERM.\n";

static const char usage_replay[] =
    "usage: @ replay [OPTIONS] NAME --schedule TOKEN\n"
    "       @ replay [OPTIONS] FILE.c [NAME] --schedule TOKEN\n"
    "\n"
    "Re-run exactly the execution a schedule token describes and print its report.\n"
    "The output is the same, byte for byte, every time. If the scenario no longer\n"
    "follows the token, weft says at which step it diverged and exits 2.\n"
    "\n"
    "  --schedule TOKEN         the token from a report\n"
    "  --param KEY=VALUE        scenario parameters, as in the run that printed it\n"
    "  --max-steps N            as in the run that printed it\n"
    "  --stack-size SIZE        as in the run that printed it\n"
    "  --timers race|idle       as in the run that printed it\n"
    "  --memory off|atomics|all as in the run that printed it\n"
    "  --memory-model tso|pso|sc  as in the run that printed it\n"
    "  --watchdog S, --isolate process|none  as for run\n"
    "  --format text|json\n"
    "  --trace FILE             write the replayed execution as Chrome/Perfetto trace\n"
    "                           JSON (ui.perfetto.dev, chrome://tracing): a track per\n"
    "                           thread, a slice per step, arrows from each unlock,\n"
    "                           send or signal to the step it enabled\n"
    "  --dot FILE               write the wait-for graph for Graphviz (dot -Tsvg FILE)\n"
    "  --html FILE              write one self-contained page: the report, the steps\n"
    "                           thread by thread (click one for every thread's state\n"
    "                           then) and the wait-for graph\n";

static const char usage_explain[] =
    "usage: @ explain [OPTIONS] NAME --schedule TOKEN\n"
    "       @ explain [OPTIONS] FILE.c [NAME] --schedule TOKEN\n"
    "\n"
    "Replay one execution like '@ replay', printing every step as it happens\n"
    "and, after it, each thread's state: finished, runnable with its next\n"
    "operation, or blocked with what it waits for. The report follows.\n"
    "\n"
    "  --schedule TOKEN         the token from a report\n"
    "  --param KEY=VALUE        scenario parameters, as in the run that printed it\n"
    "  --max-steps N            as in the run that printed it\n"
    "  --stack-size SIZE        as in the run that printed it\n"
    "  --timers race|idle       as in the run that printed it\n"
    "  --memory off|atomics|all as in the run that printed it\n"
    "  --memory-model tso|pso|sc  as in the run that printed it\n"
    "  --watchdog S, --isolate process|none  as for run\n"
    "  --trace FILE, --dot FILE, --html FILE  as for replay\n";

static const char usage_merge[] =
    "usage: @ merge [--format text|json] [--quiet] RESULT.json...\n"
    "\n"
    "Join the results of the N shards of a split search ('@ run --shard K/N\n"
    "--format json', one file each or several in one) into what one run would\n"
    "print: the counts summed, exhaustive only if every shard was, and the\n"
    "failure of the lowest failing unit (the one a single run finds first),\n"
    "replayed for its report, so the scenario must be at hand as for a replay.\n"
    "Every shard must be there once, all from the same search (scenario, source,\n"
    "options, parameters, units); anything else is refused with exit status 2.\n"
    "\n"
    "  --format text|json\n"
    "  --quiet                  summary lines only\n";

static const char usage_list[] =
    "usage: @ list [FILE.c|FILE.so|DIR...]\n"
    "\n"
    "List scenarios (the bundled ones when no file is given): name, expected\n"
    "result, summary.\n";

/* A help text with "@" replaced by the program's name. */
static void put_text(FILE *f, const char *text, const char *program)
{
    for (; *text; text++)
        if (*text == '@')
            fputs(program, f);
        else
            fputc(*text, f);
}

/* Each plan of the table, its help lines indented under its name. */
static void put_plans(FILE *f)
{
    for (int i = 0; explore_plans[i]; i++) {
        fprintf(f, "      %-8s ", explore_plans[i]->name);
        for (const char *c = explore_plans[i]->help; *c; c++)
            if (*c == '\n')
                fputs("\n               ", f);   /* under the first line's text */
            else
                fputc(*c, f);
        fputc('\n', f);
    }
}

struct command {
    const char *name;
    const char *usage;
    int (*fn)(struct cli_opts *);
};

static void put_usage(FILE *f, const struct command *cmd, const char *program)
{
    put_text(f, cmd->usage, program);
    if (cmd->fn == cli_run) {
        put_plans(f);
        put_text(f, usage_run_tail, program);
    }
}

/* ==========================================================================
** Options
** ========================================================================== */

/* A whole number from min to max, in decimal digits alone: strtoull by
** itself takes " -1" as 2^64 - 1, and "12abc" or "" are no numbers. */
static int parse_whole(const char *opt, const char *v, uint64_t min, uint64_t max,
                       uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
    if (v[0] < '0' || v[0] > '9' || *end || errno || x < min || x > max) {
        if (max == UINT64_MAX)
            fprintf(stderr, "weft: %s needs a whole number (0 or more), not '%s'\n", opt, v);
        else
            fprintf(stderr, "weft: %s needs a whole number from %llu to %llu, not '%s'\n", opt,
                    (unsigned long long)min, (unsigned long long)max, v);
        return CLI_ERROR;
    }
    *out = x;
    return 0;
}

/* Seconds: a finite decimal number, 0 or more ("nan" or "inf" is none). */
static int parse_seconds(const char *opt, const char *v, double *out)
{
    char *end;
    double x = (v[0] >= '0' && v[0] <= '9') || v[0] == '.' ? strtod(v, &end) : -1;
    if (x < 0 || !isfinite(x) || *end) {
        fprintf(stderr, "weft: %s needs a number of seconds (0 or more, 0: no limit), not "
                "'%s'\n", opt, v);
        return CLI_ERROR;
    }
    *out = x;
    return 0;
}

static int out_of_memory(void)
{
    fprintf(stderr, "weft: out of memory\n");
    return CLI_ERROR;
}

/* Append " OPTION VALUE" to the options a replay command repeats. */
static int repeat_in_replay(struct cli_opts *o, const char *option, const char *value)
{
    size_t used = o->param_args ? strlen(o->param_args) : 0;
    char *args = realloc(o->param_args, used + strlen(option) + strlen(value) + 3);
    if (args == NULL)
        return out_of_memory();
    o->param_args = args;
    sprintf(args + used, " %s %s", option, value);
    return 0;
}

char *cli_shell_word(const char *v)
{
    bool plain = *v != 0 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_./=:,+-@%") == strlen(v);
    char *w = malloc(4 * strlen(v) + 3), *p = w;
    if (w == NULL || plain)
        return w ? strcpy(w, v) : NULL;
    *p++ = '\'';
    for (; *v; v++)
        p = *v == '\'' ? stpcpy(p, "'\\''") : (*p = *v, p + 1);
    strcpy(p, "'");
    return w;
}

/* An option a replay must repeat, its value quoted for the shell. */
static int repeat_quoted(struct cli_opts *o, const char *option, const char *value)
{
    char *w = cli_shell_word(value);
    int rc = w ? repeat_in_replay(o, option, w) : out_of_memory();
    free(w);
    return rc;
}

/* KEY=VALUE: into the parameter set, and into the replay command's words. */
static int add_param(struct cli_opts *o, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        fprintf(stderr, "weft: --param needs KEY=VALUE, not '%s'\n", kv);
        return CLI_ERROR;
    }
    char *key = strndup(kv, (size_t)(eq - kv));
    int rc = key ? params_set(o->params, key, eq + 1) : WEFT_ENOMEM;
    free(key);
    if (rc == WEFT_EINVAL) {
        fprintf(stderr, "weft: --param %s: the value must be a whole number from %d to %d "
                "(weft_param_int reads it), not '%s'\n", kv, INT_MIN, INT_MAX, eq + 1);
        return CLI_ERROR;
    }
    if (rc)
        return out_of_memory();
    return repeat_quoted(o, "--param", kv);
}

/* An option that takes one of two words: *second says whether it was the
** second. */
static int parse_either(const char *v, const char *option, const char *first,
                        const char *second, bool *is_second)
{
    if (strcmp(v, first) != 0 && strcmp(v, second) != 0) {
        fprintf(stderr, "weft: --%s takes %s or %s, not '%s'\n", option, first, second, v);
        return CLI_ERROR;
    }
    *is_second = strcmp(v, second) == 0;
    return 0;
}

enum { O_STRATEGY = 256, O_DEPTH, O_NOSLEEP, O_PREEMPT, O_EXEC, O_TIME, O_SEED, O_STEPS, O_PARAM,
       O_FORMAT, O_SCHEDULE, O_QUIET, O_NOSHRINK, O_PROGRESS, O_CLASSES, O_TIMERS, O_SPIN_ORDER, O_MEMORY, O_HELP,
       O_STACK, O_CHECKPOINT, O_CHECKPOINT_EVERY, O_RESUME, O_WATCHDOG, O_ISOLATE, O_CFLAGS,
       O_EXIT_STATUS, O_ARG, O_TRACE, O_DOT, O_HTML, O_OUTPUT_DIR, O_ACCEPT, O_SHARD,
       O_SPLIT_DEPTH, O_JOBS, O_KEEP_GOING, O_SPURIOUS, O_MEMORY_MODEL };

static const struct option long_opts[] = {
    { "strategy", required_argument, 0, O_STRATEGY },
    { "depth", required_argument, 0, O_DEPTH },
    { "no-sleep-sets", no_argument, 0, O_NOSLEEP },
    { "max-preemptions", required_argument, 0, O_PREEMPT },
    { "executions", required_argument, 0, O_EXEC },
    { "time-limit", required_argument, 0, O_TIME },
    { "seed", required_argument, 0, O_SEED },
    { "max-steps", required_argument, 0, O_STEPS },
    { "param", required_argument, 0, O_PARAM },
    { "format", required_argument, 0, O_FORMAT },
    { "schedule", required_argument, 0, O_SCHEDULE },
    { "quiet", no_argument, 0, O_QUIET },
    { "no-shrink", no_argument, 0, O_NOSHRINK },
    { "progress", no_argument, 0, O_PROGRESS },
    { "classes", required_argument, 0, O_CLASSES },
    { "timers", required_argument, 0, O_TIMERS },
    { "spin-order", required_argument, 0, O_SPIN_ORDER },
    { "memory", required_argument, 0, O_MEMORY },
    { "memory-model", required_argument, 0, O_MEMORY_MODEL },
    { "stack-size", required_argument, 0, O_STACK },
    { "checkpoint", required_argument, 0, O_CHECKPOINT },
    { "checkpoint-every", required_argument, 0, O_CHECKPOINT_EVERY },
    { "resume", required_argument, 0, O_RESUME },
    { "watchdog", required_argument, 0, O_WATCHDOG },
    { "isolate", required_argument, 0, O_ISOLATE },
    { "cflags", required_argument, 0, O_CFLAGS },
    { "exit-status", required_argument, 0, O_EXIT_STATUS },
    { "spurious-wakeups", required_argument, 0, O_SPURIOUS },
    { "arg", required_argument, 0, O_ARG },
    { "trace", required_argument, 0, O_TRACE },
    { "dot", required_argument, 0, O_DOT },
    { "html", required_argument, 0, O_HTML },
    { "output-dir", required_argument, 0, O_OUTPUT_DIR },
    { "accept", required_argument, 0, O_ACCEPT },
    { "shard", required_argument, 0, O_SHARD },
    { "split-depth", required_argument, 0, O_SPLIT_DEPTH },
    { "jobs", required_argument, 0, O_JOBS },
    { "keep-going", no_argument, 0, O_KEEP_GOING },
    { "help", no_argument, 0, O_HELP },
    { 0, 0, 0, 0 },
};

/* One numeric option; 0 or CLI_ERROR. */
static int parse_number(int c, const char *v, struct cli_opts *o)
{
    uint64_t n;
    int rc;
    switch (c) {
    case O_PREEMPT:
        rc = parse_whole("--max-preemptions", v, 0, 1000000, &n);
        o->max_preemptions = rc ? o->max_preemptions : (int)n;
        return rc;
    case O_EXEC: return parse_whole("--executions", v, 0, UINT64_MAX, &o->executions);
    case O_DEPTH:
        rc = parse_whole("--depth", v, 1, 16, &n);
        o->depth = rc ? o->depth : (int)n;
        return rc;
    case O_SEED: return parse_whole("--seed", v, 0, UINT64_MAX, &o->seed);
    case O_STEPS:                     /* a replay must run to the same bound */
        rc = parse_whole("--max-steps", v, 1, 100000000, &n);
        o->max_steps = rc ? o->max_steps : (int)n;
        return rc ? rc : repeat_in_replay(o, "--max-steps", v);
    case O_WATCHDOG: return parse_seconds("--watchdog", v, &o->watchdog);
    case O_SPLIT_DEPTH:
        rc = parse_whole("--split-depth", v, 1, EXPLORE_SPLIT_MAX_DEPTH, &n);
        o->split_depth = rc ? o->split_depth : (int)n;
        return rc;
    case O_JOBS:                      /* 0: one per core */
        rc = parse_whole("--jobs", v, 0, 1024, &n);
        if (rc == 0 && n == 0) {
            long cores = sysconf(_SC_NPROCESSORS_ONLN);
            n = cores > 0 ? (uint64_t)cores : 1;
        }
        o->jobs = rc ? o->jobs : (uint32_t)n;
        return rc;
    default: return parse_seconds("--time-limit", v, &o->time_limit);   /* O_TIME */
    }
}

static int parse_memory(const char *v, struct cli_opts *o)
{
    static const char *const modes[] = { "off", "atomics", "all" };
    for (int i = 0; i < 3; i++)
        if (strcmp(v, modes[i]) == 0) {
            o->memory = (enum cli_memory)i;
            o->memory_given = true;           /* off too: a program's default is atomics */
            return repeat_in_replay(o, "--memory", v);
        }
    fprintf(stderr, "weft: --memory takes off, atomics or all, not '%s'\n", v);
    return CLI_ERROR;
}

/* The binary unit a size suffix names, as a shift: K 10, M 20, G 30 (either
** case); -1 for anything else. */
static int unit_shift(char c)
{
    switch (c) {
    case 'k': case 'K': return 10;
    case 'm': case 'M': return 20;
    case 'g': case 'G': return 30;
    default: return -1;
    }
}

/* --stack-size: bytes, or a whole number of K, M or G, in range; repeated
** in replay commands, since whether a thread overflows depends on it. */
static int parse_stack_size(const char *v, struct cli_opts *o)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    int shift = *end == 0 ? 0 : end[1] == 0 ? unit_shift(*end) : -1;
    bool ok = errno == 0 && v[0] >= '0' && v[0] <= '9' && shift >= 0 &&
              n <= (CLI_MAX_STACK_SIZE >> shift);
    if (ok)
        n <<= shift;
    if (!ok || n < CLI_MIN_STACK_SIZE) {
        fprintf(stderr, "weft: --stack-size needs a size from 64K to 1G (bytes, or a "
                "number with K, M or G), not '%s'\n", v);
        return CLI_ERROR;
    }
    o->stack_size = (size_t)n;
    return repeat_in_replay(o, "--stack-size", v);
}

/* One more program argument (--arg, or a word after --). */
static int add_prog_arg(struct cli_opts *o, const char *v)
{
    const char **args = realloc(o->prog_args, (size_t)(o->nprog_args + 1) * sizeof *args);
    if (args == NULL)
        return out_of_memory();
    o->prog_args = args;
    args[o->nprog_args++] = v;
    return repeat_quoted(o, "--arg", v);
}

/* The options of programs: --cflags, --exit-status, --spurious-wakeups,
** --arg. */
static int parse_program_option(int c, const char *v, struct cli_opts *o)
{
    if (c == O_CFLAGS) {
        o->cflags = v;
        return repeat_quoted(o, "--cflags", v);
    }
    if (c == O_ARG)
        return add_prog_arg(o, v);
    if (c == O_SPURIOUS) {
        if (parse_either(v, "spurious-wakeups", "off", "on", &o->spurious_wakeups) != 0)
            return CLI_ERROR;
        return o->spurious_wakeups ? repeat_in_replay(o, "--spurious-wakeups", v) : 0;
    }
    if (strcmp(v, "fail") != 0 && strcmp(v, "ignore") != 0) {
        fprintf(stderr, "weft: --exit-status takes fail or ignore, not '%s'\n", v);
        return CLI_ERROR;
    }
    o->ignore_exit_status = strcmp(v, "ignore") == 0;
    return o->ignore_exit_status ? repeat_in_replay(o, "--exit-status", v) : 0;
}

/* --accept exhaustive, sampled or sampled:N (N executions at least). */
static int parse_accept(const char *v, struct cli_opts *o)
{
    if (strcmp(v, "exhaustive") == 0) {
        o->accept = 1 + WEFT_ACCEPT_EXHAUSTIVE;
        return 0;
    }
    if (strncmp(v, "sampled", 7) == 0 && (v[7] == 0 || v[7] == ':')) {
        o->accept = 1 + WEFT_ACCEPT_SAMPLED;
        o->min_executions = WEFT_DEFAULT_MIN_EXECUTIONS;
        return v[7] ? parse_whole("--accept sampled:N", v + 8, 1, UINT64_MAX,
                                  &o->min_executions) : 0;
    }
    fprintf(stderr, "weft: --accept takes exhaustive, sampled or sampled:N, not '%s'\n", v);
    return CLI_ERROR;
}

/* --shard K/N: shard K of N, K from 0 to N-1. */
static int parse_shard(const char *v, struct cli_opts *o)
{
    const char *slash = strchr(v, '/');
    char *k = slash ? strndup(v, (size_t)(slash - v)) : NULL;
    uint64_t index, count;
    bool ok = k && slash[1] >= '0' && slash[1] <= '9';
    if (slash && k == NULL)
        return out_of_memory();
    ok = ok && k[0] >= '0' && k[0] <= '9' && k[strspn(k, "0123456789")] == 0 &&
         slash[1 + strspn(slash + 1, "0123456789")] == 0;
    if (ok) {
        errno = 0;
        index = strtoull(k, NULL, 10);
        count = strtoull(slash + 1, NULL, 10);
        ok = errno == 0 && count >= 1 && count <= 1000000 && index < count;
    }
    free(k);
    if (!ok) {
        fprintf(stderr, "weft: --shard needs K/N with N from 1 to 1000000 and K from 0 to "
                "N-1 (shard K of N), not '%s'\n", v);
        return CLI_ERROR;
    }
    o->shard_index = (uint32_t)index;
    o->shard_count = (uint32_t)count;
    return 0;
}

/* --timers race|idle: a replay must fire timers by the same rule. */
static int parse_timers(const char *v, struct cli_opts *o)
{
    int rc = parse_either(v, "timers", "race", "idle", &o->timers_idle);
    return rc || !o->timers_idle ? rc : repeat_in_replay(o, "--timers", "idle");
}

/* --memory-model tso|pso|sc: a replay must run atomics by the same model. */
static int parse_memory_model(const char *v, struct cli_opts *o)
{
    if (strcmp(v, "tso") != 0 && strcmp(v, "pso") != 0 && strcmp(v, "sc") != 0) {
        fprintf(stderr, "weft: --memory-model takes tso, pso or sc, not '%s'\n", v);
        return CLI_ERROR;
    }
    o->sc_atomics = strcmp(v, "sc") == 0;
    o->reorder_stores = strcmp(v, "pso") == 0;
    return strcmp(v, "tso") == 0 ? 0 : repeat_in_replay(o, "--memory-model", v);
}

/* One option; 0, 1 when help was printed, or CLI_ERROR. */
static int parse_one(int c, const char *v, struct cli_opts *o, const struct command *cmd)
{
    switch (c) {
    case O_STRATEGY: o->strategy = v; return 0;
    case O_NOSLEEP: o->sleep_sets = false; return 0;
    case O_PARAM: return add_param(o, v);
    case O_FORMAT: o->format = v; return 0;
    case O_SCHEDULE: o->schedule = v; return 0;
    case O_QUIET: o->quiet = true; return 0;
    case O_PROGRESS: o->progress = 1; return 0;
    case O_NOSHRINK: o->shrink = false; return 0;
    case O_KEEP_GOING: o->keep_going = true; return 0;
    case O_CLASSES: o->classes = v; return 0;
    case O_CHECKPOINT: o->checkpoint = v; return 0;
    case O_OUTPUT_DIR: o->output_dir = v; return 0;
    case O_ACCEPT: return parse_accept(v, o);
    case O_CHECKPOINT_EVERY: return parse_seconds("--checkpoint-every", v, &o->checkpoint_every);
    case O_RESUME: o->resume = v; return 0;
    case O_TRACE: o->trace = v; return 0;
    case O_DOT: o->dot = v; return 0;
    case O_HTML: o->html = v; return 0;
    case O_TIMERS: return parse_timers(v, o);
    case O_SPIN_ORDER: return parse_either(v, "spin-order", "fast", "exact", &o->exact_spins);
    case O_MEMORY: return parse_memory(v, o);
    case O_MEMORY_MODEL: return parse_memory_model(v, o);
    case O_STACK: return parse_stack_size(v, o);
    case O_ISOLATE:
        if (strcmp(v, "process") != 0 && strcmp(v, "restore") != 0 && strcmp(v, "fork") != 0 &&
            strcmp(v, "none") != 0) {
            fprintf(stderr, "weft: --isolate takes process (or restore), fork or none, not "
                    "'%s'\n", v);
            return CLI_ERROR;
        }
        o->isolate = strcmp(v, "none") == 0 ? CLI_ISOLATE_NONE
                   : strcmp(v, "fork") == 0 ? CLI_ISOLATE_FORK : CLI_ISOLATE_PROCESS;
        return 0;
    case O_HELP: put_usage(stdout, cmd, o->program->name); return 1;
    case O_CFLAGS: case O_EXIT_STATUS: case O_SPURIOUS: case O_ARG:
        return parse_program_option(c, v, o);
    case O_SHARD: return parse_shard(v, o);
    case O_PREEMPT: case O_EXEC: case O_DEPTH: case O_SEED: case O_STEPS: case O_TIME:
    case O_WATCHDOG: case O_SPLIT_DEPTH: case O_JOBS:
        return parse_number(c, v, o);
    default: put_usage(stderr, cmd, o->program->name); return CLI_ERROR;
    }
}

/* Parse argv after the subcommand into o: 0, 1 (help printed) or CLI_ERROR.
** The words after "--" are a program's arguments when names come before it;
** with none before it they are the names (so that "-x.c" can be one). */
static int parse(int argc, char **argv, struct cli_opts *o, const struct command *cmd)
{
    int c, dash = 1;
    while (dash < argc && strcmp(argv[dash], "--") != 0)
        dash++;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(dash, argv, "h", long_opts, NULL)) != -1) {
        int rc = parse_one(c == 'h' ? O_HELP : c, optarg, o, cmd);
        if (rc)
            return rc;
    }
    o->args = (const char **)argv + optind;
    o->nargs = dash - optind;
    if (o->nargs == 0 && dash < argc) {
        o->args = (const char **)argv + dash + 1;
        o->nargs = argc - dash - 1;
        return 0;
    }
    for (int i = dash + 1; i < argc; i++)
        if (add_prog_arg(o, argv[i]) != 0)
            return CLI_ERROR;
    return 0;
}

/* ==========================================================================
** Output that is lost is an error
** ========================================================================== */

/* Standard output closed: the first file weft opens would become fd 1 and
** take the report. Refused at the start, before anything is opened. */
static bool stdout_closed(void)
{
    if (fcntl(STDOUT_FILENO, F_GETFD) != -1 || errno != EBADF)
        return false;
    fprintf(stderr, "weft: standard output is closed; the report would be lost\n");
    return true;
}

/* As coreutils' close_stdout: a report that could not be written, or not
** completely (a full disk, /dev/full), is an error, never a silent exit 0. */
static int close_stdout(int rc)
{
    bool failed = ferror(stdout) != 0;
    errno = 0;
    if (fclose(stdout) != 0)
        failed = true;
    if (!failed)
        return rc;
    fprintf(stderr, "weft: write error on standard output%s%s\n", errno ? ": " : "",
            errno ? strerror(errno) : "");
    return CLI_ERROR;
}

int cli_command(int argc, char **argv, const struct cli_program *program,
                const struct cli_merged *merged)
{
    static const struct command cmds[] = {
        { "list", usage_list, cli_list },
        { "run", usage_run_head, cli_run },
        { "replay", usage_replay, cli_replay },
        { "explain", usage_explain, cli_explain },
        { "merge", usage_merge, cli_merge },
    };
    if (registry_incomplete()) {
        fprintf(stderr, "weft: out of memory while registering scenarios\n");
        return CLI_ERROR;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        put_text(argc < 2 ? stderr : stdout, usage_main, program->name);
        return argc < 2 ? CLI_ERROR : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (program->linked_scenarios)
            printf("%s (weft %s)\n", program->name, PACKAGE_VERSION);
        else
            printf("weft %s\n", PACKAGE_VERSION);
        return CLI_OK;
    }
    if (strcmp(argv[1], "cc") == 0 && !program->linked_scenarios)
        return cli_cc(argc - 2, argv + 2);    /* cc's own options, not weft's */
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        struct cli_opts o = { .program = program, .strategy = "auto", .depth = 3, .shrink = true,
                              .progress = -1, .sleep_sets = true, .max_preemptions = -1,
                              .time_limit = 60, .seed = 1, .checkpoint_every = 5,
                              .max_steps = SCHED_DEFAULT_MAX_STEPS,
                              .watchdog = CLI_DEFAULT_WATCHDOG,
                              .format = "text", .params = params_new(), .merged = merged };
        o.command = cli_shell_word(program->name);
        int rc = o.params && o.command ? parse(argc - 1, argv + 1, &o, &cmds[i])
                                       : out_of_memory();
        if (rc == 1)                  /* help printed */
            rc = CLI_OK;
        else if (rc == 0)
            rc = cmds[i].fn(&o);
        params_free(o.params);
        free(o.param_args);
        free(o.prog_args);
        free(o.command);
        return rc;
    }
    fprintf(stderr, "weft: unknown command '%s'\n\n", argv[1]);
    put_text(stderr, usage_main, program->name);
    return CLI_ERROR;
}

int cli_main(int argc, char **argv, const struct cli_program *program)
{
    return stdout_closed() ? CLI_ERROR
                           : close_stdout(cli_command(argc, argv, program, NULL));
}
