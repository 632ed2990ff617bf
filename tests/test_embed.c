/*
** test_embed.c -- the embedding entry (weft_explore, weft.h): it reports
** what `weft run` reports, refuses bad options, and two explorations run
** from two OS threads at once get the outcomes they get one after the
** other: nothing of one exploration is shared with another.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "suites.h"

struct locks { weft_mutex_t a, b; };

static void lock_ab(void *arg)
{
    struct locks *l = arg;
    weft_mutex_lock(&l->a);
    weft_mutex_lock(&l->b);
    weft_mutex_unlock(&l->b);
    weft_mutex_unlock(&l->a);
}

static void lock_ba(void *arg)
{
    struct locks *l = arg;
    weft_mutex_lock(&l->b);
    weft_mutex_lock(&l->a);
    weft_mutex_unlock(&l->a);
    weft_mutex_unlock(&l->b);
}

TEST_SCENARIO(embedded_abba, WEFT_DEADLOCK)
{
    struct locks *l = weft_calloc(1, sizeof *l);
    weft_mutex_init(&l->a, "A", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&l->b, "B", WEFT_MUTEX_NORMAL);
    weft_thread_t x = weft_spawn("ab", lock_ab, l), y = weft_spawn("ba", lock_ba, l);
    weft_join(x);
    weft_join(y);
}

/* Three workers, two critical sections each, on one mutex-guarded counter. */
struct counter { weft_mutex_t mu; int n; };

static void worker(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < 2; i++) {
        weft_mutex_lock(&c->mu);
        c->n++;
        weft_mutex_unlock(&c->mu);
    }
}

TEST_SCENARIO(embedded_counter, WEFT_PASS)
{
    struct counter *c = weft_calloc(1, sizeof *c);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("worker", worker, c);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
    weft_assert(c->n == 6, "counted %d", c->n);
}

/* A thread polls a flag main sets while another reads one: fairness holds
** the poller back (tests/dpor/spin_order.c says why DPOR's fast spin order
** merges orders there: 4 executions against 5 classes). */
struct flags { weft_atomic_t f0, f1; };

static void poll_f0(void *arg)
{
    struct flags *s = arg;
    while (weft_atomic_load(&s->f0) == 0)
        weft_yield();
    weft_atomic_store(&s->f0, 1);
}

static void read_f1(void *arg)
{
    struct flags *s = arg;
    while (weft_atomic_load(&s->f1) == 0)
        weft_yield();
}

TEST_SCENARIO(embedded_poll, WEFT_PASS)
{
    struct flags *s = weft_calloc(1, sizeof *s);
    weft_atomic_init(&s->f0, "f0", 0);
    weft_atomic_init(&s->f1, "f1", 1);
    weft_thread_t p = weft_spawn("poller", poll_f0, s), r = weft_spawn("reader", read_f1, s);
    weft_atomic_store(&s->f0, 1);
    weft_join(p);
    weft_join(r);
}

/* The report without its summary line's timing: "0.001 s (1500/s)". */
static char *untimed(const char *report)
{
    char *copy = strdup(report), *t = strstr(copy, " s (");
    char *end = t ? strstr(t, "/s)") : NULL;
    if (end) {
        while (t > copy && (t[-1] == '.' || (t[-1] >= '0' && t[-1] <= '9')))
            t--;
        memmove(t, end + 3, strlen(end + 3) + 1);
    }
    return copy;
}

struct job {
    const struct weft_scenario *scenario;
    struct weft_outcome out;
    int rc;
};

static void *explore_job(void *arg)
{
    struct job *j = arg;
    struct weft_options o;
    weft_options_default(&o);
    o.strategy = "dpor";
    j->rc = weft_explore(j->scenario, &o, &j->out);
    return NULL;
}

static void same_outcome(const struct weft_outcome *a, const struct weft_outcome *b)
{
    ck_assert_int_eq(a->result, b->result);
    ck_assert_uint_eq(a->executions, b->executions);
    ck_assert_uint_eq(a->pruned, b->pruned);
    ck_assert_int_eq(a->exhaustive, b->exhaustive);
    ck_assert(!a->schedule == !b->schedule);
    if (a->schedule)
        ck_assert_str_eq(a->schedule, b->schedule);
    char *x = untimed(a->report), *y = untimed(b->report);
    ck_assert_str_eq(x, y);
    free(x);
    free(y);
}

