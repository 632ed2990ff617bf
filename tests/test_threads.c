/*
** test_threads.c -- threads bounded only by memory (issue 8) and detached
** threads (issue 9): 1,500 threads in one scenario with exact outcomes,
** thread sets past 64 in searches and reports, and what happens to a
** detached thread when the body returns.
*/
#include <stdlib.h>
#include <string.h>
#include "report/report.h"
#include "suites.h"

/* ---- many threads ---- */

#define MANY 1500

static int nworkers;                  /* threads each scenario below starts */

struct pool {
    weft_mutex_t mu;
    weft_waitgroup_t wg;
    int count;
};

static void pool_worker(void *arg)
{
    struct pool *p = arg;
    weft_mutex_lock(&p->mu);
    p->count++;
    weft_mutex_unlock(&p->mu);
    weft_waitgroup_done(&p->wg);
}

/* Each worker takes one lock and signals a wait group; main waits for all. */
TEST_SCENARIO(pool_of_workers, WEFT_PASS)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_mutex_init(&p->mu, "mu", WEFT_MUTEX_NORMAL);
    weft_waitgroup_add(&p->wg, nworkers);
    for (int i = 0; i < nworkers; i++)
        weft_spawn("worker", pool_worker, p);
    weft_waitgroup_wait(&p->wg);
    weft_assert(p->count == nworkers, "%d of %d workers counted", p->count, nworkers);
}

static struct explore_result run_pool(const char *strategy, uint64_t executions)
{
    struct explore_config ec = { .max_executions = executions, .seed = 3,
                                 .max_preemptions = -1, .sleep_sets = true, .depth = 3 };
    return test_explore_with(&pool_of_workers, strategy, ec, 6 * MANY);
}

START_TEST(fifteen_hundred_threads)
{
    nworkers = MANY;
    const char *strategies[] = { "random", "pct", "dfs" };
    const uint64_t run_to_end[] = { 3, 3, 2 };    /* dfs: the third is sleep-set blocked */
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++) {
        struct explore_result r = run_pool(strategies[i], 3);
        ck_assert_msg(!r.failed, "%s: %s", strategies[i], r.outcome.message);
        ck_assert_msg(r.cov.executions == run_to_end[i] && r.cov.pruned == 3 - run_to_end[i],
                      "%s: %llu executions, %llu pruned",
                      strategies[i], (unsigned long long)r.cov.executions,
                      (unsigned long long)r.cov.pruned);
        ck_assert(!r.cov.exhaustive);
        ck_assert_int_eq(test_exec()->nthreads, MANY + 1);
        ck_assert_uint_eq(r.cov.cut, 0);
    }
}
END_TEST

/* The same scenario where it is small, searched whole: 4 workers take the
** lock in 4! orders, each with the wait group's 4! orders of "done" after
** them, minus those the lock fixes: 576; and main's look at the counter
** comes before the first done, between two or after the last (it reads
** 4, 3, 2, 1 or 0): 5 times as many, 2,880 classes, found by both. */
START_TEST(pool_searched_whole_where_small)
{
    nworkers = 4;
    struct explore_result d = test_explore(&pool_of_workers, "dfs", true, -1);
    ck_assert(!d.failed && d.cov.exhaustive);
    ck_assert_uint_eq(d.cov.executions, 2880);
    struct explore_result r = test_explore(&pool_of_workers, "dpor", true, -1);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 2880);
    ck_assert_uint_eq(r.cov.pruned, 0);
}
END_TEST

/* ---- enabled sets kept by watching (sched.c), from 8 threads on ---- */

static void recv_one(void *arg)
{
    void *v;
    weft_chan_recv(arg, &v);
}

static void send_one(void *arg) { weft_chan_send(arg, (void *)1); }
static void filler(void *arg) { (void)arg; }

