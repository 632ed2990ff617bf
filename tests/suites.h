/*
** suites.h -- the one registry of Check suites, and helpers shared by tests.
** tests/ mirrors sched/: a suite per area. check_main.c runs them all, each
** test forked under CK_DEFAULT_TIMEOUT.
*/
#ifndef WEFT_TEST_SUITES_H
#define WEFT_TEST_SUITES_H

#include <check.h>
#include "explore.h"

Suite *fiber_suite(void);
Suite *codec_suite(void);
Suite *primitives_suite(void);
Suite *explore_suite(void);
Suite *detect_suite(void);

/* Explore s with a strategy ("dfs", "random"); max_preemptions -1: none. */
struct explore_result test_explore(const struct weft_scenario *s, const char *strategy,
                                   bool sleep_sets, int max_preemptions);

/* A scenario body in a test: registers nothing, just a descriptor. */
#define TEST_SCENARIO(NAME, EXPECT)                                        \
    static void NAME##_body(void);                                        \
    static const struct weft_scenario NAME = {                            \
        .name = #NAME, .body = NAME##_body, .expect = EXPECT,             \
        .file = __FILE__, .line = __LINE__ };                              \
    static void NAME##_body(void)

#endif
