/*
** cockroach_recursive_rlock.c -- cockroachdb/cockroach PR 52540,
** "kvserver: remove unsafe recursive RLock acquisition" (fixes issue 52514).
**
** Upstream (kvserver): a replica's checkExecutionCanProceed, run for each
** request, took a read lock and, still holding it, called getFreezeStart,
** which took the same read lock again. Go's sync.RWMutex
** prefers writers: once a Lock is waiting, every new RLock blocks, even
** one from a goroutine that already holds a read lock. The Go docs say it
** outright: "this prohibits recursive read locking". The same shape was
** fixed in Temporal (PR 2076, namespace.Registry) and many other Go
** projects; Kubernetes PR 58107 fixed a relative, a reader that waited on
** a condition variable while holding the read lock, with a writer queued.
**
** The hang:
**   request   checkExecutionCanProceed: r.mu.RLock()
**   writer    r.mu.Lock(): announced, waits for the reader inside
**   request   getFreezeStart: r.mu.RLock() blocks behind the writer
** Each waits for the other. If the writer comes before the first RLock or
** after the second, everything finishes: the hang needs the writer in the
** window between the two read locks.
**
** Fix: the caller already holds the read lock, so it reads the field
** without locking again.
**
** Model: the lock is called r.mu, the writer "merge" (any Lock will do).
**
** --param reader_preferring=1 gives the same code glibc's default policy
** (a read lock is granted whenever no writer holds the lock): the buggy
** variant then passes, which is why a hand-made rwlock without Go's writer
** preference misses this bug. --param requests=N runs N requests (default
** 2): their read locks commute, so the searches stay small.
*/
#include <weft.h>

#define MAX_REQUESTS 8

static const char *const request_names[MAX_REQUESTS] = {
    "request[0]", "request[1]", "request[2]", "request[3]",
    "request[4]", "request[5]", "request[6]", "request[7]",
};

struct replica {
    weft_rwlock_t mu;          /* r.mu */
    int64_t freezeStart;       /* r.mu.freezeStart: set when a merge freezes it */
    int fixed;
};

/* getFreezeStart: takes r.mu for reading itself. */
static int64_t get_freeze_start(struct replica *r)
{
    int64_t ts;

    weft_rwlock_rlock(&r->mu);
    ts = r->freezeStart;
    weft_rwlock_runlock(&r->mu);
    return ts;
}

/* checkExecutionCanProceed: holds r.mu for reading across the check. */
static void check_execution_can_proceed(void *arg)
{
    struct replica *r = arg;
    int64_t freeze;

    weft_rwlock_rlock(&r->mu);
    if (r->fixed)
        freeze = r->freezeStart;          /* fix: the caller holds r.mu */
    else
        freeze = get_freeze_start(r);     /* bug: RLock while holding RLock */
    (void)freeze;                         /* would refuse a frozen range */
    weft_rwlock_runlock(&r->mu);
}

/* A writer: the merge that freezes the range (any r.mu.Lock() will do). */
static void freeze_for_merge(void *arg)
{
    struct replica *r = arg;

    weft_rwlock_lock(&r->mu);
    r->freezeStart = 1;
    weft_rwlock_unlock(&r->mu);
}

static void run(int fixed)
{
    struct replica *r = weft_calloc(1, sizeof *r);
    int requests = weft_param_int("requests", 2);
    int reader_preferring = weft_param_int("reader_preferring", 0);
    weft_thread_t t[MAX_REQUESTS], writer;

    weft_assert(requests >= 1 && requests <= MAX_REQUESTS,
                "requests must be 1..%d", MAX_REQUESTS);
    r->fixed = fixed;
    weft_rwlock_init(&r->mu, "r.mu", reader_preferring ? WEFT_RWLOCK_READER_PREFERRING
                                                       : WEFT_RWLOCK_WRITER_PREFERRING);
    for (int i = 0; i < requests; i++)
        t[i] = weft_spawn(request_names[i], check_execution_can_proceed, r);
    writer = weft_spawn("merge", freeze_for_merge, r);
    for (int i = 0; i < requests; i++)
        weft_join(t[i]);
    weft_join(writer);
}

WEFT_SCENARIO(cockroach_recursive_rlock,
              .summary = "recursive RLock behind a waiting Lock (cockroachdb/cockroach#52540)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(cockroach_recursive_rlock_fixed,
              .summary = "no second RLock under the first (cockroachdb/cockroach#52540)",
              .expect = WEFT_PASS)
{
    run(1);
}
