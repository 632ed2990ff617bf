/*
** test_detect.c -- each failure class is detected and named: deadlock with
** its wait-for cycle, self-deadlock at the relock, leaked thread, livelock
** naming the spinning thread, assertion; and no false livelock for a
** polling loop that real schedulers would end.
*/
#include <string.h>
#include "suites.h"
#include "report/report.h"

static struct explore_result found(const struct weft_scenario *s, enum weft_result want)
{
    struct explore_result r = test_explore(s, "dfs", true, -1);
    ck_assert_msg(r.failed, "%s: nothing found", s->name);
    ck_assert_str_eq(weft_result_name(r.outcome.result), weft_result_name(want));
    return r;
}

struct two { weft_mutex_t a, b; weft_chan_t *ch; int stop; };

static void lock_ab(void *arg)
{
    struct two *p = arg;
    weft_mutex_lock(&p->a);
    weft_mutex_lock(&p->b);
    weft_mutex_unlock(&p->b);
    weft_mutex_unlock(&p->a);
}

static void lock_ba(void *arg)
{
    struct two *p = arg;
    weft_mutex_lock(&p->b);
    weft_mutex_lock(&p->a);
    weft_mutex_unlock(&p->a);
    weft_mutex_unlock(&p->b);
}

TEST_SCENARIO(abba_cycle, WEFT_DEADLOCK)
{
    struct two *p = weft_calloc(1, sizeof *p);
    weft_mutex_init(&p->a, "A", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&p->b, "B", WEFT_MUTEX_NORMAL);
    weft_thread_t x = weft_spawn("ab", lock_ab, p), y = weft_spawn("ba", lock_ba, p);
    weft_join(x);
    weft_join(y);
}

START_TEST(deadlock_found)
{
    struct explore_result r = found(&abba_cycle, WEFT_DEADLOCK);
    ck_assert_int_eq(r.outcome.failing_tid, 0);
    ck_assert_ptr_nonnull(strstr(r.outcome.message, "blocked forever"));
}
END_TEST

static int relock_line;

static void relock(void *arg)
{
    struct two *p = arg;
    weft_mutex_lock(&p->a);
    relock_line = __LINE__ + 1;
    weft_mutex_lock(&p->a);
}

TEST_SCENARIO(relock_normal, WEFT_SELF_DEADLOCK)
{
    struct two *p = weft_calloc(1, sizeof *p);
    weft_join(weft_spawn("relocker", relock, p));
}

START_TEST(self_deadlock_at_relock)
{
    struct explore_result r = found(&relock_normal, WEFT_SELF_DEADLOCK);
    ck_assert_int_eq(r.outcome.failing_tid, 1);
    ck_assert_int_eq(r.outcome.where.line, relock_line);  /* the second lock */
    ck_assert_ptr_nonnull(strstr(r.outcome.message, "already holds"));
    ck_assert_uint_eq(r.cov.executions, 1);                     /* found at once */
}
END_TEST

static void wait_forever(void *arg)
{
    struct two *p = arg;
    weft_chan_recv(p->ch, NULL);
}

TEST_SCENARIO(body_returns_early, WEFT_LEAK)
{
    struct two *p = weft_calloc(1, sizeof *p);
    p->ch = weft_chan_make("never", 0);
    weft_spawn("orphan", wait_forever, p);
}

START_TEST(leaked_thread)
{
    struct explore_result r = found(&body_returns_early, WEFT_LEAK);
    ck_assert_int_eq(r.outcome.failing_tid, 1);
}
END_TEST

static void spin(void *arg)
{
    struct two *p = arg;
    while (!p->stop)
        weft_yield();
}

TEST_SCENARIO(spinner, WEFT_LIVELOCK)
{
    struct two *p = weft_calloc(1, sizeof *p);
    weft_join(weft_spawn("spinner", spin, p));
    p->stop = 1;
}

