/*
** test_explore.c -- exact execution counts where combinatorics gives them,
** sleep-set pruning, preemption bounds, seeded random walks, and replay of
** a recorded schedule (byte-identical steps, divergence refused).
*/
#include <stdlib.h>
#include <string.h>
#include "suites.h"
#include "core/params.h"
#include "explore/wakeup.h"
#include "report/codec.h"
#include "report/report.h"

/* Two threads with a and b visible steps on one shared object. The other
** thread also starts in a step of its own, so the orders of main's a steps
** and its b + 1 are C(a + b + 1, a). */
static int steps_main, steps_other;
static weft_cond_t *shared_cv;

static void other_steps(void *arg)
{
    (void)arg;
    for (int i = 0; i < steps_other; i++)
        weft_cond_signal(shared_cv);   /* always enabled, same object */
}

TEST_SCENARIO(two_threads, WEFT_PASS)
{
    shared_cv = weft_calloc(1, sizeof *shared_cv);
    weft_thread_t t = weft_spawn("other", other_steps, NULL);
    for (int i = 0; i < steps_main; i++)
        weft_cond_signal(shared_cv);
    weft_join(t);
}

static uint64_t binomial(int n, int k)
{
    uint64_t r = 1;
    for (int i = 1; i <= k; i++)
        r = r * (uint64_t)(n - k + i) / (uint64_t)i;
    return r;
}

START_TEST(dfs_counts_binomial)
{
    for (int a = 1; a <= 5; a++)
        for (int b = 1; b <= 5; b++) {
            steps_main = a;
            steps_other = b;
            struct explore_result r = test_explore(&two_threads, "dfs", false, -1);
            ck_assert(!r.failed && r.cov.exhaustive);
            ck_assert_msg(r.cov.executions == binomial(a + b + 1, a),
                          "a=%d b=%d: %llu executions, want C(%d,%d)=%llu", a, b,
                          (unsigned long long)r.cov.executions, a + b + 1, a,
                          (unsigned long long)binomial(a + b + 1, a));
            ck_assert_uint_eq(r.cov.pruned, 0);
        }
}
END_TEST

/* With one preemption allowed: run all of main first, or preempt main after
** k of its a steps (k = 0..a-1) and let the other thread run to its end. */
START_TEST(preemption_bound_counts)
{
    steps_main = 4;
    steps_other = 3;
    struct explore_result r0 = test_explore(&two_threads, "dfs", false, 0);
    ck_assert(r0.cov.exhaustive && r0.cov.bound_hit);
    ck_assert_uint_eq(r0.cov.executions, 1);
    struct explore_result r1 = test_explore(&two_threads, "dfs", false, 1);
    ck_assert_uint_eq(r1.cov.executions, (uint64_t)steps_main + 1);
}
END_TEST

/* Two threads that touch only their own objects: with sleep sets, exactly
** one execution runs to its end. Each of main's a first steps is a node
** where the other thread is tried second, with main asleep; those branches
** end blocked (pruned), which sleep sets alone cannot avoid. */
static void private_steps(void *arg)
{
    (void)arg;
    weft_cond_t *cv = weft_calloc(1, sizeof *cv);
    for (int i = 0; i < steps_other; i++)
        weft_cond_signal(cv);
}

TEST_SCENARIO(independent_threads, WEFT_PASS)
{
    weft_cond_t *cv = weft_calloc(1, sizeof *cv);
    weft_thread_t t = weft_spawn("other", private_steps, NULL);
    for (int i = 0; i < steps_main; i++)
        weft_cond_signal(cv);
    weft_join(t);
}

START_TEST(sleep_sets_prune_independent)
{
    for (int a = 1; a <= 4; a++)
        for (int b = 1; b <= 4; b++) {
            steps_main = a;
            steps_other = b;
            struct explore_result with = test_explore(&independent_threads, "dfs", true, -1);
            struct explore_result without = test_explore(&independent_threads, "dfs", false, -1);
            ck_assert(with.cov.exhaustive && without.cov.exhaustive);
            ck_assert_uint_eq(without.cov.executions, binomial(a + b + 1, a));
            ck_assert_uint_eq(with.cov.executions, 1);
            ck_assert_uint_eq(with.cov.pruned, (uint64_t)a);
        }
}
END_TEST

/* lock_family: n threads each enter one shared mutex k times. The orders of
** the critical sections are the classes DPOR must visit once each:
** (nk)! / (k!)^n. Threads with a mutex each have one class. */
static int family_threads, family_sections, family_private, family_symmetric;

