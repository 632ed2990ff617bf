/*
** A race of the replayed prefix is reversed again at the end of every
** execution that replays it.
**
** Two timers: "af" (1 ms) runs a function that takes m1, "tm" (3 ms)
** fills a channel "first" waits on. "first" and "second" take m1 and m0
** in opposite orders (a deadlock), then "first" tries m0 once more and
** waits for "tm". 60 classes, deadlocks among them. DPOR ran 59: the race of the two
** firings was reversed once, against the execution that found it, in
** which the locks came in one order; the deadlock with "af" firing first
** and its function blocked on m1 needs the firings reversed again in an
** execution where the locks deadlock. dfs.c (keep_races) keeps the races
** of the prefix for every execution that replays it. tests/cli.sh checks
** 60 + 0 under --classes.
*/
#include <weft.h>

struct shared {
    weft_mutex_t m0, m1;
    weft_timer_t *tm, *af;
};

static void after(void *arg)
{
    struct shared *s = arg;
    weft_mutex_lock(&s->m1);
    weft_mutex_unlock(&s->m1);
}

static void first(void *arg)
{
    struct shared *s = arg;
    weft_mutex_lock(&s->m1);
    weft_mutex_lock(&s->m0);
    weft_mutex_unlock(&s->m0);
    weft_mutex_unlock(&s->m1);
    if (weft_mutex_trylock(&s->m0) == 0)
        weft_mutex_unlock(&s->m0);
    void *v = NULL;
    struct weft_select_case c = { WEFT_RECV, weft_timer_chan(s->tm), NULL, &v, 0 };
    weft_select(&c, 1, 0);
}

static void second(void *arg)
{
    struct shared *s = arg;
    weft_mutex_lock(&s->m0);
    weft_mutex_lock(&s->m1);
    weft_mutex_unlock(&s->m1);
    weft_mutex_unlock(&s->m0);
}

WEFT_SCENARIO(races_again_after_the_prefix,
              .summary = "two timer firings race again after the locks deadlock",
              .expect = WEFT_DEADLOCK)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->m0, "m0", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&s->m1, "m1", WEFT_MUTEX_NORMAL);
    s->tm = weft_timer_make("tm", 3);
    s->af = weft_after_func("af", 1, after, s);
    weft_thread_t a = weft_spawn("first", first, s);
    weft_thread_t b = weft_spawn("second", second, s);
    weft_join(a);
    weft_join(b);
}
