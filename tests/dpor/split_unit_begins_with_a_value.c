/*
** A split search whose units begin with a choice of value.
**
** th1's select polls ch1 (none ready: default) and th2's select sends on
** it, choosing one of two cases: a choice of value, which the search cuts
** at when --split-depth 14 makes it the first node of each unit. child0
** and th2 both take m0. The static top above the unit put child0 to sleep
** (it ran its lock there first, in an earlier unit), and a unit's DPOR
** must not count such a sleeper as covering a reversal. It read the
** static sleepers off the unit's first node, which, being a choice of
** value, keeps no sleep set: child0 looked asleep in the unit's own right,
** covered the race of th2's lock of m0 with its own, and two classes were
** lost (58 of 60). tests/cli.sh and tests/shard.py check 60 at every split
** depth.
*/
#include <stdint.h>
#include <weft.h>

struct shared {
    weft_mutex_t m[2];
    weft_chan_t *ch;
    weft_atomic_t at;
};

static void child(void *p)
{
    struct shared *s = p;
    weft_mutex_lock(&s->m[0]);
    weft_mutex_unlock(&s->m[0]);
}

static void th0(void *p)
{
    struct shared *s = p;
    weft_join(weft_spawn("child0", child, s));
    weft_atomic_store(&s->at, 1);
}

static void th1(void *p)
{
    struct shared *s = p;
    weft_join(weft_spawn("child1", child, s));
    void *v1 = NULL, *v2 = NULL;
    struct weft_select_case cs[2] = {
        { WEFT_RECV, s->ch, NULL, &v1, 0 },
        { WEFT_RECV, s->ch, NULL, &v2, 0 },
    };
    weft_select(cs, 2, 0);            /* a poll: default when nothing is there */
    weft_atomic_fetch_add(&s->at, 2);
}

static void th2(void *p)
{
    struct shared *s = p;
    struct weft_select_case cs[2] = {
        { WEFT_SEND, s->ch, (void *)(intptr_t)70, NULL, 0 },
        { WEFT_SEND, s->ch, (void *)(intptr_t)80, NULL, 0 },
    };
    weft_select(cs, 2, WEFT_SELECT_BLOCK);   /* both ready: a choice of value */
    weft_mutex_lock(&s->m[1]);
    weft_mutex_lock(&s->m[0]);
    weft_mutex_unlock(&s->m[0]);
    weft_mutex_unlock(&s->m[1]);
}

WEFT_SCENARIO(split_unit_begins_with_a_value,
              .summary = "a unit of a split search that begins with a choice of value",
              .expect = WEFT_PASS)
{
    struct shared *s = weft_calloc(1, sizeof *s);
    weft_atomic_init(&s->at, "at", 0);
    weft_mutex_init(&s->m[0], "m0", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&s->m[1], "m1", WEFT_MUTEX_NORMAL);
    s->ch = weft_chan_make("ch1", 1);
    weft_thread_t a = weft_spawn("th0", th0, s);
    weft_thread_t b = weft_spawn("th1", th1, s);
    weft_thread_t c = weft_spawn("th2", th2, s);
    weft_join(a);
    weft_join(b);
    weft_join(c);
}