static void family_worker(void *arg)
{
    weft_mutex_t *mu = family_private ? weft_calloc(1, sizeof *mu) : arg;
    for (int i = 0; i < family_sections; i++) {
        weft_mutex_lock(mu);
        weft_mutex_unlock(mu);
    }
}

TEST_SCENARIO(family, WEFT_PASS)
{
    weft_mutex_t *mu = weft_calloc(1, sizeof *mu);
    weft_thread_t t[4];
    for (int i = 0; i < family_threads; i++)
        t[i] = family_symmetric ? weft_spawn_symmetric("worker", family_worker, mu)
                                : weft_spawn("worker", family_worker, mu);
    for (int i = 0; i < family_threads; i++)
        weft_join(t[i]);
}

static uint64_t orders(int n, int k)
{
    uint64_t r = 1;
    for (int i = 0; i < n; i++)
        r *= binomial((i + 1) * k, k);   /* place each thread's k sections */
    return r;
}

START_TEST(dpor_counts_lock_family)
{
    for (int n = 2; n <= 4; n++)
        for (int k = 1; k <= 3; k++) {
            if (n == 4 && k == 3)
                continue;                /* 369,600 executions: its own test below */
            family_threads = n;
            family_sections = k;
            family_private = 0;
            struct explore_result r = test_explore(&family, "dpor", true, -1);
            ck_assert(!r.failed && r.cov.exhaustive);
            ck_assert_msg(r.cov.executions == orders(n, k), "%dx%d: %llu executions, want %llu",
                          n, k, (unsigned long long)r.cov.executions,
                          (unsigned long long)orders(n, k));
            ck_assert_uint_eq(r.cov.pruned, 0);
            family_private = 1;
            r = test_explore(&family, "dpor", true, -1);
            ck_assert_uint_eq(r.cov.executions, 1);
            ck_assert_uint_eq(r.cov.pruned, 0);
        }
    ck_assert_uint_eq(orders(3, 2), 90);
    ck_assert_uint_eq(orders(3, 3), 1680);
    ck_assert_uint_eq(orders(4, 3), 369600);
}
END_TEST

/* Interchangeable workers (weft_spawn_symmetric): one execution per order
** up to renaming the threads, (nk)! / ((k!)^n n!). */
START_TEST(dpor_counts_symmetric)
{
    uint64_t factorial[] = { 1, 1, 2, 6, 24 };
    family_private = 0;
    family_symmetric = 1;
    for (int n = 2; n <= 4; n++)
        for (int k = 1; k <= 3; k++) {
            family_threads = n;
            family_sections = k;
            struct explore_result r = test_explore(&family, "dpor", true, -1);
            ck_assert(!r.failed && r.cov.exhaustive);
            ck_assert_msg(r.cov.executions == orders(n, k) / factorial[n], "%dx%d symmetric: %llu",
                          n, k, (unsigned long long)r.cov.executions);
        }
    family_symmetric = 0;
}
END_TEST

/* The largest case on its own, so a slow machine only slows this test. */
START_TEST(dpor_counts_lock_family_4x3)
{
    family_threads = 4;
    family_sections = 3;
    family_private = 0;
    struct explore_result r = test_explore(&family, "dpor", true, -1);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 369600);
    ck_assert_uint_eq(r.cov.pruned, 0);
}
END_TEST

/* The same seed walks the same executions; another seed usually does not. */
static char walk_log[4096];

TEST_SCENARIO(walk_logged, WEFT_PASS)
{
    steps_main = steps_other = 3;
    shared_cv = weft_calloc(1, sizeof *shared_cv);
    weft_thread_t t = weft_spawn("other", other_steps, NULL);
    for (int i = 0; i < 3; i++)
        weft_cond_signal(shared_cv);
    weft_join(t);
    struct exec *x = exec_current();
    size_t used = strlen(walk_log);
    for (uint32_t i = 0; i < x->nsteps && used + 2 < sizeof walk_log; i++)
        walk_log[used++] = (char)('0' + x->steps[i].tid);
    walk_log[used++] = '|';
    walk_log[used] = 0;
}

static void walk(uint64_t seed, char *out)
{
    struct explore_config ec = { .max_executions = 40, .seed = seed };
    walk_log[0] = 0;
    struct explore_result r = test_explore_with(&walk_logged, "random", ec, 100);
    ck_assert_uint_eq(r.cov.executions, 40);
    ck_assert(!r.cov.exhaustive);
    strcpy(out, walk_log);
}

