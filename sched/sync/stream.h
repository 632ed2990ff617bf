/*
** stream.h -- byte streams between a program's threads (stream.c): a pipe,
** or one direction of a socket pair. A stream has a fixed capacity, a read
** end and a write end. Reading an empty stream waits while its write end
** is open, and writing a full one waits while its read end is open: both
** are visible waits, so a deadlock through a pipe is a deadlock. The
** posix layer (posix/io.c) maps file descriptors onto streams. A wait that
** a program thread's cancellation ends (posix/cancel.c) gives
** WEFT_ECANCELED, or for a write the bytes that went in before it.
*/
#ifndef WEFT_STREAM_H
#define WEFT_STREAM_H

#include <stddef.h>
#include "core/sched.h"

struct stream;

/* What a read or write gives when its caller's own end of the stream was
** closed by the time its step came: the descriptor is gone (EBADF). */
#define STREAM_EBADF (-64)
/* What a read, or a TCP write, gives once when its socket's peer reset
** the connection. */
#define STREAM_ECONNRESET (-65)

/* Writes of at most this many bytes are never split (POSIX PIPE_BUF). */
#define STREAM_ATOMIC 4096

/* A new stream of capacity bytes (from a scenario thread); the execution
** fails at `at` without memory. */
struct stream *stream_new(struct exec *x, const char *name, size_t capacity, struct sched_loc at);

/* Make s carry messages (a datagram or seqpacket socket pair's
** direction), right after stream_new: each write is one message, in
** whole or not at all (n + 4 bytes of room; stream_message_fits), each
** read takes one (what does not fit the buffer is dropped). end_on_close:
** the writer's close ends the stream (seqpacket); else a reader waits on
** (a datagram socket's peer closing ends nothing). sender_head: the bytes
** each message begins with that name its sender (a queue several sockets
** send to), which reports leave out of its size. Reports call it a socket. */
void stream_set_messages(struct stream *s, bool end_on_close, size_t sender_head);
/* Make s a pipe's, right after stream_new: its room is counted in pages,
** as Linux's pipe_write counts it (16 of 4,096 bytes; a write's tail
** shares the last page only when it fits there). */
void stream_set_pages(struct stream *s);
/* Make s a direction of a Unix socket, right after stream_new: its room
** is its sender's send buffer of sndbuf bytes (SO_SNDBUF), charged for
** each write's sk_buffs until they are read, as Linux's af_unix charges
** it (stream.c: a stream's write goes in pieces of at most 36,544 bytes,
** a step each; a datagram is one; a full socket's writer waits until
** reads bring the charge to a quarter). */
void stream_set_charged(struct stream *s, size_t sndbuf);
/* A Unix socket's new send buffer (setsockopt SO_SNDBUF, as Linux sets it). */
void stream_set_sndbuf(struct stream *s, size_t sndbuf);
/* Its send buffer, or 0 when s is not a Unix socket's. */
size_t stream_sndbuf(const struct stream *s);
/* Linux's default send buffer (net.core.wmem_default) and the most that
** SO_SNDBUF may ask for (net.core.wmem_max, which it doubles), as the
** kernel sets them, and the least it gives (SOCK_MIN_SNDBUF). */
#define STREAM_UNIX_SNDBUF 212992
#define STREAM_SNDBUF_MAX 212992
#define STREAM_SNDBUF_MIN 4608
/* Make s a TCP connection's direction, right after stream_new: a write
** to a closed peer takes a reset pending on its own socket's other stream
** (STREAM_ECONNRESET, once), and the first after a peer's plain close
** still goes out (stream.c: tcp_closed_write). */
void stream_set_tcp(struct stream *s);
/* Make s an eventfd's count, right after stream_new: a read of 8 bytes
** takes the count (semaphore: 1 of it), and waits while it is 0; a write
** of 8 bytes adds their value, and waits while the count would pass
** 2^64 - 2 (the sizes are posix/io.c's to check). */
void stream_set_counter(struct stream *s, uint64_t initial, bool semaphore);
/* A count's value; n more (at most 2^64 - 1), or none (a timerfd's
** expiry, its re-arming: timer.c, in the apply of its step). */
uint64_t stream_counter(const struct stream *s);
/* Make s a timerfd's count: tm's expirations due by the clock (whose
** object is clock) count as if there (sync/timer.c). */
struct timer_impl;
void stream_set_timer(struct stream *s, struct timer_impl *tm, struct sched_obj *clock);
void stream_counter_add(struct stream *s, uint64_t n);
void stream_counter_clear(struct stream *s);
/* A timerfd's timer, stopped by its expiry, runs again (a read, a
** gettime or a settime restarts it); has it expired since? */
void stream_counter_restart(struct stream *s);
bool stream_counter_expired(const struct stream *s);
/* What makes a signalfd readable (posix/io.c keeps it, stream.c reads it
** at a poll's step): a signal of want pending in the process (*shared) or
** in the polling thread (its wish's own_bits). objs: the objects whose
** steps change that (the signals' own: posix/delivery.c), which a poll of
** it touches besides the stream. */
struct stream_bits {
    uint64_t want;
    const uint64_t *shared;
    struct sched_obj *objs[64];
    int nobjs;
};
/* Make s a signalfd's, right after stream_new: nothing is written to it
** (its reads are posix/delivery.c's); a poll finds it readable by b. */
void stream_set_bits(struct stream *s, const struct stream_bits *b);
/* Can a message of n bytes ever go into s? */
bool stream_message_fits(const struct stream *s, size_t n);

