/*
** test_report.c -- the report value (sched/report/report.c): who waits for
** whom, held locks and the wait-for cycle; that a report owns its data and
** outlives the execution it was copied from; the coverage named in words.
*/
#include <stdlib.h>
#include <string.h>
#include "suites.h"
#include "report/report.h"

struct two { weft_mutex_t a, b; };

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

TEST_SCENARIO(abba_named, WEFT_DEADLOCK)
{
    struct two *p = weft_calloc(1, sizeof *p);
    weft_mutex_init(&p->a, "A", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&p->b, "B", WEFT_MUTEX_NORMAL);
    weft_thread_t x = weft_spawn("ab", lock_ab, p), y = weft_spawn("ba", lock_ba, p);
    weft_join(x);
    weft_join(y);
}

static struct report *abba_report(void)
{
    struct explore_result r = test_explore(&abba_named, "dfs", true, -1);
    ck_assert(r.failed);
    struct report_request req = { .command = "weft", .target = "abba_named",
                                  .params = " --param k=v" };
    struct report *rep = report_snapshot(test_exec(), &abba_named, &req, &r);
    ck_assert_ptr_nonnull(rep);
    return rep;
}

START_TEST(deadlock_with_cycle)
{
    struct report *rep = abba_report();
    ck_assert_int_eq(rep->ncycle, 3);                 /* ab -> ba -> ab */
    ck_assert_int_eq(rep->cycle[0], rep->cycle[2]);
    ck_assert_int_ne(rep->cycle[0], rep->cycle[1]);
    ck_assert_int_ge(rep->cycle[0], 1);
    ck_assert_int_ge(rep->cycle[1], 1);
    ck_assert_str_eq(rep->threads[1].state, "blocked");
    ck_assert_ptr_nonnull(strstr(rep->threads[1].wait, "wants mutex"));
    ck_assert_int_eq(rep->threads[1].how, WAIT_EXACT);
    ck_assert_ptr_nonnull(rep->threads[1].held_at.file);
    ck_assert_int_eq(rep->nlocks, 2);
    ck_assert(rep->as_expected);
    ck_assert_str_ne(rep->schedule, "");
    report_free(rep);
}
END_TEST

/* Each blocked thread's last attempt is listed after the steps, and each
** has the call chain of that attempt, found by re-running the schedule
** (issue 9): the function that made the call, when libdw names it. */
START_TEST(blocked_attempts_with_chains)
{
    struct report *rep = abba_report();
    ck_assert_uint_eq(rep->nblocked, 3);              /* main's join, two locks */
    for (uint32_t i = 0; i < rep->nblocked; i++) {
        const struct report_step *s = &rep->steps[rep->nsteps + i];
        ck_assert(s->blocks);
        ck_assert_str_eq(s->note, "blocks");
        ck_assert_str_eq(s->verb, s->tid == 0 ? "join" : "lock");
    }
    for (int t = 1; t <= 2; t++) {
        const struct report_chain c = rep->threads[t].chain;
        ck_assert_int_ge(c.n, 1);
#ifdef HAVE_LIBDW
        const char *fn = rep->frames[c.first].function;
        ck_assert_msg(strcmp(fn, "lock_ab") == 0 || strcmp(fn, "lock_ba") == 0, "%s", fn);
        ck_assert_str_eq(rep->frames[c.first].file, "test_report.c");
#endif
    }
    uint32_t preemptions = 0;
    for (uint32_t i = 0; i < rep->nsteps; i++)
        preemptions += rep->steps[i].preempts;
    ck_assert_uint_eq(preemptions, rep->preemptions);  /* the marks are the search's count */
    report_free(rep);
}
END_TEST

/* main holds m0 and waits for a message nobody sends; G_1 holds m1 and
** wants m0; G_0, spawned once G_1 holds m1, wants m1. */
struct chain3 { weft_mutex_t m0, m1; weft_chan_t *c; };

static void g0(void *arg)
{
    struct chain3 *p = arg;
    weft_mutex_lock(&p->m1);
    weft_mutex_unlock(&p->m1);
}

static void g1(void *arg)
{
    struct chain3 *p = arg;
    weft_mutex_lock(&p->m1);
    weft_spawn("G_0", g0, p);
    weft_mutex_lock(&p->m0);
}

