/*
** stream.c -- byte streams: pipes and the directions of socket pairs
** (stream.h). Like a channel's operations (chan.c), one that must wait
** takes two steps: the first, always enabled, finds it must wait; the
** second, "... (wait)", is enabled once it can go on. A write longer than
** STREAM_ATOMIC bytes goes in as room appears, one step per piece, so
** other writers' bytes may come between its pieces, as POSIX allows; a
** Unix socket's goes in sk_buffs, a step each (stream_set_charged).
**
** A call that waits holds its open file (struct stream_file), as Linux's
** file reference does: closing the file's last descriptor meanwhile takes
** the number away but closes no end; the last waiting call closes the
** ends as it returns (release_file). So a read blocked on a pipe keeps
** the pipe's reader, and a peer sees no end of stream while a call waits
** on the socket that another thread closed.
*/
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include "sync/stream.h"
#include "sync/sync.h"

/* A Linux pipe holds 16 buffers of a page each (pipe_write). */
#define PIPE_PAGES 16
#define PAGE_BYTES 4096

struct stream {
    struct sched_obj obj;
    unsigned char *buf;               /* a ring of alloc bytes, grown up to cap */
    size_t alloc, cap, head, len;
    bool reader_closed, writer_closed;
    bool reader_gone, writer_gone;    /* closed by closing the end's descriptor,
                                         not by a shutdown */
    bool reader_shut, writer_shut;    /* shut down (shutdown()): reads see the
                                         end once drained, writes fail */
    bool messages;                    /* each write one message (a datagram) */
    bool end_on_close;                /* messages: the writer's close ends it */
    size_t sender_head;               /* messages: the bytes each begins with that
                                         name its sender, not its data */
    bool counter, semaphore;          /* an eventfd's count (stream_set_counter) */
    struct timer_impl *timer;         /* a timerfd's: its expirations due by the
                                         clock count too (stream_set_timer) */
    struct sched_obj *clock;          /* then every step that reads it touches it */
    bool expired;                     /* its timer fired and stopped until a read or
                                         a gettime restarts it (the kernel's
                                         ctx->expired): later expiries wake no one */
    const struct stream_bits *bits;   /* a signalfd's (stream_set_bits) */
    bool paged;                       /* a pipe's: room counted in pages */
    uint16_t page_end[PIPE_PAGES];    /* a ring of npages pages from page_tail:
                                         where each one's bytes end */
    uint16_t page_start;              /* where the oldest one's begin */
    int page_tail, npages;
    uint64_t count;
    /* a Unix socket's direction (stream_set_charged): its sender is charged
       for each sk_buff the reader has not read in whole */
    bool charged;
    size_t sndbuf, wmem;              /* SO_SNDBUF; sk_wmem_alloc */
    struct skb *skbs;                 /* a ring of nskbs from skb_head */
    size_t skb_head, nskbs, skb_alloc;
    bool tcp;                         /* a TCP connection's (stream_set_tcp) */
    bool reset_back;                  /* TCP: a write met the closed peer (its
                                         reset fails the next one) */
    bool reset;                       /* its writer's socket closed with bytes
                                         unread (or a listener refused it): the
                                         first read that finds it drained fails
                                         with ECONNRESET, as on Linux */
    struct stream_file *reader_file, *writer_file;   /* NULL: nothing holds them */
    /* The wake-ups of its wait queues, as Linux's do them, which an
       edge-triggered epoll entry reports (stream_edges): */
    uint64_t woke_readers;            /* bytes or a count came (a timerfd's
                                         count: once until a read) */
    uint64_t woke_writers;            /* a read made room a writer may use */
    uint64_t hung;                    /* an end closed or shut down */
};

/*
** The open file of a descriptor and its dups: its ends, and how many calls
** wait on it. Its object is touched by every step that reads or changes
** holds (a close, a wait's first and last steps), so the searches order
** those steps though they act on different streams of a socket.
*/
struct stream_file {
    struct sched_obj obj;
    struct stream *in, *out;          /* the read end of in, the write end of out */
    struct listener *listening;
    int holds;                        /* calls waiting on it */
    bool in_pending, out_pending, listening_pending;   /* closes that wait for them */
    bool unread;                      /* in's read end closed with bytes in it:
                                         out's reader gets a reset */
};

/* An sk_buff a Unix socket's write made: its bytes in the ring not yet
** read, and what its sender is charged for it while any are. */
struct skb {
    size_t len, truesize;
};

/* A message in the ring: its length, then its bytes. */
typedef uint32_t message_len;
#define MESSAGE_HEAD sizeof(message_len)

/* A read, a write, a close or a poll; both steps of one that waits. */
struct stream_op {
    struct sched_op op;
    unsigned char *into;              /* read */
    const unsigned char *from;        /* write */
    size_t n, done;
    size_t whole;                     /* read of a message: its length, cut or not */
    bool nonblock, must_wait;
    const bool *nonblock_flag;        /* read, write: its file's O_NONBLOCK */
    const int64_t *timeout_flag;      /* a socket's SO_RCVTIMEO or SO_SNDTIMEO, read
                                         in the first step (then NULL) */
    int64_t timeout_ns;               /* what the first step found there */
    struct sched_obj *const *clock;   /* with timeout_flag: the execution's clock,
                                         once it is made */
    bool peek;                        /* read: the bytes stay (MSG_PEEK) */
    int how;                          /* close: enum close_kind */
    long result;
    void *item;                       /* connect: what it queues */
    void **item_out;                  /* accept: where the item goes */
    stream_kept_fn *kept;             /* close: does a dup keep the end? */
    const void *owner;                /* its argument */
    struct stream_poll *polls;        /* poll */
    int npolls;
    struct sched_timer timer;         /* poll or read with a timeout */
    struct stream_file *file;         /* what it holds while it waits (poll: each
                                         wish's); a close: its end's file */
    const bool *number_closed;        /* read, write: its descriptor's number was
                                         closed (a dup may keep the end) */
    bool waiting;                     /* its step is a wait step */
    const struct sched_opclass *next; /* the class of its next step, if not
                                         its wait class */
    bool applied;                     /* its current step has been applied */
    bool holding;                     /* it holds its file(s) */
};

static void copy_out(const struct stream *s, size_t skip, unsigned char *p, size_t n);

/* "2 datagrams (16 bytes) queued": its messages and their data. */
static int messages_text(const struct stream *s, char *buf, size_t n)
{
    size_t count = 0, bytes = 0;
    message_len m;
    for (size_t at = 0; at + MESSAGE_HEAD <= s->len; at += MESSAGE_HEAD + m) {
        copy_out(s, at, (unsigned char *)&m, MESSAGE_HEAD);
        count++;
        bytes += m > s->sender_head ? m - s->sender_head : 0;
    }
    return snprintf(buf, n, "%zu datagram%s (%zu bytes) queued", count, count == 1 ? "" : "s",
                    bytes);
}

static void stream_state(const struct sched_obj *o, char *buf, size_t n)
{
    const struct stream *s = (const struct stream *)o;
    buf[0] = 0;                       /* (closed both ways and empty: nothing to tell) */
    if (s->len == 0 && s->writer_closed == s->reader_closed)
        return;
    int len = s->messages ? messages_text(s, buf, n) : snprintf(buf, n, "%zu bytes buffered",
                                                                  s->len);
    if (len >= 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "%s%s",
                 s->writer_closed ? ", write end closed" : "",
                 s->reader_closed ? ", read end closed" : "");
}

static const struct sched_objclass stream_objclass = { .name = "pipe", .state = stream_state };
/* A stream of messages: a datagram or seqpacket socket's queue. */
static const struct sched_objclass message_objclass = { .name = "socket",
                                                        .state = stream_state };

struct stream *stream_new(struct exec *x, const char *name, size_t capacity, struct sched_loc at)
{
    struct stream *s = sync_object_new(x, &stream_objclass, sizeof *s, name, at);
    s->cap = capacity ? capacity : 1;
    return s;
}

void stream_set_messages(struct stream *s, bool end_on_close, size_t sender_head)
{
    s->messages = true;
    s->end_on_close = end_on_close;
    s->sender_head = sender_head;
    s->obj.cls = &message_objclass;
}

bool stream_message_fits(const struct stream *s, size_t n)
{
    if (s->charged)                   /* unix_dgram_sendmsg */
        return n + 32 <= s->sndbuf;
    return n <= UINT32_MAX && MESSAGE_HEAD + n <= s->cap;
}

/* An eventfd's count never passes this (Linux: 2^64 - 2). */
#define COUNT_MAX (UINT64_MAX - 1)

void stream_set_pages(struct stream *s)
{
    s->paged = true;
}

void stream_set_charged(struct stream *s, size_t sndbuf)
{
    s->charged = true;
    stream_set_sndbuf(s, sndbuf);
}

void stream_set_sndbuf(struct stream *s, size_t sndbuf)
{
    s->sndbuf = sndbuf;
    /* its bytes never pass its charge, below sndbuf but for the last
       sk_buff: a datagram of at most sndbuf, or a piece of 36,544 bytes */
    size_t bytes = 2 * sndbuf + 65536;
    if (s->cap < bytes)
        s->cap = bytes;
}

size_t stream_sndbuf(const struct stream *s) { return s->charged ? s->sndbuf : 0; }

void stream_set_tcp(struct stream *s)
{
    s->tcp = true;
}

void stream_set_counter(struct stream *s, uint64_t initial, bool semaphore)
{
    s->counter = true;
    s->semaphore = semaphore;
    s->count = initial;
}

uint64_t stream_counter(const struct stream *s) { return s->count; }

static uint64_t count_plus(uint64_t count, uint64_t n)
{
    return n > UINT64_MAX - count ? UINT64_MAX : count + n;
}

/* n expirations of a timerfd's timer: the kernel's timer woke its readers
** at the first (timerfd_tmrproc), and stops until a read or a gettime
** restarts it (stream_counter_restart). */
void stream_counter_add(struct stream *s, uint64_t n)
{
    if (n > 0 && !s->expired)
        s->woke_readers++;
    s->expired |= n > 0;
    s->count = count_plus(s->count, n);
}

void stream_counter_restart(struct stream *s) { s->expired = false; }
bool stream_counter_expired(const struct stream *s) { return s->expired; }
void stream_counter_clear(struct stream *s) { s->count = 0; }

