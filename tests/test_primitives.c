/*
** test_primitives.c -- each primitive's semantics, checked over every
** interleaving: a scenario asserts what must hold, and exhaustive DFS must
** pass (or find exactly the failure the semantics imply).
*/
#include <stdint.h>
#include <string.h>
#include "suites.h"

/* Explore with DPOR, and cross-check against DFS with sleep sets: both
** must reach the same verdict, and a full search the same number of
** complete executions (one per class of equivalent interleavings). */
static struct explore_result dfs(const struct weft_scenario *s)
{
    struct explore_result d = test_explore(s, "dfs", true, -1);
    struct explore_result r = test_explore(s, "dpor", true, -1);
    ck_assert_int_eq(r.failed, d.failed);
    ck_assert_int_eq(r.outcome.result, d.outcome.result);
    if (!r.failed)
        ck_assert_msg(r.cov.executions == d.cov.executions, "%s: dpor %llu, dfs %llu executions",
                      s->name, (unsigned long long)r.cov.executions,
                      (unsigned long long)d.cov.executions);
    return r;
}

#define ck_assert_passes(s)                                                   \
    do {                                                                      \
        struct explore_result r_ = dfs(&(s));                                 \
        ck_assert_msg(!r_.failed, "%s failed: %s (%s)", (s).name,             \
                      weft_result_name(r_.outcome.result), r_.outcome.message); \
        ck_assert(r_.cov.exhaustive);                                             \
    } while (0)

#define ck_assert_finds(s, want)                                              \
    do {                                                                      \
        struct explore_result r_ = dfs(&(s));                                 \
        ck_assert(r_.failed);                                                 \
        ck_assert_str_eq(weft_result_name(r_.outcome.result), weft_result_name(want)); \
    } while (0)

/* ==========================================================================
** Mutexes
** ========================================================================== */

struct counter { weft_mutex_t mu; int value; int locked; };

static void increment_locked(void *arg)
{
    struct counter *c = arg;
    weft_mutex_lock(&c->mu);
    int v = c->value;
    weft_yield();                     /* a visible op inside the section */
    c->value = v + 1;
    weft_mutex_unlock(&c->mu);
}

/* Checked memory: without the mutex, the two increments race. */
static void increment_unlocked(void *arg)
{
    struct counter *c = arg;
    int v = WEFT_READ(c->value);
    weft_yield();
    WEFT_WRITE(c->value, v + 1);
}

TEST_SCENARIO(mutex_excludes, WEFT_PASS)
{
    struct counter *c = weft_calloc(1, sizeof *c);
    weft_thread_t a = weft_spawn("a", increment_locked, c);
    weft_thread_t b = weft_spawn("b", increment_locked, c);
    weft_join(a);
    weft_join(b);
    weft_assert(c->value == 2, "lost update: %d", c->value);
}

TEST_SCENARIO(no_mutex_races, WEFT_DATA_RACE)
{
    struct counter *c = weft_calloc(1, sizeof *c);
    weft_thread_t a = weft_spawn("a", increment_unlocked, c);
    weft_thread_t b = weft_spawn("b", increment_unlocked, c);
    weft_join(a);
    weft_join(b);
    weft_assert(c->value == 2, "lost update: %d", c->value);
}

START_TEST(mutex_mutual_exclusion)
{
    ck_assert_passes(mutex_excludes);
    ck_assert_finds(no_mutex_races, WEFT_DATA_RACE);
}
END_TEST

static void try_while_held(void *arg)
{
    struct counter *c = arg;
    c->locked = weft_mutex_trylock(&c->mu);
}

TEST_SCENARIO(trylock_busy, WEFT_PASS)
{
    struct counter *c = weft_calloc(1, sizeof *c);
    weft_mutex_lock(&c->mu);
    weft_join(weft_spawn("try", try_while_held, c));
    weft_assert(c->locked == WEFT_EBUSY, "trylock of a held mutex gave %d", c->locked);
    weft_mutex_unlock(&c->mu);
    weft_assert(weft_mutex_trylock(&c->mu) == 0, "trylock of a free mutex failed");
    weft_mutex_unlock(&c->mu);
}

TEST_SCENARIO(mutex_kinds, WEFT_PASS)
{
    weft_mutex_t *r = weft_calloc(2, sizeof *r);
    weft_mutex_init(&r[0], "recursive", WEFT_MUTEX_RECURSIVE);
    weft_mutex_init(&r[1], "checked", WEFT_MUTEX_ERRORCHECK);
    weft_mutex_lock(&r[0]);
    weft_mutex_lock(&r[0]);
    weft_mutex_unlock(&r[0]);
    weft_mutex_unlock(&r[0]);
    weft_assert(weft_mutex_unlock(&r[1]) == WEFT_EPERM, "unlock of a free errorcheck mutex");
    weft_mutex_lock(&r[1]);
    weft_assert(weft_mutex_lock(&r[1]) == WEFT_EDEADLK, "relock of an errorcheck mutex");
    weft_mutex_unlock(&r[1]);
}

START_TEST(mutex_trylock_and_kinds)
{
    ck_assert_passes(trylock_busy);
    ck_assert_passes(mutex_kinds);
}
END_TEST

/* ==========================================================================
** Condition variables
** ========================================================================== */

struct box { weft_mutex_t mu; weft_cond_t cv; int ready; int status; };

static void set_ready(void *arg)
{
    struct box *b = arg;
    weft_mutex_lock(&b->mu);
    b->ready = 1;
    weft_cond_signal(&b->cv);
    weft_mutex_unlock(&b->mu);
}

TEST_SCENARIO(cond_while_loop, WEFT_PASS)
{
    struct box *b = weft_calloc(1, sizeof *b);
    weft_thread_t t = weft_spawn("setter", set_ready, b);
    weft_mutex_lock(&b->mu);
    while (!b->ready)
        weft_cond_wait(&b->cv, &b->mu);
    weft_mutex_unlock(&b->mu);
    weft_join(t);
}

/* Checks the flag without the mutex: the signal can come before the wait. */
TEST_SCENARIO(cond_lost_wakeup, WEFT_DEADLOCK)
{
    struct box *b = weft_calloc(1, sizeof *b);
    weft_thread_t t = weft_spawn("setter", set_ready, b);
    int ready = b->ready;
    weft_yield();
    weft_mutex_lock(&b->mu);
    if (!ready)
        weft_cond_wait(&b->cv, &b->mu);
    weft_mutex_unlock(&b->mu);
    weft_join(t);
}

TEST_SCENARIO(cond_timeout, WEFT_PASS)
{
    struct box *b = weft_calloc(1, sizeof *b);
    weft_mutex_lock(&b->mu);
    int rc = weft_cond_timedwait(&b->cv, &b->mu, 100);
    weft_assert(rc == WEFT_ETIMEDOUT, "timed wait returned %d", rc);
    weft_assert(weft_now() == 100, "woke at %lld", (long long)weft_now());
    weft_mutex_unlock(&b->mu);
}

static void broadcast_after_both(void *arg)
{
    struct box *b = arg;
    weft_mutex_lock(&b->mu);
    while (b->status < 2) {           /* both waiters are queued */
        weft_mutex_unlock(&b->mu);
        weft_yield();
        weft_mutex_lock(&b->mu);
    }
    b->ready = 1;
    weft_cond_broadcast(&b->cv);
    weft_mutex_unlock(&b->mu);
}

