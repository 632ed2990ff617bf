/*
** bench.c -- benchmarks, not tests: the tables `make bench` prints. The
** explorer on lock_family (executions per second; DFS against DPOR on the
** n x k grid) and every seed bug under every strategy (executions and time
** to the first failure; PCT's hit rate over ten seeds). Timing lives here
** and never in a test.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/params.h"
#include "core/registry.h"
#include "explore/explore.h"
#include "weft.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double since(void *ctx) { return now() - *(double *)ctx; }

static const struct weft_scenario *scenario(const char *name)
{
    const struct weft_scenario *s = registry_find(name, 0, registry_count());
    if (s == NULL) {
        fprintf(stderr, "bench: scenario %s is not built in\n", name);
        exit(1);
    }
    return s;
}

static struct params *params;         /* the --param values of the next search */
static struct exec *context;          /* stacks and memory, kept from search to search */

/* One search; returns its wall time in seconds. */
static double explore(const char *name, const char *strategy, bool sleep_sets, uint64_t budget,
                      uint64_t seed, double limit, struct explore_result *r)
{
    struct sched_config sc = { .scenario = scenario(name), .max_steps = 10000,
                               .stack_size = 64 * 1024, .params = params };
    struct search *s = search_new(&sc, context);
    double t0 = now();
    struct explore_config ec = { .plan = explore_plan_named(strategy), .sleep_sets = sleep_sets,
                                 .max_preemptions = -1, .max_executions = budget, .seed = seed,
                                 .depth = 3, .elapsed = since, .clock_ctx = &t0,
                                 .time_limit = limit };
    if (s == NULL || explore_run(s, &ec, r) != 0) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    double t = now() - t0;
    search_free(s);
    return t;
}

static void no_params(void)
{
    params_free(params);
    params = params_new();
}

static void family(const char *n, const char *k, const char *symmetric)
{
    no_params();
    params_set(params, "threads", n);
    params_set(params, "sections", k);
    params_set(params, "symmetric", symmetric);
}

/* ==========================================================================
** Tables
** ========================================================================== */

static void throughput(void)
{
    struct explore_result r;
    printf("\n### Executions per second, lock_family 2x10 (40 lock operations per execution)\n\n");
    printf("| strategy | executions | time (s) | executions/s |\n|---|---:|---:|---:|\n");
    const char *strategies[] = { "random", "pct", "dfs", "dpor" };
    for (size_t i = 0; i < 4; i++) {
        family("2", "10", "0");
        double t = explore("lock_family", strategies[i], true, 200000, 1, 0, &r);
        printf("| %s | %llu | %.3f | %.0f |\n", strategies[i],
               (unsigned long long)(r.cov.executions + r.cov.pruned), t,
               (double)(r.cov.executions + r.cov.pruned) / t);
    }
}

static void grid(void)
{
    struct explore_result r;
    printf("\n### DFS against DPOR on lock_family n x k (complete executions + sleep-set-blocked)\n\n");
    printf("| n x k | orders | dfs | dfs time (s) | dfs + sleep sets | time (s) | dpor | dpor time (s) | dpor, symmetric | time (s) |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const char *orders[3][3] = { { "2", "6", "20" }, { "6", "90", "1680" },
                                 { "24", "2520", "369600" } };
    for (int n = 2; n <= 4; n++)
        for (int k = 1; k <= 3; k++) {
            char ns[4], ks[4];
            snprintf(ns, sizeof ns, "%d", n);
            snprintf(ks, sizeof ks, "%d", k);
            printf("| %dx%d | %s ", n, k, orders[n - 2][k - 1]);
            family(ns, ks, "0");
            double t = explore("lock_family", "dfs", false, 2000000, 1, 0, &r);
            printf("| %llu%s | %.3f ", (unsigned long long)r.cov.executions,
                   r.cov.exhaustive ? "" : " (stopped)", t);
            t = explore("lock_family", "dfs", true, 0, 1, 0, &r);
            printf("| %llu + %llu | %.3f ", (unsigned long long)r.cov.executions,
                   (unsigned long long)r.cov.pruned, t);
            t = explore("lock_family", "dpor", true, 0, 1, 0, &r);
            printf("| %llu + %llu | %.3f ", (unsigned long long)r.cov.executions,
                   (unsigned long long)r.cov.pruned, t);
            family(ns, ks, "1");
            t = explore("lock_family", "dpor", true, 0, 1, 0, &r);
            printf("| %llu | %.3f |\n", (unsigned long long)r.cov.executions, t);
        }
}