void stream_set_timer(struct stream *s, struct timer_impl *tm, struct sched_obj *clock)
{
    s->timer = tm;
    s->clock = clock;
}

void stream_set_bits(struct stream *s, const struct stream_bits *b) { s->bits = b; }

/* A count as a read would find it: a timerfd's expirations are counted by
** the clock, as the kernel counts them, whether its timer fired yet or not. */
static uint64_t count_of(const struct stream *s)
{
    return count_plus(s->count, s->timer ? timer_counter_due(s->timer) : 0);
}

size_t stream_buffered(const struct stream *s) { return s->len; }

size_t stream_next_read(const struct stream *s)
{
    message_len m = 0;
    if (!s->messages || s->len == 0)
        return s->len;
    copy_out(s, 0, (unsigned char *)&m, MESSAGE_HEAD);
    return m;
}
bool stream_writer_closed(const struct stream *s) { return s->writer_closed; }
bool stream_reader_closed(const struct stream *s) { return s->reader_closed; }
const char *stream_name(const struct stream *s) { return s->obj.name; }

void stream_rename(struct stream *s, const char *name)
{
    snprintf(s->obj.name, sizeof s->obj.name, "%s", name);
}

static struct stream_op *stream_op(struct sched_op *op) { return OP_OF(op, struct stream_op, op); }
static struct stream *stream_at(const struct sched_op *op) { return (struct stream *)op->obj; }

static void hold_files(struct stream_op *o, int delta);
static void release_files(struct exec *x, struct stream_op *o);

/* Perform op, and its wait steps for as long as it must wait. A wait that
** a cancellation request ends (posix/cancel.c: its step is "interrupted",
** unperformed) gives WEFT_ECANCELED, or for a write the bytes that went
** in before it; it gives its holds back with that step (which touched its
** files: file_touched). */
static bool nonblocking(const struct stream_op *o);
static int64_t timeout_of(const struct stream_op *o);

static void perform(struct exec *x, struct stream_op *o, const struct sched_opclass *wait_class)
{
    if (o->timeout_flag)              /* its first step may start a timer */
        o->clock = sched_clock_slot(x);
    sched_visible(x, &o->op);
    o->nonblock = nonblocking(o);     /* as its first step found them: the rest of a */
    o->timeout_ns = timeout_of(o);    /* write in pieces keeps them */
    o->timeout_flag = NULL;
    while (o->must_wait) {
        o->must_wait = false;
        o->op.cls = o->next ? o->next : wait_class;
        o->next = NULL;
        o->op.note = NULL;
        o->waiting = true;
        o->applied = false;
        sched_visible(x, &o->op);
    }
    if (o->op.interrupted) {
        o->result = o->done ? (long)o->done : WEFT_ECANCELED;
        if (o->holding)
            hold_files(o, -1);
    }
    if (o->waiting)
        release_files(x, o);
}

/* Does o give up rather than wait: asked to by the call, or by its file's
** O_NONBLOCK as it is at the call's first step? Not read when the call
** began, before the step: another thread's F_SETFL in between would
** change the step's outcome without a dependence (DPOR lost the read that
** fails with EAGAIN). A wait that began goes on whatever is set later, as
** on Linux. */
static bool nonblocking(const struct stream_op *o)
{
    return o->nonblock || (!o->waiting && o->nonblock_flag && *o->nonblock_flag) ||
           timeout_of(o) < 0;
}

/* A wait of o that ends after timeout_ns: a poll's timeout (> 0; 0: none,
** and none for a call that never waits). */
static void set_timeout(struct exec *x, struct stream_op *o, int64_t timeout_ns)
{
    if (timeout_ns > 0 && !o->nonblock && sched_timer_init(x, &o->op, &o->timer, timeout_ns) != 0)
        sched_fail(x, WEFT_ASSERTION, o->op.loc, "out of memory for a timer");
}

/*
** A socket's SO_RCVTIMEO or SO_SNDTIMEO, as o's first step finds it (as
** its O_NONBLOCK: another thread's setsockopt between the call and its
** step counts, and DPOR ordered none with it when the call read it as it
** began): < 0, the call never waits; > 0, its wait has a timer, made as
** it begins; 0, it waits for ever.
*/
static int64_t timeout_of(const struct stream_op *o)
{
    return o->timeout_flag ? *o->timeout_flag : o->timeout_ns;
}

/* Will o's step begin a timed wait if it must wait, its timer not yet
** made? Its step then reads the clock (the deadline is now + timeout). */
static bool may_start_timer(const struct sched_op *op)
{
    const struct stream_op *o = OP_OF(op, const struct stream_op, op);
    return op->timer == NULL && o->clock && *o->clock && timeout_of(o) > 0;
}

/* o must wait: its timer (if it has a timeout) starts. */
static void start_wait_timer(struct exec *x, struct stream_op *o)
{
    if (o->op.timer == NULL && !o->nonblock && timeout_of(o) > 0)
        set_timeout(x, o, timeout_of(o));
    if (o->op.timer)
        sched_timer_start(x, o->op.timer);
}

static const struct sched_opclass read_class, peek_class, write_class, write_next_class;

/*
** Does op's step find its caller's own end closed with its descriptor: a
** read of a stream whose read end is, a write to one whose write end is
** (not a shutdown, after which the descriptor is still there)? Only a
** call whose descriptor another thread closed between the call and its
** step gets here (posix/io.c looks the descriptor up when the call
** begins): on Linux that call comes after the close and fails with EBADF.
** A call already waiting is not ended by the close (Linux wakes no thread
** blocked on a descriptor that is closed), so only the first step looks.
*/
static bool own_end_closed(const struct sched_op *op)
{
    const struct stream_op *o = OP_OF(op, const struct stream_op, op);
    const struct stream *s = stream_at(op);
    bool number = o->number_closed && *o->number_closed;   /* a dup may keep the end */
    if (op->cls == &read_class || op->cls == &peek_class)
        return s->reader_gone || number;
    return op->cls == &write_class && (s->writer_gone || number);
}

/* It fails with STREAM_EBADF, changing nothing. */
static void descriptor_gone(struct sched_op *op)
{
    stream_op(op)->result = STREAM_EBADF;
    op->idle = true;
    op->note = "its descriptor closed";
}

static void must_wait(struct sched_op *op)
{
    stream_op(op)->must_wait = true;
    if (op->note == NULL)
        op->note = "blocks";
}

/* ==========================================================================
** Holding a file while waiting
** ========================================================================== */

static struct stream_file *listener_file(const struct listener *l);
static void listener_attach(struct listener *l, struct stream_file *f);
/* How an end closes: with its last descriptor; by a shutdown; when the
** last call that held it returns; or aborted (a connection reset). */
enum close_kind { CLOSE_GONE, CLOSE_SHUTDOWN, CLOSE_RELEASE, CLOSE_ABORT };
static long close_end(struct exec *x, struct stream *s, bool read_end, enum close_kind how,
                      struct sched_loc at);
static void listener_release(struct exec *x, struct listener *l, struct sched_loc at);

/* The file a poll's wish holds while the poll waits (poll and select
** hold theirs, epoll_wait does not). */
static struct stream_file *wish_file(const struct stream_poll *w)
{
    if (!w->holds_file)
        return NULL;
    return w->listening ? listener_file(w->listening)
         : w->in ? w->in->reader_file : w->out ? w->out->writer_file : NULL;
}

/* Take (+1) or give back (-1) o's holds: its file, or its wishes'. */
static void hold_files(struct stream_op *o, int delta)
{
    o->holding = delta > 0;
    if (o->file)
        o->file->holds += delta;
    for (int i = 0; i < o->npolls; i++) {
        struct stream_file *f = wish_file(&o->polls[i]);
        if (f)
            f->holds += delta;
    }
}

/* After op's step: a call that must now wait holds its files from this
** step on, and one whose wait ended gives them back. */
static void settle(struct sched_op *op)
{
    struct stream_op *o = stream_op(op);
    o->applied = true;
    if (o->must_wait != o->holding)
        hold_files(o, o->must_wait ? 1 : -1);
}

/* The last hold on f is given back, and its last descriptor was closed
** meanwhile: close the ends that close left, as Linux releases a file
** when its last reference goes (each a step of the calling thread). */
static void release_file(struct exec *x, struct stream_file *f, struct sched_loc at)
{
    if (f == NULL || f->holds > 0)
        return;
    if (f->in_pending)
        close_end(x, f->in, true, CLOSE_RELEASE, at);
    if (f->out_pending)
        close_end(x, f->out, false, CLOSE_RELEASE, at);
    if (f->listening_pending)
        listener_release(x, f->listening, at);
}

/* o's wait ended (right after its step, or its interrupted step): release
** the files it was the last to hold. */
static void release_files(struct exec *x, struct stream_op *o)
{
    release_file(x, o->file, o->op.loc);
    for (int i = 0; i < o->npolls; i++)
        release_file(x, wish_file(&o->polls[i]), o->op.loc);
}

static bool waits_now(const struct sched_op *op);

/* Does op's step touch its files (it takes or gives back a hold): a wait
** step, or a first step that must wait; one not yet applied, if it would
** wait now. */
static bool file_touched(const struct sched_op *op)
{
    const struct stream_op *o = OP_OF(op, const struct stream_op, op);
    return o->waiting || (o->applied ? o->must_wait : waits_now(op));
}

/* The clock, when op is on a timerfd's count: what it reads depends on it. */
static struct sched_obj *timer_clock(const struct sched_op *op)
{
    const struct stream *s = (const struct stream *)op->obj;
    return op->obj->cls == &stream_objclass && s->timer ? s->clock : NULL;
}

/* A read's, write's, connect's or accept's objects: its stream or queue,
** its file when the step touches it, and the clock when the step may
** start its timer (the scheduler adds the clock once it has one) or when
** it reads a timerfd's count. */
static int holder_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct stream_op *o = OP_OF(op, const struct stream_op, op);
    int n = 0;
    objs[n++] = op->obj;
    if (o->file && n < max && file_touched(op))
        objs[n++] = &o->file->obj;
    if (n < max && may_start_timer(op))
        objs[n++] = *o->clock;
    else if (n < max && timer_clock(op))
        objs[n++] = timer_clock(op);
    return n;
}