static void count_and_wait(void *arg)
{
    struct box *b = arg;
    weft_mutex_lock(&b->mu);
    b->status++;
    while (!b->ready)
        weft_cond_wait(&b->cv, &b->mu);
    weft_mutex_unlock(&b->mu);
}

TEST_SCENARIO(cond_broadcast_wakes_all, WEFT_PASS)
{
    struct box *b = weft_calloc(1, sizeof *b);
    weft_thread_t w1 = weft_spawn("w1", count_and_wait, b);
    weft_thread_t w2 = weft_spawn("w2", count_and_wait, b);
    weft_thread_t s = weft_spawn("bcast", broadcast_after_both, b);
    weft_join(w1);
    weft_join(w2);
    weft_join(s);
}

START_TEST(cond_semantics)
{
    ck_assert_passes(cond_while_loop);
    ck_assert_finds(cond_lost_wakeup, WEFT_DEADLOCK);
    ck_assert_passes(cond_timeout);
    ck_assert_passes(cond_broadcast_wakes_all);
}
END_TEST

/* ==========================================================================
** Wait groups
** ========================================================================== */

struct group { weft_waitgroup_t wg; int finished; };

static void finish(void *arg) { ((struct group *)arg)->finished++; }

TEST_SCENARIO(waitgroup_waits, WEFT_PASS)
{
    struct group *g = weft_calloc(1, sizeof *g);
    weft_waitgroup_go(&g->wg, "w1", finish, g);
    weft_waitgroup_go(&g->wg, "w2", finish, g);
    weft_waitgroup_wait(&g->wg);
    weft_assert(g->finished == 2, "wait returned with %d finished", g->finished);
}

TEST_SCENARIO(waitgroup_negative, WEFT_ASSERTION)
{
    struct group *g = weft_calloc(1, sizeof *g);
    weft_waitgroup_done(&g->wg);
}

/* A waiter blocked in Wait goes when the counter reaches zero, even if an
** Add raises it again before the waiter runs (Go). Under --timers=idle the
** sleep fires only once the waiter blocks (tests/regress/wg_reuse.c: with
** racing timers it may not have). */
static void wait_group(void *arg) { weft_waitgroup_wait(&((struct group *)arg)->wg); }

TEST_SCENARIO(waitgroup_release_at_zero, WEFT_PASS)
{
    struct group *g = weft_calloc(1, sizeof *g);
    weft_waitgroup_add(&g->wg, 1);
    weft_thread_t t = weft_spawn("waiter", wait_group, g);
    weft_sleep(10);
    weft_waitgroup_done(&g->wg);
    weft_waitgroup_add(&g->wg, 1);
    weft_join(t);
    weft_waitgroup_done(&g->wg);
}

START_TEST(waitgroup_semantics)
{
    ck_assert_passes(waitgroup_waits);
    ck_assert_finds(waitgroup_negative, WEFT_ASSERTION);
    test_timers_idle = true;
    ck_assert_passes(waitgroup_release_at_zero);
    test_timers_idle = false;
}
END_TEST

/* ==========================================================================
** Channels and select
** ========================================================================== */

static void send_three(void *arg)
{
    weft_chan_t *ch = arg;
    for (intptr_t i = 1; i <= 3; i++)
        weft_chan_send(ch, (void *)i);
    weft_chan_close(ch);
}

static void fifo_until_closed(int capacity)
{
    weft_chan_t *ch = weft_chan_make("ch", capacity);
    weft_thread_t t = weft_spawn("sender", send_three, ch);
    void *v;
    for (intptr_t want = 1; want <= 3; want++) {
        weft_assert(weft_chan_recv(ch, &v) == 0, "recv %ld failed", (long)want);
        weft_assert((intptr_t)v == want, "got %ld, want %ld", (long)(intptr_t)v, (long)want);
    }
    weft_assert(weft_chan_recv(ch, &v) == WEFT_ECLOSED, "recv after close");
    weft_join(t);
}

TEST_SCENARIO(chan_unbuffered, WEFT_PASS) { fifo_until_closed(0); }
TEST_SCENARIO(chan_buffered, WEFT_PASS) { fifo_until_closed(2); }

TEST_SCENARIO(chan_buffer_full_blocks, WEFT_DEADLOCK)
{
    weft_chan_t *ch = weft_chan_make("ch", 2);
    weft_chan_send(ch, NULL);
    weft_chan_send(ch, NULL);         /* fits */
    weft_chan_send(ch, NULL);         /* full, nobody receives */
}

TEST_SCENARIO(chan_recv_timeout, WEFT_PASS)
{
    weft_chan_t *ch = weft_chan_make("ch", 0);
    weft_assert(weft_chan_recv_timeout(ch, NULL, 50) == WEFT_ETIMEDOUT, "no timeout");
    weft_assert(weft_now() == 50, "timed out at %lld", (long long)weft_now());
}

TEST_SCENARIO(chan_send_on_closed, WEFT_ASSERTION)
{
    weft_chan_t *ch = weft_chan_make("ch", 1);
    weft_chan_close(ch);
    weft_chan_send(ch, NULL);
}

START_TEST(chan_semantics)
{
    ck_assert_passes(chan_unbuffered);
    ck_assert_passes(chan_buffered);
    ck_assert_finds(chan_buffer_full_blocks, WEFT_DEADLOCK);
    ck_assert_passes(chan_recv_timeout);
    ck_assert_finds(chan_send_on_closed, WEFT_ASSERTION);
}
END_TEST

static int select_seen[4];

TEST_SCENARIO(select_both_ready, WEFT_PASS)
{
    weft_chan_t *a = weft_chan_make("a", 1), *b = weft_chan_make("b", 1);
    weft_chan_send(a, (void *)1);
    weft_chan_send(b, (void *)2);
    void *va = NULL, *vb = NULL;
    struct weft_select_case cs[] = { { WEFT_RECV, a, NULL, &va, 0 }, { WEFT_RECV, b, NULL, &vb, 0 } };
    int k = weft_select(cs, 2, WEFT_SELECT_BLOCK);
    weft_assert(k == 0 ? va == (void *)1 : vb == (void *)2, "case %d got the wrong value", k);
    select_seen[k]++;
}

TEST_SCENARIO(select_default_and_timeout, WEFT_PASS)
{
    weft_chan_t *a = weft_chan_make("a", 0);
    struct weft_select_case cs[] = { { WEFT_RECV, a, NULL, NULL, 0 } };
    weft_assert(weft_select(cs, 1, 0) == WEFT_SELECT_DEFAULT, "default not taken");
    weft_assert(weft_select(cs, 1, 30) == WEFT_SELECT_TIMEOUT, "timeout not taken");
    weft_assert(weft_now() == 30, "select timed out at %lld", (long long)weft_now());
    weft_chan_close(a);
    weft_assert(weft_select(cs, 1, WEFT_SELECT_BLOCK) == 0 && cs[0].closed, "closed case");
}

static void select_sender(void *arg)
{
    weft_chan_t *ch = arg;
    struct weft_select_case cs[] = { { WEFT_SEND, ch, (void *)7, NULL, 0 } };
    weft_select(cs, 1, WEFT_SELECT_BLOCK);
}