/* Visible. Up to n bytes into buf: how many, 0 at end of stream (the write
** end closed and nothing left), or WEFT_EBUSY when nonblock and nothing
** is there yet; otherwise waits for bytes or the end. *whole (if given):
** the length of a message cut to n bytes (recvmsg's MSG_TRUNC), else 0. */
long stream_read(struct exec *x, struct stream *s, void *buf, size_t n, bool nonblock,
                 size_t *whole, struct sched_loc at);
/* How a read goes: nonblock as stream_read's; peek (recv's MSG_PEEK): the
** same bytes copied and left where they are, a step that changes
** nothing; *timeout_flag (SO_RCVTIMEO in ns, as the call's first step
** finds it): > 0, a read that waited that long gives WEFT_EBUSY, the
** timer racing the bytes as any timeout does; < 0, it never waits. */
struct stream_read_how {
    bool nonblock, peek;
    const bool *nonblock_flag;        /* (or NULL) its file's O_NONBLOCK, looked
                                         at in the call's first step: another
                                         thread's F_SETFL before that counts */
    const int64_t *timeout_flag;      /* (or NULL) likewise */
    const bool *number_closed;        /* (or NULL) the caller's descriptor number
                                         was closed: a step that finds it so
                                         gives STREAM_EBADF, though a dup may
                                         keep the end open */
};
/* Visible. stream_read, as how says. */
long stream_read_as(struct exec *x, struct stream *s, void *buf, size_t n,
                    struct stream_read_how how, size_t *whole, struct sched_loc at);

/* Visible. Writes n bytes, waiting for room (a write of at most
** STREAM_ATOMIC bytes goes in one piece): n, or as many as went in before
** the read end closed; WEFT_ECLOSED when the read end was closed before
** any byte went in; nonblock: as many as fit now, or WEFT_EBUSY when
** none (or the whole of a short write) does not. */
long stream_write(struct exec *x, struct stream *s, const void *buf, size_t n, bool nonblock,
                  struct sched_loc at);
/* How a write goes: nonblock as stream_write's; *timeout_flag
** (SO_SNDTIMEO, as a read's SO_RCVTIMEO): a write that waited that long
** for room gives what went in, or WEFT_EBUSY, the timer racing the reads
** that make room; number_closed as stream_read_how's. */
struct stream_write_how {
    bool nonblock;
    const bool *nonblock_flag;        /* as a read's */
    const int64_t *timeout_flag;      /* as a read's */
    const bool *number_closed;
};
/* Visible. stream_write, as how says. */
long stream_write_as(struct exec *x, struct stream *s, const void *buf, size_t n,
                     struct stream_write_how how, struct sched_loc at);

/* The object s's steps touch (a call that finds its descriptor closed
** looks at it: posix/io.c). */
struct sched_obj *stream_object(struct stream *s);