/* What lets a waiting read, write or accept go on: a step on its stream
** or queue, or its timer (a read's SO_RCVTIMEO); never one on its file. */
static int holder_enablers(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    int n = 0;
    objs[n++] = op->obj;
    if (op->timer && n < max)
        objs[n++] = op->timer->clock;
    else if (timer_clock(op) && n < max)   /* the clock passing an expiry */
        objs[n++] = timer_clock(op);
    return n;
}

static void file_state(const struct sched_obj *o, char *buf, size_t n)
{
    const struct stream_file *f = (const struct stream_file *)o;
    buf[0] = 0;
    if (f->holds)
        snprintf(buf, n, "held open by %d waiting call%s", f->holds, f->holds == 1 ? "" : "s");
}

static const struct sched_objclass file_objclass = { .name = "file", .state = file_state };

void stream_file_new(struct exec *x, struct stream *in, struct stream *out,
                     struct listener *listening, struct sched_loc at)
{
    const char *name = listening ? listener_object(listening)->name
                     : in ? in->obj.name : out ? out->obj.name : "file";
    struct stream_file *f = sync_object_new(x, &file_objclass, sizeof *f, name, at);
    f->in = in;
    f->out = out;
    f->listening = listening;
    if (in)
        in->reader_file = f;
    if (out)
        out->writer_file = f;
    if (listening)
        listener_attach(listening, f);
}

/* ==========================================================================
** The ring
** ========================================================================== */

static void take(struct stream *s, unsigned char *p, size_t n);

/* Room for `more` bytes past len, growing the ring (false: no memory). */
static bool reserve(struct exec *x, struct stream *s, size_t more)
{
    size_t want = s->len + more;
    if (want <= s->alloc)
        return true;
    size_t alloc = s->alloc ? s->alloc : 256;
    while (alloc < want)
        alloc *= 2;
    if (alloc > s->cap)
        alloc = s->cap;
    unsigned char *buf = arena_alloc(&x->arena, alloc);
    if (buf == NULL)
        return false;
    size_t len = s->len;
    if (len)
        take(s, buf, len);            /* the bytes in order at the start */
    s->len = len;
    s->buf = buf;
    s->alloc = alloc;
    s->head = 0;
    return true;
}

/* Copy n bytes in at the ring's tail (room is reserved). */
static void put(struct stream *s, const unsigned char *p, size_t n)
{
    size_t tail = (s->head + s->len) % s->alloc;
    size_t first = n < s->alloc - tail ? n : s->alloc - tail;
    memcpy(s->buf + tail, p, first);
    memcpy(s->buf, p + first, n - first);
    s->len += n;
}

/* Copy n bytes (n <= len) out from the ring's head. */
static void take(struct stream *s, unsigned char *p, size_t n)
{
    size_t first = n < s->alloc - s->head ? n : s->alloc - s->head;
    memcpy(p, s->buf + s->head, first);
    memcpy(p + first, s->buf, n - first);
    s->head = (s->head + n) % s->alloc;
    s->len -= n;
}

static size_t room(const struct stream *s) { return s->cap - s->len; }

/*
** A pipe's pages, as Linux's pipe_write fills them: a write first puts
** what is past its last whole page (its length mod 4096) into the last
** page when the pipe is not empty and it fits there, then the rest into
** new pages, 4096 bytes each, while any of the 16 is free; a reader frees
** a page once it has read all of it. So sixteen 2,049-byte writes fill a
** pipe (32,784 bytes), and 65,536 one-byte writes.
*/
static int last_page(const struct stream *s) { return (s->page_tail + s->npages - 1) % PIPE_PAGES; }

/* What of the start of a write of n bytes goes into the last page (only
** at the write's first step: one that waited goes on in new pages). */
static size_t page_merge(const struct stream *s, size_t n, bool first)
{
    size_t chars = n % PAGE_BYTES;
    return first && chars && s->npages > 0 && s->page_end[last_page(s)] + chars <= PAGE_BYTES
           ? chars : 0;
}

static void pages_put(struct stream *s, size_t merge, size_t bulk)
{
    if (merge)
        s->page_end[last_page(s)] = (uint16_t)(s->page_end[last_page(s)] + merge);
    for (; bulk > 0; s->npages++) {
        size_t c = bulk < PAGE_BYTES ? bulk : PAGE_BYTES;
        s->page_end[(s->page_tail + s->npages) % PIPE_PAGES] = (uint16_t)c;
        bulk -= c;
    }
}

static void pages_take(struct stream *s, size_t k)
{
    while (s->paged && k > 0) {
        size_t avail = s->page_end[s->page_tail] - s->page_start;
        size_t c = k < avail ? k : avail;
        s->page_start = (uint16_t)(s->page_start + c);
        k -= c;
        if (s->page_start == s->page_end[s->page_tail]) {
            s->page_tail = (s->page_tail + 1) % PIPE_PAGES;
            s->npages--;
            s->page_start = 0;
        }
    }
}

/*
** A Unix socket's send buffer, as Linux's af_unix charges it: its sender
** is charged each sk_buff's true size (its bytes, rounded up to pages past
** the head, the head's power-of-two allocation and the sk_buff itself)
** until the reader has read all of it. A write takes a new sk_buff while
** the charge is below the buffer (sock_alloc_send_pskb), so the last one
** may pass it; one that finds the charge at or past it sleeps until a read
** brings it down to a quarter (unix_writable, which also gives POLLOUT). A
** stream's write goes in sk_buffs of at most 36,544 bytes, a step each, so
** another writer's may come between them (unix_stream_sendmsg); a datagram
** is one (unix_dgram_sendmsg). The sizes are Linux 6's on x86-64, 4 KB
** pages, and agree with it: 278 one-byte writes fill a socket pair, 49 of
** 3,000 bytes, 44 of 4,096, 26 datagrams of 4,096, 6 writes with
** SO_SNDBUF 1.
*/
#define SKB_STRUCT 256                /* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SKB_SHARED_INFO 320           /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKB_MAX_HEAD0 (PAGE_BYTES - SKB_SHARED_INFO)          /* SKB_MAX_HEAD(0) */
#define SKB_MAX_ALLOC (4 * PAGE_BYTES - SKB_SHARED_INFO)      /* SKB_MAX_ORDER(0, 2) */
#define UNIX_SKB_FRAGS (8 * PAGE_BYTES)                       /* UNIX_SKB_FRAGS_SZ */
#define SKB_FRAGS 17                                          /* MAX_SKB_FRAGS */