TEST_SCENARIO(select_rendezvous, WEFT_PASS)
{
    weft_chan_t *ch = weft_chan_make("ch", 0);
    weft_thread_t t = weft_spawn("sender", select_sender, ch);
    void *v = NULL;
    struct weft_select_case cs[] = { { WEFT_RECV, ch, NULL, &v, 0 } };
    weft_assert(weft_select(cs, 1, WEFT_SELECT_BLOCK) == 0 && v == (void *)7, "rendezvous");
    weft_join(t);
}

START_TEST(select_semantics)
{
    select_seen[0] = select_seen[1] = 0;
    struct explore_result r = dfs(&select_both_ready);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 2);          /* both ready cases explored */
    ck_assert_int_eq(select_seen[0], 2);         /* once by DFS, once by DPOR */
    ck_assert_int_eq(select_seen[1], 2);
    ck_assert_passes(select_default_and_timeout);
    ck_assert_passes(select_rendezvous);
}
END_TEST

/* ==========================================================================
** Time, choices, threads, memory
** ========================================================================== */

struct sleeper { int64_t woke[2]; int order[2]; int n; };

static void sleep_10(void *arg)
{
    struct sleeper *s = arg;
    weft_sleep(10);
    s->woke[0] = weft_now();
    s->order[s->n++] = 10;
}

/* A 10 ms and a 20 ms sleep side by side. A timer may fire at any step,
** and a thread may start its sleep late, as on a real machine: the clock
** never goes back, and each wakes no earlier than it asked. The sleeper
** wakes at 10 (first), 20 (after main) or 30 (it started at 20). */
TEST_SCENARIO(sleep_is_virtual, WEFT_PASS)
{
    struct sleeper *s = weft_calloc(1, sizeof *s);
    weft_thread_t t = weft_spawn("sleeper", sleep_10, s);
    weft_sleep(20);
    s->woke[1] = weft_now();
    s->order[s->n++] = 20;
    weft_join(t);
    weft_assert(s->woke[0] % 10 == 0 && s->woke[0] >= 10 && s->woke[0] <= 30 &&
                (s->woke[1] == 20 || s->woke[1] == 30), "woke at %lld and %lld",
                (long long)s->woke[0], (long long)s->woke[1]);
}

TEST_SCENARIO(sleep_later_wakes_first, WEFT_ASSERTION)
{
    struct sleeper *s = weft_calloc(1, sizeof *s);
    weft_thread_t t = weft_spawn("sleeper", sleep_10, s);
    weft_sleep(20);
    s->order[s->n++] = 20;
    weft_join(t);
    weft_assert(s->order[0] == 10, "the 20ms sleeper woke first");
}

/* Under --timers=idle time moves only when no thread can run: the 10 ms
** sleeper always wakes first, at 10. */
TEST_SCENARIO(sleep_idle_rule, WEFT_PASS)
{
    struct sleeper *s = weft_calloc(1, sizeof *s);
    weft_thread_t t = weft_spawn("sleeper", sleep_10, s);
    weft_sleep(20);
    s->woke[1] = weft_now();
    s->order[s->n++] = 20;
    weft_join(t);
    weft_assert(s->woke[0] == 10 && s->woke[1] == 20, "woke at %lld and %lld",
                (long long)s->woke[0], (long long)s->woke[1]);
    weft_assert(s->order[0] == 10 && s->order[1] == 20, "the 20ms sleeper woke first");
}

/* Sub-millisecond sleeps are real: the clock counts nanoseconds. */
TEST_SCENARIO(sleep_nanoseconds, WEFT_PASS)
{
    weft_sleep_ns(1500);
    weft_assert(weft_now_ns() == 1500 && weft_now() == 0, "now %lld ns",
                (long long)weft_now_ns());
    weft_sleep(2);
    weft_assert(weft_now_ns() == 2001500, "now %lld ns", (long long)weft_now_ns());
}

/* Time stands still while a thread can run: the poller sees the flag only
** after the sleeper's deadline, and no time passes for the polling itself. */
static void set_after_5(void *arg)
{
    weft_sleep(5);
    *(int *)arg = 1;
}

TEST_SCENARIO(poll_until_timer, WEFT_PASS)
{
    int *flag = weft_calloc(1, sizeof *flag);
    weft_thread_t t = weft_spawn("timer", set_after_5, flag);
    while (!*flag)
        weft_yield();
    weft_assert(weft_now() == 5, "flag seen at %lld", (long long)weft_now());
    weft_join(t);
}

static int choose_seen[6];

TEST_SCENARIO(choose_all_values, WEFT_PASS)
{
    int a = weft_choose(2), b = weft_choose(3);
    choose_seen[a * 3 + b]++;
}

START_TEST(time_and_choice)
{
    ck_assert_passes(sleep_is_virtual);
    ck_assert_finds(sleep_later_wakes_first, WEFT_ASSERTION);
    ck_assert_passes(sleep_nanoseconds);
    test_timers_idle = true;
    ck_assert_passes(sleep_idle_rule);
    test_timers_idle = false;
    ck_assert_passes(poll_until_timer);
    memset(choose_seen, 0, sizeof choose_seen);
    struct explore_result r = dfs(&choose_all_values);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(choose_seen[i], 2);     /* once by DFS, once by DPOR */
}
END_TEST

static int *arena_ptrs[2];

TEST_SCENARIO(arena_is_fresh, WEFT_PASS)
{
    int *p = weft_calloc(16, sizeof *p);
    for (int i = 0; i < 16; i++)
        weft_assert(p[i] == 0, "memory from an earlier execution leaked through");
    for (int i = 0; i < 16; i++)
        p[i] = 0x5a5a;
    arena_ptrs[weft_choose(2)] = p;
}

static weft_mutex_t global_mu;        /* a global handle outlives executions */

TEST_SCENARIO(global_handle_resets, WEFT_PASS)
{
    weft_choose(2);
    weft_mutex_lock(&global_mu);      /* held at the end of every execution */
}

START_TEST(memory_per_execution)
{
    ck_assert_passes(arena_is_fresh);
    ck_assert_ptr_nonnull(arena_ptrs[1]);
    ck_assert_passes(global_handle_resets);
}
END_TEST

/* The arena names a place by the bytes handed out before it, however they
** were split into chunks: what keys a handle there in every process
** (sched_handle_key), so a checkpoint's wakeup trees resume elsewhere. */
START_TEST(arena_offsets_ignore_chunks)
{
    struct arena fresh = { 0 }, reused = { 0 };
    ck_assert_ptr_nonnull(arena_alloc(&reused, 200000));   /* one big spare chunk */
    arena_reset(&reused);
    const size_t sizes[] = { 100, 70000, 10 };
    const uint64_t want[] = { 0, 112, 70112 };   /* sizes rounded up to 16 */
    for (int i = 0; i < 3; i++) {
        char *a = arena_alloc(&fresh, sizes[i]), *b = arena_alloc(&reused, sizes[i]);
        uint64_t at_a, at_b, last;
        ck_assert(arena_offset(&fresh, a, &at_a) && arena_offset(&reused, b, &at_b));
        ck_assert_uint_eq(at_a, want[i]);
        ck_assert_uint_eq(at_b, want[i]);
        ck_assert(arena_offset(&fresh, a + sizes[i] - 1, &last));
        ck_assert_uint_eq(last, want[i] + sizes[i] - 1);
    }
    uint64_t none;
    ck_assert(!arena_offset(&fresh, &none, &none));   /* not arena memory */
    arena_free(&fresh);
    arena_free(&reused);
}
END_TEST

