/* A loop that waits on a condition until a deadline already passed, as
** `while (!ready) pthread_cond_timedwait(&cv, &mu, &deadline);` does once
** the deadline is behind it: each wait times out at once, and its wake
** retakes the mutex. The turns repeat, so the waiter spins, but when each
** turn ended it held the mutex the setter waits for, so nobody else could
** run then and fairness made it wait for nobody: every search ran it
** round to the step bound and reported a livelock in a correct program.
** A spinner that held what the others wait for now waits for whoever can
** run after its next step that lets anyone (the wait, which releases the
** mutex), so the setter runs and the loop ends. */
#include <weft.h>

struct st {
    weft_mutex_t mu;
    weft_cond_t cv;
    int ready;
};

static void setter(void *p)
{
    struct st *s = p;
    weft_mutex_lock(&s->mu);
    s->ready = 1;
    weft_cond_signal(&s->cv);
    weft_mutex_unlock(&s->mu);
}

WEFT_SCENARIO(wait_past_deadline, .summary = "wait on a condition until a deadline already passed",
              .expect = WEFT_PASS)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_mutex_init(&s->mu, "mu", WEFT_MUTEX_NORMAL);
    weft_cond_init(&s->cv, "cv");
    weft_thread_t t = weft_spawn("setter", setter, s);
    weft_mutex_lock(&s->mu);
    while (!s->ready)
        weft_cond_timedwait(&s->cv, &s->mu, 0);   /* the deadline: now, passed at once */
    weft_mutex_unlock(&s->mu);
    weft_join(t);
}