static size_t page_align(size_t n) { return (n + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES; }

/* An sk_buff's true size: head bytes in its own allocation, data_len in pages. */
static size_t skb_truesize(size_t head, size_t data_len)
{
    size_t want = ((head + 63) & ~(size_t)63) + SKB_SHARED_INFO, got = 512;
    while (got < want)
        got *= 2;
    return got + SKB_STRUCT + page_align(data_len);
}

/* The next sk_buff of a stream write with left bytes to go: how many
** bytes it takes, and (*truesize) its charge. */
static size_t stream_skb(const struct stream *s, size_t left, size_t *truesize)
{
    size_t size = left, half = (s->sndbuf >> 1) - 64;
    if (size > half)
        size = half;
    if (size > SKB_MAX_HEAD0 + UNIX_SKB_FRAGS)
        size = SKB_MAX_HEAD0 + UNIX_SKB_FRAGS;
    size_t data_len = size > SKB_MAX_HEAD0 ? page_align(size - SKB_MAX_HEAD0) : 0;
    if (data_len > size)
        data_len = size;
    *truesize = skb_truesize(size - data_len, data_len);
    return size;
}

/* A datagram of n bytes: its sk_buff's charge. */
static size_t datagram_truesize(size_t n)
{
    size_t data_len = 0;
    if (n > SKB_MAX_ALLOC) {
        data_len = n - SKB_MAX_ALLOC;
        if (data_len > SKB_FRAGS * PAGE_BYTES)
            data_len = SKB_FRAGS * PAGE_BYTES;
        data_len = page_align(data_len);
    }
    return skb_truesize(n - data_len, data_len);
}

/* May a write take another sk_buff now? May a sleeping one wake (POLLOUT)? */
static bool charge_below(const struct stream *s) { return s->wmem < s->sndbuf; }
static bool charge_writable(const struct stream *s) { return s->wmem <= s->sndbuf / 4; }

/* An sk_buff of len bytes in the ring, charged truesize (false: no memory). */
static bool charge(struct exec *x, struct stream *s, size_t len, size_t truesize)
{
    if (s->nskbs == s->skb_alloc) {
        size_t alloc = s->skb_alloc ? 2 * s->skb_alloc : 16;
        struct skb *skbs = arena_alloc(&x->arena, alloc * sizeof *skbs);
        if (skbs == NULL)
            return false;
        for (size_t i = 0; i < s->nskbs; i++)
            skbs[i] = s->skbs[(s->skb_head + i) % s->skb_alloc];
        s->skbs = skbs;
        s->skb_alloc = alloc;
        s->skb_head = 0;
    }
    s->skbs[(s->skb_head + s->nskbs++) % s->skb_alloc] = (struct skb){ len, truesize };
    s->wmem += truesize;
    return true;
}

/* k bytes were read from the ring's head: the sk_buffs read in whole are
** no longer charged. */
static void charges_take(struct stream *s, size_t k)
{
    while (s->charged && k > 0) {
        struct skb *b = &s->skbs[s->skb_head];
        size_t c = k < b->len ? k : b->len;
        b->len -= c;
        k -= c;
        if (b->len == 0) {
            s->wmem -= b->truesize;
            s->skb_head = (s->skb_head + 1) % s->skb_alloc;
            s->nskbs--;
        }
    }
}

/* k bytes left the ring's head by a read. */
static void consumed(struct stream *s, size_t k)
{
    pages_take(s, k);
    charges_take(s, k);
}

/* Drop n bytes (n <= len) from the ring's head. */
static void drop(struct stream *s, size_t n)
{
    s->head = (s->head + n) % s->alloc;
    s->len -= n;
}

/* Copy n bytes (n <= len - skip) out from skip bytes past the ring's
** head, leaving them there. */
static void copy_out(const struct stream *s, size_t skip, unsigned char *p, size_t n)
{
    size_t from = (s->head + skip) % s->alloc;
    size_t first = n < s->alloc - from ? n : s->alloc - from;
    memcpy(p, s->buf + from, first);
    memcpy(p + first, s->buf, n - first);
}

/* ==========================================================================
** Read
** ========================================================================== */

/* A datagram socket's peer that closes ends nothing (Linux): its reader
** waits on. */
static bool ended(const struct stream *s)
{
    return s->reader_shut || (s->writer_closed && (!s->messages || s->end_on_close));
}

static bool readable(const struct stream *s)
{
    return s->counter ? count_of(s) > 0 : s->len > 0 || ended(s);
}

/* Of k bytes of a message, those of its data (not its sender's name). */
static size_t data_of(const struct stream *s, size_t k)
{
    return k > s->sender_head ? k - s->sender_head : 0;
}

/* The oldest message into r (what does not fit is dropped, as recv does). */
static void read_message(struct stream *s, struct stream_op *r)
{
    message_len m;
    take(s, (unsigned char *)&m, MESSAGE_HEAD);
    size_t k = r->n < m ? r->n : m;
    take(s, r->into, k);
    drop(s, m - k);
    consumed(s, MESSAGE_HEAD + m);
    r->whole = m;
    r->result = (long)k;
    r->op.note = "%d bytes";
    r->op.note_a = (int)data_of(s, k);
}

/* A peek: the oldest message, or the bytes there, copied and left. */
static void peek_apply(struct stream *s, struct stream_op *r)
{
    size_t k = r->n < s->len ? r->n : s->len, skip = 0;
    if (s->messages) {
        message_len m;
        copy_out(s, 0, (unsigned char *)&m, MESSAGE_HEAD);
        skip = MESSAGE_HEAD;
        k = r->n < m ? r->n : m;
        r->whole = m;
    }
    copy_out(s, skip, r->into, k);
    r->result = (long)k;
    r->op.idle = true;                /* it changed nothing: a read for the searches */
    r->op.note = "%d bytes";
    r->op.note_a = (int)(s->messages ? data_of(s, k) : k);
}

/* What a read's step does, in the state it would run in now. */
enum read_outcome { READ_GONE, READ_PEEK, READ_MESSAGE, READ_BYTES, READ_COUNT, READ_RESET,
                    READ_END, READ_EMPTY, READ_WAITS };

static enum read_outcome read_outcome(const struct sched_op *op)
{
    const struct stream_op *r = OP_OF(op, const struct stream_op, op);
    const struct stream *s = stream_at(op);
    if (own_end_closed(op))
        return READ_GONE;
    if (s->counter && count_of(s) > 0)
        return READ_COUNT;
    if (s->len > 0)
        return r->peek ? READ_PEEK : s->messages ? READ_MESSAGE : READ_BYTES;
    if (s->reset)
        return READ_RESET;
    if (ended(s) || (r->n == 0 && !s->messages))
        return READ_END;
    return nonblocking(r) ? READ_EMPTY : READ_WAITS;
}

static bool writable(const struct stream *s);

/* A read took bytes: does Linux wake the writers? A pipe's when it was
** full (pipe_read), a TCP stream's when a writer found no room (as full
** here: tcp_check_space), a Unix socket's each time an sk_buff read in
** whole leaves its sender below a quarter (unix_write_space). */
static void room_made(struct stream *s, bool was_writable, size_t was_wmem)
{
    if (s->charged ? s->wmem < was_wmem && writable(s) : !was_writable && writable(s))
        s->woke_writers++;
}

static void read_step(struct exec *x, struct sched_op *op)
{
    struct stream_op *r = stream_op(op);
    struct stream *s = stream_at(op);
    size_t k = r->n < s->len ? r->n : s->len;
    bool was_writable = writable(s);
    size_t was_wmem = s->wmem;
    switch (read_outcome(op)) {
    case READ_GONE:
        descriptor_gone(op);
        break;
    case READ_PEEK:
        peek_apply(s, r);
        break;
    case READ_MESSAGE:
        read_message(s, r);
        room_made(s, was_writable, was_wmem);
        break;
    case READ_BYTES:
        take(s, r->into, k);
        consumed(s, k);
        room_made(s, was_writable, was_wmem);
        if (s->paged && r->waiting && s->len > 0)
            s->woke_readers++;        /* pipe_read wakes the next reader */
        r->result = (long)k;
        op->note = "%d bytes";
        op->note_a = (int)k;
        break;
    case READ_COUNT: {                /* an eventfd: the count, or 1 of it */
        if (s->timer)
            stream_counter_add(s, timer_counter_take(x, s->timer));
        uint64_t v = s->semaphore ? 1 : s->count;
        s->count -= v;
        s->expired = false;           /* a timerfd's read restarts its timer */
        s->woke_writers++;            /* eventfd_read wakes them */
        memcpy(r->into, &v, sizeof v);
        r->result = sizeof v;
        op->note = "%d";
        op->note_a = v > INT32_MAX ? INT32_MAX : (int)v;
        break;
    }
    case READ_RESET:                  /* once: then the end of the stream */
        s->reset = false;
        r->result = STREAM_ECONNRESET;
        op->note = "connection reset";
        break;
    case READ_END:
        r->result = 0;
        op->idle = true;
        op->note = r->n ? "end of stream" : NULL;
        break;
    case READ_EMPTY:
        r->result = WEFT_EBUSY;
        op->idle = true;
        op->note = "empty";
        break;
    case READ_WAITS:
        start_wait_timer(x, r);
        must_wait(op);
        break;
    }
}

/* A read waiting with a timeout (SO_RCVTIMEO): when bytes or the end are
** there and the timer may fire too, which comes first is explored. */
static void read_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *r = stream_op(op);
    if (r->waiting && op->timer && sched_timer_wins(x, op, readable(stream_at(op)))) {
        r->result = WEFT_EBUSY;
        op->note = "timed out";
    } else {
        read_step(x, op);
    }
    settle(op);
}

static bool read_only_looks(struct exec *x, struct sched_op *op)
{
    (void)x;
    enum read_outcome r = read_outcome(op);
    return r == READ_GONE || r == READ_PEEK || r == READ_END || r == READ_EMPTY ||
           (r == READ_WAITS && stream_op(op)->peek && op->timer == NULL &&
            timeout_of(stream_op(op)) <= 0);
}

static bool read_wait_enabled(struct exec *x, struct sched_op *op)
{
    return readable(stream_at(op)) || sched_timer_due(x, op->timer);
}

static sched_mask stream_wakers(struct exec *x, struct sched_op *op, enum sched_wait *how)
{
    return sync_wakers(x, op->thread, op->obj, how);
}

static void read_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct stream *s = (const struct stream *)op->obj;
    if (s->counter) {
        snprintf(buf, n, "waits to read from \"%s\" (%s)", op->obj->name,
                 !s->timer ? "its count is 0" : timer_counter_armed(s->timer)
                 ? "no expiry yet" : "no expiry, and its timer is not armed");
        return;
    }
    snprintf(buf, n, "waits to read from \"%s\" (empty, %s%s)", op->obj->name,
             s->writer_closed ? "its peer closed: a datagram socket's close ends nothing"
             : s->writer_gone ? "its write end open: its descriptor was closed, but a call "
                                "waiting on that file holds it open, as on Linux"
                              : "its write end open",
             s->reader_gone ? "; the close of this read's own descriptor does not wake it, "
                              "as on Linux" : "");
}

static const struct sched_opclass read_class = {
    .verb = "read", .apply = read_apply, .reads_only = read_only_looks,
    .objects = holder_objects,
};
static const struct sched_opclass read_wait_class = {
    .verb = "read (wait)", .enabled = read_wait_enabled, .apply = read_apply,
    .blockers = stream_wakers, .describe_wait = read_describe,
    .objects = holder_objects, .enablers = holder_enablers,
};
static const struct sched_opclass peek_class = {
    .verb = "peek", .apply = read_apply, .reads_only = read_only_looks,
    .objects = holder_objects,
};
static const struct sched_opclass peek_wait_class = {
    .verb = "peek (wait)", .enabled = read_wait_enabled, .apply = read_apply,
    .blockers = stream_wakers, .describe_wait = read_describe,
    .objects = holder_objects, .enablers = holder_enablers,
};

long stream_read(struct exec *x, struct stream *s, void *buf, size_t n, bool nonblock,
                 size_t *whole, struct sched_loc at)
{
    struct stream_read_how how = { .nonblock = nonblock };
    return stream_read_as(x, s, buf, n, how, whole, at);
}

long stream_read_as(struct exec *x, struct stream *s, void *buf, size_t n,
                    struct stream_read_how how, size_t *whole, struct sched_loc at)
{
    struct stream_op r = { .op = { .cls = how.peek ? &peek_class : &read_class, .obj = &s->obj,
                                   .loc = at },
                           .into = buf, .n = n, .nonblock = how.nonblock,
                           .nonblock_flag = how.nonblock_flag, .peek = how.peek,
                           .timeout_flag = how.timeout_flag,
                           .file = s->reader_file, .number_closed = how.number_closed };
    perform(x, &r, how.peek ? &peek_wait_class : &read_wait_class);
    if (whole)
        *whole = r.result >= 0 && r.whole > (size_t)r.result ? r.whole : (size_t)0;
    return r.result;
}

/* ==========================================================================
** Write
** ========================================================================== */

/* The room the rest of w needs before any of it goes in: all of a short
** write, one byte of a long one; a message goes in whole. */
static size_t needs(const struct stream *s, const struct stream_op *w)
{
    size_t left = w->n - w->done;
    if (s->messages)
        return MESSAGE_HEAD + w->n;
    return left <= STREAM_ATOMIC ? left : 1;
}

/* The value a write to an eventfd adds (8 bytes: posix/io.c). */
static uint64_t added(const struct stream_op *w)
{
    uint64_t v;
    memcpy(&v, w->from, sizeof v);
    return v;
}

/* How many of the rest of w's bytes go in now: all, or as many as fit of
** a long one (a short one, of at most STREAM_ATOMIC bytes, goes in whole
** or not at all); in a pipe, as its pages take them (pages_put). */
static size_t fits_now(const struct stream *s, const struct stream_op *w)
{
    size_t left = w->n - w->done, truesize;
    if (s->charged)
        return charge_below(s) ? stream_skb(s, left, &truesize) : 0;
    if (!s->paged)
        return room(s) >= needs(s, w) ? (left < room(s) ? left : room(s)) : 0;
    size_t merge = page_merge(s, w->n, !w->waiting && w->done == 0);
    size_t bulk = (size_t)(PIPE_PAGES - s->npages) * PAGE_BYTES;
    bulk = left - merge < bulk ? left - merge : bulk;
    return left <= STREAM_ATOMIC && merge + bulk < left ? 0 : merge + bulk;
}