START_TEST(random_is_seeded)
{
    static char a[4096], b[4096], c[4096];
    walk(11, a);
    walk(11, b);
    walk(12, c);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
}
END_TEST

/* ==========================================================================
** Replay
** ========================================================================== */

struct pair { weft_mutex_t a, b; };

static void lock_ab(void *arg)
{
    struct pair *p = arg;
    weft_mutex_lock(&p->a);
    weft_mutex_lock(&p->b);
    weft_mutex_unlock(&p->b);
    weft_mutex_unlock(&p->a);
}

static void lock_ba(void *arg)
{
    struct pair *p = arg;
    weft_mutex_lock(&p->b);
    weft_mutex_lock(&p->a);
    weft_mutex_unlock(&p->a);
    weft_mutex_unlock(&p->b);
}

TEST_SCENARIO(abba_test, WEFT_DEADLOCK)
{
    struct pair *p = weft_calloc(1, sizeof *p);
    weft_thread_t x = weft_spawn("ab", lock_ab, p), y = weft_spawn("ba", lock_ba, p);
    weft_join(x);
    weft_join(y);
}

static struct explore_result replay(const struct weft_scenario *s, const char *token)
{
    static uint32_t choices[1024];
    size_t n;
    uint32_t nsteps;
    char err[200];
    ck_assert_int_eq(codec_decode(token, choices, 1024, &n, &nsteps, NULL, err, sizeof err), 0);
    struct explore_config ec = { .replay = choices, .nreplay = n, .replay_steps = nsteps };
    return test_explore_with(s, "replay", ec, 2000);
}

START_TEST(replay_reproduces_steps)
{
    struct explore_result r = test_explore(&abba_test, "dfs", true, -1);
    ck_assert(r.failed);
    char token[512];
    codec_encode(r.choices, r.nchoices, r.nsteps, CODEC_NO_RESULT, token, sizeof token);
    static struct sched_step first[64];
    uint32_t n1 = test_exec()->nsteps;
    memcpy(first, test_exec()->steps, n1 * sizeof first[0]);
    for (int round = 0; round < 3; round++) {
        struct explore_result again = replay(&abba_test, token);
        ck_assert_str_eq(again.divergence, "");
        ck_assert_int_eq(again.outcome.result, WEFT_DEADLOCK);
        const struct sched_step *s = test_exec()->steps;
        ck_assert_uint_eq(n1, test_exec()->nsteps);
        for (uint32_t i = 0; i < n1; i++) {
            ck_assert_uint_eq(s[i].tid, first[i].tid);
            ck_assert_int_eq(s[i].obj_id, first[i].obj_id);
            ck_assert_int_eq(s[i].loc.line, first[i].loc.line);
        }
    }
}
END_TEST

START_TEST(replay_divergence_refused)
{
    steps_main = steps_other = 2;
    /* A token from abba does not fit two_threads: the step count differs. */
    struct explore_result r = test_explore(&abba_test, "dfs", true, -1);
    char token[512];
    codec_encode(r.choices, r.nchoices, r.nsteps, CODEC_NO_RESULT, token, sizeof token);
    struct explore_result bad = replay(&two_threads, token);
    ck_assert_ptr_nonnull(strstr(bad.divergence, "diverged"));
    /* A thread that does not exist. */
    uint32_t ghost[] = { 9 };
    codec_encode(ghost, 1, 5, CODEC_NO_RESULT, token, sizeof token);
    bad = replay(&two_threads, token);
    ck_assert_msg(strstr(bad.divergence, "diverged at step 2") != NULL, "%s", bad.divergence);
    ck_assert_ptr_nonnull(strstr(bad.divergence, "does not exist"));
}
END_TEST

/* ==========================================================================
** Plans: bounded and auto
** ========================================================================== */

/* abba needs one preemption: bound 0 finds nothing, bound 1 finds it. */
START_TEST(bounded_names_the_bound)
{
    struct explore_config ec = { .max_preemptions = -1 };
    struct explore_result r = test_explore_with(&abba_test, "bounded", ec, 2000);
    char plan[128];
    ck_assert(r.failed);
    ck_assert_int_eq(r.cov.bound, 1);
    report_plan(&r.cov, plan, sizeof plan);
    ck_assert_str_eq(plan, "bounded, 1 preemption");
    /* A fixed space: the rounds stop when the bound cuts nothing. */
    steps_main = steps_other = 2;
    r = test_explore_with(&two_threads, "bounded", ec, 2000);
    ck_assert(!r.failed && r.cov.exhaustive && !r.cov.bound_hit);
}
END_TEST