/* The sender hands its value to the waiting receiver (completing the
** receiver's operation) before the eighth thread exists, where the
** scheduler begins to watch: the receiver is still enabled then, though
** the channel holds nothing. (It once was not: a deadlock.) */
TEST_SCENARIO(rendezvous_then_crowd, WEFT_PASS)
{
    weft_chan_t *ch = weft_chan_make("ch", 0);
    weft_thread_t t[8];
    t[0] = weft_spawn("receiver", recv_one, ch);
    t[1] = weft_spawn("sender", send_one, ch);
    weft_join(t[1]);
    for (int i = 2; i < 8; i++)
        t[i] = weft_spawn("filler", filler, NULL);
    for (int i = 0; i < 8; i++)
        if (i != 1)
            weft_join(t[i]);
}

START_TEST(completed_before_watching_is_enabled)
{
    const char *strategies[] = { "dfs", "dpor" };
    for (size_t i = 0; i < 2; i++) {
        struct explore_result r = test_explore(&rendezvous_then_crowd, strategies[i], true, -1);
        ck_assert_msg(!r.failed, "%s: %s", strategies[i], r.outcome.message);
        ck_assert(r.cov.exhaustive);
        ck_assert_uint_eq(r.cov.executions, 2);
    }
}
END_TEST

static void own_lock(void *arg)
{
    weft_mutex_t *mu = arg;
    weft_mutex_lock(mu);
    weft_mutex_unlock(mu);
}

/* Workers that share nothing: one class, however many there are. */
TEST_SCENARIO(independent_workers, WEFT_PASS)
{
    weft_mutex_t *mu = weft_calloc((size_t)nworkers, sizeof *mu);
    weft_thread_t *t = weft_calloc((size_t)nworkers, sizeof *t);
    for (int i = 0; i < nworkers; i++)
        t[i] = weft_spawn("worker", own_lock, &mu[i]);
    for (int i = 0; i < nworkers; i++)
        weft_join(t[i]);
}

START_TEST(fifteen_hundred_independent_threads_one_execution)
{
    nworkers = MANY;
    struct explore_config ec = { .max_executions = 10, .max_preemptions = -1,
                                 .sleep_sets = true };
    struct explore_result r = test_explore_with(&independent_workers, "dpor", ec, 6 * MANY);
    ck_assert(!r.failed);
    ck_assert(r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 1);
    ck_assert_int_eq(test_exec()->nthreads, MANY + 1);
}
END_TEST

/* ---- thread sets past 64, in a failure ---- */

static const struct weft_scenario detached_may_not_run;

#define ABBA_AT 70                    /* the two threads that deadlock: 70, 71 */

static weft_mutex_t abba_a, abba_b;

static void take_ab(void *arg)
{
    bool reverse = arg != NULL;
    weft_mutex_lock(reverse ? &abba_b : &abba_a);
    weft_mutex_lock(reverse ? &abba_a : &abba_b);
    weft_mutex_unlock(reverse ? &abba_a : &abba_b);
    weft_mutex_unlock(reverse ? &abba_b : &abba_a);
}

static void idle_worker(void *arg) { (void)arg; }

TEST_SCENARIO(abba_past_64, WEFT_DEADLOCK)
{
    weft_mutex_init(&abba_a, "A", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&abba_b, "B", WEFT_MUTEX_NORMAL);
    weft_thread_t t[ABBA_AT + 2];
    for (int i = 1; i < ABBA_AT; i++)
        t[i] = weft_spawn("idle", idle_worker, NULL);
    t[ABBA_AT] = weft_spawn("ab", take_ab, NULL);
    t[ABBA_AT + 1] = weft_spawn("ba", take_ab, &abba_b);
    for (int i = 1; i <= ABBA_AT + 1; i++)
        weft_join(t[i]);
}