/* Visible. Close the read end (writers get WEFT_ECLOSED) or the write end
** (readers get the end of the stream once it is drained), with its last
** descriptor: a read or write through that descriptor whose step comes
** later gets STREAM_EBADF. 0, or STREAM_EBADF when another thread's close
** of that descriptor came first. */
long stream_close(struct exec *x, struct stream *s, bool read_end, struct sched_loc at);
/* Visible. The same, unless kept(x, owner, read_end) says at the step that
** another descriptor (a dup) still holds the end: then STREAM_KEPT, and the
** end stays open. Decided in the step, which a dup's step is ordered with:
** decided before it, a dup between the two had its end closed under it. */
#define STREAM_KEPT (-65)
typedef bool stream_kept_fn(struct exec *x, const void *owner, bool read_end);
long stream_close_unless(struct exec *x, struct stream *s, bool read_end, stream_kept_fn *kept,
                         const void *owner, struct sched_loc at);
/* The same for a shutdown, which leaves the descriptor open. */
void stream_shutdown(struct exec *x, struct stream *s, bool read_end, struct sched_loc at);
/* Visible. Close the write end of s as a connection reset (a listener
** that refuses a connection it queued): its reader gets STREAM_ECONNRESET
** once the bytes in it are read, then the end of the stream. A socket
** whose last descriptor closes with bytes unread resets its peer so too
** (Linux's unix_release_sock, TCP's RST). */
void stream_abort(struct exec *x, struct stream *s, struct sched_loc at);

/*
** A listening socket's queue of connections not yet accepted (a loopback
** socket between the program's threads): connect waits while it holds
** backlog + 1 of them (as Linux), accept while it is empty. Items are the
** caller's: once the listener closes, refuse gets each item never
** accepted (in the closing thread, which may take steps).
*/
struct listener;
typedef void listener_refuse_fn(struct exec *x, void *item, struct sched_loc at);
struct listener *listener_new(struct exec *x, const char *name, int backlog,
                              listener_refuse_fn *refuse, struct sched_loc at);
/* Visible. Queue item: 0, or WEFT_ECLOSED when the listener is closed;
** WEFT_EBUSY while the backlog is full when how says it does not wait,
** or when it stayed full for its timeout (how: as a write's; its
** number_closed is not read). */
int listener_connect(struct exec *x, struct listener *l, void *item, struct stream_write_how how,
                     struct sched_loc at);
/* Visible. The oldest item into *item: 0; WEFT_EBUSY when how says it
** does not wait (as a read's; its peek and number_closed are not read)
** and none waits, or none came in its
** timeout; WEFT_ECLOSED once shut down (EINVAL) and none is left;
** STREAM_EBADF when its descriptor was closed before the step. */
int listener_accept(struct exec *x, struct listener *l, void **item, struct stream_read_how how,
                    struct sched_loc at);
/* Does l refuse connections (closed, or shut down)? */
bool listener_closed(const struct listener *l);
/* The object l's steps touch (a call on its closed number looks at it). */
struct sched_obj *listener_object(struct listener *l);
/* Visible. Close it with its last descriptor: connects are refused, and
** so are the connections never accepted. While an accept waits on it,
** only the number goes: the accept is not woken (Linux). */
void listener_close(struct exec *x, struct listener *l, struct sched_loc at);
/* Visible. Shut it down (shutdown(SHUT_RD)): connects are refused, a
** waiting accept wakes and fails; the queued connections are refused
** unless keep_queued (a Unix socket's: accepts take them first). A poll
** of it then finds poll_bits (and POLLIN while connections wait). */
void listener_shutdown(struct exec *x, struct listener *l, bool keep_queued, short poll_bits,
                       struct sched_loc at);

/*
** An open file (Linux's struct file): the ends a descriptor and its dups
** reach: in's read end, out's write end, or a listener. A read, write,
** accept, poll or select that waits holds its file, as the kernel's
** reference does: closing the file's last descriptor meanwhile takes the
** number away (calls through it that begin later get EBADF) but closes no
** end, so a writer still finds the reader and the peer of a socket sees
** no end of stream; the last waiting call closes the ends as it returns.
** Ends made without one are never held.
*/
void stream_file_new(struct exec *x, struct stream *in, struct stream *out,
                     struct listener *listening, struct sched_loc at);

/* One descriptor's wish in a poll: is its stream readable, writable? */
/* An epoll entry's edge trigger (EPOLLET): Linux queues the entry when
** its file's wait queue is woken (bytes came, room was made after the
** writer found none, an end closed) and reports it once; a wait finds it
** again only after another wake-up, whatever is still unread. */
struct stream_edge {
    uint64_t seen;                    /* stream_edges when it last reported */
    bool armed;                       /* added or modified since: what is ready
                                         now is reported (ep_insert, ep_modify) */
};

