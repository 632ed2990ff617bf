/*
** philosophers.c -- Dijkstra's dining philosophers (param n=5).
**
** Philosopher i takes fork[i] (left), then fork[(i+1) % n] (right), eats
** once, and puts both down.
**   every philosopher takes its left fork
**   every philosopher waits for its right fork, held by its neighbour:
**   the wait-for cycle goes once round the table
**
** Fix: order the forks: each philosopher takes the lower-numbered of its
** two forks first, so the last one reaches for fork[0] before fork[n-1] and
** the cycle cannot close.
*/
#include <weft.h>

#define MAX_SEATS 16

static const char *const philosopher_names[MAX_SEATS] = {
    "philosopher0", "philosopher1", "philosopher2", "philosopher3",
    "philosopher4", "philosopher5", "philosopher6", "philosopher7",
    "philosopher8", "philosopher9", "philosopher10", "philosopher11",
    "philosopher12", "philosopher13", "philosopher14", "philosopher15",
};
static const char *const fork_names[MAX_SEATS] = {
    "fork[0]", "fork[1]", "fork[2]", "fork[3]",
    "fork[4]", "fork[5]", "fork[6]", "fork[7]",
    "fork[8]", "fork[9]", "fork[10]", "fork[11]",
    "fork[12]", "fork[13]", "fork[14]", "fork[15]",
};

struct table {
    int n;
    int fixed;
    weft_mutex_t fork[MAX_SEATS];
};

/* Each philosopher counts its own meal: a counter shared by all of them
** would be written under different forks, a data race (--memory=all
** reports it). */
struct seat {
    struct table *t;
    int i;
    int meals;
};

static void philosopher(void *arg)
{
    struct seat *s = arg;
    struct table *t = s->t;
    int first = s->i;                   /* left */
    int second = (s->i + 1) % t->n;     /* right */

    if (t->fixed && second < first) {   /* fix: lower-numbered fork first */
        first = second;
        second = s->i;
    }
    weft_mutex_lock(&t->fork[first]);
    weft_mutex_lock(&t->fork[second]);
    s->meals++;
    weft_mutex_unlock(&t->fork[second]);
    weft_mutex_unlock(&t->fork[first]);
}

static void run(int fixed)
{
    struct table *t = weft_calloc(1, sizeof *t);
    struct seat *seats;
    weft_thread_t th[MAX_SEATS];

    t->n = weft_param_int("n", 5);
    weft_assert(t->n >= 2 && t->n <= MAX_SEATS, "n must be 2..%d", MAX_SEATS);
    if (t->n < 2 || t->n > MAX_SEATS)
        return;
    t->fixed = fixed;
    for (int i = 0; i < t->n; i++)
        weft_mutex_init(&t->fork[i], fork_names[i], WEFT_MUTEX_NORMAL);

    seats = weft_calloc((size_t)t->n, sizeof *seats);
    for (int i = 0; i < t->n; i++) {
        seats[i].t = t;
        seats[i].i = i;
        th[i] = weft_spawn(philosopher_names[i], philosopher, &seats[i]);
    }
    int meals = 0;
    for (int i = 0; i < t->n; i++) {
        weft_join(th[i]);
        meals += seats[i].meals;
    }
    weft_assert(meals == t->n, "%d meals for %d philosophers", meals, t->n);
}

WEFT_SCENARIO(philosophers,
              .summary = "dining philosophers, each takes the left fork first",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(philosophers_fixed,
              .summary = "dining philosophers, lower-numbered fork first",
              .expect = WEFT_PASS)
{
    run(1);
}
