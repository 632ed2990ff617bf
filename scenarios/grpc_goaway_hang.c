/*
** grpc_goaway_hang.c -- grpc/grpc-go issue 7606, fixed by PR 7662.
**
** Upstream (internal/transport/http2_client.go): http2Client.Close queues a
** goAway frame on t.controlBuf, waits for the loopyWriter goroutine to exit
** (t.writerDone) or for goAwayLoopyWriterTimeout, then calls
** GetGoAwayReason, which takes t.mu, and only then closes t.conn. loopy
** takes frames off the control buffer; for the GOAWAY its
** outgoingGoAwayHandler takes t.mu and writes the frame while holding it.
** The test that found it (ClientCloseReturnsEarlyWhenGoAwayWriteHangs) uses
** a connection whose Write hangs until the connection is closed.
**
** The hang:
**   Close        controlBuf.put(goAway); waits for writerDone or the timer
**   loopyWriter  outgoingGoAwayHandler: locks t.mu, Write hangs on t.conn
**   Close        timer fires (1000 ms); GetGoAwayReason waits for t.mu,
**                so t.conn.Close(), which would end the Write, never runs
** Upstream the hang needed loopy to take t.mu before Close reached
** GetGoAwayReason. In weft's virtual time the timer fires only when no
** thread can run, so loopy always gets there first and the buggy variant
** hangs in every interleaving.
**
** Fix: read the GOAWAY reason before queueing the frame (and never block on
** the network while holding t.mu).
**
** Model: t.conn is a channel nobody sends to: a Write is a receive that
** returns (with an error) once the connection is closed.
*/
#include <weft.h>

struct transport {
    weft_mutex_t mu;            /* t.mu */
    weft_chan_t *controlBuf;    /* t.controlBuf; carries the goAway frame */
    weft_chan_t *conn;          /* t.conn: Write hangs until Close */
    weft_chan_t *writerDone;    /* closed when loopy exits */
    int goAwayReason;
    int timeout_ms;             /* goAwayLoopyWriterTimeout */
    int64_t close_returned_at;
    int fixed;
};

/* GetGoAwayReason. */
static int get_goaway_reason(struct transport *t)
{
    int reason;

    weft_mutex_lock(&t->mu);
    reason = t->goAwayReason;
    weft_mutex_unlock(&t->mu);
    return reason;
}

/* outgoingGoAwayHandler: writes the frame while holding t.mu. */
static void outgoing_goaway_handler(struct transport *t)
{
    weft_mutex_lock(&t->mu);
    weft_chan_recv(t->conn, NULL);   /* WriteGoAway: hangs until closed */
    weft_mutex_unlock(&t->mu);
}

/* The loopyWriter goroutine: the goAway is the last frame it handles. */
static void loopy_writer(void *arg)
{
    struct transport *t = arg;

    if (weft_chan_recv(t->controlBuf, NULL) == WEFT_OK)
        outgoing_goaway_handler(t);
    weft_chan_close(t->writerDone);
}

/* http2Client.Close. */
static void close_transport(void *arg)
{
    struct transport *t = arg;

    if (t->fixed)
        (void)get_goaway_reason(t);              /* fix: before the put */
    weft_chan_send(t->controlBuf, NULL);         /* controlBuf.put(goAway) */
    (void)weft_chan_recv_timeout(t->writerDone, NULL, t->timeout_ms);
    if (!t->fixed)
        (void)get_goaway_reason(t);              /* bug: loopy holds t.mu */
    weft_chan_close(t->conn);                    /* t.conn.Close() */
    t->close_returned_at = weft_now();
}

static void run(int fixed)
{
    struct transport *t = weft_calloc(1, sizeof *t);
    weft_thread_t loopy, closer;

    t->fixed = fixed;
    t->timeout_ms = weft_param_int("goaway_timeout_ms", 1000);
    weft_mutex_init(&t->mu, "t.mu", WEFT_MUTEX_NORMAL);
    t->controlBuf = weft_chan_make("t.controlBuf", 1);
    t->conn = weft_chan_make("t.conn", 0);
    t->writerDone = weft_chan_make("t.writerDone", 0);

    loopy = weft_spawn("loopyWriter", loopy_writer, t);
    closer = weft_spawn("Close", close_transport, t);
    weft_join(closer);
    weft_join(loopy);

    weft_assert(t->close_returned_at <= t->timeout_ms,
                "Close took %lld ms", (long long)t->close_returned_at);
}

WEFT_SCENARIO(grpc_goaway_hang,
              .summary = "Close() waits for t.mu held by a hung GOAWAY write (grpc/grpc-go#7606)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(grpc_goaway_hang_fixed,
              .summary = "Close() reads the GOAWAY reason before queueing it (grpc/grpc-go#7662)",
              .expect = WEFT_PASS)
{
    run(1);
}
