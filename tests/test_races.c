/*
** test_races.c -- checked memory (WEFT_READ, WEFT_WRITE): every
** synchronisation that orders two accesses keeps them from being a data
** race, and every pair nothing orders is one, named with both threads and
** both lines. Each scenario is searched whole by DPOR and by DFS with
** sleep sets, which must agree.
*/
#include <string.h>
#include "suites.h"

/* The verdict of both searches, which must agree. */
static struct explore_result search(const struct weft_scenario *s)
{
    struct explore_result d = test_explore(s, "dfs", true, -1);
    struct explore_result r = test_explore(s, "dpor", true, -1);
    ck_assert_int_eq(r.failed, d.failed);
    ck_assert_str_eq(weft_result_name(r.outcome.result), weft_result_name(d.outcome.result));
    return r;
}

#define ck_assert_race_free(s)                                                 \
    do {                                                                       \
        struct explore_result r_ = search(&(s));                               \
        ck_assert_msg(!r_.failed, "%s: %s: %s", (s).name,                       \
                      weft_result_name(r_.outcome.result), r_.outcome.message); \
        ck_assert(r_.cov.exhaustive);                                          \
    } while (0)

/* A data race between the threads named a and b (in either order). */
static void ck_assert_race(const struct weft_scenario *s, const char *a, const char *b)
{
    struct explore_result r = search(s);
    ck_assert_msg(r.failed, "%s: no race found", s->name);
    ck_assert_str_eq(weft_result_name(r.outcome.result), "data-race");
    struct exec *x = test_exec();
    const char *now = x->threads[r.outcome.failing_tid]->obj.name;
    const char *before = x->threads[r.outcome.race_tid]->obj.name;
    ck_assert_msg((strcmp(now, a) == 0 && strcmp(before, b) == 0) ||
                  (strcmp(now, b) == 0 && strcmp(before, a) == 0),
                  "%s: race between %s and %s", s->name, now, before);
    ck_assert_ptr_nonnull(r.outcome.race_where.file);
    ck_assert_int_gt(r.outcome.race_where.line, 0);
}

struct shared {
    int x;
    long wide;
    char bytes[8];
    weft_mutex_t mu;
    weft_chan_t *ch;
    weft_waitgroup_t wg;
    weft_cond_t cv;
    weft_atomic_t flag;
    int ready;
};

static struct shared *shared_new(void)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    s->ch = weft_chan_make("ch", 0);
    return s;
}

/* Run fa and fb as threads named na and nb, and wait for both. */
static void pair(struct shared *s, const char *na, void (*fa)(void *), const char *nb,
                 void (*fb)(void *))
{
    weft_thread_t a = weft_spawn(na, fa, s), b = weft_spawn(nb, fb, s);
    weft_join(a);
    weft_join(b);
}

static void write_x(void *arg)
{
    struct shared *s = arg;
    WEFT_WRITE(s->x, 1);
}

static void read_x(void *arg)
{
    struct shared *s = arg;
    (void)WEFT_READ(s->x);
}

/* ==========================================================================
** Races
** ========================================================================== */

TEST_SCENARIO(write_read_unordered, WEFT_DATA_RACE)
{
    pair(shared_new(), "writer", write_x, "reader", read_x);
}

TEST_SCENARIO(write_write_unordered, WEFT_DATA_RACE)
{
    pair(shared_new(), "one", write_x, "two", write_x);
}

/* The parent writes after the spawn: nothing orders it with the child. */
TEST_SCENARIO(parent_writes_after_spawn, WEFT_DATA_RACE)
{
    struct shared *s = shared_new();
    weft_thread_t t = weft_spawn("child", read_x, s);
    WEFT_WRITE(s->x, 2);
    weft_join(t);
}

/* Time passing orders nothing: the later sleeper still races. */
static void sleep_then_write(void *arg)
{
    weft_sleep(10);
    write_x(arg);
}

static void sleep_longer_then_read(void *arg)
{
    weft_sleep(20);
    read_x(arg);
}

TEST_SCENARIO(time_orders_nothing, WEFT_DATA_RACE)
{
    pair(shared_new(), "early", sleep_then_write, "late", sleep_longer_then_read);
}

/* Overlapping bytes race; neighbouring bytes do not. */
static void write_byte_1(void *arg) { WEFT_WRITE(((struct shared *)arg)->bytes[1], 1); }
static void write_byte_2(void *arg) { WEFT_WRITE(((struct shared *)arg)->bytes[2], 1); }
static void read_all_bytes(void *arg)
{
    struct shared *s = arg;
    weft_access_at(s->bytes, sizeof s->bytes, 0, "bytes", __FILE__, __LINE__);
}

TEST_SCENARIO(neighbouring_bytes, WEFT_PASS)
{
    pair(shared_new(), "one", write_byte_1, "two", write_byte_2);
}

TEST_SCENARIO(overlapping_bytes, WEFT_DATA_RACE)
{
    pair(shared_new(), "writer", write_byte_2, "reader", read_all_bytes);
}

/* Checked memory used only on a later path: the search starts again with
** clocks when it first meets it (race.h), finds the race there, and counts
** each execution once. */
TEST_SCENARIO(race_on_a_later_path, WEFT_DATA_RACE)
{
    struct shared *s = shared_new();
    if (weft_choose(2) == 1)
        pair(s, "writer", write_x, "reader", read_x);
}