/* A clock that moves 1 ms per look: the auto plan's DPOR phase runs out of
** its half of a 0.5 s limit long before 369,600 executions, and PCT takes
** over; the result must say it is sampled, not exhaustive. */
static double fake_now;
static double fake_clock(void *ctx) { (void)ctx; return fake_now += 0.001; }

START_TEST(auto_falls_back_to_pct)
{
    family_threads = 4;
    family_sections = 3;
    family_private = family_symmetric = 0;
    fake_now = 0;
    struct explore_config ec = { .sleep_sets = true, .max_preemptions = -1,
                                 .seed = 1, .elapsed = fake_clock, .time_limit = 0.5 };
    char plan[128];
    struct explore_result r = test_explore_with(&family, "auto", ec, 2000);
    ck_assert(!r.failed);
    ck_assert(!r.cov.exhaustive);
    ck_assert(r.cov.sampled);
    report_plan(&r.cov, plan, sizeof plan);
    ck_assert_ptr_nonnull(strstr(plan, "then pct"));
    ck_assert_uint_lt(r.cov.executions, 369600);
    /* Small enough: auto is plain DPOR, exhaustive. */
    family_threads = 2;
    fake_now = 0;
    r = test_explore_with(&family, "auto", ec, 2000);
    ck_assert(r.cov.exhaustive);
    report_plan(&r.cov, plan, sizeof plan);
    ck_assert_str_eq(plan, "dpor");
    ck_assert_uint_eq(r.cov.executions, 20);
}
END_TEST

/* ==========================================================================
** Shrinking
** ========================================================================== */

/* A three-thread lock ring with private busywork around it, so that a random
** walk finds the deadlock with needless preemptions and steps. */
struct ring { weft_mutex_t mu[3]; };
static struct ring *ring_state;

static void ring_worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    weft_cond_t *own = weft_calloc(1, sizeof *own);
    for (int k = 0; k < 3; k++)
        weft_cond_signal(own);
    weft_mutex_lock(&ring_state->mu[i]);
    weft_cond_signal(own);
    weft_mutex_lock(&ring_state->mu[(i + 1) % 3]);
    weft_mutex_unlock(&ring_state->mu[(i + 1) % 3]);
    weft_mutex_unlock(&ring_state->mu[i]);
}

TEST_SCENARIO(lock_ring, WEFT_DEADLOCK)
{
    ring_state = weft_calloc(1, sizeof *ring_state);
    weft_thread_t t[3];
    for (intptr_t i = 0; i < 3; i++)
        t[i] = weft_spawn("ring", ring_worker, (void *)i);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}

START_TEST(shrink_never_grows_and_replays)
{
    int improved = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        struct explore_config ec = { .max_executions = 100000, .seed = seed };
        struct explore_result r = test_explore_with(&lock_ring, "random", ec, 2000);
        ck_assert(r.failed);
        sched_mask sig = report_signature(test_exec(), &r.outcome);
        uint32_t steps = r.nsteps, preemptions = r.preemptions;
        ec.plan = explore_plan_named("random");
        ck_assert_int_eq(explore_shrink(test_search(), &ec, &r, report_signature), 0);
        ck_assert_int_eq(r.outcome.result, WEFT_DEADLOCK);
        ck_assert_uint_le(r.preemptions, preemptions);
        if (r.preemptions == preemptions)
            ck_assert_uint_le(r.nsteps, steps);
        ck_assert_uint_eq(r.shrunk_from_steps, steps);
        ck_assert_uint_eq(r.shrunk_from_preemptions, preemptions);
        improved += r.preemptions < preemptions || r.nsteps < steps;
        /* The ring needs exactly two preemptions: a third thread's lock
        ** blocks by itself. */
        ck_assert_uint_eq(r.preemptions, 2);
        char token[512];
        codec_encode(r.choices, r.nchoices, r.nsteps, CODEC_NO_RESULT, token, sizeof token);
        struct explore_result again = replay(&lock_ring, token);
        ck_assert_str_eq(again.divergence, "");
        ck_assert_int_eq(again.outcome.result, WEFT_DEADLOCK);
        ck_assert(mask_eq(report_signature(test_exec(), &again.outcome), sig));
    }
    ck_assert_int_gt(improved, 0);
}
END_TEST

/* ---- wakeup trees (explore/wakeup.c) ---- */