/* Would the eventfd's count pass its most if w's value were added? */
static bool count_full(const struct stream *s, const struct stream_op *w)
{
    return added(w) > COUNT_MAX - s->count;
}

/* Would op's step leave its write waiting, in the state it would run in
** now? One that fails, or writes nothing, does not wait; a message waits
** for room for all of it; bytes wait while more are left than fit; an
** eventfd's value while the count would pass its most. */
static bool write_waits(const struct sched_op *op)
{
    const struct stream_op *w = OP_OF(op, const struct stream_op, op);
    const struct stream *s = stream_at(op);
    if (s->counter)
        return !own_end_closed(op) && !nonblocking(w) && count_full(s, w);
    if (own_end_closed(op) || (w->n == 0 && !s->messages) || s->writer_shut ||
        s->reader_closed)
        return false;
    if (s->charged)                   /* it sleeps; or a stream's goes on in pieces */
        return charge_below(s) ? !s->messages && w->n - w->done > fits_now(s, w)
                               : !nonblocking(w);
    if (nonblocking(w))
        return false;
    return s->messages ? room(s) < needs(s, w) : w->n - w->done > fits_now(s, w);
}

/* Is there room for message w now: a Unix socket's charge below its
** buffer, else room for all of it? */
static bool message_fits_now(const struct stream *s, const struct stream_op *w)
{
    return s->charged ? charge_below(s) : room(s) >= needs(s, w);
}

/* The stream a TCP write's own socket reads, whose pending reset (Linux's
** sk_err) a write to a closed peer takes; NULL for any other write. */
static struct stream *tcp_own_in(const struct stream *s)
{
    return s->tcp && s->reader_closed && s->writer_file ? s->writer_file->in : NULL;
}

/*
** A TCP write w to a peer that is closed: the reset the peer sent, still
** pending, fails it with ECONNRESET and is gone (a read then finds the end
** of the stream); a peer that closed with nothing unread sent only a FIN,
** so the first write still goes out, and the reset it brings back fails
** the next one (EPIPE, as in Linux's CLOSE_WAIT). False: it fails as any
** write to a closed read end does. A socket's close is two steps, its read
** end's then its write end's, where Linux's is one: a write between them
** finds the reset coming (the peer's file has bytes unread) and takes it,
** so that the second step sets none.
*/
static bool tcp_closed_write(struct stream *s, struct stream_op *w)
{
    struct stream *in = tcp_own_in(s);
    struct stream_file *peer = s->reader_gone ? s->reader_file : NULL;
    if ((in && in->reset) || (peer && peer->unread)) {
        if (in)
            in->reset = false;
        if (peer)
            peer->unread = false;
        s->reset_back = true;
        w->result = w->done ? (long)w->done : STREAM_ECONNRESET;
        w->op.note = "connection reset";
        return true;
    }
    if (!s->reader_gone || s->reset_back)
        return false;
    s->reset_back = true;
    w->done = w->n;
    w->result = (long)w->n;
    w->op.note = "%d bytes to the closed peer, whose reset comes back";
    w->op.note_a = (int)w->n;
    return true;
}

/* w waits for room, for as long as its SO_SNDTIMEO if it has one. */
static void sleep_for_room(struct exec *x, struct stream_op *w)
{
    start_wait_timer(x, w);
    must_wait(&w->op);
}

/* A message: in whole when there is room, else it waits (or is EBUSY). */
static void write_message(struct exec *x, struct stream *s, struct stream_op *w, bool waits)
{
    message_len m = (message_len)w->n;
    if (waits) {
        sleep_for_room(x, w);
        return;
    }
    if (!message_fits_now(s, w)) {
        w->result = WEFT_EBUSY;
        w->op.idle = true;
        w->op.note = "full";
        return;
    }
    if (!reserve(x, s, needs(s, w)))
        sched_fail_in_apply(x, WEFT_ASSERTION, w->op.thread, w->op.loc,
                            "out of memory for the bytes of \"%s\"", s->obj.name);
    if (s->charged && !charge(x, s, needs(s, w), datagram_truesize(w->n)))
        sched_fail_in_apply(x, WEFT_ASSERTION, w->op.thread, w->op.loc,
                            "out of memory for the bytes of \"%s\"", s->obj.name);
    put(s, (const unsigned char *)&m, MESSAGE_HEAD);
    put(s, w->from, w->n);
    s->woke_readers++;
    w->done = w->n;
    w->result = (long)w->n;
    w->op.note = "%d bytes";
    w->op.note_a = (int)data_of(s, w->n);
}

/* A write to an eventfd: its value added to the count, or it waits (or
** is EBUSY) while the count would pass its most. */
static void count_write(struct stream *s, struct stream_op *w, bool waits)
{
    if (waits) {
        must_wait(&w->op);
    } else if (count_full(s, w)) {
        w->result = WEFT_EBUSY;
        w->op.idle = true;
        w->op.note = "full";
    } else {
        s->count += added(w);
        s->woke_readers++;            /* eventfd_write wakes them, adding 0 too */
        w->result = sizeof(uint64_t);
        w->done = w->n;
    }
}

static void write_step(struct exec *x, struct sched_op *op)
{
    struct stream_op *w = stream_op(op);
    struct stream *s = stream_at(op);
    bool waits = write_waits(op);
    if (own_end_closed(op)) {
        descriptor_gone(op);
        return;
    }
    if (s->counter) {
        count_write(s, w, waits);
        return;
    }
    if (w->n == 0 && !s->messages) {  /* Linux looks at nothing else (no EPIPE) */
        w->result = 0;
        op->idle = true;
        return;
    }
    if (s->writer_shut) {
        w->result = w->done ? (long)w->done : WEFT_ECLOSED;
        op->note = "write end shut down";
        return;
    }
    if (s->reader_closed && s->tcp && tcp_closed_write(s, w))
        return;
    if (s->reader_closed) {
        w->result = w->done ? (long)w->done : WEFT_ECLOSED;
        op->note = "read end closed";
        return;
    }
    if (s->messages) {
        write_message(x, s, w, waits);
        return;
    }
    size_t k = fits_now(s, w);
    if (k > 0) {
        if (!reserve(x, s, k))
            sched_fail_in_apply(x, WEFT_ASSERTION, op->thread, op->loc,
                                "out of memory for the bytes of \"%s\"", s->obj.name);
        if (s->paged) {
            size_t merge = page_merge(s, w->n, !w->waiting && w->done == 0);
            pages_put(s, merge, k - merge);
        }
        size_t truesize;
        if (s->charged && (stream_skb(s, k, &truesize), !charge(x, s, k, truesize)))
            sched_fail_in_apply(x, WEFT_ASSERTION, op->thread, op->loc,
                                "out of memory for the bytes of \"%s\"", s->obj.name);
        put(s, w->from + w->done, k);
        s->woke_readers++;
        w->done += k;
        op->note = "%d bytes";
        op->note_a = (int)k;
    }
    if (!waits) {                     /* all of it went in, or nonblock */
        w->result = w->done ? (long)w->done : w->n ? WEFT_EBUSY : 0;
        op->idle = w->done == 0;
        if (w->result == WEFT_EBUSY)
            op->note = "full";
        return;
    }
    if (s->charged && k > 0) {        /* the next piece is a step of its own */
        op->note = "%d bytes, %d more to go";
        op->note_b = (int)(w->n - w->done);
        w->next = &write_next_class;
        must_wait(op);
        return;
    }
    if (op->note) {
        op->note = "%d bytes, %d more wait for room";
        op->note_b = (int)(w->n - w->done);
    }
    sleep_for_room(x, w);
}

static bool write_may_go_on(const struct sched_op *op);

/* A write waiting with a timeout (SO_SNDTIMEO): when reads made room and
** the timer may fire too, which comes first is explored. */
static void write_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *w = stream_op(op);
    if (w->waiting && op->timer && sched_timer_wins(x, op, write_may_go_on(op))) {
        w->result = w->done ? (long)w->done : WEFT_EBUSY;
        op->note = "timed out";
    } else {
        write_step(x, op);
    }
    settle(op);
}

/* May a waiting write go on (room, or a closed end), its timer aside? */
static bool write_may_go_on(const struct sched_op *op)
{
    const struct stream_op *w = OP_OF(op, const struct stream_op, op);
    const struct stream *s = stream_at(op);
    if (s->counter)
        return !count_full(s, w);
    if (s->paged)                     /* a free page: a short write goes in whole */
        return s->reader_closed || s->npages < PIPE_PAGES;
    if (s->charged)
        return s->reader_closed || s->writer_shut || charge_writable(s);
    return s->reader_closed || s->writer_shut || room(s) >= needs(s, w);
}

static bool write_wait_enabled(struct exec *x, struct sched_op *op)
{
    return write_may_go_on(op) || sched_timer_due(x, op->timer);
}

static void write_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct stream *s = (const struct stream *)op->obj;
    if (s->counter) {
        snprintf(buf, n, "waits to write to \"%s\" (its count would pass 2^64 - 2)",
                 s->obj.name);
        return;
    }
    if (s->charged) {
        snprintf(buf, n, "waits to write to \"%s\" (full: %zu unread writes charge it %zu "
                 "bytes; Linux lets it go on at a quarter of its %zu-byte send buffer)",
                 s->obj.name, s->nskbs, s->wmem, s->sndbuf);
        return;
    }
    snprintf(buf, n, "waits to write to \"%s\" (full: %zu of %zu bytes, its read end open)",
             s->obj.name, s->len, s->cap);
}

/* A write's objects: a holder's; and when a TCP write's peer is closed,
** its own socket's stream and the peer's file, where a reset may wait
** for it (tcp_closed_write). */
static int write_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct stream *s = stream_at(op);
    int n = holder_objects(op, objs, max);
    struct stream *in = tcp_own_in(s);
    if (in && n < max)
        objs[n++] = &in->obj;
    if (in && s->reader_gone && s->reader_file && n < max)
        objs[n++] = &s->reader_file->obj;
    return n;
}

static const struct sched_opclass write_class = {
    .verb = "write", .apply = write_apply, .objects = write_objects,
};
static const struct sched_opclass write_next_class = {   /* a Unix socket's next sk_buff */
    .verb = "write (next piece)", .apply = write_apply, .objects = write_objects,
};
static const struct sched_opclass write_wait_class = {
    .verb = "write (wait)", .enabled = write_wait_enabled, .apply = write_apply,
    .blockers = stream_wakers, .describe_wait = write_describe,
    .objects = write_objects, .enablers = holder_enablers,
};