START_TEST(deadlock_between_threads_past_64)
{
    struct explore_result r = test_explore(&abba_past_64, "dpor", true, -1);
    ck_assert(r.failed);
    ck_assert_str_eq(weft_result_name(r.outcome.result), "deadlock");
    struct report *rep = report_snapshot(test_exec(), &abba_past_64,
                                         &(struct report_request){ 0 }, &r);
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(rep->nthreads, ABBA_AT + 2);
    ck_assert_int_eq(rep->ncycle, 3);  /* 70 -> 71 -> 70, or the other way round */
    for (int i = 0; i < rep->ncycle; i++)
        ck_assert_int_ge(rep->cycle[i], ABBA_AT);
    ck_assert(mask_has(rep->threads[ABBA_AT].blockers, ABBA_AT + 1) ||
              mask_has(rep->threads[ABBA_AT + 1].blockers, ABBA_AT));
    sched_mask sig = report_signature(test_exec(), &r.outcome);
    ck_assert_int_eq(mask_count(sig), 2);
    ck_assert(mask_has(sig, ABBA_AT) && mask_has(sig, ABBA_AT + 1));
    /* The report outlives its execution context, sets past 64 included. */
    test_explore(&detached_may_not_run, "dfs", true, -1);   /* frees the search */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    report_format_named("text")->print(f, rep, REPORT_REPLAY);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "held by thread 71 \"ba\""));
    ck_assert_ptr_nonnull(strstr(text, "held by thread 70 \"ab\""));
    free(text);
    report_free(rep);
}
END_TEST

/* ---- detached threads ---- */

static int detached_ran;

static void runs_once(void *arg)
{
    (void)arg;
    detached_ran++;
    weft_yield();
}

/* A detached thread may run before the body returns, or never. */
TEST_SCENARIO(detached_may_not_run, WEFT_PASS)
{
    weft_spawn_detached("bg", runs_once, NULL);
}

static void fails_after_a_step(void *arg)
{
    (void)arg;
    weft_yield();
    weft_assert(false, "the detached thread ran past its first step");
}

/* It may take its steps before the body returns: every search finds this. */
TEST_SCENARIO(detached_fails_before_return, WEFT_ASSERTION)
{
    weft_spawn_detached("bg", fails_after_a_step, NULL);
}

static weft_chan_t *never;

static void waits_forever(void *arg)
{
    (void)arg;
    weft_chan_recv(never, NULL);
}

static void ticks_forever(void *arg)
{
    (void)arg;
    for (;;)
        weft_sleep(1);
}

/* Blocked forever, or looping forever, when the body returns: stopped, as
** a process's threads are at exit; neither a leak nor a livelock. */
TEST_SCENARIO(detached_left_behind, WEFT_PASS)
{
    never = weft_chan_make("never", 0);
    weft_spawn_detached("waiter", waits_forever, NULL);
    weft_spawn_detached("ticker", ticks_forever, NULL);
    weft_sleep(3);
}

/* A thread not detached, blocked forever, is still a leak. */
TEST_SCENARIO(joinable_left_behind, WEFT_LEAK)
{
    never = weft_chan_make("never", 0);
    weft_spawn_detached("waiter", waits_forever, NULL);
    weft_spawn("worker", waits_forever, NULL);
}

/* The body blocked on a detached thread that is blocked: a deadlock. */
TEST_SCENARIO(body_waits_for_detached, WEFT_DEADLOCK)
{
    never = weft_chan_make("never", 0);
    weft_spawn_detached("waiter", waits_forever, NULL);
    weft_chan_recv(never, NULL);
}

static int join_result;

TEST_SCENARIO(join_of_detached, WEFT_PASS)
{
    weft_thread_t t = weft_spawn_detached("bg", runs_once, NULL);
    join_result = weft_join(t);
}