struct stream_poll {
    struct stream *in;                /* readable: bytes, or the write end closed */
    struct stream *out;               /* writable: room, or the read end closed */
    struct listener *listening;       /* readable: a connection waits, or closed */
    bool want_in, want_out, want_rdhup;   /* POLLIN, POLLOUT, POLLRDHUP */
    bool epoll;                       /* in is an epoll instance's list (the
                                         wait is an epoll_wait on it) */
    bool nval;                        /* report an end closed with its descriptor
                                         (before the poll's first step) */
    bool holds_file;                  /* hold its file while waiting (poll and
                                         select do, epoll_wait does not) */
    const bool *number_closed;        /* its descriptor's number was closed
                                         (a dup may keep the ends): POLLNVAL */
    const unsigned *stamp;            /* (or NULL) readable too once *stamp is not
                                         stamp_seen (read at the step): an epoll
                                         list changed since the wishes were made */
    unsigned stamp_seen;
    const bool *off;                  /* an epoll entry's EPOLLONESHOT: it finds
                                         nothing while *off (read at the step) */
    bool entry;                       /* an epoll entry: it finds nothing once its
                                         file's last descriptor closed */
    bool ready_outside;               /* ready by what the poll does not see (a UDP
                                         socket's sends never wait), and its report
                                         changes the entry (EPOLLET, EPOLLONESHOT):
                                         the poll's step is a write, never a look */
    const struct stream_edge *edge;   /* (or NULL) EPOLLET: it finds what is ready
                                         only while an edge is pending (read at
                                         the step) */
    const uint64_t *own_bits;         /* (or NULL) a signalfd's: what is pending
                                         in the polling thread (stream_bits) */
    short revents;                    /* set by stream_poll: stream_poll_bits */
    bool gone;                        /* set by stream_poll: that end was closed */
    bool gone_waiting;                /* set by stream_poll: found gone after it
                                         waited (select reports it ready) */
};

/* What a poll of w finds now, as Linux's poll bits: POLLIN, POLLOUT and
** POLLRDHUP when wished for, POLLHUP and POLLERR always. A pipe's widowed
** read end has POLLHUP, its widowed write end POLLERR (pipe_poll); a socket
** (both streams) POLLHUP only once both its directions are shut, POLLIN
** and POLLRDHUP once its read side is, POLLERR while a reset waits
** (unix_poll); a listener POLLIN while a connection waits or once it is
** shut down. */
short stream_poll_bits(const struct stream_poll *w);

/* The wake-ups w's ends had so far that an edge-triggered entry with w's
** wishes is queued by: bytes or a count arriving (a timerfd's expirations
** by the clock) when it wants POLLIN, room made when it wants POLLOUT,
** a close, shutdown or reset of either end, a connection queued. A sum of
** counts that only grow: it changes whenever one of them does. */
uint64_t stream_edges(const struct stream_poll *w);

/* Is an edge of w's pending: armed, or a wake-up since it last reported? */
bool stream_edge_pending(const struct stream_poll *w);

/* Visible. Wait until one of the n wishes holds, for at most timeout_ns
** of virtual time (< 0: no limit; 0: only look): how many hold (0: timed
** out). Its objects, each wish's streams and file, and the clock, are at
** most SCHED_MAX_OBJS - 2. */
enum stream_poll_call { STREAM_POLL, STREAM_SELECT, STREAM_EPOLL_WAIT };   /* its steps' name */
int stream_poll(struct exec *x, enum stream_poll_call call, struct stream_poll *p, int n,
                int64_t timeout_ns, struct sched_loc at);

/* Scheduler-free looks at a stream's state (right after a visible step). */
size_t stream_buffered(const struct stream *s);
/* What a read would find: the bytes buffered, or the oldest message's. */
size_t stream_next_read(const struct stream *s);
bool stream_writer_closed(const struct stream *s);
bool stream_reader_closed(const struct stream *s);
const char *stream_name(const struct stream *s);
/* Name s anew: the program spelled what the call that made it could not
** see (an epoll instance, an eventfd: posix/io.c). */
void stream_rename(struct stream *s, const char *name);

#endif