TEST_SCENARIO(checked_on_a_later_path, WEFT_PASS)
{
    struct shared *s = shared_new();
    if (weft_choose(3) == 2)
        WEFT_WRITE(s->x, 1);
}

START_TEST(unordered_accesses_race)
{
    ck_assert_race(&write_read_unordered, "writer", "reader");
    ck_assert_race(&write_write_unordered, "one", "two");
    ck_assert_race(&parent_writes_after_spawn, "main", "child");
    ck_assert_race(&time_orders_nothing, "early", "late");
    ck_assert_race_free(neighbouring_bytes);
    ck_assert_race(&overlapping_bytes, "writer", "reader");
    ck_assert_race(&race_on_a_later_path, "writer", "reader");
    struct explore_result r = search(&checked_on_a_later_path);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 3);
}
END_TEST

/* ==========================================================================
** What orders accesses
** ========================================================================== */

TEST_SCENARIO(readers_alone, WEFT_PASS)
{
    pair(shared_new(), "r1", read_x, "r2", read_x);
}

static void locked_increment(void *arg)
{
    struct shared *s = arg;
    weft_mutex_lock(&s->mu);
    WEFT_WRITE(s->x, WEFT_READ(s->x) + 1);
    weft_mutex_unlock(&s->mu);
}

TEST_SCENARIO(mutex_orders, WEFT_PASS)
{
    struct shared *s = shared_new();
    pair(s, "a", locked_increment, "b", locked_increment);
    weft_assert(WEFT_READ(s->x) == 2);
}

TEST_SCENARIO(spawn_and_join_order, WEFT_PASS)
{
    struct shared *s = shared_new();
    WEFT_WRITE(s->x, 1);              /* before the spawn: the child sees it */
    weft_thread_t t = weft_spawn("child", write_x, s);
    weft_join(t);
    weft_assert(WEFT_READ(s->x) == 1);   /* after the join */
}

static void send_after_write(void *arg)
{
    struct shared *s = arg;
    WEFT_WRITE(s->x, 5);
    weft_chan_send(s->ch, NULL);
}

TEST_SCENARIO(channel_orders, WEFT_PASS)
{
    struct shared *s = shared_new();
    weft_thread_t t = weft_spawn("sender", send_after_write, s);
    weft_chan_recv(s->ch, NULL);
    weft_assert(WEFT_READ(s->x) == 5);
    weft_join(t);
}

static void done_after_write(void *arg)
{
    struct shared *s = arg;
    WEFT_WRITE(s->x, 7);
    weft_waitgroup_done(&s->wg);
}

TEST_SCENARIO(waitgroup_orders, WEFT_PASS)
{
    struct shared *s = shared_new();
    weft_waitgroup_add(&s->wg, 1);
    weft_spawn("worker", done_after_write, s);
    weft_waitgroup_wait(&s->wg);
    weft_assert(WEFT_READ(s->x) == 7);
}

static void signal_after_write(void *arg)
{
    struct shared *s = arg;
    weft_mutex_lock(&s->mu);
    WEFT_WRITE(s->ready, 1);
    WEFT_WRITE(s->x, 9);
    weft_cond_signal(&s->cv);
    weft_mutex_unlock(&s->mu);
}

TEST_SCENARIO(cond_orders, WEFT_PASS)
{
    struct shared *s = shared_new();
    weft_thread_t t = weft_spawn("signaller", signal_after_write, s);
    weft_mutex_lock(&s->mu);
    while (!WEFT_READ(s->ready))
        weft_cond_wait(&s->cv, &s->mu);
    weft_mutex_unlock(&s->mu);
    weft_assert(WEFT_READ(s->x) == 9);
    weft_join(t);
}

/* Message passing through an atomic flag: the reader reads x only after it
** has seen the flag set, and the store released what came before it. */
static void publish(void *arg)
{
    struct shared *s = arg;
    WEFT_WRITE(s->wide, 42);
    weft_atomic_store(&s->flag, 1);
}

static void consume(void *arg)
{
    struct shared *s = arg;
    if (weft_atomic_load(&s->flag))
        weft_assert(WEFT_READ(s->wide) == 42);
}

TEST_SCENARIO(atomic_flag_orders, WEFT_PASS)
{
    pair(shared_new(), "publisher", publish, "consumer", consume);
}

/* Without looking at the flag the same read races. */
static void consume_blindly(void *arg)
{
    struct shared *s = arg;
    weft_atomic_load(&s->flag);
    (void)WEFT_READ(s->wide);
}

TEST_SCENARIO(atomic_flag_ignored, WEFT_DATA_RACE)
{
    pair(shared_new(), "publisher", publish, "consumer", consume_blindly);
}

START_TEST(synchronisation_orders)
{
    ck_assert_race_free(readers_alone);
    ck_assert_race_free(mutex_orders);
    ck_assert_race_free(spawn_and_join_order);
    ck_assert_race_free(channel_orders);
    ck_assert_race_free(waitgroup_orders);
    ck_assert_race_free(cond_orders);
    ck_assert_race_free(atomic_flag_orders);
    ck_assert_race(&atomic_flag_ignored, "publisher", "consumer");
}
END_TEST

Suite *races_suite(void)
{
    Suite *s = suite_create("races");
    TCase *tc = test_case("races");
    tcase_add_test(tc, unordered_accesses_race);
    tcase_add_test(tc, synchronisation_orders);
    suite_add_tcase(s, tc);
    return s;
}
