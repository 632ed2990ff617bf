/*
** coder_close_during_create.c -- coder/coder issue 17328, fixed by PR 17329.
**
** Upstream (agent/agent.go): createTailnet opens several network listeners.
** For each it starts an accept loop through trackGoroutine, which takes
** closeMutex, refuses if the agent is closing, does closeWaitGroup.Add(1),
** starts the goroutine and unlocks. Only when every listener exists does
** createTailnet publish them (under closeMutex) so that Close can close them.
** Close takes closeMutex, marks the agent closing, closes the published
** listeners, then closeWaitGroup.Wait()s for every tracked goroutine -- still
** holding closeMutex.
**
** The hang (listeners=2):
**   createTailnet   trackGoroutine: acceptLoop[0] starts on listener[0]
**   Close           locks closeMutex, closing = 1, nothing published yet,
**                   waits on closeWaitGroup while holding closeMutex
**   acceptLoop[0]   Accept blocks until listener[0] is closed: nobody will
**   createTailnet   trackGoroutine for listener[1] waits for closeMutex
**
** Fix: Close sets closing and takes its snapshot of the published listeners
** under closeMutex, unlocks, then closes them and waits; createTailnet closes
** the listeners it created itself when it finds the agent closing.
**
** Model: a listener is a channel nobody sends to, so Accept (a receive)
** returns only once the listener is closed.
*/
#include <weft.h>

#define MAX_LISTENERS 8

static const char *const listener_names[MAX_LISTENERS] = {
    "listener[0]", "listener[1]", "listener[2]", "listener[3]",
    "listener[4]", "listener[5]", "listener[6]", "listener[7]",
};
static const char *const accept_loop_names[MAX_LISTENERS] = {
    "acceptLoop[0]", "acceptLoop[1]", "acceptLoop[2]", "acceptLoop[3]",
    "acceptLoop[4]", "acceptLoop[5]", "acceptLoop[6]", "acceptLoop[7]",
};

struct agent {
    weft_mutex_t closeMutex;
    weft_waitgroup_t closeWaitGroup;
    int closing;                          /* a.isClosed(), under closeMutex */
    int published;                        /* Close may close the listeners */
    int nlisteners;                       /* how many createTailnet opens */
    int created;                          /* how many it has opened so far */
    weft_chan_t *listener[MAX_LISTENERS];
    int listener_closed[MAX_LISTENERS];   /* for the end-state check */
    int fixed;
};

/* The accept loop (sshServer.Serve and friends): nobody connects, so it
** returns when its listener is closed. */
static void accept_loop(void *arg)
{
    weft_chan_t *ln = arg;

    while (weft_chan_recv(ln, NULL) == WEFT_OK)
        ;   /* a connection would be served here */
}

static void close_listeners(struct agent *a, int n)
{
    for (int i = 0; i < n; i++) {
        weft_chan_close(a->listener[i]);
        a->listener_closed[i] = 1;
    }
}

/* trackGoroutine: start fn(arg) in closeWaitGroup unless closing; 0 if
** refused. */
static int track_goroutine(struct agent *a, const char *name,
                           void (*fn)(void *), void *arg)
{
    weft_mutex_lock(&a->closeMutex);
    if (a->closing) {
        weft_mutex_unlock(&a->closeMutex);
        return 0;
    }
    weft_waitgroup_go(&a->closeWaitGroup, name, fn, arg);
    weft_mutex_unlock(&a->closeMutex);
    return 1;
}

static void create_tailnet(void *arg)
{
    struct agent *a = arg;
    int closing;

    for (int i = 0; i < a->nlisteners; i++) {
        a->listener[i] = weft_chan_make(listener_names[i], 0); /* Listen */
        a->created = i + 1;
        if (!track_goroutine(a, accept_loop_names[i], accept_loop,
                             a->listener[i])) {
            if (a->fixed)
                close_listeners(a, a->created);  /* fix: close our own */
            return;
        }
    }
    weft_mutex_lock(&a->closeMutex);     /* publish for Close */
    closing = a->closing;
    if (!closing)
        a->published = 1;
    weft_mutex_unlock(&a->closeMutex);
    if (closing && a->fixed)
        close_listeners(a, a->created);
}

static void close_agent(void *arg)
{
    struct agent *a = arg;
    int published;

    weft_mutex_lock(&a->closeMutex);
    a->closing = 1;
    published = a->published;
    if (!a->fixed) {
        if (published)
            close_listeners(a, a->nlisteners);
        weft_waitgroup_wait(&a->closeWaitGroup);  /* bug: closeMutex held */
        weft_mutex_unlock(&a->closeMutex);
        return;
    }
    weft_mutex_unlock(&a->closeMutex);           /* fix: release first */
    if (published)
        close_listeners(a, a->nlisteners);
    weft_waitgroup_wait(&a->closeWaitGroup);
}

static void run(int fixed)
{
    struct agent *a = weft_calloc(1, sizeof *a);
    weft_thread_t create, closer;

    a->nlisteners = weft_param_int("listeners", 2);
    weft_assert(a->nlisteners >= 1 && a->nlisteners <= MAX_LISTENERS,
                "listeners must be 1..%d", MAX_LISTENERS);
    if (a->nlisteners < 1 || a->nlisteners > MAX_LISTENERS)
        return;
    a->fixed = fixed;
    weft_mutex_init(&a->closeMutex, "closeMutex", WEFT_MUTEX_NORMAL);
    weft_waitgroup_init(&a->closeWaitGroup, "closeWaitGroup");

    create = weft_spawn("createTailnet", create_tailnet, a);
    closer = weft_spawn("Close", close_agent, a);
    weft_join(create);
    weft_join(closer);

    /* The buggy createTailnet also leaks listener[0] when Close runs
    ** first; check the end state only where the fix promises it. */
    for (int i = 0; fixed && i < a->created; i++)
        weft_assert(a->listener_closed[i], "listener[%d] left open", i);
}

WEFT_SCENARIO(coder_close_during_create,
              .summary = "Close() during createTailnet deadlocks (coder/coder#17328)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(coder_close_during_create_fixed,
              .summary = "Close() releases closeMutex before waiting (coder/coder#17329)",
              .expect = WEFT_PASS)
{
    run(1);
}