/*
** crowd: two workers take turns on one mutex `sections` times each while
** `idle` more threads wait on a wait group that main releases at the end.
** The cost of a step should not grow with threads that the step does not
** affect: the idle threads are parked on an object the workers never touch.
*/
struct crowd {
    weft_mutex_t mu;
    weft_waitgroup_t gate;
    int sections;
};

static void crowd_worker(void *arg)
{
    struct crowd *c = arg;
    for (int k = 0; k < c->sections; k++) {
        weft_mutex_lock(&c->mu);
        weft_mutex_unlock(&c->mu);
    }
}

static void crowd_idler(void *arg)
{
    struct crowd *c = arg;
    weft_waitgroup_wait(&c->gate);
}

#define CROWD_MAX 1024

WEFT_SCENARIO(crowd, .summary = "benchmark: two workers on a mutex beside idle threads",
              .expect = WEFT_PASS)
{
    static weft_thread_t idlers[CROWD_MAX];
    struct crowd *c = weft_calloc(1, sizeof *c);
    int idle = weft_param_int("idle", 0);
    weft_assert(idle >= 0 && idle <= CROWD_MAX, "idle must be 0..%d", CROWD_MAX);
    c->sections = weft_param_int("sections", 100);
    weft_mutex_init(&c->mu, "mu", WEFT_MUTEX_NORMAL);
    weft_waitgroup_init(&c->gate, "gate");
    weft_waitgroup_add(&c->gate, 1);
    for (int i = 0; i < idle; i++)
        idlers[i] = weft_spawn("idler", crowd_idler, c);
    weft_thread_t a = weft_spawn("worker0", crowd_worker, c);
    weft_thread_t b = weft_spawn("worker1", crowd_worker, c);
    weft_join(a);
    weft_join(b);
    weft_waitgroup_done(&c->gate);
    for (int i = 0; i < idle; i++)
        weft_join(idlers[i]);
}

/* Nanoseconds per step of random executions of crowd, 2 workers and
** `idle` waiting threads (every execution takes the same number of steps). */
static void step_cost(void)
{
    printf("\n### Cost of a step beside idle threads (crowd: 2 workers x 200 sections, random)\n\n");
    printf("| threads | idle | steps per execution | executions | time (s) | ns per step |\n");
    printf("|---:|---:|---:|---:|---:|---:|\n");
    const char *idle[] = { "0", "62", "254" };
    for (size_t i = 0; i < sizeof idle / sizeof idle[0]; i++) {
        struct explore_result r;
        no_params();
        params_set(params, "idle", idle[i]);
        params_set(params, "sections", "200");
        uint64_t n = 2000;
        double t = explore("crowd", "random", true, n, 1, 0, &r);
        n = r.cov.executions + r.cov.pruned;
        printf("| %d | %s | %u | %llu | %.3f | %.1f |\n", 2 + atoi(idle[i]), idle[i], r.nsteps,
               (unsigned long long)n, t, t * 1e9 / ((double)n * r.nsteps));
    }
}

/* One row of the optimality table: dfs with sleep sets and dpor on scenario
** with --param key=n, beside the count of classes ("optimal"). */
static void optimality_row(const char *scenario, const char *key, int n, unsigned long long optimal)
{
    struct explore_result r;
    char ns[8];
    snprintf(ns, sizeof ns, "%d", n);
    no_params();
    params_set(params, key, ns);
    printf("| %s(%d) | %llu ", scenario, n, optimal);
    const char *strategies[] = { "dfs", "dpor" };
    for (int i = 0; i < 2; i++) {
        double t = explore(scenario, strategies[i], true, 0, 1, 0, &r);
        printf("| %llu + %llu | %.3f ", (unsigned long long)r.cov.executions,
               (unsigned long long)r.cov.pruned, t);
    }
    printf("|\n");
}