long stream_write(struct exec *x, struct stream *s, const void *buf, size_t n, bool nonblock,
                  struct sched_loc at)
{
    struct stream_write_how how = { .nonblock = nonblock };
    return stream_write_as(x, s, buf, n, how, at);
}

long stream_write_as(struct exec *x, struct stream *s, const void *buf, size_t n,
                     struct stream_write_how how, struct sched_loc at)
{
    struct stream_op w = { .op = { .cls = &write_class, .obj = &s->obj, .loc = at },
                           .from = buf, .n = n, .nonblock = how.nonblock,
                           .nonblock_flag = how.nonblock_flag, .file = s->writer_file,
                           .timeout_flag = how.timeout_flag,
                           .number_closed = how.number_closed };
    perform(x, &w, &write_wait_class);
    return w.result;
}

/* ==========================================================================
** Close
** ========================================================================== */

/* The close of an end's last descriptor while a call waits on its file:
** the number goes (later calls through it get EBADF), the end stays open
** until the last waiting call returns (release_file). */
static void close_deferred(struct stream *s, bool read_end, struct sched_op *op)
{
    struct stream_file *f = stream_op(op)->file;
    if (read_end) {
        s->reader_gone = f->in_pending = true;
        op->note = "number only: a call waits on it";
    } else {
        s->writer_gone = f->out_pending = true;
        op->note = "number only: a call waits on it";
    }
}

/* The close of a read end with bytes unread: a socket's peer, which reads
** the file's other stream, will get a reset (close_write_end). */
static void close_read_end(struct stream *s, struct stream_file *f, bool gone)
{
    s->reader_closed = true;          /* writers get EPIPE */
    s->hung++;
    s->reader_gone |= gone;
    s->reader_shut |= !gone;          /* Linux: reads take what is there, then 0 */
    if (!gone)
        return;
    if (f && f->out && s->len > 0 && (!s->messages || s->end_on_close))
        f->unread = true;             /* a stream or seqpacket socket's (Linux) */
    s->len = 0;                       /* what nobody will read is dropped */
    s->npages = s->page_start = 0;
    s->nskbs = s->wmem = 0;           /* and no longer charged */
}

static void close_write_end(struct stream *s, struct stream_file *f, enum close_kind how)
{
    s->writer_closed = true;
    s->hung++;
    s->writer_gone |= how != CLOSE_SHUTDOWN;
    s->writer_shut |= how == CLOSE_SHUTDOWN;   /* its own writes fail, waiting ones too */
    s->reset |= how == CLOSE_ABORT || (f && f->in && f->unread && how != CLOSE_SHUTDOWN);
}

static void close_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *c = stream_op(op);
    bool read_end = c->n, gone = c->how != CLOSE_SHUTDOWN;
    struct stream *s = stream_at(op);
    struct stream_file *f = read_end ? s->reader_file : s->writer_file;
    if (c->kept && c->kept(x, c->owner, read_end)) {
        c->result = STREAM_KEPT;      /* a write still: a dup's step is ordered with it */
        op->note = read_end ? "read end: a dup keeps it" : "write end: a dup keeps it";
        return;
    }
    if (c->how == CLOSE_RELEASE) {    /* the last waiting call returned */
        if (read_end)
            c->file->in_pending = false;
        else
            c->file->out_pending = false;
    } else if (gone && (read_end ? s->reader_gone : s->writer_gone)) {
        descriptor_gone(op);          /* another thread's close came first */
        return;
    } else if (gone && c->file && c->file->holds > 0) {
        close_deferred(s, read_end, op);
        return;
    }
    if (read_end)
        close_read_end(s, f, gone);
    else
        close_write_end(s, f, (enum close_kind)c->how);
    op->note = c->how == CLOSE_RELEASE ? (read_end ? "read end, as its last call returns"
                                                   : "write end, as its last call returns")
             : read_end ? "read end" : s->reset ? "write end, resetting" : "write end";
}

static const struct sched_opclass close_class = { .verb = "close", .apply = close_apply };

/* A close step: obj2 is the end's file, whose holds it reads (a shutdown
** reads none). */
static long close_end_unless(struct exec *x, struct stream *s, bool read_end,
                             enum close_kind how, stream_kept_fn *kept, const void *owner,
                             struct sched_loc at)
{
    struct stream_file *f = read_end ? s->reader_file : s->writer_file;
    bool gone = how != CLOSE_SHUTDOWN;
    struct stream_op c = { .op = { .cls = &close_class, .obj = &s->obj,
                                   .obj2 = gone && f ? &f->obj : NULL, .loc = at },
                           .n = read_end, .how = how, .file = gone ? f : NULL, .kept = kept,
                           .owner = owner };
    sched_visible(x, &c.op);
    return c.result;
}

static long close_end(struct exec *x, struct stream *s, bool read_end, enum close_kind how,
                      struct sched_loc at)
{
    return close_end_unless(x, s, read_end, how, NULL, NULL, at);
}

long stream_close(struct exec *x, struct stream *s, bool read_end, struct sched_loc at)
{
    return close_end(x, s, read_end, CLOSE_GONE, at);
}

long stream_close_unless(struct exec *x, struct stream *s, bool read_end, stream_kept_fn *kept,
                         const void *owner, struct sched_loc at)
{
    return close_end_unless(x, s, read_end, CLOSE_GONE, kept, owner, at);
}

void stream_shutdown(struct exec *x, struct stream *s, bool read_end, struct sched_loc at)
{
    close_end(x, s, read_end, CLOSE_SHUTDOWN, at);
}

void stream_abort(struct exec *x, struct stream *s, struct sched_loc at)
{
    close_end(x, s, false, CLOSE_ABORT, at);
}

/* ==========================================================================
** Poll
** ========================================================================== */

static bool writable(const struct stream *s)
{
    if (s->counter)
        return s->count < COUNT_MAX;
    if (s->paged)
        return s->reader_closed || s->npages < PIPE_PAGES;
    if (s->charged)
        return s->reader_closed || charge_writable(s);
    size_t enough = s->cap < STREAM_ATOMIC ? s->cap : STREAM_ATOMIC;
    return s->reader_closed || room(s) >= enough;
}

static bool listener_ready(const struct listener *l);
static short listener_poll_bits(const struct stream_poll *w);
static bool listener_gone(const struct listener *l);
static uint64_t listener_woke(const struct listener *l);

/* A socket's sending side is shut (SEND_SHUTDOWN): by its own shutdown,
** or by its peer's read shutdown or close (a datagram peer's close ends
** nothing). */
static bool send_shut(const struct stream *out)
{
    return out->writer_shut || (out->reader_closed && (!out->messages || out->end_on_close));
}

/* Does an epoll entry's wish find nothing now: disabled (EPOLLONESHOT), or
** its file's last descriptor closed, which takes it off the list? Read at
** the poll's step, not when the wish was made: what a wait watches must not
** depend on a look between steps, which another thread's step may reorder
** without a trace (DPOR would lose the classes that tell them apart). */
static bool wish_off(const struct stream_poll *w)
{
    return (w->off && *w->off) ||
           (w->entry && ((w->in && w->in->reader_gone) || (w->out && w->out->writer_gone) ||
                         (w->listening && listener_gone(w->listening))));
}

/* A timerfd's expiries that the clock passed count as one wake-up while
** its timer runs, as stream_counter_add counts them once they are added. */
static uint64_t edges_in(const struct stream *s)
{
    return s->woke_readers + (s->timer && !s->expired && timer_counter_due(s->timer) > 0);
}

uint64_t stream_edges(const struct stream_poll *w)
{
    uint64_t n = w->listening ? listener_woke(w->listening) : 0;
    if (w->in)
        n += (w->want_in ? edges_in(w->in) : 0) + w->in->hung;
    if (w->out && w->out != w->in)
        n += (w->want_out ? w->out->woke_writers : 0) + w->out->hung;
    else if (w->out && w->want_out)
        n += w->out->woke_writers;    /* an eventfd: one stream both ways */
    return n;
}

bool stream_edge_pending(const struct stream_poll *w)
{
    return w->edge == NULL || w->edge->armed || stream_edges(w) != w->edge->seen;
}

/* What w finds now, its edge aside. */
static short level_bits(const struct stream_poll *w)
{
    const struct stream *in = w->in, *out = w->out;
    bool socket = in && out;
    short r = w->stamp && *w->stamp != w->stamp_seen && w->want_in ? POLLIN : 0;
    if (wish_off(w))
        return 0;
    if (w->listening)
        return listener_poll_bits(w);
    if (in && in->bits)               /* signalfd_poll: a signal it reads is pending */
        return w->want_in && ((*in->bits->shared | (w->own_bits ? *w->own_bits : 0)) &
                              in->bits->want) ? POLLIN : 0;
    if (in && in->counter)            /* eventfd_poll */
        return (short)((w->want_in && count_of(in) > 0 ? POLLIN : 0) |
                       (w->want_out && out && writable(out) ? POLLOUT : 0));   /* (a
                                         timerfd has no write side) */
    if (in && w->want_in && (in->len > 0 || (socket && ended(in))))
        r |= POLLIN;                  /* bytes; a socket's shut read side too */
    if (out && w->want_out && writable(out))
        r |= POLLOUT;                 /* room; a widowed end too (writes fail) */
    if (socket) {                     /* unix_poll */
        if (w->want_rdhup && ended(in))
            r |= POLLRDHUP;
        if (ended(in) && send_shut(out))
            r |= POLLHUP;
        if (in->reset)
            r |= POLLERR;
    } else {                          /* pipe_poll */
        if (in && in->writer_closed)
            r |= POLLHUP;
        if (out && out->reader_closed)
            r |= POLLERR;
    }
    return r;
}

short stream_poll_bits(const struct stream_poll *w)
{
    return stream_edge_pending(w) ? level_bits(w) : 0;
}

/* Was an end of w's descriptor closed with it, for a poll that reports
** that (POLLNVAL)? A poll's step looks (Linux scans every descriptor when
** the poll begins, when something wakes it and when it times out), but a
** close does not wake a poll that waits: looks is false for whether it
** may go on. */
static bool wish_gone(const struct stream_poll *w, bool looks)
{
    return looks && w->nval &&
           ((w->in && w->in->reader_gone) || (w->out && w->out->writer_gone) ||
            (w->listening && listener_gone(w->listening)) ||
            (w->number_closed && *w->number_closed));
}

