/*
** timed_wait_lost_wakeup.c -- a lost wake-up in a timed wait, a plain
** pthread program (weft run scenarios/programs/timed_wait_lost_wakeup.c).
**
** A payment is handed to a thread; the caller waits up to 100 ms for it,
** and when the wait times out it cancels the job and pays itself. The
** caller goes straight into pthread_cond_timedwait without checking
** whether the job is done: when the job finished and signalled before the
** caller began to wait, the signal is lost, the wait times out although
** the job has paid, and the caller pays a second time. Built with -DFIXED
** the caller waits in a loop that checks the job's flag, and decides from
** the flag rather than from the wait's return value.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct job {
    pthread_mutex_t mu;
    pthread_cond_t finished;
    bool done, cancelled;
    int payments;
};

static struct job the_job = {
    .mu = PTHREAD_MUTEX_INITIALIZER, .finished = PTHREAD_COND_INITIALIZER,
};

static void *pay(void *arg)
{
    struct job *j = arg;
    pthread_mutex_lock(&j->mu);
    if (!j->cancelled) {
        j->payments++;
        j->done = true;
        pthread_cond_signal(&j->finished);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* Did the job pay within 100 ms? If not, it is cancelled. */
static bool job_paid(struct job *j)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 100 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&j->mu);
#ifdef FIXED
    int rc = 0;
    while (!j->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&j->finished, &j->mu, &deadline);
    bool paid = j->done;
#else
    int rc = pthread_cond_timedwait(&j->finished, &j->mu, &deadline);
    bool paid = rc == 0;              /* the signal may have come before the wait */
#endif
    if (!paid)
        j->cancelled = true;
    pthread_mutex_unlock(&j->mu);
    return paid;
}

int main(void)
{
    pthread_t t;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&the_job.finished, &attr);
    pthread_create(&t, NULL, pay, &the_job);
    if (!job_paid(&the_job)) {
        fprintf(stderr, "payment timed out: paying directly\n");
        pthread_mutex_lock(&the_job.mu);
        the_job.payments++;
        pthread_mutex_unlock(&the_job.mu);
    }
    pthread_join(t, NULL);
    printf("%d payment(s)\n", the_job.payments);
    assert(the_job.payments == 1);
    return 0;
}