START_TEST(detached_threads_end_with_the_body)
{
    const char *strategies[] = { "dfs", "dpor" };
    for (size_t i = 0; i < 2; i++) {
        const char *s = strategies[i];
        struct explore_result r = test_explore(&detached_may_not_run, s, true, -1);
        ck_assert(!r.failed && r.cov.exhaustive);
        r = test_explore(&detached_fails_before_return, s, true, -1);
        ck_assert_str_eq(weft_result_name(r.outcome.result), "assertion");
        ck_assert_str_eq(r.outcome.message, "the detached thread ran past its first step (false)");
        r = test_explore(&detached_left_behind, s, true, -1);
        ck_assert_msg(!r.failed, "%s: %s", s, r.outcome.message);
        ck_assert(r.cov.exhaustive);
        ck_assert_uint_eq(r.cov.cut, 0);
        r = test_explore(&joinable_left_behind, s, true, -1);
        ck_assert_str_eq(weft_result_name(r.outcome.result), "leak");
        ck_assert_str_eq(test_exec()->threads[r.outcome.failing_tid]->obj.name, "worker");
        ck_assert_str_eq(r.outcome.message,
                         "the scenario body returned while 1 thread stay blocked forever");
        r = test_explore(&body_waits_for_detached, s, true, -1);
        ck_assert_str_eq(weft_result_name(r.outcome.result), "deadlock");
    }
    /* Run, or not: with no search that skips an order, both are seen. */
    struct explore_result r = test_explore(&detached_may_not_run, "dfs", false, -1);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 6);   /* the end before its start, after it, after
                                                 its yield, and the body's return before
                                                 each of its steps taken (1 + 2 + 3) */
}
END_TEST

START_TEST(join_of_detached_thread_is_einval)
{
    join_result = 1;
    struct explore_result r = test_explore(&join_of_detached, "dfs", true, -1);
    ck_assert(!r.failed);
    ck_assert_int_eq(join_result, WEFT_EINVAL);
}
END_TEST

/* ---- weft_detach after the spawn ---- */

static int detach_results[3];

/* Detached later: the body may return while the waiter is blocked, and a
** second detach and a join both say EINVAL. */
TEST_SCENARIO(detach_after_spawn, WEFT_PASS)
{
    never = weft_chan_make("never", 0);
    weft_thread_t t = weft_spawn("waiter", waits_forever, NULL);
    detach_results[0] = weft_detach(t);
    detach_results[1] = weft_detach(t);
    detach_results[2] = weft_join(t);
}

/* Not detached: the same thread is a leak. */
TEST_SCENARIO(not_detached_after_spawn, WEFT_LEAK)
{
    never = weft_chan_make("never", 0);
    weft_spawn("waiter", waits_forever, NULL);
}

static weft_thread_t to_detach;

static void detacher(void *arg)
{
    (void)arg;
    weft_detach(to_detach);
}

static void fails_if_joined(void *arg)
{
    (void)arg;
    weft_yield();
}

/* A join racing a detach from another thread: a join already waiting is
** a misuse (undefined in POSIX); a join after the detach returns EINVAL,
** which fails too. The searches find one or the other. */
TEST_SCENARIO(join_races_detach, WEFT_ASSERTION)
{
    to_detach = weft_spawn("bg", fails_if_joined, NULL);
    weft_thread_t d = weft_spawn("detacher", detacher, NULL);
    int rc = weft_join(to_detach);
    weft_join(d);
    weft_assert(rc == 0, "joined a thread detached meanwhile");
}

START_TEST(detach_after_spawn_ends_like_spawn_detached)
{
    const char *strategies[] = { "dfs", "dpor" };
    for (size_t i = 0; i < 2; i++) {
        struct explore_result r = test_explore(&detach_after_spawn, strategies[i], true, -1);
        ck_assert_msg(!r.failed && r.cov.exhaustive, "%s: %s", strategies[i], r.outcome.message);
        ck_assert_int_eq(detach_results[0], 0);
        ck_assert_int_eq(detach_results[1], WEFT_EINVAL);
        ck_assert_int_eq(detach_results[2], WEFT_EINVAL);
        r = test_explore(&not_detached_after_spawn, strategies[i], true, -1);
        ck_assert_str_eq(weft_result_name(r.outcome.result), "leak");
        r = test_explore(&join_races_detach, strategies[i], true, -1);
        ck_assert_str_eq(weft_result_name(r.outcome.result), "assertion");
        ck_assert_str_eq(r.outcome.message, "thread \"bg\" detached while another thread joins it");
    }
}
END_TEST