/* A step of thread t on object key obj (0: none), with a clock that says
** which steps (by index) come before it. */
static void add_step(struct wake_seq *s, int t, uint64_t obj, uint32_t clock[][4], int i)
{
    struct wake_op op = { .thread = 100 + (uint64_t)t, .tid = (int16_t)t };
    if (obj)
        op.obj[op.nobj++] = obj;
    else
        op.flags = WAKE_LOCAL;
    wake_seq_add(s, &op, clock[i]);
}

START_TEST(wakeup_insert_covers_equivalent_orders)
{
    /* Sequence A: t0 writes x, then t1 writes y (independent: clocks say
    ** neither comes before the other). Sequence B: t1 writes y, then t0
    ** writes x: the same class, so inserting it changes nothing. C: t1
    ** writes x, ordered after t0's write of x: a new branch. */
    static uint32_t ca[2][4] = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 } };
    static uint32_t cc[2][4] = { { 1, 0, 0, 0 }, { 1, 1, 0, 0 } };
    struct wake_pool pool;
    struct wake_seq s;
    struct mask_table tab = { 0 };
    wake_pool_init(&pool);
    wake_seq_init(&s, &tab);
    wake_tree t = wake_tree_new(&pool);
    uint64_t version = wake_tree_version(&pool, t);
    wake_seq_clear(&s);
    add_step(&s, 0, 7, ca, 0);
    add_step(&s, 1, 8, ca, 1);
    ck_assert_int_eq(wake_tree_insert(&pool, t, &s), 1);
    ck_assert(wake_tree_version(&pool, t) != version);   /* changed: a new version */
    version = wake_tree_version(&pool, t);
    wake_seq_clear(&s);
    add_step(&s, 1, 8, ca, 1);
    add_step(&s, 0, 7, ca, 0);
    ck_assert_int_eq(wake_tree_insert(&pool, t, &s), 0);
    ck_assert_int_eq(wake_tree_branches(&pool, t), 1);
    ck_assert(wake_tree_version(&pool, t) == version);   /* covered: the same tree */
    struct wake_op again = { .thread = 100, .tid = 0 };
    ck_assert(wake_tree_add_step(&pool, t, &again));     /* a branch begins with it */
    ck_assert(wake_tree_version(&pool, t) == version);
    wake_seq_clear(&s);
    add_step(&s, 0, 7, cc, 0);
    add_step(&s, 1, 7, cc, 1);
    ck_assert_int_eq(wake_tree_insert(&pool, t, &s), 0);   /* t0 first: under the leaf's prefix */
    wake_seq_clear(&s);
    add_step(&s, 1, 7, ca, 1);
    ck_assert_int_eq(wake_tree_insert(&pool, t, &s), 1);   /* t1 first on x: new */
    ck_assert_int_eq(wake_tree_branches(&pool, t), 2);
    ck_assert_int_eq((int)wake_tree_first(&pool, t)->thread, 100);

    /* Written and read back: the same tree. */
    char *a = NULL, *b = NULL;
    size_t alen = 0, acap = 0, blen = 0, bcap = 0;
    ck_assert(wake_tree_write(&pool, t, &a, &alen, &acap));
    const char *text = a;
    wake_tree u = wake_tree_read(&pool, &text);
    ck_assert_int_ge(u, 0);
    ck_assert_str_eq(text, "");
    ck_assert(wake_tree_write(&pool, u, &b, &blen, &bcap));
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, "0 100 0 0 7\n1 101 1 0 8\n0 101 1 0 7\n.\n");
    text = "0 100 0 0 7\n2 101 1 0 8\n.\n";                /* a depth with no parent */
    ck_assert_int_eq(wake_tree_read(&pool, &text), WAKE_NONE);
    version = wake_tree_version(&pool, u);
    wake_tree taken = wake_tree_take(&pool, u, 100);
    ck_assert_int_ge(taken, 0);
    ck_assert(wake_tree_version(&pool, u) != version);   /* a branch taken: changed */
    wake_tree_drop(&pool, taken);
    free(a);
    free(b);
    wake_seq_free(&s);
    mask_table_free(&tab);
    wake_pool_free(&pool);
}
END_TEST

/* Thread t's choice of value v, after its step at index i. */
static void add_value(struct wake_seq *s, int t, uint32_t v, uint32_t clock[][4], int i)
{
    struct wake_op op = { .thread = 100 + (uint64_t)t, .tid = (int16_t)t,
                          .flags = WAKE_LOCAL | WAKE_VALUE, .value = v };
    wake_seq_add(s, &op, clock[i]);
}