/* Mark which wishes hold now; how many do. */
static int poll_mark(struct stream_op *p)
{
    int ready = 0;
    for (int i = 0; i < p->npolls; i++) {
        struct stream_poll *w = &p->polls[i];
        w->gone = wish_gone(w, true);
        w->gone_waiting = w->gone && p->waiting;
        w->revents = w->gone ? 0 : stream_poll_bits(w);
        ready += w->gone || w->revents;
    }
    return ready;
}

static int poll_ready(const struct stream_op *p, bool looks)
{
    int ready = 0;
    for (int i = 0; i < p->npolls; i++)
        ready += wish_gone(&p->polls[i], looks) || stream_poll_bits(&p->polls[i]);
    return ready;
}

static void poll_found(struct sched_op *op, int ready)
{
    stream_op(op)->result = ready;
    op->note = ready ? "%d ready" : "timed out";
    op->note_a = ready;
}

/* Would a poll's first step leave it waiting, now? */
static bool poll_waits(const struct sched_op *op)
{
    const struct stream_op *p = OP_OF(op, const struct stream_op, op);
    return poll_ready(p, true) == 0 && !(op->timer == NULL && p->nonblock);
}

static void poll_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *p = stream_op(op);
    bool waits = poll_waits(op);
    int ready = poll_mark(p);
    if (!waits) {
        op->idle = ready == 0;
        poll_found(op, ready);
    } else {
        if (op->timer)
            sched_timer_start(x, op->timer);
        must_wait(op);
    }
    settle(op);
}

static bool poll_only_looks(struct exec *x, struct sched_op *op)
{
    (void)x;
    const struct stream_op *p = stream_op(op);
    for (int i = 0; i < p->npolls; i++)
        if (p->polls[i].ready_outside && !wish_off(&p->polls[i]))
            return false;
    return op->timer == NULL && p->nonblock && poll_ready(p, true) == 0;
}

static bool poll_wait_enabled(struct exec *x, struct sched_op *op)
{
    return poll_ready(stream_op(op), false) > 0 || sched_timer_due(x, op->timer);
}

/* Is a timerfd p watches readable by the clock (once the poll's own
** timeout moved it)? It was from its expiry on, and Linux's poll, which
** looks again when its timeout ends, finds it: the timeout loses. */
static bool timer_counted(const struct stream_op *p)
{
    for (int i = 0; i < p->npolls; i++) {
        const struct stream_poll *w = &p->polls[i];
        if (w->in && w->in->timer && w->want_in && !wish_off(w) && count_of(w->in) > 0 &&
            stream_edge_pending(w))
            return true;
    }
    return false;
}

/* When the timer may fire and a descriptor is ready too, which comes first
** is explored (under --timers=idle the descriptor wins), as chan.c does. */
static void poll_wait_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *p = stream_op(op);
    bool timed_out = sched_timer_wins(x, op, poll_ready(p, false) > 0) && !timer_counted(p);
    int ready = poll_mark(p), gone = 0;
    for (int i = 0; i < p->npolls; i++) {
        if (timed_out)                /* the last scan finds only closed ones */
            p->polls[i].revents = 0;
        gone += p->polls[i].gone;
    }
    poll_found(op, timed_out ? gone : ready);
    settle(op);
}

/* Object o into objs[0..*m) unless there (or NULL), up to max. */
static void put_once(const struct sched_obj *o, const struct sched_obj **objs, int *m, int max)
{
    for (int j = 0; j < *m; j++)
        if (objs[j] == o)
            return;
    if (o && *m < max)
        objs[(*m)++] = o;
}

/* A poll's wishes' streams and queues, their files too when files, and
** its clock, into objs. */
static int poll_put(const struct sched_op *op, bool files, const struct sched_obj **objs,
                    int max)
{
    const struct stream_op *p = OP_OF(op, const struct stream_op, op);
    int m = 0;
    for (int i = 0; i < p->npolls; i++) {
        const struct stream_poll *w = &p->polls[i];
        put_once(w->listening ? listener_object(w->listening) : w->in ? &w->in->obj : NULL,
                 objs, &m, max);
        put_once(w->out ? &w->out->obj : NULL, objs, &m, max);
        put_once(w->in && w->in->timer ? w->in->clock : NULL, objs, &m, max);
        for (int k = 0; w->in && w->in->bits && k < w->in->bits->nobjs; k++)
            put_once(w->in->bits->objs[k], objs, &m, max);
        if (files && wish_file(w))
            put_once(&wish_file(w)->obj, objs, &m, max);
    }
    if (op->timer && m < max)
        objs[m++] = op->timer->clock;
    return m;
}

/* A poll's objects: its files only when the step touches them. */
static int poll_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    return poll_put(op, file_touched(op), objs, max);
}

/* What lets a waiting poll go on: a step on a stream or queue it waits
** on, or its timer; never one on a file. */
static int poll_enablers(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    return poll_put(op, false, objs, max);
}

static void poll_describe(const struct sched_op *op, char *buf, size_t n)
{
    const struct stream_op *p = OP_OF(op, const struct stream_op, op);
    bool epoll = p->npolls > 0 && p->polls[0].epoll;
    size_t used = epoll ? (size_t)snprintf(buf, n, "waits in epoll_wait on \"%s\"",
                                           p->polls[0].in->obj.name)
                        : (size_t)snprintf(buf, n, "waits in poll on");
    const char *sep = epoll ? " for " : " ";
    for (int i = epoll; i < p->npolls && used < n; i++) {
        const struct stream_poll *w = &p->polls[i];
        if (wish_off(w))
            continue;
        if (w->listening && used < n) {
            used += (size_t)snprintf(buf + used, n - used, "%saccept \"%s\"", sep,
                                     listener_object(w->listening)->name);
            sep = ", ";
        }
        if (w->in && w->want_in && used < n) {
            used += (size_t)snprintf(buf + used, n - used, "%sread \"%s\"", sep, w->in->obj.name);
            sep = ", ";
        }
        if (w->out && w->want_out && used < n) {
            used += (size_t)snprintf(buf + used, n - used, "%swrite \"%s\"", sep,
                                     w->out->obj.name);
            sep = ", ";
        }
        if (!stream_edge_pending(w) && level_bits(w) && used < n)
            used += (size_t)snprintf(buf + used, n - used, " (EPOLLET: ready, but reported "
                                     "already, and nothing came since)");
    }
    if (epoll && sep[1] == 'f' && used < n)   /* nothing listed */
        used += (size_t)snprintf(buf + used, n - used, " (no descriptor armed)");
    if (op->timer && used < n)
        snprintf(buf + used, n - used, " (with timeout)");
}

/* A poll's look and its wait, named by the call that made them. */
#define POLL_CLASSES(call)                                                              \
    {                                                                                   \
        .verb = call, .apply = poll_apply, .objects = poll_objects,                     \
        .reads_only = poll_only_looks,                                                  \
    },                                                                                  \
    {                                                                                   \
        .verb = call " (wait)", .enabled = poll_wait_enabled, .apply = poll_wait_apply, \
        .blockers = stream_wakers, .describe_wait = poll_describe,                      \
        .objects = poll_objects, .enablers = poll_enablers,                             \
    }
static const struct sched_opclass poll_classes[][2] = {
    [STREAM_POLL] = { POLL_CLASSES("poll") },
    [STREAM_SELECT] = { POLL_CLASSES("select") },
    [STREAM_EPOLL_WAIT] = { POLL_CLASSES("epoll_wait") },
};

static bool is_poll(const struct sched_opclass *cls)
{
    for (size_t i = 0; i < sizeof poll_classes / sizeof poll_classes[0]; i++)
        if (cls == &poll_classes[i][0])
            return true;
    return false;
}

int stream_poll(struct exec *x, enum stream_poll_call call, struct stream_poll *polls, int n,
                int64_t timeout_ns, struct sched_loc at)
{
    const struct sched_opclass *classes = poll_classes[call];
    struct stream_op p = { .op = { .cls = &classes[0], .loc = at }, .polls = polls,
                           .npolls = n, .nonblock = timeout_ns == 0 };
    for (int i = 0; i < n && p.op.obj == NULL; i++)
        p.op.obj = polls[i].listening ? listener_object(polls[i].listening)
                 : polls[i].in ? &polls[i].in->obj : polls[i].out ? &polls[i].out->obj : NULL;
    set_timeout(x, &p, timeout_ns);
    perform(x, &p, &classes[1]);
    return (int)p.result;
}

/* ==========================================================================
** Listening sockets: a queue of connections
** ========================================================================== */

struct listener {
    struct sched_obj obj;
    void **queue;                     /* a ring of cap items */
    int cap, head, len;               /* cap: the backlog and one more, as
                                         Linux queues (sk_acceptq_is_full) */
    bool closed;                      /* connects are refused: closed or shut down */
    bool gone;                        /* its last descriptor closed */
    bool shut;                        /* shut down: a waiting accept fails */
    short shut_bits;                  /* what a poll finds then (listener_shutdown) */
    struct stream_file *file;
    listener_refuse_fn *refuse;
    uint64_t woke;                    /* connections queued, closes and shutdowns:
                                         its wake-ups (stream_edges) */
};

static void listener_state(const struct sched_obj *o, char *buf, size_t n)
{
    const struct listener *l = (const struct listener *)o;
    buf[0] = 0;
    if (l->len || l->closed)
        snprintf(buf, n, "%d connection%s waiting%s", l->len, l->len == 1 ? "" : "s",
                 l->shut ? ", shut down" : l->closed ? ", closed" : "");
}

static const struct sched_objclass listener_objclass = {
    .name = "socket", .state = listener_state,
};

struct sched_obj *listener_object(struct listener *l) { return &l->obj; }
static uint64_t listener_woke(const struct listener *l) { return l->woke; }
static struct stream_file *listener_file(const struct listener *l) { return l->file; }
static void listener_attach(struct listener *l, struct stream_file *f) { l->file = f; }

