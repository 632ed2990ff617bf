/*
** A thread spawned by a detached thread: when DPOR rewound past w1's spawn,
** w1's slot kept the id of the object its spawn was on, which the next
** execution gave to the atomic A (object ids follow the order objects are
** made). Rewinding again, DPOR took A's first step for w1's spawn and
** ordered main's load of A before w0's store: it ran 25 of the 27 classes
** (plain DFS: 27). It has 60 since the returns of threads not detached
** are steps (tests/dpor/returns_in_either_order.c). tests/cli.sh checks
** that they agree (audit 24).
*/
#include <weft.h>

static weft_atomic_t *A;

static void w1(void *arg)
{
    (void)arg;
}

static void w0(void *arg)
{
    (void)arg;
    weft_spawn_detached("w1", w1, NULL);
    weft_atomic_store(A, 1);
}

WEFT_SCENARIO(spawn_rewound_away, .expect = WEFT_PASS)
{
    A = weft_calloc(1, sizeof *A);
    weft_detach(weft_spawn("w0", w0, NULL));
    (void)weft_atomic_load(A);
}
