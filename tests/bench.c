/*
** bench.c -- benchmarks, not tests: nanoseconds per context switch and
** executions per second on lock_family. `make bench` prints the table.
*/
#include <stdio.h>
#include <time.h>
#include "explore.h"
#include "registry.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- context switch ---- */

static struct fiber main_fiber, ping;
static long switches;

static void ping_loop(void *arg)
{
    (void)arg;
    for (;;) {
        switches++;
        fiber_switch(&ping, &main_fiber, 0);
    }
}

static double ns_per_switch(long rounds)
{
    fiber_init_main(&main_fiber);
    fiber_stack_alloc(&ping, 64 * 1024);
    fiber_prepare(&ping, ping_loop, NULL);
    double t0 = now();
    for (long i = 0; i < rounds; i++)
        fiber_switch(&main_fiber, &ping, 0);
    return (now() - t0) * 1e9 / (double)rounds;
}

/* ---- lock_family (the bundled scenario, built into this program) ---- */

static const struct weft_scenario *lock_family;

static void run(const char *strategy, bool sleep_sets, const char *threads, const char *sections,
                uint64_t budget)
{
    sched_params_clear();
    sched_param_set("threads", threads);
    sched_param_set("sections", sections);
    struct sched_config sc = { .scenario = lock_family, .max_steps = 10000, .stack_size = 1 << 16 };
    struct explore_config ec = { .strategy = strategy, .sleep_sets = sleep_sets,
                                 .max_preemptions = -1, .max_executions = budget, .seed = 1 };
    struct explore_result r;
    double t0 = now();
    explore_run(&sc, &ec, &r);
    double dt = now() - t0;
    printf("| lock_family %sx%-2s | %-6s %-5s | %10llu | %8llu | %-10s | %8.3f | %10.0f |\n",
           threads, sections, strategy, sleep_sets ? "+ss" : "", (unsigned long long)r.executions,
           (unsigned long long)r.pruned, r.exhaustive ? "exhaustive" : "sampled", dt,
           (double)(r.executions + r.pruned) / dt);
}

int main(void)
{
    lock_family = registry_find("lock_family", 0, registry_count());
    if (lock_family == NULL) {
        fprintf(stderr, "bench: lock_family is not built in\n");
        return 1;
    }
    printf("context switch (hand-written, round trip): %.1f ns\n\n", ns_per_switch(10000000));
    printf("| scenario          | strategy     | executions |   pruned | coverage   |   time s | exec/s     |\n");
    printf("|-------------------|--------------|------------|----------|------------|----------|------------|\n");
    run("random", false, "2", "10", 200000);
    run("dfs", false, "2", "10", 200000);
    run("dfs", true, "2", "10", 200000);
    run("dfs", false, "2", "2", 0);
    run("dfs", true, "2", "2", 0);
    run("dfs", false, "3", "2", 0);
    run("dfs", true, "3", "2", 0);
    run("dfs", true, "3", "3", 2000000);
    sched_shutdown();
    return 0;
}