/* ==========================================================================
** Atomics
** ========================================================================== */

TEST_SCENARIO(atomic_operations, WEFT_PASS)
{
    weft_atomic_t *a = weft_calloc(1, sizeof *a);
    weft_assert(weft_atomic_load(a) == 0, "zeroed memory is a cell holding 0");
    weft_atomic_init(a, "a", 5);
    weft_assert(weft_atomic_load(a) == 5);
    weft_atomic_store(a, 7);
    weft_assert(weft_atomic_exchange(a, 9) == 7);
    weft_assert(weft_atomic_cas(a, 9, 11) == 1);
    weft_assert(weft_atomic_cas(a, 9, 12) == 0);
    weft_assert(weft_atomic_load(a) == 11, "a failed cas changes nothing");
    weft_assert(weft_atomic_fetch_add(a, 4) == 11);
    weft_assert(weft_atomic_fetch_sub(a, 5) == 15);
    weft_assert(weft_atomic_fetch_and(a, 6) == 10);
    weft_assert(weft_atomic_fetch_or(a, 5) == 2);
    weft_assert(weft_atomic_load(a) == 7);
    weft_atomic_store(a, INT64_MIN);
    weft_assert(weft_atomic_fetch_sub(a, 1) == INT64_MIN);
    weft_assert(weft_atomic_load(a) == INT64_MAX, "wraps as two's complement");
    int local;
    weft_atomic_store(a, (intptr_t)&local);
    weft_assert((int *)(intptr_t)weft_atomic_load(a) == &local, "pointers via intptr_t");
}

static void add_one(void *arg)
{
    weft_atomic_fetch_add((weft_atomic_t *)arg, 1);
}

static void load_then_store(void *arg)
{
    weft_atomic_t *a = arg;
    weft_atomic_store(a, weft_atomic_load(a) + 1);
}

TEST_SCENARIO(atomic_add_loses_nothing, WEFT_PASS)
{
    weft_atomic_t *a = weft_calloc(1, sizeof *a);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("adder", add_one, a);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
    weft_assert(weft_atomic_load(a) == 3);
}

TEST_SCENARIO(atomic_load_store_loses_update, WEFT_ASSERTION)
{
    weft_atomic_t *a = weft_calloc(1, sizeof *a);
    weft_thread_t x = weft_spawn("x", load_then_store, a), y = weft_spawn("y", load_then_store, a);
    weft_join(x);
    weft_join(y);
    weft_assert(weft_atomic_load(a) == 2, "lost update");
}

/* One writer and three readers of one cell: each reader reads before or
** after the store, and reads commute, so 2^3 classes. */
static void reader(void *arg) { weft_atomic_load((weft_atomic_t *)arg); }
static void writer(void *arg) { weft_atomic_store((weft_atomic_t *)arg, 1); }

TEST_SCENARIO(atomic_readers_commute, WEFT_PASS)
{
    weft_atomic_t *a = weft_calloc(1, sizeof *a);
    weft_thread_t t[4];
    t[0] = weft_spawn("writer", writer, a);
    for (int i = 1; i < 4; i++)
        t[i] = weft_spawn("reader", reader, a);
    for (int i = 0; i < 4; i++)
        weft_join(t[i]);
}

/* Two compare-and-swaps that both fail change nothing, so they commute:
** one class. */
static void cas_from_5(void *arg) { weft_atomic_cas((weft_atomic_t *)arg, 5, 6); }

TEST_SCENARIO(atomic_failed_cas_commute, WEFT_PASS)
{
    weft_atomic_t *a = weft_calloc(1, sizeof *a);
    weft_thread_t x = weft_spawn("x", cas_from_5, a), y = weft_spawn("y", cas_from_5, a);
    weft_join(x);
    weft_join(y);
    weft_assert(weft_atomic_load(a) == 0);
}

static weft_atomic_t global_cell;     /* outlives executions; its value does not */

TEST_SCENARIO(atomic_global_resets, WEFT_PASS)
{
    weft_choose(2);
    weft_assert(weft_atomic_fetch_add(&global_cell, 1) == 0, "value from an earlier execution");
}

START_TEST(atomic_semantics)
{
    ck_assert_passes(atomic_operations);
    ck_assert_passes(atomic_add_loses_nothing);
    ck_assert_finds(atomic_load_store_loses_update, WEFT_ASSERTION);
    struct explore_result r = dfs(&atomic_readers_commute);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 8);
    r = dfs(&atomic_failed_cas_commute);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 1);
    ck_assert_passes(atomic_global_resets);
}
END_TEST

/* ==========================================================================
** Read-write locks
** ========================================================================== */

/* The number of complete executions of a passing scenario: DPOR's and
** DFS's with sleep sets are equal (dfs() checks), one per class. */
static uint64_t classes(const struct weft_scenario *s)
{
    struct explore_result r = dfs(s);
    ck_assert_msg(!r.failed, "%s failed: %s", s->name, r.outcome.message);
    ck_assert(r.cov.exhaustive);
    return r.cov.executions;
}

struct table { weft_rwlock_t mu; int value; int readers_in; int seen[4]; };

static void read_once(void *arg)
{
    struct table *t = arg;
    weft_rwlock_rlock(&t->mu);
    (void)WEFT_READ(t->value);
    weft_rwlock_runlock(&t->mu);
}

static void write_once(void *arg)
{
    struct table *t = arg;
    weft_rwlock_lock(&t->mu);
    WEFT_WRITE(t->value, t->value + 1);
    weft_rwlock_unlock(&t->mu);
}

static void readers_and_writers(enum weft_rwlock_policy policy, int readers, int writers)
{
    struct table *t = weft_calloc(1, sizeof *t);
    weft_rwlock_init(&t->mu, "mu", policy);
    weft_thread_t th[6];
    int n = 0;
    for (int i = 0; i < readers; i++)
        th[n++] = weft_spawn("reader", read_once, t);
    for (int i = 0; i < writers; i++)
        th[n++] = weft_spawn("writer", write_once, t);
    for (int i = 0; i < n; i++)
        weft_join(th[i]);
    weft_assert(t->value == writers);
}

/* Read locks and read unlocks commute: three readers are one class. */
TEST_SCENARIO(rwlock_three_readers_go, WEFT_PASS)
{
    readers_and_writers(WEFT_RWLOCK_WRITER_PREFERRING, 3, 0);
}
TEST_SCENARIO(rwlock_three_readers_glibc, WEFT_PASS)
{
    readers_and_writers(WEFT_RWLOCK_READER_PREFERRING, 3, 0);
}

/* Two readers and a writer. Reader-preferring: each reader's section comes
** before the writer's, or after it, arriving while the writer holds the
** lock (its read lock blocks and the unlock admits it) or after the
** unlock: 3 x 3 = 9 classes. Writer-preferring adds a fourth way per
** reader: it read-locks before the writer announces itself and unlocks
** after, so the writer waits for it: 4 x 4 = 16; and when one reader does
** that and the other arrives after the announcement, the latter blocks
** before the writer has the lock or after: 2 more, 18. */
TEST_SCENARIO(rwlock_two_readers_writer_glibc, WEFT_PASS)
{
    readers_and_writers(WEFT_RWLOCK_READER_PREFERRING, 2, 1);
}
TEST_SCENARIO(rwlock_two_readers_writer_go, WEFT_PASS)
{
    readers_and_writers(WEFT_RWLOCK_WRITER_PREFERRING, 2, 1);
}

