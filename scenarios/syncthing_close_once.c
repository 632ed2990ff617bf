/*
** syncthing_close_once.c -- syncthing/syncthing PR 5442, "lib/protocol: Fix
** potential deadlock when closing connection" (ref issue 5440).
**
** Upstream (lib/protocol/protocol.go): Close(err) runs inside the
** connection's sync.Once. There it queues a Close message for the writer
** loop and waits until the message is written (or the connection is
** closed). The writer loop takes messages off its queue; when a write
** fails it calls internalClose(err), which went through the same once.
** In the PR's words: "sending something else ... may fail and thus cause
** internalClose to be called, while the once is active -> deadlock."
**
** The hang:
**   Close        closeOnce.Do: queues the Close message, waits for it
**   writerLoop   write fails (the peer is gone): internalClose(err):
**                closeOnce.Do waits for Close's function to return
**   Close        still waits for the writer to send the message, or for
**                c.closed, which only internalClose's function closes
** If the writer's write fails before Close starts, internalClose runs
** the once first and Close returns at once: the hang needs Close to win.
**
** Fix (as in the PR): separate onces for sending the Close message and for
** actually closing. Close's wait then ends when internalClose closes
** c.closed. (Syncthing issue 5678 later found a new deadlock that this
** fix introduced on another path; it is outside this model.)
**
** Model: the connection has just broken, so every write fails; an index
** sender has a message queued too. c.outbox is the writer's queue.
*/
#include <weft.h>

struct message {
    int is_close;
    weft_chan_t *done;          /* closed once the message is written */
};

struct connection {
    weft_once_t closeOnce;      /* c.closeOnce */
    weft_once_t sendCloseOnce;  /* the fix: Close's own once */
    weft_chan_t *outbox;        /* c.outbox: to the writer loop */
    weft_chan_t *closed;        /* c.closed: closed by internalClose */
    struct message close_msg, index_msg;
    int fixed;
};

/* c.send: queue msg for the writer, unless the connection is closed. */
static void send_message(struct connection *c, struct message *m)
{
    struct weft_select_case cases[2] = {
        { .dir = WEFT_SEND, .ch = c->outbox, .send = m },
        { .dir = WEFT_RECV, .ch = c->closed },
    };

    (void)weft_select(cases, 2, WEFT_SELECT_BLOCK);
}

/* internalClose's once function: close c.closed, tell the model. */
static void close_connection(void *arg)
{
    struct connection *c = arg;

    weft_chan_close(c->closed);
}

static void internal_close(struct connection *c)
{
    weft_once_do(&c->closeOnce, close_connection, c);
}

/* Close's once function: send the Close message and wait for it. */
static void send_close(void *arg)
{
    struct connection *c = arg;
    struct weft_select_case cases[2] = {
        { .dir = WEFT_RECV, .ch = c->close_msg.done },
        { .dir = WEFT_RECV, .ch = c->closed },
    };

    send_message(c, &c->close_msg);
    (void)weft_select(cases, 2, WEFT_SELECT_BLOCK);
    if (!c->fixed)
        close_connection(c);    /* then the shared once closes it */
}

/* Close(err), called by the model. */
static void close_from_model(void *arg)
{
    struct connection *c = arg;

    if (!c->fixed) {
        weft_once_do(&c->closeOnce, send_close, c);    /* bug: one once */
        return;
    }
    weft_once_do(&c->sendCloseOnce, send_close, c);    /* fix: two onces */
    internal_close(c);
}

/* writerLoop: every write fails, since the connection just broke. */
static void writer_loop(void *arg)
{
    struct connection *c = arg;
    struct weft_select_case cases[2] = {
        { .dir = WEFT_RECV, .ch = c->outbox },
        { .dir = WEFT_RECV, .ch = c->closed },
    };

    if (weft_select(cases, 2, WEFT_SELECT_BLOCK) == 0)
        internal_close(c);      /* c.writeMessage failed */
}

/* The model's index sender: one message queued as Close comes. */
static void send_index(void *arg)
{
    struct connection *c = arg;

    send_message(c, &c->index_msg);
}

static void run(int fixed)
{
    struct connection *c = weft_calloc(1, sizeof *c);
    weft_thread_t writer, sender, closer;

    c->fixed = fixed;
    weft_once_init(&c->closeOnce, "c.closeOnce");
    weft_once_init(&c->sendCloseOnce, "c.sendCloseOnce");
    c->outbox = weft_chan_make("c.outbox", 0);
    c->closed = weft_chan_make("c.closed", 0);
    c->close_msg.is_close = 1;
    c->close_msg.done = weft_chan_make("close.done", 0);

    writer = weft_spawn("writerLoop", writer_loop, c);
    sender = weft_spawn("sendIndex", send_index, c);
    closer = weft_spawn("Close", close_from_model, c);
    weft_join(closer);
    weft_join(sender);
    weft_join(writer);
}

WEFT_SCENARIO(syncthing_close_once,
              .summary = "Close waits in a once the writer needs (syncthing/syncthing#5442)",
              .expect = WEFT_DEADLOCK)
{
    run(0);
}

WEFT_SCENARIO(syncthing_close_once_fixed,
              .summary = "two onces: one to send Close, one to close (syncthing/syncthing#5442)",
              .expect = WEFT_PASS)
{
    run(1);
}