static unsigned long long factorial(int n)
{
    return n <= 1 ? 1 : (unsigned long long)n * factorial(n - 1);
}

/* DPOR's optimality beyond lock_family: writer_readers(N) has 2^N classes;
** lastzero(n)'s classes are those dfs with sleep sets runs to their end
** (one execution per class), 5, 12, 28, 64 for n = 2..5; two_stage(n)
** (each worker locks one mutex, then another) has n! * n!. */
static void optimality(void)
{
    static const unsigned long long lastzero_classes[] = { 0, 0, 5, 12, 28, 64 };
    printf("\n### DPOR optimality beyond lock_family (complete executions + sleep-set-blocked)\n\n");
    printf("| family | classes | dfs + sleep sets | time (s) | dpor | time (s) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int n = 2; n <= 8; n++)
        optimality_row("writer_readers", "readers", n, 1ULL << n);
    for (int n = 2; n <= 5; n++)
        optimality_row("lastzero", "threads", n, lastzero_classes[n]);
    for (int n = 2; n <= 5; n++)      /* one section each: n! orders per mutex */
        optimality_row("two_stage", "threads", n, factorial(n) * factorial(n));
}

static const char *const seeds[] = {
    "coder_close_during_create", "agentops_queue_full", "grpc_goaway_hang",
    "tinykv_shutdown_hang", "tinykv_shutdown_spin", "nng_recv_close",
    "abba", "philosophers", "lost_wakeup", "bounded_buffer_one_cond",
};

static void first_bug(void)
{
    const char *strategies[] = { "auto", "dpor", "dfs", "bounded", "pct", "random" };
    printf("\n### Executions and milliseconds to the first failure (default settings)\n\n");
    printf("| scenario | auto | dpor | dfs | bounded | pct (d=3) | random |\n");
    printf("|---|---|---|---|---|---|---|\n");
    no_params();
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        printf("| %s ", seeds[i]);
        for (size_t j = 0; j < sizeof strategies / sizeof strategies[0]; j++) {
            struct explore_result r;
            bool sampled = !strcmp(strategies[j], "pct") || !strcmp(strategies[j], "random");
            double t = explore(seeds[i], strategies[j], true, sampled ? 1000 : 0, 1, 10, &r);
            if (r.failed)
                printf("| %llu in %.2f ", (unsigned long long)(r.cov.executions + r.cov.pruned), t * 1e3);
            else
                printf("| not found (%llu) ", (unsigned long long)(r.cov.executions + r.cov.pruned));
        }
        printf("|\n");
    }
}

static void pct_seeds(void)
{
    printf("\n### PCT depth 3, 1000 executions, seeds 1 to 10\n\n");
    printf("| scenario | seeds that found it | executions to the bug (median) |\n|---|---:|---:|\n");
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        uint64_t counts[10];
        int found = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            struct explore_result r;
            explore(seeds[i], "pct", true, 1000, seed, 0, &r);
            if (r.failed)
                counts[found++] = r.cov.executions;
        }
        for (int a = 0; a < found; a++)        /* insertion sort for the median */
            for (int b = a; b > 0 && counts[b] < counts[b - 1]; b--) {
                uint64_t x = counts[b];
                counts[b] = counts[b - 1];
                counts[b - 1] = x;
            }
        printf("| %s | %d / 10 | ", seeds[i], found);
        if (found)
            printf("%llu |\n", (unsigned long long)counts[found / 2]);
        else
            printf("- |\n");
    }
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : "";
    if ((context = sched_new()) == NULL)
        return 1;
    if (!*only || !strcmp(only, "throughput"))
        throughput();
    if (!*only || !strcmp(only, "steps"))
        step_cost();
    if (!*only || !strcmp(only, "grid"))
        grid();
    if (!*only || !strcmp(only, "optimality"))
        optimality();
    if (!*only || !strcmp(only, "bugs"))
        first_bug();
    if (!*only || !strcmp(only, "pct"))
        pct_seeds();
    params_free(params);
    sched_free(context);
    return 0;
}