/* Two writers exclude each other, and readers see no torn update. */
static void write_twice(void *arg)
{
    struct table *t = arg;
    weft_rwlock_lock(&t->mu);
    t->value++;
    weft_yield();
    t->value++;
    weft_rwlock_unlock(&t->mu);
}

static void read_even(void *arg)
{
    struct table *t = arg;
    weft_rwlock_rlock(&t->mu);
    weft_assert(t->value % 2 == 0, "a reader saw a writer's half update: %d", t->value);
    weft_rwlock_runlock(&t->mu);
}

TEST_SCENARIO(rwlock_excludes, WEFT_PASS)
{
    struct table *t = weft_calloc(1, sizeof *t);
    weft_rwlock_init(&t->mu, "mu", (enum weft_rwlock_policy)weft_choose(2));
    weft_thread_t a = weft_spawn("w1", write_twice, t), b = weft_spawn("w2", write_twice, t);
    weft_thread_t r = weft_spawn("reader", read_even, t);
    weft_join(a);
    weft_join(b);
    weft_join(r);
    weft_assert(t->value == 4);
}

/* Readers do not order one another: two that write under a read lock race. */
static void write_under_rlock(void *arg)
{
    struct table *t = arg;
    weft_rwlock_rlock(&t->mu);
    WEFT_WRITE(t->value, 1);
    weft_rwlock_runlock(&t->mu);
}

TEST_SCENARIO(rwlock_readers_race, WEFT_DATA_RACE)
{
    struct table *t = weft_calloc(1, sizeof *t);
    weft_thread_t a = weft_spawn("a", write_under_rlock, t);
    weft_thread_t b = weft_spawn("b", write_under_rlock, t);
    weft_join(a);
    weft_join(b);
}

/* Go: once a writer waits, a reader's second read lock blocks. */
static void read_twice(void *arg)
{
    struct table *t = arg;
    weft_rwlock_rlock(&t->mu);
    weft_rwlock_rlock(&t->mu);
    weft_rwlock_runlock(&t->mu);
    weft_rwlock_runlock(&t->mu);
}

static void recursive_read(enum weft_rwlock_policy policy)
{
    struct table *t = weft_calloc(1, sizeof *t);
    weft_rwlock_init(&t->mu, "mu", policy);
    weft_thread_t r = weft_spawn("reader", read_twice, t), w = weft_spawn("writer", write_once, t);
    weft_join(r);
    weft_join(w);
}

TEST_SCENARIO(rwlock_recursive_read_go, WEFT_DEADLOCK)
{
    recursive_read(WEFT_RWLOCK_WRITER_PREFERRING);
}
TEST_SCENARIO(rwlock_recursive_read_glibc, WEFT_PASS)
{
    recursive_read(WEFT_RWLOCK_READER_PREFERRING);
}

TEST_SCENARIO(rwlock_read_while_writing, WEFT_SELF_DEADLOCK)
{
    weft_rwlock_t *mu = weft_calloc(1, sizeof *mu);
    weft_rwlock_lock(mu);
    weft_rwlock_rlock(mu);
}

TEST_SCENARIO(rwlock_upgrade, WEFT_SELF_DEADLOCK)
{
    weft_rwlock_t *mu = weft_calloc(1, sizeof *mu);
    weft_rwlock_rlock(mu);
    weft_rwlock_lock(mu);
}

TEST_SCENARIO(rwlock_runlock_unheld, WEFT_ASSERTION)
{
    weft_rwlock_t *mu = weft_calloc(1, sizeof *mu);
    weft_rwlock_runlock(mu);
}

static void rlock_and_return(void *arg) { weft_rwlock_rlock(&((struct table *)arg)->mu); }

TEST_SCENARIO(rwlock_reader_returns_holding, WEFT_ASSERTION)
{
    struct table *t = weft_calloc(1, sizeof *t);
    weft_join(weft_spawn("leaker", rlock_and_return, t));
}

START_TEST(rwlock_semantics)
{
    ck_assert_uint_eq(classes(&rwlock_three_readers_go), 1);
    ck_assert_uint_eq(classes(&rwlock_three_readers_glibc), 1);
    ck_assert_uint_eq(classes(&rwlock_two_readers_writer_glibc), 9);
    ck_assert_uint_eq(classes(&rwlock_two_readers_writer_go), 18);
    ck_assert_passes(rwlock_excludes);
    ck_assert_finds(rwlock_readers_race, WEFT_DATA_RACE);
    ck_assert_finds(rwlock_recursive_read_go, WEFT_DEADLOCK);
    ck_assert_passes(rwlock_recursive_read_glibc);
    ck_assert_finds(rwlock_read_while_writing, WEFT_SELF_DEADLOCK);
    ck_assert_finds(rwlock_upgrade, WEFT_SELF_DEADLOCK);
    ck_assert_finds(rwlock_runlock_unheld, WEFT_ASSERTION);
    ck_assert_finds(rwlock_reader_returns_holding, WEFT_ASSERTION);
}
END_TEST

/* ==========================================================================
** Semaphores
** ========================================================================== */

struct pool { weft_sem_t sem; weft_atomic_t inside; int most; };

static void acquire_only(void *arg) { weft_sem_acquire(&((struct pool *)arg)->sem); }

static void acquirers(int threads, int permits)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_sem_init(&p->sem, "sem", permits);
    weft_thread_t t[4];
    for (int i = 0; i < threads; i++)
        t[i] = weft_spawn("acquirer", acquire_only, p);
    for (int i = 0; i < threads; i++)
        weft_join(t[i]);
}

/* Acquires commute unless both would take the last permit (sem.c): three
** acquirers of three or more permits are one class, in DPOR and DFS alike.
** Each taking and giving back one of two permits: which of the three
** finds none left and waits, for whose release, decides the class. */
TEST_SCENARIO(sem_acquires_spare, WEFT_PASS) { acquirers(3, 4); }
TEST_SCENARIO(sem_acquires_exact, WEFT_PASS) { acquirers(3, 3); }

static void take_and_give(void *arg)
{
    struct pool *p = arg;
    weft_sem_acquire(&p->sem);
    weft_sem_release(&p->sem);
}

TEST_SCENARIO(sem_one_short, WEFT_PASS)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_sem_init(&p->sem, "sem", 2);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("user", take_and_give, p);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}

/* At most `permits` threads are inside at once. */
static void use_slot(void *arg)
{
    struct pool *p = arg;
    weft_sem_acquire(&p->sem);
    int now = (int)weft_atomic_fetch_add(&p->inside, 1) + 1;   /* visible: others see it */
    p->most = now > p->most ? now : p->most;
    weft_atomic_fetch_sub(&p->inside, 1);
    weft_sem_release(&p->sem);
}

TEST_SCENARIO(sem_bounds_concurrency, WEFT_PASS)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_sem_init(&p->sem, "slots", 2);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("user", use_slot, p);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
    weft_assert(p->most <= 2, "%d inside at once", p->most);
}