START_TEST(wakeup_values_are_part_of_the_step)
{
    /* t0 writes x and chooses 1, then writes y; t1 then writes x. Inserting
    ** the same steps with choice 0 is a new branch: what t0 does after its
    ** choice depends on the value. With choice 1 again it is covered. */
    static uint32_t c[3][4] = { { 1, 0, 0, 0 }, { 2, 0, 0, 0 }, { 2, 1, 0, 0 } };
    struct wake_pool pool;
    struct wake_seq s;
    struct mask_table tab = { 0 };
    wake_pool_init(&pool);
    wake_seq_init(&s, &tab);
    wake_tree t = wake_tree_new(&pool);
    static const uint32_t value[3] = { 1, 0, 1 };
    for (int round = 0; round < 3; round++) {
        wake_seq_clear(&s);
        add_step(&s, 0, 7, c, 0);
        add_value(&s, 0, value[round], c, 0);
        add_step(&s, 0, 8, c, 1);
        add_step(&s, 1, 7, c, 2);
        ck_assert_int_eq(wake_tree_insert(&pool, t, &s), round < 2);
    }
    ck_assert_int_eq(wake_tree_branches(&pool, t), 1);   /* one step of t0, two values below */
    wake_tree step = wake_tree_take(&pool, t, 100);
    ck_assert_int_ge(step, 0);
    ck_assert_int_eq(wake_tree_branches(&pool, step), 2);
    ck_assert_int_eq(wake_tree_take(&pool, step, 101), WAKE_NONE);   /* values, not steps */
    wake_tree zero = wake_tree_take_value(&pool, step, 100, 0);
    ck_assert_int_ge(zero, 0);
    ck_assert_int_eq(wake_tree_take_value(&pool, step, 100, 0), WAKE_NONE);
    ck_assert_uint_eq(wake_tree_first(&pool, zero)->obj[0], 8);

    /* A value survives the text form. */
    char *a = NULL;
    size_t alen = 0, acap = 0;
    ck_assert(wake_tree_write(&pool, step, &a, &alen, &acap));
    ck_assert_str_eq(a, "0 100 0 17 1\n1 100 0 0 8\n2 101 1 0 7\n.\n");
    const char *text = a;
    wake_tree back = wake_tree_read(&pool, &text);
    ck_assert_int_ge(back, 0);
    ck_assert_int_ge(wake_tree_take_value(&pool, back, 100, 1), 0);
    free(a);

    /* And the binary form of the marks (pack.h): the same tree back, the
    ** same text for it, nothing left over; cut short, it is refused. */
    struct pack k = { 0 };
    ck_assert(wake_tree_pack(&pool, step, &k));
    struct unpack u = { k.buf, k.buf + k.len, false };
    wake_tree again = wake_tree_unpack(&pool, &u);
    ck_assert_int_ge(again, 0);
    ck_assert(!u.bad && u.at == u.end);
    char *b = NULL;
    size_t blen = 0, bcap = 0;
    ck_assert(wake_tree_write(&pool, again, &b, &blen, &bcap));
    ck_assert_str_eq(b, "0 100 0 17 1\n1 100 0 0 8\n2 101 1 0 7\n.\n");
    free(b);
    u = (struct unpack){ k.buf, k.buf + k.len - 2, false };
    ck_assert_int_eq(wake_tree_unpack(&pool, &u), WAKE_NONE);
    free(k.buf);
    wake_seq_free(&s);
    mask_table_free(&tab);
    wake_pool_free(&pool);
}
END_TEST

/* Sets in the marks' binary form (pack.h): in a word or past thread 62,
** each comes back as the same set; numbers of every size come back. */
START_TEST(pack_round_trips)
{
    struct mask_table tab = { 0 };
    struct mask_builder big = MASK_BUILDER_INIT;
    static const int threads[] = { 0, 62, 63, 64, 200 };
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
        mask_build_add(&big, threads[i]);
    sched_mask sets[] = { MASK_NONE, mask_one(&tab, 0), mask_one(&tab, 62), mask_one(&tab, 63),
                          mask_build_done(&tab, &big) };
    static const uint64_t numbers[] = { 0, 127, 128, UINT32_MAX, UINT64_MAX };
    struct pack k = { 0 };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        pack_mask(&k, sets[i]);
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        pack_u64(&k, numbers[i]);
    ck_assert(!k.oom);
    struct unpack u = { k.buf, k.buf + k.len, false };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        sched_mask m;
        ck_assert(unpack_mask(&u, &tab, &m));
        ck_assert_msg(mask_eq(m, sets[i]), "set %zu", i);
    }
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        ck_assert_uint_eq(unpack_u64(&u), numbers[i]);
    ck_assert(!u.bad && u.at == u.end);
    ck_assert_uint_eq(unpack_u64(&u), 0);   /* past the end: refused */
    ck_assert(u.bad);
    free(k.buf);
    mask_table_free(&tab);
}
END_TEST

