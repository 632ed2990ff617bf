/*
** suites.h -- the one registry of Check suites, and helpers shared by tests.
** tests/ mirrors sched/: a suite per area. check_main.c runs them all, each
** test forked under CK_DEFAULT_TIMEOUT and ending with a check that it
** leaked no fiber stack and no memory (leak_check).
*/
#ifndef WEFT_TEST_SUITES_H
#define WEFT_TEST_SUITES_H

#include <check.h>
#include "explore/explore.h"

Suite *fiber_suite(void);
Suite *codec_suite(void);
Suite *primitives_suite(void);
Suite *explore_suite(void);
Suite *detect_suite(void);
Suite *report_suite(void);
Suite *embed_suite(void);
Suite *races_suite(void);
Suite *threads_suite(void);

/* Explore s with a plan ("dfs", "dpor", "random"); max_preemptions -1:
** none. The search stays readable through test_search() until the next
** call or the end of the test. */
struct explore_result test_explore(const struct weft_scenario *s, const char *strategy,
                                   bool sleep_sets, int max_preemptions);
/* The same with a whole explore_config (its plan named by strategy). */
struct explore_result test_explore_with(const struct weft_scenario *s, const char *strategy,
                                        struct explore_config ec, int max_steps);
struct search *test_search(void);
/* Timers fire only when every thread waits (--timers=idle) in the searches
** that follow, while set. */
extern bool test_timers_idle;
/* The execution of test_search(). */
struct exec *test_exec(void);

/* A test case whose tests each end by checking that no fiber stack and no
** heap memory was left behind (test_search is freed first). */
TCase *test_case(const char *name);
/* The same check added to tc after its own fixtures. */
void test_leak_check(TCase *tc);

/* A scenario body in a test: registers nothing, just a descriptor. */
#define TEST_SCENARIO(NAME, EXPECT)                                        \
    static void NAME##_body(void);                                        \
    static const struct weft_scenario NAME = {                            \
        .name = #NAME, .body = NAME##_body, .expect = EXPECT,             \
        .file = __FILE__, .line = __LINE__ };                              \
    static void NAME##_body(void)

#endif