/* Some execution has all two inside at once: the bound is reached. */
TEST_SCENARIO(sem_reaches_bound, WEFT_ASSERTION)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_sem_init(&p->sem, "slots", 2);
    weft_thread_t t[2];
    for (int i = 0; i < 2; i++)
        t[i] = weft_spawn("user", use_slot, p);
    for (int i = 0; i < 2; i++)
        weft_join(t[i]);
    weft_assert(p->most < 2, "two inside at once");
}

TEST_SCENARIO(sem_try_and_timeout, WEFT_PASS)
{
    weft_sem_t *s = weft_calloc(1, sizeof *s);
    weft_assert(weft_sem_tryacquire(s) == WEFT_EBUSY, "zeroed memory has no permit");
    weft_sem_release(s);
    weft_assert(weft_sem_tryacquire(s) == 0, "a released permit is taken");
    weft_assert(weft_sem_timedacquire(s, 30) == WEFT_ETIMEDOUT);
    weft_assert(weft_now() == 30, "timed out at %lld", (long long)weft_now());
    weft_sem_release(s);
    weft_assert(weft_sem_timedacquire(s, 30) == 0, "a permit left: no wait");
    weft_assert(weft_now() == 30);
}

/* A timed acquire against a release: the permit and the timeout are both
** explored, so each assertion below fails in some execution. */
static void release_later(void *arg) { weft_sem_release(&((struct pool *)arg)->sem); }

static int timed_against_release(void)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_thread_t t = weft_spawn("releaser", release_later, p);
    int rc = weft_sem_timedacquire(&p->sem, 10);
    weft_join(t);
    return rc;
}

TEST_SCENARIO(sem_timed_gets_permit, WEFT_ASSERTION)
{
    weft_assert(timed_against_release() == WEFT_ETIMEDOUT, "got the permit");
}
TEST_SCENARIO(sem_timed_times_out, WEFT_ASSERTION)
{
    weft_assert(timed_against_release() == 0, "timed out");
}

TEST_SCENARIO(sem_negative_permits, WEFT_ASSERTION)
{
    weft_sem_t *s = weft_calloc(1, sizeof *s);
    weft_sem_init(s, "bad", -1);
}

START_TEST(sem_semantics)
{
    ck_assert_uint_eq(classes(&sem_acquires_spare), 1);
    ck_assert_uint_eq(classes(&sem_acquires_exact), 1);
    ck_assert_uint_eq(classes(&sem_one_short), 30);   /* dpor == dfs, class by class in classes.py */
    ck_assert_passes(sem_bounds_concurrency);
    ck_assert_finds(sem_reaches_bound, WEFT_ASSERTION);
    ck_assert_passes(sem_try_and_timeout);
    ck_assert_finds(sem_timed_gets_permit, WEFT_ASSERTION);
    ck_assert_finds(sem_timed_times_out, WEFT_ASSERTION);
    ck_assert_finds(sem_negative_permits, WEFT_ASSERTION);
}
END_TEST

/* ==========================================================================
** Once and barriers
** ========================================================================== */

struct setup { weft_once_t once; int runs; weft_barrier_t bar; int arrived, serial, round[3]; };

static void init_slowly(void *arg)
{
    struct setup *s = arg;
    weft_yield();                     /* others call meanwhile */
    s->runs++;
}

static void call_once(void *arg)
{
    struct setup *s = arg;
    weft_once_do(&s->once, init_slowly, s);
    weft_assert(s->runs == 1, "once returned before its function had (%d runs)", s->runs);
}

/* The first caller runs it; the others wait until it has returned. */
TEST_SCENARIO(once_runs_once, WEFT_PASS)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("caller", call_once, s);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
    weft_assert(s->runs == 1);
}

/* Two callers: which one runs the function is all that differs, and the
** later calls read the once without changing it: 2 classes. */
static void count_run(void *arg) { ((struct setup *)arg)->runs++; }
static void call_count(void *arg) { weft_once_do(&((struct setup *)arg)->once, count_run, arg); }

TEST_SCENARIO(once_two_callers, WEFT_PASS)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    weft_thread_t a = weft_spawn("a", call_count, s), b = weft_spawn("b", call_count, s);
    weft_join(a);
    weft_join(b);
    weft_assert(s->runs == 1);
}

static void call_again(void *arg) { weft_once_do(&((struct setup *)arg)->once, call_again, arg); }

TEST_SCENARIO(once_from_its_function, WEFT_SELF_DEADLOCK)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    call_again(s);
}

/* Three parties, two rounds: nobody passes a round before all arrived,
** and one arrival per round completes it. */
static void two_rounds(void *arg)
{
    struct setup *s = arg;
    for (int r = 0; r < 2; r++) {
        s->arrived++;
        s->serial += weft_barrier_wait(&s->bar);
        weft_assert(s->arrived >= 3 * (r + 1), "passed round %d with %d arrivals", r, s->arrived);
    }
}

TEST_SCENARIO(barrier_rounds, WEFT_PASS)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    weft_barrier_init(&s->bar, "bar", 3);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("party", two_rounds, s);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
    weft_assert(s->serial == 2, "%d completing arrivals in two rounds", s->serial);
}

/* Arrivals are writes (barrier.c says why) and passes reads: the order
** of the three arrivals makes 3! = 6 classes. */
static void arrive(void *arg) { weft_barrier_wait(&((struct setup *)arg)->bar); }

TEST_SCENARIO(barrier_three_parties, WEFT_PASS)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    weft_barrier_init(&s->bar, "bar", 3);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("party", arrive, s);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}

TEST_SCENARIO(barrier_one_short, WEFT_DEADLOCK)
{
    struct setup *s = weft_calloc(1, sizeof *s);
    weft_barrier_init(&s->bar, "bar", 2);
    weft_barrier_wait(&s->bar);
}

TEST_SCENARIO(barrier_no_parties, WEFT_ASSERTION)
{
    weft_barrier_t *b = weft_calloc(1, sizeof *b);
    weft_barrier_init(b, "bar", 0);
}

START_TEST(once_and_barrier_semantics)
{
    ck_assert_passes(once_runs_once);
    ck_assert_uint_eq(classes(&once_two_callers), 2);
    ck_assert_finds(once_from_its_function, WEFT_SELF_DEADLOCK);
    ck_assert_passes(barrier_rounds);
    ck_assert_uint_eq(classes(&barrier_three_parties), 6);
    ck_assert_finds(barrier_one_short, WEFT_DEADLOCK);
    ck_assert_finds(barrier_no_parties, WEFT_ASSERTION);
}
END_TEST

/* ==========================================================================
** Go mutexes, and conditions waited on with them
** ========================================================================== */

struct handoff { weft_mutex_t mu; weft_cond_t cv; int ready; };

static void unlock_for_owner(void *arg) { weft_mutex_unlock(&((struct handoff *)arg)->mu); }

/* Locked in one thread, unlocked in another; relocking by the holder
** waits for that unlock instead of deadlocking at once. */
TEST_SCENARIO(go_mutex_any_unlocks, WEFT_PASS)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_mutex_init(&h->mu, "mu", WEFT_MUTEX_GO);
    weft_mutex_lock(&h->mu);
    weft_thread_t t = weft_spawn("unlocker", unlock_for_owner, h);
    weft_mutex_lock(&h->mu);
    weft_mutex_unlock(&h->mu);
    weft_join(t);
}