START_TEST(explores_like_weft_run)
{
    struct job bug = { .scenario = &embedded_abba }, fix = { .scenario = &embedded_counter };
    explore_job(&bug);
    explore_job(&fix);
    ck_assert_int_eq(bug.rc, 0);
    ck_assert_int_eq(bug.out.result, WEFT_DEADLOCK);
    ck_assert(bug.out.as_expected);
    ck_assert_ptr_nonnull(strstr(bug.out.schedule, "w2."));
    ck_assert_ptr_nonnull(strstr(bug.out.report, "weft: DEADLOCK in embedded_abba"));
    ck_assert_int_eq(fix.rc, 0);
    ck_assert_int_eq(fix.out.result, WEFT_PASS);
    ck_assert(fix.out.exhaustive && fix.out.as_expected);
    ck_assert_ptr_null(fix.out.schedule);
    ck_assert_uint_eq(fix.out.executions, 90);    /* 6!/(2!)^3 orders of the sections */
    weft_outcome_free(&bug.out);
    weft_outcome_free(&fix.out);
}
END_TEST

/* A held-back spin is said (spins_merged) under the fast spin order, and
** not under the exact one, which runs more executions to keep its orders. */
START_TEST(spin_order_said)
{
    struct weft_options o;
    struct weft_outcome fast, exact;
    weft_options_default(&o);
    o.strategy = "dpor";
    ck_assert_int_eq(weft_explore(&embedded_poll, &o, &fast), 0);
    o.exact_spins = 1;
    ck_assert_int_eq(weft_explore(&embedded_poll, &o, &exact), 0);
    ck_assert(fast.exhaustive && fast.spins_merged);
    ck_assert_ptr_nonnull(strstr(fast.report, "orders around held-back spins may be merged"));
    ck_assert(exact.exhaustive && !exact.spins_merged);
    ck_assert_ptr_null(strstr(exact.report, "may be merged"));
    ck_assert_uint_lt(fast.executions, exact.executions);
    weft_outcome_free(&fast);
    weft_outcome_free(&exact);
}
END_TEST

START_TEST(bad_options_refused)
{
    struct weft_options o;
    struct weft_outcome out;
    const char *const bad_param[] = { "no equals sign", NULL };
    const char *const not_a_number[] = { "threads=x", NULL };
    weft_options_default(&o);
    o.strategy = "nope";
    ck_assert_int_eq(weft_explore(&embedded_abba, &o, &out), WEFT_EINVAL);
    weft_options_default(&o);
    o.params = bad_param;
    ck_assert_int_eq(weft_explore(&embedded_abba, &o, &out), WEFT_EINVAL);
    o.params = not_a_number;          /* weft_param_int would read it as 0 */
    ck_assert_int_eq(weft_explore(&embedded_abba, &o, &out), WEFT_EINVAL);
    ck_assert_int_eq(weft_explore(NULL, &o, &out), WEFT_EINVAL);
}
END_TEST

/* An OS thread on a stack of our own: glibc keeps the stacks (and thread
** storage) it allocates for later threads, which the leak check would
** count against the test. */
#define OS_STACK (1 << 20)

static void start_job(pthread_t *th, struct job *j, void *stack)
{
    pthread_attr_t attr;
    ck_assert_int_eq(pthread_attr_init(&attr), 0);
    ck_assert_int_eq(pthread_attr_setstack(&attr, stack, OS_STACK), 0);
    ck_assert_int_eq(pthread_create(th, &attr, explore_job, j), 0);
    pthread_attr_destroy(&attr);
}

/* Two different scenarios from two OS threads at once, 100 times: the
** outcomes of exploring them one after the other. */
START_TEST(two_threads_at_once)
{
    void *stacks[2] = { malloc(OS_STACK), malloc(OS_STACK) };
    struct job ref[2] = { { .scenario = &embedded_abba }, { .scenario = &embedded_counter } };
    for (int i = 0; i < 2; i++) {
        explore_job(&ref[i]);
        ck_assert_int_eq(ref[i].rc, 0);
    }
    for (int round = 0; round < 100; round++) {
        struct job now[2] = { { .scenario = &embedded_abba }, { .scenario = &embedded_counter } };
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            start_job(&th[i], &now[i], stacks[i]);
        for (int i = 0; i < 2; i++) {
            pthread_join(th[i], NULL);
            ck_assert_int_eq(now[i].rc, 0);
            same_outcome(&ref[i].out, &now[i].out);
            weft_outcome_free(&now[i].out);
        }
    }
    for (int i = 0; i < 2; i++) {
        weft_outcome_free(&ref[i].out);
        free(stacks[i]);
    }
}
END_TEST

Suite *embed_suite(void)
{
    Suite *s = suite_create("embed");
    TCase *tc = test_case("weft_explore");
    tcase_set_timeout(tc, 300);       /* 200 explorations under the sanitizers */
    tcase_add_test(tc, explores_like_weft_run);
    tcase_add_test(tc, spin_order_said);
    tcase_add_test(tc, bad_options_refused);
    tcase_add_test(tc, two_threads_at_once);
    suite_add_tcase(s, tc);
    return s;
}