struct sched_obj *stream_object(struct stream *s) { return &s->obj; }
static struct listener *listener_at(const struct sched_op *op)
{
    return (struct listener *)op->obj;
}
static bool listener_ready(const struct listener *l) { return l->len > 0 || l->closed; }
bool listener_closed(const struct listener *l) { return l->closed; }
static bool listener_gone(const struct listener *l) { return l->gone; }

/* A listening socket polls POLLIN while a connection waits or once it is
** closed; once shut down, as its kind says (listener_shutdown). */
static short listener_poll_bits(const struct stream_poll *w)
{
    const struct listener *l = w->listening;
    short r = l->shut ? l->shut_bits : listener_ready(l) ? POLLIN : 0;
    if (l->len > 0)
        r |= POLLIN;
    return w->want_in ? r : (short)(r & ~POLLIN);
}

struct listener *listener_new(struct exec *x, const char *name, int backlog,
                              listener_refuse_fn *refuse, struct sched_loc at)
{
    struct listener *l = sync_object_new(x, &listener_objclass, sizeof *l, name, at);
    l->cap = (backlog < 0 ? 0 : backlog) + 1;
    l->queue = arena_alloc(&x->arena, (size_t)l->cap * sizeof *l->queue);
    l->refuse = refuse;
    if (l->queue == NULL)
        sched_fail(x, WEFT_ASSERTION, at, "out of memory for socket \"%s\"", l->obj.name);
    return l;
}

static bool connect_may_go_on(const struct listener *l) { return l->closed || l->len < l->cap; }

/* A connect waiting with a timeout (a Unix socket's SO_SNDTIMEO): when
** the backlog has room and the timer may fire too, which comes first is
** explored. */
static void connect_apply(struct exec *x, struct sched_op *op)
{
    struct listener *l = listener_at(op);
    struct stream_op *c = stream_op(op);
    if (c->waiting && op->timer && sched_timer_wins(x, op, connect_may_go_on(l))) {
        c->result = WEFT_EBUSY;
        op->note = "timed out";
    } else if (l->closed) {
        c->result = WEFT_ECLOSED;
        op->note = "refused";
    } else if (l->len < l->cap) {
        l->queue[(l->head + l->len++) % l->cap] = c->item;
        l->woke++;
        c->result = 0;
    } else if (nonblocking(c)) {
        c->result = WEFT_EBUSY;
        op->idle = true;
        op->note = "backlog full";
    } else {
        start_wait_timer(x, c);
        must_wait(op);
    }
}

static bool connect_wait_enabled(struct exec *x, struct sched_op *op)
{
    return connect_may_go_on(listener_at(op)) || sched_timer_due(x, op->timer);
}

static void connect_describe(const struct sched_op *op, char *buf, size_t n)
{
    int waiting = listener_at(op)->cap;
    snprintf(buf, n, "waits to connect to \"%s\" (its backlog of %d is full: %d connection%s "
             "wait%s to be accepted)", op->obj->name, waiting - 1, waiting,
             waiting == 1 ? "" : "s", waiting == 1 ? "s" : "");
}

static const struct sched_opclass connect_class = {
    .verb = "connect", .apply = connect_apply, .objects = holder_objects,
};
static const struct sched_opclass connect_wait_class = {
    .verb = "connect (wait)", .enabled = connect_wait_enabled, .apply = connect_apply,
    .blockers = stream_wakers, .describe_wait = connect_describe, .objects = holder_objects,
};

int listener_connect(struct exec *x, struct listener *l, void *item, struct stream_write_how how,
                     struct sched_loc at)
{
    struct stream_op c = { .op = { .cls = &connect_class, .obj = &l->obj, .loc = at },
                           .item = item, .nonblock = how.nonblock,
                           .nonblock_flag = how.nonblock_flag, .timeout_flag = how.timeout_flag };
    perform(x, &c, &connect_wait_class);
    return (int)c.result;
}

static const struct sched_opclass accept_class;

/* What an accept's step does, in the state it would run in now. */
enum accept_outcome { ACCEPT_GONE, ACCEPT_TAKES, ACCEPT_SHUT, ACCEPT_NONE, ACCEPT_WAITS };

static enum accept_outcome accept_outcome(const struct sched_op *op)
{
    const struct listener *l = listener_at(op);
    if (op->cls == &accept_class && l->gone)
        return ACCEPT_GONE;           /* its descriptor closed before this step */
    if (l->len > 0)
        return ACCEPT_TAKES;
    if (l->closed)
        return ACCEPT_SHUT;
    return nonblocking(OP_OF(op, const struct stream_op, op)) ? ACCEPT_NONE : ACCEPT_WAITS;
}

static void accept_step(struct exec *x, struct sched_op *op)
{
    struct listener *l = listener_at(op);
    struct stream_op *a = stream_op(op);
    switch (accept_outcome(op)) {
    case ACCEPT_GONE:
        descriptor_gone(op);
        break;
    case ACCEPT_TAKES:
        *a->item_out = l->queue[l->head];
        l->head = (l->head + 1) % l->cap;
        l->len--;
        a->result = 0;
        break;
    case ACCEPT_SHUT:
        a->result = WEFT_ECLOSED;
        op->note = "shut down";
        break;
    case ACCEPT_NONE:
        a->result = WEFT_EBUSY;
        op->idle = true;
        op->note = "none waiting";
        break;
    case ACCEPT_WAITS:
        start_wait_timer(x, a);
        must_wait(op);
        break;
    }
}

/* An accept waiting with a timeout (SO_RCVTIMEO): when a connection waits
** or the listener is shut and the timer may fire too, which comes first
** is explored. */
static void accept_apply(struct exec *x, struct sched_op *op)
{
    struct stream_op *a = stream_op(op);
    if (a->waiting && op->timer && sched_timer_wins(x, op, listener_ready(listener_at(op)))) {
        a->result = WEFT_EBUSY;
        op->note = "timed out";
    } else {
        accept_step(x, op);
    }
    settle(op);
}

static bool accept_wait_enabled(struct exec *x, struct sched_op *op)
{
    return listener_ready(listener_at(op)) || sched_timer_due(x, op->timer);
}

static void accept_describe(const struct sched_op *op, char *buf, size_t n)
{
    snprintf(buf, n, "waits to accept a connection on \"%s\"%s", op->obj->name,
             listener_at(op)->gone ? " (its descriptor closed: as on Linux, that does not "
                                     "wake an accept, and the wait holds the socket open)" : "");
}

static const struct sched_opclass accept_class = {
    .verb = "accept", .apply = accept_apply, .objects = holder_objects,
};
static const struct sched_opclass accept_wait_class = {
    .verb = "accept (wait)", .enabled = accept_wait_enabled, .apply = accept_apply,
    .blockers = stream_wakers, .describe_wait = accept_describe,
    .objects = holder_objects, .enablers = holder_enablers,
};

int listener_accept(struct exec *x, struct listener *l, void **item, struct stream_read_how how,
                    struct sched_loc at)
{
    struct stream_op a = { .op = { .cls = &accept_class, .obj = &l->obj, .loc = at },
                           .item_out = item, .nonblock = how.nonblock,
                           .nonblock_flag = how.nonblock_flag, .timeout_flag = how.timeout_flag,
                           .file = l->file };
    perform(x, &a, &accept_wait_class);
    return (int)a.result;
}

/* The connections never accepted are refused (after the step that closed
** or shut l): the closing thread hands each to refuse. */
static void refuse_left(struct exec *x, struct listener *l, struct sched_loc at)
{
    while (l->len > 0) {
        void *item = l->queue[l->head];
        l->head = (l->head + 1) % l->cap;
        l->len--;
        if (l->refuse)
            l->refuse(x, item, at);
    }
}

enum listener_end { LISTENER_CLOSE, LISTENER_RELEASE, LISTENER_SHUTDOWN };

static void listener_close_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    struct listener *l = listener_at(op);
    struct stream_op *c = stream_op(op);
    if (c->n == LISTENER_CLOSE && c->file && c->file->holds > 0) {
        l->gone = c->file->listening_pending = true;
        op->note = "number only: a call waits on it";
        return;
    }
    if (c->n == LISTENER_RELEASE) {
        c->file->listening_pending = false;
        op->note = "as its last call returns";
    }
    l->closed = true;
    l->woke++;
    l->gone |= c->n != LISTENER_SHUTDOWN;
    if (c->n == LISTENER_SHUTDOWN) {
        l->shut = true;
        l->shut_bits = (short)c->how;
    }
}

static const struct sched_opclass listener_close_class = {
    .verb = "close", .apply = listener_close_apply,
};
static const struct sched_opclass listener_shutdown_class = {
    .verb = "shutdown", .apply = listener_close_apply,
};

/* A close (obj2: its file, whose holds it reads), release or shutdown
** step; then the connections never accepted are refused, unless the
** close waits for an accept to return, or keep (a shutdown that leaves
** them to be accepted). */
static void listener_end(struct exec *x, struct listener *l, enum listener_end how, bool keep,
                         short shut_bits, struct sched_loc at)
{
    struct stream_file *f = how == LISTENER_SHUTDOWN ? NULL : l->file;
    struct stream_op c = { .op = { .cls = how == LISTENER_SHUTDOWN ? &listener_shutdown_class
                                                                   : &listener_close_class,
                                   .obj = &l->obj, .obj2 = f ? &f->obj : NULL, .loc = at },
                           .n = how, .how = shut_bits, .file = f };
    sched_visible(x, &c.op);
    if (l->closed && !keep)
        refuse_left(x, l, at);
}

void listener_close(struct exec *x, struct listener *l, struct sched_loc at)
{
    listener_end(x, l, LISTENER_CLOSE, false, 0, at);
}

static void listener_release(struct exec *x, struct listener *l, struct sched_loc at)
{
    listener_end(x, l, LISTENER_RELEASE, false, 0, at);
}

void listener_shutdown(struct exec *x, struct listener *l, bool keep_queued, short poll_bits,
                       struct sched_loc at)
{
    listener_end(x, l, LISTENER_SHUTDOWN, keep_queued, poll_bits, at);
}

/* Would op's first step leave its call waiting, in the state it would run
** in now (file_touched)? */
static bool waits_now(const struct sched_op *op)
{
    if (op->cls == &read_class || op->cls == &peek_class)
        return read_outcome(op) == READ_WAITS;
    if (op->cls == &write_class)
        return write_waits(op);
    if (op->cls == &accept_class)
        return accept_outcome(op) == ACCEPT_WAITS;
    return is_poll(op->cls) && poll_waits(op);
}