static void lock_and_return(void *arg) { weft_mutex_lock(&((struct handoff *)arg)->mu); }

/* A holder may return holding a Go mutex; nobody else unlocks it here. */
TEST_SCENARIO(go_mutex_holder_returns, WEFT_DEADLOCK)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_mutex_init(&h->mu, "mu", WEFT_MUTEX_GO);
    weft_join(weft_spawn("locker", lock_and_return, h));
    weft_mutex_lock(&h->mu);
}

TEST_SCENARIO(mutex_holder_returns, WEFT_ASSERTION)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_join(weft_spawn("locker", lock_and_return, h));
}

TEST_SCENARIO(go_mutex_unlock_unlocked, WEFT_ASSERTION)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_mutex_init(&h->mu, "mu", WEFT_MUTEX_GO);
    weft_mutex_unlock(&h->mu);
}

/* Go's Cond.Wait with L locked by another goroutine: the wait unlocks it,
** and the waiter holds it when the wait returns. */
static void wait_on_borrowed_lock(void *arg)
{
    struct handoff *h = arg;
    while (!h->ready)
        weft_cond_wait(&h->cv, &h->mu);
    weft_mutex_unlock(&h->mu);
}

TEST_SCENARIO(go_cond_wait_lock_held_elsewhere, WEFT_PASS)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_mutex_init(&h->mu, "mu", WEFT_MUTEX_GO);
    weft_mutex_lock(&h->mu);
    weft_thread_t t = weft_spawn("waiter", wait_on_borrowed_lock, h);
    weft_mutex_lock(&h->mu);          /* once the waiter's wait released it */
    h->ready = 1;
    weft_cond_signal(&h->cv);
    weft_mutex_unlock(&h->mu);
    weft_join(t);
}

TEST_SCENARIO(go_cond_wait_unlocked, WEFT_ASSERTION)
{
    struct handoff *h = weft_calloc(1, sizeof *h);
    weft_mutex_init(&h->mu, "mu", WEFT_MUTEX_GO);
    weft_cond_wait(&h->cv, &h->mu);
}

START_TEST(go_mutex_semantics)
{
    ck_assert_passes(go_mutex_any_unlocks);
    ck_assert_finds(go_mutex_holder_returns, WEFT_DEADLOCK);
    ck_assert_finds(mutex_holder_returns, WEFT_ASSERTION);
    ck_assert_ptr_nonnull(strstr(test_exec()->outcome.message,
                                 "thread \"locker\" returned without unlocking mutex \"mutex#2\" "
                                 "(locked at test_primitives.c:"));
    ck_assert_finds(go_mutex_unlock_unlocked, WEFT_ASSERTION);
    ck_assert_passes(go_cond_wait_lock_held_elsewhere);
    ck_assert_finds(go_cond_wait_unlocked, WEFT_ASSERTION);
}
END_TEST

/* ==========================================================================
** Timers, tickers, after-funcs, contexts (Go's time and context)
** ========================================================================== */

struct fired { weft_chan_t *ran; };

static void after_func_body(void *arg)
{
    struct fired *f = arg;
    weft_chan_send(f->ran, NULL);
}

/* Stop says whether it prevented the call: 1, and the function never runs;
** 0 once the function started, and then it runs. */
TEST_SCENARIO(after_func_stop_says, WEFT_PASS)
{
    struct fired *f = weft_calloc(1, sizeof *f);
    f->ran = weft_chan_make("ran", 1);
    weft_timer_t *t = weft_after_func("cb", 5, after_func_body, f);
    if (weft_timer_stop(t)) {
        weft_sleep(100);
        struct weft_select_case c = { WEFT_RECV, f->ran, NULL, NULL, 0 };
        weft_assert(weft_select(&c, 1, 0) == WEFT_SELECT_DEFAULT, "a stopped callback ran");
    } else {
        weft_assert(weft_chan_recv(f->ran, NULL) == 0);
    }
}

/* ... and some execution fires before the stop: the stop returns 0. */
TEST_SCENARIO(after_func_stop_false_once_started, WEFT_ASSERTION)
{
    struct fired *f = weft_calloc(1, sizeof *f);
    f->ran = weft_chan_make("ran", 1);
    weft_timer_t *t = weft_after_func("cb", 5, after_func_body, f);
    weft_assert(weft_timer_stop(t) == 1, "stop returned 0: the callback had started");
}

/* A timer and a stop: two classes, the stop first or the firing first. */
TEST_SCENARIO(timer_stop_two_classes, WEFT_PASS)
{
    weft_timer_t *t = weft_timer_make("t", 5);
    int stopped = weft_timer_stop(t);
    struct weft_select_case c = { WEFT_RECV, weft_timer_chan(t), NULL, NULL, 0 };
    int r = weft_select(&c, 1, 0);
    weft_assert(stopped ? r == WEFT_SELECT_DEFAULT : r == 0, "stopped %d, select %d", stopped, r);
}

/* A timer fires no earlier than its deadline, but may fire after a later
** one (as a sleep's wake may); a value carries its time, and the clock
** never goes back. */
TEST_SCENARIO(timers_fire_late_never_early, WEFT_PASS)
{
    weft_context_t *ctx = weft_context_with_timeout(NULL, "ctx", 10);
    weft_chan_t *later = weft_after(20);
    void *v = NULL;
    weft_chan_recv(later, &v);
    weft_assert((intptr_t)v >= 20000000, "fired at %ld ns", (long)(intptr_t)v);
    weft_assert(weft_now() >= 20);
    weft_chan_recv(weft_context_done(ctx), NULL);
    weft_assert(weft_context_err(ctx) == WEFT_EDEADLINE);
    weft_assert(weft_now() >= (intptr_t)v / 1000000, "the clock went back");
}

TEST_SCENARIO(timer_may_fire_after_a_later_one, WEFT_ASSERTION)
{
    weft_context_t *ctx = weft_context_with_timeout(NULL, "ctx", 10);
    weft_chan_recv(weft_after(20), NULL);
    weft_assert(weft_context_err(ctx) == WEFT_EDEADLINE, "the 10 ms deadline had not fired");
}

/* A ticker's channel holds one tick: while it is full the ticks are
** dropped, so after 100 ms unread the next tick is from 100 ms on. */
TEST_SCENARIO(ticker_drops_ticks, WEFT_PASS)
{
    weft_timer_t *t = weft_ticker_make("tick", 10);
    weft_sleep(100);
    void *a = NULL, *b = NULL;
    weft_chan_recv(weft_timer_chan(t), &a);
    weft_chan_recv(weft_timer_chan(t), &b);
    weft_assert((intptr_t)b >= 100000000, "ticks %ld then %ld ns", (long)(intptr_t)a,
                (long)(intptr_t)b);
    weft_timer_stop(t);
}

/* A stopped ticker sends nothing more: after the stop, at most the one
** tick that was buffered (sometimes none). */
TEST_SCENARIO(ticker_stop_leaves_one, WEFT_PASS)
{
    weft_timer_t *t = weft_ticker_make("tick", 10);
    weft_sleep(100);
    weft_timer_stop(t);
    int n = 0;
    struct weft_select_case c = { WEFT_RECV, weft_timer_chan(t), NULL, NULL, 0 };
    while (weft_select(&c, 1, 0) == 0)
        n++;
    weft_assert(n <= 1, "%d ticks after the stop", n);
}