/* Going on after a process died (explore.h, resume.died): three workers,
** and the order where the third takes the lock first and the second next
** fails an assertion while holding it (the stand-in for the death). A
** search resumed from a mark before that execution, told it died there,
** ends it there as told and counts what the whole search counts. */
static weft_mutex_t *dying_lock;
static int dying_order[3], dying_taken;

static void dying_worker(void *arg)
{
    weft_mutex_lock(dying_lock);
    dying_order[dying_taken++] = (int)(long)arg;
    weft_assert(!(dying_taken == 2 && dying_order[0] == 2 && dying_order[1] == 1),
                "the order that dies");
    weft_mutex_unlock(dying_lock);
}

TEST_SCENARIO(dying, WEFT_PASS)
{
    dying_taken = 0;
    dying_lock = weft_calloc(1, sizeof *dying_lock);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("worker", dying_worker, (void *)(long)i);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}

#define DYING_MARKS 64

struct dying_seen {
    char *position[DYING_MARKS];      /* the marks, one before each execution */
    size_t len[DYING_MARKS];
    struct explore_resume at[DYING_MARKS];
    int nmarks;
    uint64_t failed_at;               /* the first failing execution's number, */
    uint32_t steps, choices;          /* its size, */
    struct sched_outcome outcome;     /* how it ended */
    uint64_t told_at;                 /* where an execution ended as told */
    int failures;
};

static void dying_mark(void *ctx, const void *position, size_t len,
                       const struct explore_result *r, bool check_memory)
{
    struct dying_seen *d = ctx;
    ck_assert_int_lt(d->nmarks, DYING_MARKS);
    ck_assert(position == NULL || len > 0);
    d->position[d->nmarks] = position ? malloc(len) : NULL;
    if (position)
        memcpy(d->position[d->nmarks], position, len);
    d->len[d->nmarks] = len;
    d->at[d->nmarks++] = (struct explore_resume){ .executions = r->cov.executions,
                                                  .pruned = r->cov.pruned, .cut = r->cov.cut,
                                                  .check_memory = check_memory };
}

static bool dying_failure(void *ctx, const struct explore_result *r)
{
    struct dying_seen *d = ctx;
    uint64_t n = r->cov.executions + r->cov.pruned;
    d->failures++;
    if (d->failed_at == 0) {
        d->failed_at = n;
        d->steps = r->nsteps;
        d->choices = (uint32_t)r->nchoices;
        d->outcome = r->outcome;
    }
    if (strcmp(r->outcome.message, "the process died here") == 0)
        d->told_at = n;
    return false;                     /* search on, as --classes does */
}

static void dying_forget(struct dying_seen *d)
{
    for (int i = 0; i < d->nmarks; i++)
        free(d->position[i]);
}

START_TEST(resume_after_death_counts_the_same)
{
    static const char *const plans[] = { "dpor", "dfs" };
    for (int p = 0; p < 2; p++)
        for (int from_start = 0; from_start < 2; from_start++) {
            struct dying_seen whole = { .nmarks = 0 }, rest = { .nmarks = 0 };
            struct explore_config ec = { .sleep_sets = true, .max_preemptions = -1,
                                         .accept = dying_failure, .accept_ctx = &whole,
                                         .mark = dying_mark, .mark_ctx = &whole,
                                         .mark_every = 1 };
            struct explore_result all = test_explore_with(&dying, plans[p], ec, 0);
            ck_assert(!all.failed && all.cov.exhaustive);
            ck_assert_uint_gt(whole.failed_at, 1);
            /* The mark before the search's first execution, or the last one
            ** before the execution that "died". */
            int m = from_start ? 0 : (int)whole.failed_at - 1;
            ck_assert_int_lt(m, whole.nmarks);
            ck_assert_uint_eq(whole.at[m].executions + whole.at[m].pruned, (uint64_t)m);
            struct sched_outcome died = whole.outcome;
            died.result = WEFT_CRASH;
            snprintf(died.message, sizeof died.message, "the process died here");
            ec.accept_ctx = ec.mark_ctx = &rest;
            ec.resume = whole.at[m];
            ec.resume.position = whole.position[m];
            ec.resume.packed = whole.len[m];
            ec.resume.died_index = whole.failed_at;
            ec.resume.died_steps = whole.steps;
            ec.resume.died_choices = whole.choices;
            ec.resume.died = &died;
            struct explore_result went_on = test_explore_with(&dying, plans[p], ec, 0);
            ck_assert_msg(went_on.cov.executions == all.cov.executions &&
                              went_on.cov.pruned == all.cov.pruned,
                          "%s from mark %d: %llu + %llu pruned, want %llu + %llu", plans[p], m,
                          (unsigned long long)went_on.cov.executions,
                          (unsigned long long)went_on.cov.pruned,
                          (unsigned long long)all.cov.executions,
                          (unsigned long long)all.cov.pruned);
            ck_assert_uint_eq(rest.told_at, whole.failed_at);
            ck_assert_int_eq(rest.failures, whole.failures);   /* none before the mark */
            dying_forget(&whole);
            dying_forget(&rest);
        }
}
END_TEST

