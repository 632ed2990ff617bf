/*
** Once a thread was detached, the execution ends when the last thread not
** detached returns, and which one that is depends on the order of their
** returns. Only that last return was a step: the others ran inside their
** thread's last step, so the searches never put a detached thread's steps
** between two returns. DPOR ran 2 of the 4 classes plain DFS then saw in
** join_returning and passed it, as DFS with sleep sets did (plain DFS
** found the assertion): w2 can join w0 only while the body has not
** returned yet. It has 10 classes now.
**
** Now every return of a thread not detached after the first detach is a
** step on one object, so the searches order those returns both ways, and
** the first detach (here a detached spawn) is ordered with every step, so
** a return that came before it also comes after it. tests/cli.sh checks
** that DPOR finds the assertion and that its classes are plain DFS's.
*/
#include <weft.h>

static weft_thread_t first;

static void returns_at_once(void *arg)
{
    (void)arg;
}

static void joins_first(void *arg)
{
    (void)arg;
    weft_join(first);
    weft_yield();
    weft_assert(0, "w2 joined w0 and went on before the body returned");
}

WEFT_SCENARIO(join_returning, .expect = WEFT_ASSERTION)
{
    first = weft_spawn("w0", returns_at_once, NULL);
    weft_spawn_detached("w2", joins_first, NULL);
}

/* A detached thread spawns a thread not detached after the body returned:
** the body's return was then not the end, and the new thread's return is.
** Such a spawn writes the returns' object too (DPOR ran 9 of the 15
** classes before; 32 now). */
static weft_atomic_t *counter;

static void loads(void *arg)
{
    (void)arg;
    (void)weft_atomic_load(counter);
}

static void spawns_late(void *arg)
{
    (void)arg;
    weft_atomic_fetch_add(counter, 1);
    weft_spawn("w2", loads, NULL);
}

static void detaches_one(void *arg)
{
    (void)arg;
    weft_spawn_detached("w1", spawns_late, NULL);
    weft_atomic_fetch_add(counter, 1);
}

WEFT_SCENARIO(spawned_after_the_body_returned, .expect = WEFT_PASS)
{
    counter = weft_calloc(1, sizeof *counter);
    weft_join(weft_spawn("w0", detaches_one, NULL));
    (void)weft_atomic_load(counter);
}