TEST_SCENARIO(ticker_stop_may_leave_none, WEFT_ASSERTION)
{
    weft_timer_t *t = weft_ticker_make("tick", 10);
    weft_sleep(100);
    weft_timer_stop(t);
    struct weft_select_case c = { WEFT_RECV, weft_timer_chan(t), NULL, NULL, 0 };
    weft_assert(weft_select(&c, 1, 0) == 0, "no tick was buffered");
}

struct ctxs { weft_context_t *parent, *child; };

static void cancel_parent(void *arg)
{
    weft_context_cancel(((struct ctxs *)arg)->parent);
}

/* Cancelling a parent cancels its child, whoever waits on it. */
TEST_SCENARIO(context_cancelled_by_parent, WEFT_PASS)
{
    struct ctxs *c = weft_calloc(1, sizeof *c);
    c->parent = weft_context_with_cancel(NULL, "parent");
    c->child = weft_context_with_cancel(c->parent, "child");
    weft_thread_t t = weft_spawn("canceller", cancel_parent, c);
    weft_assert(weft_chan_recv(weft_context_done(c->child), NULL) == WEFT_ECLOSED);
    weft_assert(weft_context_err(c->child) == WEFT_ECANCELED);
    weft_join(t);
    /* a child made under a cancelled parent is done at once */
    weft_context_t *late = weft_context_with_cancel(c->parent, "late");
    weft_assert(weft_context_err(late) == WEFT_ECANCELED);
}

static void cancel_child(void *arg)
{
    weft_context_cancel(((struct ctxs *)arg)->child);
}

/* A deadline and a cancel race: the error says which came first, and the
** cancel of the child leaves its parent alone. */
TEST_SCENARIO(context_deadline_or_cancel, WEFT_PASS)
{
    struct ctxs *c = weft_calloc(1, sizeof *c);
    c->parent = weft_context_with_timeout(NULL, "parent", 50);
    c->child = weft_context_with_timeout(c->parent, "child", 10);
    int64_t d = weft_context_deadline(c->child);      /* the parent's may have passed */
    weft_assert(d == 10 || (d == 50 && weft_context_err(c->child) == WEFT_EDEADLINE), "%lld",
                (long long)d);
    weft_assert(weft_context_deadline(weft_context_with_timeout(c->parent, "c2", 100)) == 50);
    weft_thread_t t = weft_spawn("canceller", cancel_child, c);
    weft_chan_recv(weft_context_done(c->child), NULL);
    int err = weft_context_err(c->child);
    weft_assert(err == WEFT_ECANCELED || err == WEFT_EDEADLINE, "err %d", err);
    weft_join(t);
    weft_chan_recv(weft_context_done(c->parent), NULL);
    weft_assert(weft_context_err(c->parent) == WEFT_EDEADLINE);
    weft_assert(weft_now() == 50, "now %lld", (long long)weft_now());
}

TEST_SCENARIO(context_deadline_may_come_first, WEFT_ASSERTION)
{
    struct ctxs *c = weft_calloc(1, sizeof *c);
    c->child = weft_context_with_timeout(NULL, "child", 10);
    weft_thread_t t = weft_spawn("canceller", cancel_child, c);
    weft_join(t);
    weft_assert(weft_context_err(c->child) == WEFT_ECANCELED, "the deadline came first");
}

/* Select with a default over a context and a timer: the default is taken
** when neither is ready, never once the context is cancelled. */
TEST_SCENARIO(select_default_over_time, WEFT_PASS)
{
    weft_context_t *ctx = weft_context_with_cancel(NULL, "ctx");
    weft_chan_t *after = weft_after(10);
    struct weft_select_case c[2] = { { WEFT_RECV, weft_context_done(ctx), NULL, NULL, 0 },
                                     { WEFT_RECV, after, NULL, NULL, 0 } };
    int r = weft_select(c, 2, 0);
    weft_assert(r == WEFT_SELECT_DEFAULT || r == 1, "select %d", r);
    weft_context_cancel(ctx);
    r = weft_select(c, 2, 0);
    weft_assert(r == 0 || r == 1, "select %d after the cancel", r);
}

TEST_SCENARIO(select_default_taken, WEFT_ASSERTION)
{
    weft_chan_t *after = weft_after(10);
    struct weft_select_case c = { WEFT_RECV, after, NULL, NULL, 0 };
    weft_assert(weft_select(&c, 1, 0) == 0, "the default was taken");
}

START_TEST(timer_semantics)
{
    ck_assert_passes(after_func_stop_says);
    ck_assert_finds(after_func_stop_false_once_started, WEFT_ASSERTION);
    struct explore_result r = dfs(&timer_stop_two_classes);
    ck_assert(!r.failed && r.cov.exhaustive);
    ck_assert_uint_eq(r.cov.executions, 2);
    ck_assert_passes(timers_fire_late_never_early);
    ck_assert_finds(timer_may_fire_after_a_later_one, WEFT_ASSERTION);
    ck_assert_passes(ticker_drops_ticks);
    ck_assert_passes(ticker_stop_leaves_one);
    ck_assert_finds(ticker_stop_may_leave_none, WEFT_ASSERTION);
    /* Under --timers=idle, DPOR and DFS may differ in how many executions
    ** they run (a clock moved for a spinning thread, sched.c fair_threads,
    ** is not a step): check the verdicts. */
    test_timers_idle = true;
    const struct weft_scenario *idle[] = { &timers_fire_late_never_early, &ticker_drops_ticks,
                                           &after_func_stop_says };
    for (size_t i = 0; i < sizeof idle / sizeof idle[0]; i++)
        for (int k = 0; k < 2; k++) {
            struct explore_result v = test_explore(idle[i], k ? "dfs" : "dpor", true, -1);
            ck_assert_msg(!v.failed && v.cov.exhaustive, "%s under --timers=idle", idle[i]->name);
        }
    test_timers_idle = false;
}
END_TEST

START_TEST(context_semantics)
{
    ck_assert_passes(context_cancelled_by_parent);
    ck_assert_passes(context_deadline_or_cancel);
    ck_assert_finds(context_deadline_may_come_first, WEFT_ASSERTION);
    ck_assert_passes(select_default_over_time);
    ck_assert_finds(select_default_taken, WEFT_ASSERTION);
}
END_TEST

Suite *primitives_suite(void)
{
    Suite *s = suite_create("primitives");
    TCase *tc = test_case("semantics");
    tcase_add_test(tc, mutex_mutual_exclusion);
    tcase_add_test(tc, mutex_trylock_and_kinds);
    tcase_add_test(tc, cond_semantics);
    tcase_add_test(tc, waitgroup_semantics);
    tcase_add_test(tc, chan_semantics);
    tcase_add_test(tc, select_semantics);
    tcase_add_test(tc, time_and_choice);
    tcase_add_test(tc, memory_per_execution);
    tcase_add_test(tc, arena_offsets_ignore_chunks);
    tcase_add_test(tc, atomic_semantics);
    tcase_add_test(tc, rwlock_semantics);
    tcase_add_test(tc, sem_semantics);
    tcase_add_test(tc, once_and_barrier_semantics);
    tcase_add_test(tc, go_mutex_semantics);
    tcase_add_test(tc, timer_semantics);
    tcase_add_test(tc, context_semantics);
    suite_add_tcase(s, tc);
    return s;
}