/* A key nobody set reads as each reader's own fallback: the first one read
** was kept and given to every later reader, so after a scenario that read
** threads=3 by default, another whose default is 2 ran with 3 (in one
** process: --isolate=none, or weft from C). */
START_TEST(param_fallback_is_each_readers_own)
{
    struct params *ps = params_new();
    ck_assert_ptr_nonnull(ps);
    ck_assert_int_eq(params_int(ps, "threads", 3), 3);
    ck_assert_int_eq(params_int(ps, "threads", 2), 2);
    ck_assert_int_eq(params_set(ps, "threads", "5"), 0);
    ck_assert_int_eq(params_int(ps, "threads", 2), 5);
    ck_assert_int_eq(params_int(ps, "sections", 1), 1);
    params_free(ps);
}
END_TEST

/* The same values in any order, however spelled, give one text (a
** checkpoint's identity); a key only read, never set, is not in it. */
START_TEST(params_canonical_ignores_order)
{
    struct params *a = params_new(), *b = params_new();
    ck_assert(a && b);
    ck_assert_int_eq(params_set(a, "threads", "4"), 0);
    ck_assert_int_eq(params_set(a, "sections", "-2"), 0);
    ck_assert_int_eq(params_set(b, "sections", "-2"), 0);
    ck_assert_int_eq(params_set(b, "threads", "9"), 0);
    ck_assert_int_eq(params_set(b, "threads", "004"), 0);
    ck_assert_int_eq(params_int(b, "unset", 7), 7);
    char *ta = params_canonical(a), *tb = params_canonical(b);
    ck_assert_str_eq(ta, "sections=-2 threads=4");
    ck_assert_str_eq(tb, ta);
    free(ta);
    free(tb);
    params_free(a);
    params_free(b);
    struct params *none = params_new();
    char *empty = params_canonical(none);
    ck_assert_str_eq(empty, "");
    free(empty);
    params_free(none);
}
END_TEST

Suite *explore_suite(void)
{
    Suite *s = suite_create("explore");
    TCase *tc = test_case("counts");
    tcase_add_test(tc, dfs_counts_binomial);
    tcase_add_test(tc, param_fallback_is_each_readers_own);
    tcase_add_test(tc, params_canonical_ignores_order);
    tcase_add_test(tc, wakeup_insert_covers_equivalent_orders);
    tcase_add_test(tc, wakeup_values_are_part_of_the_step);
    tcase_add_test(tc, pack_round_trips);
    tcase_add_test(tc, preemption_bound_counts);
    tcase_add_test(tc, sleep_sets_prune_independent);
    tcase_add_test(tc, random_is_seeded);
    tcase_add_test(tc, dpor_counts_lock_family);
    tcase_add_test(tc, dpor_counts_symmetric);

    suite_add_tcase(s, tc);
    TCase *big = test_case("large");
    tcase_set_timeout(big, 900);      /* a count, not a speed test: slow builds take long */
    tcase_add_test(big, dpor_counts_lock_family_4x3);
    suite_add_tcase(s, big);
    TCase *rp = test_case("replay");
    tcase_add_test(rp, replay_reproduces_steps);
    tcase_add_test(rp, replay_divergence_refused);
    tcase_add_test(rp, shrink_never_grows_and_replays);
    tcase_add_test(rp, bounded_names_the_bound);
    tcase_add_test(rp, auto_falls_back_to_pct);
    tcase_add_test(rp, resume_after_death_counts_the_same);
    suite_add_tcase(s, rp);
    return s;
}