START_TEST(livelock_names_spinner)
{
    struct explore_result r = found(&spinner, WEFT_LIVELOCK);
    ck_assert(mask_has(r.outcome.spinning, 1) && mask_count(r.outcome.spinning) == 1);
    ck_assert_int_eq(r.outcome.failing_tid, 1);
    struct report *rep = report_snapshot(test_exec(), &spinner, &(struct report_request){ 0 }, &r);
    ck_assert_str_eq(rep->threads[1].state, "spinning");
    ck_assert_str_eq(rep->threads[0].state, "blocked");
    ck_assert_int_eq(rep->ncycle, 0);
    report_free(rep);
}
END_TEST

/* A poller that another thread releases after a few steps of its own: fair
** scheduling of yields lets it finish in every interleaving. */
static void release_later(void *arg)
{
    struct two *p = arg;
    weft_mutex_lock(&p->a);
    weft_mutex_unlock(&p->a);
    weft_mutex_lock(&p->a);
    p->stop = 1;
    weft_mutex_unlock(&p->a);
}

TEST_SCENARIO(poller, WEFT_PASS)
{
    struct two *p = weft_calloc(1, sizeof *p);
    weft_thread_t t = weft_spawn("releaser", release_later, p);
    spin(p);
    weft_join(t);
}

START_TEST(no_false_livelock)
{
    struct explore_result r = test_explore(&poller, "dfs", true, -1);
    ck_assert_msg(!r.failed, "false %s", weft_result_name(r.outcome.result));
    ck_assert(r.cov.exhaustive);
}
END_TEST

TEST_SCENARIO(asserts, WEFT_ASSERTION)
{
    int x = weft_choose(3);
    weft_assert(x != 2, "x is %d", x);
}

START_TEST(assertion_message)
{
    struct explore_result r = found(&asserts, WEFT_ASSERTION);
    ck_assert_str_eq(r.outcome.message, "x is 2 (x != 2)");
    ck_assert_uint_eq(r.cov.executions, 3);
}
END_TEST

/* A store near NULL (a field of a NULL struct pointer) and a stack
** overflow (into the guard page) in a scenario thread are reported as
** crashes; weft itself goes on. The address is made from an integer, not
** from NULL itself, so that the sanitizers let the store reach the
** hardware, as a real program's bad pointer does. */
static void null_deref(void *arg)
{
    weft_yield();
    *(volatile int *)((uintptr_t)arg + 8) = 1;
}

static int recurse(int n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    return n ? recurse(n - 1) + frame[0] : 0;
}

static void overflow(void *arg)
{
    (void)arg;
    weft_yield();
    recurse(1 << 20);
}

TEST_SCENARIO(segfaults, WEFT_CRASH) { weft_join(weft_spawn("null", null_deref, NULL)); }
TEST_SCENARIO(overflows, WEFT_CRASH) { weft_join(weft_spawn("deep", overflow, NULL)); }

START_TEST(crash_reported)
{
    struct explore_result r = found(&segfaults, WEFT_CRASH);
    ck_assert_int_eq(r.outcome.failing_tid, 1);
    ck_assert_ptr_nonnull(strstr(r.outcome.message, "NULL pointer"));
    r = found(&overflows, WEFT_CRASH);
    ck_assert_ptr_nonnull(strstr(r.outcome.message, "stack overflow"));
    r = found(&asserts, WEFT_ASSERTION);      /* later executions are unharmed */
    ck_assert_uint_eq(r.cov.executions, 3);
}
END_TEST

Suite *detect_suite(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = test_case("classes");
    tcase_add_test(tc, deadlock_found);
    tcase_add_test(tc, self_deadlock_at_relock);
    tcase_add_test(tc, leaked_thread);
    tcase_add_test(tc, livelock_names_spinner);
    tcase_add_test(tc, no_false_livelock);
    tcase_add_test(tc, assertion_message);
    tcase_add_test(tc, crash_reported);
    suite_add_tcase(s, tc);
    return s;
}