TEST_SCENARIO(guessed_edge_skips_threads, WEFT_DEADLOCK)
{
    struct chain3 *p = weft_calloc(1, sizeof *p);
    p->c = weft_chan_make("c", 0);
    weft_mutex_lock(&p->m0);
    weft_spawn("G_1", g1, p);
    weft_chan_recv(p->c, NULL);
}

static struct report *report_of(const struct weft_scenario *sc)
{
    struct explore_result r = test_explore(sc, "dfs", true, -1);
    ck_assert(r.failed);
    struct report_request req = { .command = "weft", .target = sc->name, .params = "" };
    struct report *rep = report_snapshot(test_exec(), sc, &req, &r);
    ck_assert_ptr_nonnull(rep);
    return rep;
}

/* The cycle shows every thread on it: main ~> G_0 -> G_1 -> main, not the
** cheaper main ~> G_1 -> main that leaves G_0 out (issue 9). */
START_TEST(cycle_keeps_every_thread)
{
    struct report *rep = report_of(&guessed_edge_skips_threads);
    int want[] = { 0, 2, 1, 0 };      /* main, G_0, G_1, main */
    ck_assert_int_eq(rep->ncycle, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(rep->cycle[i], want[i]);
    report_free(rep);
}
END_TEST

static void returns(void *arg) { (void)arg; }

TEST_SCENARIO(waits_after_all_finished, WEFT_DEADLOCK)
{
    weft_chan_t *c = weft_chan_make("c", 0);
    weft_join(weft_spawn("T", returns, NULL));
    weft_chan_recv(c, NULL);
}

/* Nobody used what main waits on and the only other thread has returned:
** the report says it finished, never that it is blocked (issue 9). */
START_TEST(finished_threads_named_as_finished)
{
    struct report *rep = report_of(&waits_after_all_finished);
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    report_format_named("text")->print(f, rep, REPORT_REPLAY);
    fclose(f);
    ck_assert_ptr_null(strstr(text, "no other live thread"));
    ck_assert_ptr_nonnull(strstr(text, "no other thread has used it; thread 1 \"T\" has "
                                       "finished; nothing is left to wake it"));
    free(text);
    report_free(rep);
}
END_TEST

/* A report owns what it shows: it prints the same after its execution was
** overwritten by another and the search was freed. */
START_TEST(report_outlives_its_execution)
{
    struct report *rep = abba_report();
    char *before = NULL, *after = NULL;
    size_t n;
    FILE *f = open_memstream(&before, &n);
    report_format_named("text")->print(f, rep, REPORT_REPLAY);
    fclose(f);
    test_explore(&abba_named, "random", true, -1);   /* another search in its place */
    test_explore(&abba_named, "dpor", true, -1);
    f = open_memstream(&after, &n);
    report_format_named("text")->print(f, rep, REPORT_REPLAY);
    fclose(f);
    ck_assert_str_eq(before, after);
    ck_assert_ptr_nonnull(strstr(after, "lock B"));
    ck_assert_ptr_nonnull(strstr(after, "weft replay abba_named --param k=v --schedule w2."));
    free(before);
    free(after);
    report_free(rep);
}
END_TEST

/* The summary's words come from the coverage's fields. */
START_TEST(plan_in_words)
{
    char text[128];
    struct coverage c = { .plan = explore_plan_named("pct"), .depth = 3, .seed = 9 };
    report_plan(&c, text, sizeof text);
    ck_assert_str_eq(text, "pct depth 3, seed 9");
    c.plan = explore_plan_named("random");
    report_plan(&c, text, sizeof text);
    ck_assert_str_eq(text, "random, seed 9");
    c.plan = explore_plan_named("bounded");
    c.bound = 2;
    report_plan(&c, text, sizeof text);
    ck_assert_str_eq(text, "bounded, 2 preemptions");
    c.plan = explore_plan_named("auto");
    c.sampled = true;
    report_plan(&c, text, sizeof text);
    ck_assert_str_eq(text, "dpor (unfinished), then pct depth 1..3, seed 9");
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = test_case("snapshot");
    tcase_add_test(tc, deadlock_with_cycle);
    tcase_add_test(tc, report_outlives_its_execution);
    tcase_add_test(tc, blocked_attempts_with_chains);
    tcase_add_test(tc, cycle_keeps_every_thread);
    tcase_add_test(tc, finished_threads_named_as_finished);
    tcase_add_test(tc, plan_in_words);
    suite_add_tcase(s, tc);
    return s;
}
