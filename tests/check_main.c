/*
** check_main.c -- runs every Check suite of suites.h and the helpers they
** share. Exit status 0 only when every test passed.
*/
#include <stdlib.h>
#include "suites.h"

struct explore_result test_explore(const struct weft_scenario *s, const char *strategy,
                                   bool sleep_sets, int max_preemptions)
{
    struct sched_config sc = { .scenario = s, .max_steps = s->max_steps ? s->max_steps : 2000,
                               .stack_size = 256 * 1024 };
    struct explore_config ec = { .strategy = strategy, .sleep_sets = sleep_sets,
                                 .max_preemptions = max_preemptions,
                                 .max_executions = 10000000, .seed = 7 };
    struct explore_result r;
    ck_assert_int_eq(explore_run(&sc, &ec, &r), 0);
    return r;
}

int main(void)
{
    SRunner *sr = srunner_create(fiber_suite());
    srunner_add_suite(sr, codec_suite());
    srunner_add_suite(sr, primitives_suite());
    srunner_add_suite(sr, explore_suite());
    srunner_add_suite(sr, detect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
