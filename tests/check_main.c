/*
** check_main.c -- runs every Check suite of suites.h, and the helpers they
** share: exploring a scenario, and the end-of-test leak check. Exit status
** 0 only when every test passed.
*/
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "suites.h"

/* ==========================================================================
** Exploring
** ========================================================================== */

static struct search *last;
bool test_timers_idle;

struct search *test_search(void) { return last; }
struct exec *test_exec(void) { return search_exec(last); }

struct explore_result test_explore_with(const struct weft_scenario *s, const char *strategy,
                                        struct explore_config ec, int max_steps)
{
    search_free(last);
    struct sched_config sc = { .scenario = s, .stack_size = 256 * 1024,
                               .max_steps = max_steps ? max_steps
                                            : s->max_steps ? s->max_steps : 2000,
                               .timers_idle = test_timers_idle };
    last = search_new(&sc, NULL);
    ck_assert_ptr_nonnull(last);
    ec.plan = explore_plan_named(strategy);
    ck_assert_ptr_nonnull(ec.plan);
    struct explore_result r;
    ck_assert_int_eq(explore_run(last, &ec, &r), 0);
    return r;
}

struct explore_result test_explore(const struct weft_scenario *s, const char *strategy,
                                   bool sleep_sets, int max_preemptions)
{
    struct explore_config ec = { .sleep_sets = sleep_sets, .max_preemptions = max_preemptions,
                                 .max_executions = 10000000, .seed = 7 };
    return test_explore_with(s, strategy, ec, 0);
}

/* ==========================================================================
** Leaks: every test gives back every stack (mmap) and every byte it took
** ==========================================================================
** The library's objects are linked with --wrap=mmap,--wrap=munmap, so the
** stacks it maps are counted here. Heap use is compared with mallinfo2,
** which counts blocks cached in glibc's tcache, and the header of every
** arena made for a new OS thread, as in use: main() runs the tests with the
** tcache off and one arena. Under AddressSanitizer, LeakSanitizer checks
** the heap instead (each test's process checks itself when it exits).
*/
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
/* Atomic: two_threads_at_once explores from two OS threads, whose fibers
** map and unmap their stacks at the same time. */
static atomic_long mapped;            /* mappings made by weft, not yet unmapped */

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = __real_mmap(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        atomic_fetch_add(&mapped, 1);
    return p;
}

int __wrap_munmap(void *addr, size_t len)
{
    int rc = __real_munmap(addr, len);
    if (rc == 0)
        atomic_fetch_sub(&mapped, 1);
    return rc;
}

static size_t heap_before;

static size_t heap_in_use(void) { return mallinfo2().uordblks; }

/* mark_point leaves Check's own record of where a test is in the same
** state before and after, so that only the test's allocations count. */
static void leak_setup(void)
{
    atomic_store(&mapped, 0);
    mark_point();
    heap_before = heap_in_use();
}

static void leak_teardown(void)
{
    test_timers_idle = false;
    search_free(last);
    last = NULL;
    mark_point();
#if !defined(__SANITIZE_ADDRESS__)
    size_t heap_after = heap_in_use();
    ck_assert_msg(heap_after == heap_before, "%zd bytes of heap left behind",
                  (ssize_t)(heap_after - heap_before));
#endif
    long left = atomic_load(&mapped);
    ck_assert_msg(left == 0, "%ld fiber stacks left mapped", left);
}

void test_leak_check(TCase *tc) { tcase_add_checked_fixture(tc, leak_setup, leak_teardown); }

TCase *test_case(const char *name)
{
    TCase *tc = tcase_create(name);
    test_leak_check(tc);
    return tc;
}

#define NO_TCACHE "glibc.malloc.tcache_count=0"

int main(int argc, char **argv)
{
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (argc > 0 && (tunables == NULL || strcmp(tunables, NO_TCACHE) != 0)) {
        setenv("GLIBC_TUNABLES", NO_TCACHE, 1);   /* read by glibc at start only */
        execv("/proc/self/exe", argv);
    }
    mallopt(M_ARENA_MAX, 1);
    SRunner *sr = srunner_create(fiber_suite());
    srunner_add_suite(sr, codec_suite());
    srunner_add_suite(sr, primitives_suite());
    srunner_add_suite(sr, explore_suite());
    srunner_add_suite(sr, detect_suite());
    srunner_add_suite(sr, report_suite());
    srunner_add_suite(sr, embed_suite());
    srunner_add_suite(sr, races_suite());
    srunner_add_suite(sr, threads_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