/* ---- thread sets at the edge of the inline word (core/mask.h) ---- */

/* Each set has one form: one made past the word and shrunk back below it
** is the inline set, equal word for word to the same set built directly. */
START_TEST(thread_sets_at_the_word_edge)
{
    struct mask_table tab = { 0 }, other = { 0 };
    sched_mask low = mask_with(&tab, mask_one(&tab, 0), 62);
    ck_assert_int_eq(mask_count(low), 2);
    ck_assert(mask_has(low, 62) && !mask_has(low, 63) && !mask_has(low, 64) && !mask_has(low, -1));
    static const int edges[] = { 63, 64, 127, 128, 1499 };
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++) {
        int edge = edges[e];
        sched_mask big = mask_with(&tab, low, edge);
        ck_assert_int_eq(mask_count(big), 3);
        ck_assert(mask_has(big, edge) && mask_has(big, 62) && !mask_has(big, edge + 1));
        ck_assert(!mask_eq(big, low) && mask_eq(big, mask_with(&tab, low, edge)));
        ck_assert(mask_eq(mask_without(&tab, big, edge), low));
        ck_assert(mask_eq(mask_minus(&tab, big, mask_one(&tab, edge)), low));
        ck_assert(mask_eq(mask_and(&tab, big, low), low));
        ck_assert(mask_eq(mask_or(&tab, low, mask_one(&tab, edge)), big));
        ck_assert(mask_single(mask_one(&tab, edge)) && !mask_single(big));
        ck_assert(mask_meets(big, mask_one(&tab, edge)) && !mask_meets(low, mask_one(&tab, edge)));
        ck_assert(mask_empty(mask_and(&tab, mask_one(&tab, edge), low)));
        int seen[3], n = 0;
        MASK_FOR(t, big)
            seen[n++] = t;
        ck_assert(n == 3 && seen[0] == 0 && seen[1] == 62 && seen[2] == edge);
        ck_assert_int_eq(mask_next(big, edge + 1), -1);
        ck_assert_int_eq(mask_next(low, 63), -1);
        ck_assert_int_eq(mask_next(low, 200), -1);

        char text[512];
        ck_assert_int_lt(mask_write(big, text, sizeof text), (int)sizeof text);
        const char *p = text;
        sched_mask back;
        ck_assert(mask_read(&other, &p, &back) && *p == '\0');
        ck_assert(mask_eq(back, mask_copy(&other, big)) && mask_count(back) == 3);
    }
    struct mask_builder b = MASK_BUILDER_INIT;   /* built past the word, then not */
    mask_build_add(&b, 62);
    mask_build_add(&b, 0);
    ck_assert(mask_eq(mask_build_done(&tab, &b), low));
    const uint64_t words[3] = { low.w, 0, 0 };
    ck_assert(mask_eq(mask_from_words(&tab, words, 3), low));
    char text[8];
    ck_assert(mask_write(mask_one(&tab, 3), text, sizeof text) == 1 && strcmp(text, "8") == 0);
    mask_table_free(&tab);
    mask_table_free(&other);
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = test_case("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, thread_sets_at_the_word_edge);
    tcase_add_test(tc, fifteen_hundred_threads);
    tcase_add_test(tc, pool_searched_whole_where_small);
    tcase_add_test(tc, completed_before_watching_is_enabled);
    tcase_add_test(tc, fifteen_hundred_independent_threads_one_execution);
    tcase_add_test(tc, deadlock_between_threads_past_64);
    tcase_add_test(tc, detached_threads_end_with_the_body);
    tcase_add_test(tc, join_of_detached_thread_is_einval);
    tcase_add_test(tc, detach_after_spawn_ends_like_spawn_detached);
    suite_add_tcase(s, tc);
    return s;
}
