/*
** io.c -- file descriptors of a pthread program: pipes, socket pairs and
** sockets between its threads (stream, Unix datagram, UDP) are weft
** streams (sync/stream.h), and epoll instances poll them, so a read that
** waits for a write is a visible wait and a deadlock through a pipe is a
** deadlock. Every other descriptor (a regular file, a terminal, a socket
** to the world) is the real one: a call on it passes through when it
** cannot block, and when it would block weft stops the execution at its
** line as STUCK rather than hang.
**
** A stream's descriptor is a real one too, a /dev/null opened to reserve
** its number, so numbers never collide with the program's real files; they
** start at FIRST_MODELLED_FD, so that a run and its replay number them
** alike (and name connections and give ports alike). The reservations an execution leaves open
** (it ended in a deadlock) are closed before the next one (posix_io_reset).
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stdarg.h>
#include "weft_pthread.h"
#include "posix/state.h"
#include "sync/stream.h"
#include "sync/sync.h"

#define uthash_malloc(size)      arena_alloc(&x->arena, (size))
#define uthash_free(ptr, size)   ((void)(ptr), (void)(size))
#define uthash_nonfatal_oom(e)   (x->program->oom = true)
#include <uthash.h>

/* A pipe's capacity, as Linux's default. */
#define PIPE_CAPACITY 65536
/* What a loopback TCP connection holds each way before its writer waits:
** Linux's send buffer autotunes up to net.ipv4.tcp_wmem's most, 4 MB by
** default, which a writer whose peer does not read reaches on loopback
** (measured: 3.9 MB at once, 4.2 MB a little later). */
#define TCP_CAPACITY (4 * 1024 * 1024)

/* A descriptor of the program that weft models. */
/* What belongs to an open file, not to a descriptor: its dups share it
** (Linux's file status flags and socket options). */
struct file_flags {
    bool nonblock;                    /* O_NONBLOCK */
    int64_t rcvtimeo, sndtimeo;       /* SO_RCVTIMEO, SO_SNDTIMEO in ns: 0 none;
                                         < 0 a negative one, which Linux
                                         turns into "do not wait" */
    size_t sndbuf;                    /* a Unix socket's SO_SNDBUF as set (doubled),
                                         or 0: the default */
};

struct posix_fd {
    int fd;
    struct stream *in;                /* what it reads, or NULL */
    struct stream *out;               /* what it writes, or NULL */
    struct file_flags *flags;         /* its open file's, which dups share */
    bool socket;
    int type;                         /* a socket pair's: SOCK_STREAM, _DGRAM, _SEQPACKET;
                                         socket()'s: _DGRAM, _SEQPACKET, or 0 */
    /* a Unix datagram socket made by socket(): see "Unix datagram sockets" */
    bool addressed;                   /* its queue's messages carry their sender */
    bool out_addressed;               /* what it is connected to is such a queue */
    const struct posix_name *name;    /* its bound name, or NULL */
    const struct posix_name *last_from;   /* the sender of the message read last */
    unsigned char *scratch;           /* room to read a message with its sender */
    /* a loopback socket made by socket(): its addresses, its queue once listening */
    int family;                       /* 0: a pipe or a socket pair's end */
    bool bound;
    struct sockaddr_storage local, peer;
    socklen_t local_len, peer_len;
    struct listener *listening;
    struct epoll_set *epoll;          /* an epoll instance's: see "epoll" */
    bool eventfd;                     /* in == out: an eventfd's count; a
                                         timerfd's (in alone) */
    struct timer_impl *timer;         /* a timerfd's: what adds to the count */
    clockid_t timer_clock;            /* and the clock its absolute times are on */
    struct stream_bits *signals;      /* a signalfd's: the signals it reads (in is
                                         its stream, which only polls look at) */
    bool spelled;                     /* an eventfd named as the program spells it */
    bool closed;                      /* its number was closed (a poll that
                                         waits on it finds POLLNVAL) */
    struct posix_fd *next_held;       /* a listening socket whose number was closed
                                         while an accept waits on it: in the
                                         execution's held_listeners (bound_at) */
    UT_hash_handle hh;
};

/* A UDP socket (AF_INET or AF_INET6 datagrams): see "UDP sockets". */
static bool is_udp(const struct posix_fd *f)
{
    return f->type == SOCK_DGRAM && (f->family == AF_INET || f->family == AF_INET6);
}

static _Noreturn void no_memory(struct exec *x, struct sched_loc at)
{
    sched_fail(x, WEFT_ASSERTION, at, "out of memory for the program's descriptors");
}

/* The modelled descriptor fd of this execution, or NULL. */
static struct posix_fd *fd_find(struct exec *x, int fd)
{
    struct posix_exec *st = posix_state(x);
    struct posix_fd *f = NULL;
    if (st)
        HASH_FIND_INT(st->fds, &fd, f);
    return f;
}

bool posix_io_modelled(struct exec *x, int fd)
{
    return fd_find(x, fd) != NULL;
}

/* ==========================================================================
** Reserved numbers
** ========================================================================== */

static struct posix_program *program_of(struct exec *x)
{
    return (struct posix_program *)posix_program_of(x);   /* the loader's, not const */
}

/* ==========================================================================
** Numbers closed and taken again
** ==========================================================================
** A modelled descriptor's number that the program closed is taken again
** by the next pipe, socketpair, socket, accept, epoll_create or dup of the
** thread that closed it (its lowest such number, as Linux gives the lowest
** free one), or by a dup2 onto it; and a thread that still holds the old
** number then reads, writes or closes the new descriptor: a real bug,
** which depends on whether its call comes before or after the taking. So
** taking a closed number again is a step on the number ("reuse fd 103"),
** and every call on a number this execution closed looks at it first, in
** a step of its own ("use fd 103"), after which the call finds the
** descriptor there or the number closed (EBADF): the searches order the
** two as a write and a read of one object. The look also touches the
** streams (or listening queue) that the number names, or named when it
** was closed, so that it is ordered with their close: a read that came
** before another thread's close, and blocks (closing a descriptor wakes
** no thread that reads it, on Linux), is tried too. A number never closed
** in the execution costs no step.
**
** Only the thread that closed a number, or one that joined that thread
** since, takes it again (until then weft keeps it reserved): on Linux
** whichever thread asks first gets it, a race on the table of numbers
** that every open and close would have to be a step on; which new
** descriptor gets which number is not explored (README, Limits), nor the
** reuse of a real file's number.
*/
struct closed_fd {
    struct sched_obj obj;             /* first: what the steps touch */
    int fd;
    int closer;                       /* the thread that closed it */
    struct stream *in, *out;          /* what it was an end of when closed */
    struct listener *listening;       /* or the queue it listened on */
    bool taken;                       /* taken again since */
    bool taken_in_dup2;               /* by the dup2 that closed it, with no
                                         step on the number (reserve_at) */
    UT_hash_handle hh;
};

static const struct sched_objclass number_class = { .name = "descriptor number" };
static const struct sched_opclass reuse_class = { .verb = "reuse" };

/* The call's look at a number: what it touches, whether it found it closed. */
struct number_look {
    struct sched_op op;
    struct closed_fd *number;
    const struct sched_obj *objs[6];  /* the number; the ends it names, and
                                         named before its close */
    int nobjs;
};

static void look_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;                  /* a look: a read for the searches */
    op->note = OP_OF(op, struct number_look, op)->number->taken ? NULL : "closed";
}

static bool always_reads(struct exec *x, struct sched_op *op);

static int look_objects(const struct sched_op *op, const struct sched_obj **objs, int max)
{
    const struct number_look *l = OP_OF(op, const struct number_look, op);
    int n = l->nobjs < max ? l->nobjs : max;
    for (int i = 0; i < n; i++)
        objs[i] = l->objs[i];
    return n;
}

static const struct sched_opclass look_class = {
    .verb = "use", .apply = look_apply, .objects = look_objects, .reads_only = always_reads,
};

/* fd as a number this execution closed, or NULL. */
static struct closed_fd *closed_number(struct exec *x, int fd)
{
    struct posix_exec *st = posix_state(x);
    struct closed_fd *c = NULL;
    if (st && fd >= 0)
        HASH_FIND_INT(st->closed, &fd, c);
    return c;
}

/* Was fd closed in this execution and not taken since? */
static bool number_closed(struct exec *x, int fd)
{
    struct closed_fd *c = closed_number(x, fd);
    return c && !c->taken;
}

/* Taking the closed number c again: a step. */
static void number_taken(struct exec *x, struct closed_fd *c, struct sched_loc at)
{
    struct sched_op op = { .cls = &reuse_class, .obj = &c->obj, .loc = at };
    sched_visible(x, &op);
    c->taken = true;
}

/* Did the running thread's close of a number, or one by a thread it
** joined since, come before it for sure (by its own order, not by a race)? */
static bool closed_before(struct exec *x, const struct closed_fd *c)
{
    const struct posix_thread *closer = c->closer < x->program->cap
                                      ? x->program->threads[c->closer] : NULL;
    return c->closer == x->current->id ||
           (closer && closer->joined && closer->joined_by == x->current->id + 1);
}

/* The lowest number closed before (closed_before) that nobody took since,
** or NULL. */
static struct closed_fd *own_closed_number(struct exec *x)
{
    struct closed_fd *low = NULL;
    for (struct closed_fd *c = x->program ? x->program->closed : NULL; c; c = c->hh.next)
        if (!c->taken && (low == NULL || c->fd < low->fd) && closed_before(x, c))
            low = c;
    return low;
}

static void look_add(struct number_look *l, const struct sched_obj *o)
{
    for (int i = 0; i < l->nobjs; i++)
        if (l->objs[i] == o)
            return;
    if (l->nobjs < (int)(sizeof l->objs / sizeof *l->objs))
        l->objs[l->nobjs++] = o;
}

/* What a look touches besides the number: a descriptor's ends. */
static void number_look_add(struct number_look *l, struct stream *in, struct stream *out,
                            struct listener *listening)
{
    if (in)
        look_add(l, stream_object(in));
    if (out)
        look_add(l, stream_object(out));
    if (listening)
        look_add(l, listener_object(listening));
}

/*
** A dup, fcntl's F_GETFL and F_SETFL, and the close of a descriptor whose
** ends a dup keeps open change or copy what a number names without a step
** on its ends, yet another thread's call on those ends, or its close of
** the number, must be ordered with them: each is a step on the ends (a
** read for dup and F_GETFL, a write for the others), after which the call
** acts, unless another thread closed the number meanwhile (then false:
** the call fails with EBADF). Before, none was a step, and the orders of
** a dup, or of such a close, with another thread's read were not all run.
*/
static void copies_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;                  /* a read for the searches */
}

static const struct sched_opclass dup_class = {
    .verb = "dup", .apply = copies_apply, .objects = look_objects, .reads_only = always_reads,
};
static const struct sched_opclass get_flags_class = {
    .verb = "get flags", .apply = copies_apply, .objects = look_objects,
    .reads_only = always_reads,
};
static const struct sched_opclass set_flags_class = { .verb = "set flags", .objects = look_objects };
static const struct sched_opclass bytes_ready_class = {
    .verb = "bytes ready", .apply = copies_apply, .objects = look_objects,
    .reads_only = always_reads,
};
static const struct sched_opclass close_shared_class = { .verb = "close", .objects = look_objects };
static const struct sched_opclass get_option_class = {
    .verb = "get option", .apply = copies_apply, .objects = look_objects,
    .reads_only = always_reads,
};
static const struct sched_opclass set_option_class = { .verb = "set option", .objects = look_objects };

/* A step of cls on the ends fd names (none: no step), its note's format
** and numbers for the step log; is fd still f after it? */
static bool step_on_ends_noted(struct exec *x, int fd, struct posix_fd *f,
                               const struct sched_opclass *cls, struct sched_loc at,
                               const char *note, int a, int b)
{
    struct number_look l = { .op = { .cls = cls, .loc = at, .note = note, .note_a = a,
                                     .note_b = b } };
    number_look_add(&l, f->in, f->out_addressed ? NULL : f->out, f->listening);
    if (l.nobjs > 0) {
        l.op.obj = (struct sched_obj *)l.objs[0];
        sched_visible(x, &l.op);
    }
    return fd_find(x, fd) == f;
}

static bool step_on_ends(struct exec *x, int fd, struct posix_fd *f,
                         const struct sched_opclass *cls, struct sched_loc at)
{
    return step_on_ends_noted(x, fd, f, cls, at, NULL, 0, 0);
}

/* A call on fd begins: if this execution closed that number, the call
** looks at it in a step, and what it finds after is what it acts on. */
static void number_look(struct exec *x, int fd, struct sched_loc at)
{
    struct closed_fd *c = closed_number(x, fd);
    if (c == NULL)
        return;
    struct number_look l = { .op = { .cls = &look_class, .obj = &c->obj, .loc = at },
                             .number = c, .objs = { &c->obj }, .nobjs = 1 };
    struct posix_fd *f = c->taken ? fd_find(x, fd) : NULL;
    if (f)
        number_look_add(&l, f->in, f->out, f->listening);
    /* The ends it named before its close too, while closed, or when a dup2
    ** onto it closed them and took the number back in one call, with no
    ** step on the number: this look is then ordered with that close (DPOR
    ** ran only the call that came after the dup2). */
    if (!c->taken || c->taken_in_dup2)
        number_look_add(&l, c->in, c->out, c->listening);
    sched_visible(x, &l.op);
}

/* The number fd, a modelled end of in and out or a listening queue, is
** closed by the running thread (its reservation is kept). */
static void number_closes(struct exec *x, int fd, struct stream *in, struct stream *out,
                          struct listener *listening, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    struct closed_fd *c = closed_number(x, fd);
    if (st == NULL)
        no_memory(x, at);
    if (c == NULL) {
        char name[SCHED_NAME_MAX];
        snprintf(name, sizeof name, "fd %d", fd);
        if ((c = object_new(x, &number_class, sizeof *c, name)) == NULL)
            no_memory(x, at);
        object_rekey(x, &c->obj, sched_mix(0x6664, (uint64_t)fd));   /* named by the number */
        c->fd = fd;
        HASH_ADD_INT(st->closed, fd, c);
        if (st->oom)
            no_memory(x, at);
    }
    c->in = in;
    c->out = out;
    c->listening = listening;
    c->closer = x->current->id;
    c->taken = c->taken_in_dup2 = false;
}

/* A call on fd begins: its look at the number, if this execution closed
** it; true when the number is closed now (the call fails with EBADF). */
static bool number_gone(struct exec *x, int fd, struct sched_loc at)
{
    number_look(x, fd, at);
    return number_closed(x, fd);
}

/* A descriptor an execution opened, and what it was open on: closed
** before the next execution only if it still is (the program may have
** closed it some other way, fclose of fdopen, and the number be weft's). */
struct posix_owned {
    int fd;
    dev_t dev;
    ino_t ino;
};

/* Remember fd, a real descriptor the execution opened, to close it
** before the next execution if the program does not: fd, or -1 (errno
** set) when there is no memory to remember it. */
static int own(struct exec *x, int fd)
{
    struct posix_program *p = program_of(x);
    struct stat st;
    if (fd < 0)
        return fd;
    if (p->nreserved == p->reserved_cap) {
        int cap = p->reserved_cap ? 2 * p->reserved_cap : 16;
        struct posix_owned *r = realloc(p->reserved, (size_t)cap * sizeof *r);
        if (r == NULL) {
            close(fd);
            errno = ENOMEM;
            return -1;
        }
        p->reserved = r;
        p->reserved_cap = cap;
    }
    if (fstat(fd, &st) != 0)
        st = (struct stat){ 0 };
    p->reserved[p->nreserved++] = (struct posix_owned){ fd, st.st_dev, st.st_ino };
    return fd;
}

/* Stream ends take the lowest numbers free from this one up: the same in
** a run and its replay, whatever descriptors weft itself holds below. */
#define FIRST_MODELLED_FD 100

/* A real descriptor number for a stream end: the lowest one the thread
** closed (kept reserved: a step), else a new one; -1 with errno set. */
static int reserve(struct exec *x, struct sched_loc at)
{
    struct closed_fd *c = own_closed_number(x);
    if (c) {
        number_taken(x, c, at);
        return c->fd;
    }
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0)
        return -1;
    int fd = fcntl(null, F_DUPFD_CLOEXEC, FIRST_MODELLED_FD);
    close(null);
    return own(x, fd);
}

/* fd is no longer the execution's to close. */
static void disown(struct exec *x, int fd)
{
    struct posix_program *p = program_of(x);
    for (int i = 0; i < p->nreserved; i++)
        if (p->reserved[i].fd == fd) {
            p->reserved[i] = p->reserved[--p->nreserved];
            break;
        }
}

/* fd is closed by the program: forget it (and close it). */
static int unreserve(struct exec *x, int fd)
{
    disown(x, fd);
    return close(fd);
}

void posix_io_reset(struct posix_program *p)
{
    struct stat st;
    for (int i = 0; i < p->nreserved; i++) {
        const struct posix_owned *o = &p->reserved[i];
        if (fstat(o->fd, &st) == 0 && st.st_dev == o->dev && st.st_ino == o->ino)
            close(o->fd);
    }
    p->nreserved = 0;
}

void posix_io_release(struct posix_program *p)
{
    posix_io_reset(p);
    free(p->reserved);
    p->reserved = NULL;
    p->reserved_cap = 0;
}

/* A new modelled descriptor for in/out, or -1 (errno set). */
static int fd_new(struct exec *x, struct stream *in, struct stream *out, bool nonblock,
                  bool socket, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    struct posix_fd *f = st ? arena_alloc(&x->arena, sizeof *f) : NULL;
    if (f == NULL)
        no_memory(x, at);
    f->fd = reserve(x, at);
    if (f->fd < 0)
        return -1;
    struct file_flags *flags = arena_alloc(&x->arena, sizeof *flags);
    if (flags == NULL)
        no_memory(x, at);
    *flags = (struct file_flags){ .nonblock = nonblock };
    *f = (struct posix_fd){ .fd = f->fd, .in = in, .out = out, .flags = flags,
                            .socket = socket };
    if (in || out)
        stream_file_new(x, in, out, NULL, at);
    HASH_ADD_INT(st->fds, fd, f);
    if (st->oom)
        no_memory(x, at);
    return f->fd;
}

/* ==========================================================================
** Descriptors outside the model
** ========================================================================== */

/* Would a call wanting events on the real descriptor fd block? */
static bool would_block(int fd, short events)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_NONBLOCK))
        return false;                 /* not open (the call fails), or never blocks */
    struct pollfd p = { .fd = fd, .events = events };
    return poll(&p, 1, 0) == 0;
}

static _Noreturn void blocks_outside(struct exec *x, const char *call, struct sched_loc at)
{
    sched_fail(x, WEFT_STUCK, at,
               "%s would block outside weft: only pipes, socket pairs, sockets, "
               "eventfds and epoll instances between the program's threads are "
               "modelled (README: Running a pthread program)",
               call);
}

static bool is_output(int fd) { return fd == STDOUT_FILENO || fd == STDERR_FILENO; }

/* A stdio read of f: standard input with nothing buffered whose read
** would block stops the execution at the call's line (weft has no input
** to give it, and a terminal would wait for a person); f otherwise. */
FILE *weft_program_stdin_at(FILE *f, const char *call, const char *file, int line)
{
    struct exec *x = sync_exec();
    bool buffered = f && f->_IO_read_ptr < f->_IO_read_end;     /* glibc's FILE */
    if (x && f == stdin && !buffered && would_block(fileno(f), POLLIN))
        blocks_outside(x, call, (struct sched_loc){ file, line });
    return f;
}

/* ==========================================================================
** pipe, pipe2, socketpair
** ========================================================================== */

static int close_fd(struct exec *x, int fd, struct sched_loc at);

/* "&p->fds" is "p->fds". */
static const char *spelled(const char *s) { return s == NULL ? "?" : s[0] == '&' ? s + 1 : s; }

int weft_pipe_at(int fds[2], int flags, const char *name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pipe2(fds, flags);
    struct sched_loc at = { file, line };
    if (flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT)) {
        errno = EINVAL;
        return -1;
    }
    struct stream *s = stream_new(x, spelled(name), PIPE_CAPACITY, at);
    stream_set_pages(s);
    bool nonblock = flags & O_NONBLOCK;
    int r = fd_new(x, s, NULL, nonblock, false, at);
    int w = r < 0 ? -1 : fd_new(x, NULL, s, nonblock, false, at);
    if (w < 0) {
        if (r >= 0)
            close_fd(x, r, at);
        return -1;
    }
    fds[0] = r;
    fds[1] = w;
    return 0;
}

int weft_socketpair_at(int domain, int type, int protocol, int sv[2], const char *name,
                       const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return socketpair(domain, type, protocol, sv);
    struct sched_loc at = { file, line };
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_UNIX || (kind != SOCK_STREAM && kind != SOCK_DGRAM &&
                              kind != SOCK_SEQPACKET))
        sched_fail(x, WEFT_UNSUPPORTED, at, "socketpair of %s is not supported by weft yet "
                   "(AF_UNIX with SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET is)",
                   domain != AF_UNIX ? "a domain but AF_UNIX" : "this type");
    char n01[SCHED_NAME_MAX], n10[SCHED_NAME_MAX];
    snprintf(n01, sizeof n01, "%s[0] to [1]", spelled(name));
    snprintf(n10, sizeof n10, "%s[1] to [0]", spelled(name));
    struct stream *a = stream_new(x, n01, PIPE_CAPACITY, at);
    struct stream *b = stream_new(x, n10, PIPE_CAPACITY, at);
    stream_set_charged(a, STREAM_UNIX_SNDBUF);
    stream_set_charged(b, STREAM_UNIX_SNDBUF);
    if (kind != SOCK_STREAM) {        /* message boundaries kept */
        stream_set_messages(a, kind == SOCK_SEQPACKET, 0);
        stream_set_messages(b, kind == SOCK_SEQPACKET, 0);
    }
    bool nonblock = type & SOCK_NONBLOCK;
    int s0 = fd_new(x, b, a, nonblock, true, at);
    int s1 = s0 < 0 ? -1 : fd_new(x, a, b, nonblock, true, at);
    if (s1 < 0) {
        if (s0 >= 0)
            close_fd(x, s0, at);
        return -1;
    }
    fd_find(x, s0)->type = fd_find(x, s1)->type = kind;
    sv[0] = s0;
    sv[1] = s1;
    return 0;
}

/* ==========================================================================
** read, write, recv, send
** ========================================================================== */

static ssize_t failed(int code)
{
    errno = code;
    return -1;
}

/* An eventfd: one descriptor that reads and writes one count
** (stream_set_counter). */
int weft_eventfd_at(unsigned int initval, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return eventfd(initval, flags);
    struct sched_loc at = { file, line };
    if (flags & ~(EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE))
        return (int)failed(EINVAL);
    struct stream *s = stream_new(x, "eventfd", sizeof(uint64_t), at);
    stream_set_counter(s, initval, flags & EFD_SEMAPHORE);
    int fd = fd_new(x, s, s, flags & EFD_NONBLOCK, false, at);
    if (fd >= 0)
        fd_find(x, fd)->eventfd = true;
    return fd;
}

/*
** A timerfd: an eventfd's count that only its timer adds to (sync/timer.c),
** on the descriptor's read side alone. A read takes the expirations (8
** bytes, or EINVAL), those due by the clock counted, and waits while there
** are none; a write fails with EINVAL; a poll finds
** it readable while its count is above 0, never writable. Its clocks are
** the virtual clock (CLOCK_BOOTTIME and the alarm clocks run as
** CLOCK_MONOTONIC and CLOCK_REALTIME do); TFD_TIMER_CANCEL_ON_SET never
** cancels, since the virtual realtime clock is never set.
*/
static clockid_t timerfd_clock(int clockid)
{
    switch (clockid) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_ALARM:
        return CLOCK_REALTIME;
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
        return CLOCK_MONOTONIC;
    default:
        return -1;
    }
}

int weft_timerfd_create_at(int clockid, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timerfd_create(clockid, flags);
    struct sched_loc at = { file, line };
    if (timerfd_clock(clockid) < 0 || (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)))
        return (int)failed(EINVAL);
    struct stream *s = stream_new(x, "timerfd", sizeof(uint64_t), at);
    stream_set_counter(s, 0, false);
    int fd = fd_new(x, s, NULL, flags & TFD_NONBLOCK, false, at);
    struct posix_fd *f = fd >= 0 ? fd_find(x, fd) : NULL;
    if (f) {
        f->eventfd = true;
        f->timer_clock = timerfd_clock(clockid);
        f->timer = timer_for_counter(x, s, stream_name(s), at);
    }
    return fd;
}

static int64_t timeout_of_ts(const struct timespec *ts);

static struct timespec ns_timespec(int64_t ns)
{
    return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

/* The timerfd fd names (after the call's look at the number), or NULL with
** errno EBADF (no descriptor), EINVAL (not a timerfd) or EFAULT (no value
** to read or write, arg). */
static struct posix_fd *timerfd_named(struct exec *x, int fd, const void *arg,
                                      struct sched_loc at)
{
    struct posix_fd *f = number_gone(x, fd, at) ? NULL : fd_find(x, fd);
    if (f && f->timer && arg)
        return f;
    bool real = f == NULL && fd >= 0 && !number_closed(x, fd) && fcntl(fd, F_GETFD) >= 0;
    errno = f && f->timer ? EFAULT : f || real ? EINVAL : EBADF;
    return NULL;
}

static void eventfd_spelled(struct posix_fd *f, const char *spelling);

int weft_timerfd_settime_at(int fd, int flags, const struct itimerspec *value,
                            struct itimerspec *old, const char *spelling, const char *file,
                            int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timerfd_settime(fd, flags, value, old);
    struct sched_loc at = { file, line };
    struct posix_fd *f = timerfd_named(x, fd, value, at);
    if (f == NULL)
        return -1;
    int64_t value_ns = timeout_of_ts(&value->it_value);   /* -2: EINVAL */
    int64_t interval = timeout_of_ts(&value->it_interval);
    if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) || value_ns < 0 || interval < 0)
        return (int)failed(EINVAL);
    eventfd_spelled(f, spelling);
    bool absolute = flags & TFD_TIMER_ABSTIME;
    int64_t first = value_ns == 0 ? -1 : absolute ? posix_virtual_deadline(f->timer_clock,
                                                                          &value->it_value)
                                                 : value_ns;
    int64_t was_first, was_interval;  /* (a disarmed one keeps its interval, as Linux's) */
    timer_set(x, f->timer, first, absolute, interval, &was_first, &was_interval, at);
    if (old)
        *old = (struct itimerspec){ ns_timespec(was_interval), ns_timespec(was_first) };
    return 0;
}

int weft_timerfd_gettime_at(int fd, struct itimerspec *cur, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return timerfd_gettime(fd, cur);
    struct sched_loc at = { file, line };
    struct posix_fd *f = timerfd_named(x, fd, cur, at);
    if (f == NULL)
        return -1;
    int64_t first, interval;
    timer_get(x, f->timer, &first, &interval, at);
    *cur = (struct itimerspec){ ns_timespec(interval), ns_timespec(first) };
    return 0;
}

/*
** A signalfd: a descriptor readable while a signal of its mask is pending
** for the reading thread or the process (posix/delivery.c takes them, as
** sigwaitinfo does, but only those left pending: the program blocks them).
** Its stream carries nothing; it gives the descriptor a file (close, dup,
** EBADF while closed), and polls and epoll read its readiness from its
** stream_bits. A mask update is a step on that stream, which its reads and
** polls touch. Not yet: a read or poll already waiting keeps watching the
** signals its mask had when it began (the kernel wakes it to look again).
*/
static bool wait_cancelled(struct exec *x);

static const struct sched_opclass signalfd_mask_class = { .verb = "signalfd" };

/* The signals of mask (SIGKILL and SIGSTOP silently left out, as Linux
** does) into b, with their objects. */
static void signalfd_mask(struct exec *x, struct stream_bits *b, const sigset_t *mask,
                          struct sched_loc at)
{
    b->want = posix_sigset_bits(mask);
    b->nobjs = 0;
    for (int sig = 1; sig <= POSIX_SIGNALS; sig++)
        if (b->want & (1ull << (sig - 1)))
            b->objs[b->nobjs++] = posix_signal_object(x, sig, at);
}

static int signalfd_new(struct exec *x, const sigset_t *mask, int flags, struct sched_loc at)
{
    struct stream_bits *b = arena_alloc(&x->arena, sizeof *b);
    if (b == NULL)
        no_memory(x, at);
    int fd = fd_new(x, NULL, NULL, flags & SFD_NONBLOCK, false, at);
    if (fd < 0)
        return -1;
    char name[SCHED_NAME_MAX];
    snprintf(name, sizeof name, "signalfd %d", fd);
    struct posix_fd *f = fd_find(x, fd);
    f->in = stream_new(x, name, 1, at);
    stream_file_new(x, f->in, NULL, NULL, at);
    b->shared = posix_signals_shared(x, at);
    signalfd_mask(x, b, mask, at);
    stream_set_bits(f->in, b);
    f->signals = b;
    return fd;
}

/* signalfd(fd, mask, flags): a new one (fd -1), or fd's mask replaced. */
int weft_signalfd_at(int fd, const sigset_t *mask, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return signalfd(fd, mask, flags);
    struct sched_loc at = { file, line };
    if (flags & ~(SFD_NONBLOCK | SFD_CLOEXEC))
        return (int)failed(EINVAL);
    if (mask == NULL)
        return (int)failed(EFAULT);
    if (fd == -1)
        return signalfd_new(x, mask, flags, at);
    struct posix_fd *f = number_gone(x, fd, at) ? NULL : fd_find(x, fd);
    if (f == NULL || f->signals == NULL) {
        bool real = f == NULL && fd >= 0 && !number_closed(x, fd) && fcntl(fd, F_GETFD) >= 0;
        return (int)failed(f || real ? EINVAL : EBADF);
    }
    struct sched_op op = { .cls = &signalfd_mask_class, .obj = stream_object(f->in), .loc = at };
    sched_visible(x, &op);            /* readers and polls see the new mask from here */
    signalfd_mask(x, f->signals, mask, at);
    return fd;
}

/* What a poll of f by the running thread reads besides its stream: for a
** signalfd, the signals pending in the thread. */
static const uint64_t *own_bits(struct exec *x, const struct posix_fd *f)
{
    struct posix_thread *t = f->signals ? posix_thread_self(x) : NULL;
    return t ? &t->sigpending : NULL;
}

/* A read of a signalfd: whole records, at least one (EINVAL), without
** waiting when nonblock (EAGAIN). */
static ssize_t signalfd_read(struct exec *x, struct posix_fd *f, void *buf, size_t n,
                             bool nonblock, struct sched_loc at)
{
    const size_t record = sizeof(struct signalfd_siginfo);
    if (n < record)
        return failed(EINVAL);
    size_t room = n / record < 64 ? n / record : 64;   /* (no more are ever pending) */
    struct signalfd_siginfo *out = arena_alloc(&x->arena, room * record);
    if (out == NULL)
        no_memory(x, at);
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
    int got = posix_signalfd_read(x, stream_object(f->in), f->signals, out, (int)room,
                                  nonblock || f->flags->nonblock, at);
    if (got == 0)
        return wait_cancelled(x) ? -1 : failed(EAGAIN);
    memcpy(buf, out, (size_t)got * record);
    return (ssize_t)((size_t)got * record);
}

/* ==========================================================================
** Cancellation points
** ==========================================================================
** The calls that may wait (read, write, recv, send and their vector,
** -from, -to and -msg forms, accept, connect, poll, ppoll, select,
** pselect, epoll_wait) and open and close are cancellation points, as
** POSIX and glibc have them. A request already there when the call begins
** is acted on before the call does anything; one that comes while the
** call waits ends the wait (its step "interrupted", as a condition
** variable's: posix/cancel.c), and the request is acted on, unless bytes
** went in or out before the wait, which the call returns (as a call
** that a signal interrupts after a partial transfer returns its count):
** the request then stays for the next point. A wait that could go on is never ended by a request: the
** call does what it can, and acts at its next point.
*/

/* The call about to begin: a request there now is acted on. A signal's
** handler that interrupts its wait makes it fail with EINTR unless the
** handler has SA_RESTART (poll, select and epoll_wait: always, as Linux
** has them; poll_point_enter). */
static void point_enter(struct exec *x, struct sched_loc at)
{
    posix_cancel_enter(x, true, at.file, at.line);
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
}

static void poll_point_enter(struct exec *x, struct sched_loc at)
{
    point_enter(x, at);
    posix_eintr_begin(x, POSIX_EINTR_ALWAYS);
}

/* The call's result, unless a request or a handler ended its wait with
** nothing done: then the request is acted on (never returns), or the
** call fails with EINTR. */
static long point_leave(struct exec *x, long result, struct sched_loc at)
{
    bool by_signal = posix_eintr_end(x);
    if (posix_cancel_leave(x) && result <= 0)
        posix_cancel_now(x, at.file, at.line);
    return by_signal && result <= 0 ? failed(EINTR) : result;
}

/* Did a cancellation request or a signal's handler end the wait the call
** just took? */
static bool wait_cancelled(struct exec *x)
{
    return x->current->interrupted || x->current->signal_cut;
}

/* ==========================================================================
** Names the threads share: socket addresses and the real files
** ========================================================================== */

/*
** Which socket is bound to an address, and which real files exist, is
** state the program's threads share with no stream between them: a
** connect that comes before the listen is refused, two binds of one port
** race, and of two opens with O_CREAT|O_EXCL only the first succeeds. So
** each call that reads or changes a name is a step on that name's object
** (one per port, Unix socket path or real file, made on first use and
** named by the name itself), and the searches order two calls on one name
** as they order any two on one object. A call that only looks a name up
** (a connect, a send to an address, an open that creates and truncates
** nothing) reads, and two reads commute. (Of the calls on real paths,
** open, fopen, unlink and rename are steps; mkdir, stat and the others
** pass through without one: README, Limits.)
*/
struct name_entry {
    struct sched_obj obj;             /* first: what the steps touch */
    const char *key;                  /* "file /tmp/x", "port 8080", "unix /tmp/s" */
    UT_hash_handle hh;
};

static void changes_nothing(struct exec *x, struct sched_op *op)
{
    (void)x;
    op->idle = true;                  /* a look-up: a read for the searches */
}

static bool always_reads(struct exec *x, struct sched_op *op)
{
    (void)x;
    (void)op;
    return true;
}

static const struct sched_objclass name_class = { .name = "name" };
static const struct sched_opclass bind_class = { .verb = "bind" };
static const struct sched_opclass listen_class = { .verb = "listen" };
static const struct sched_opclass unbind_class = { .verb = "unbind" };
static const struct sched_opclass connect_class = { .verb = "connect", .apply = changes_nothing,
                                                    .reads_only = always_reads };
static const struct sched_opclass sendto_class = { .verb = "send to", .apply = changes_nothing,
                                                   .reads_only = always_reads };
static const struct sched_opclass create_class = { .verb = "open" };
static const struct sched_opclass unlink_class = { .verb = "unlink" };
static const struct sched_opclass rename_class = { .verb = "rename" };
static const struct sched_opclass open_class = { .verb = "open", .apply = changes_nothing,
                                                 .reads_only = always_reads };

/* The step of a call on the name key (shown as shown). */
static void name_step(struct exec *x, const char *key, const char *shown,
                      const struct sched_opclass *cls, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    if (st == NULL)
        no_memory(x, at);
    struct name_entry *e = NULL;
    HASH_FIND_STR(st->names, key, e);
    if (e == NULL) {
        char *copy = arena_alloc(&x->arena, strlen(key) + 1);
        if (copy == NULL || (e = object_new(x, &name_class, sizeof *e, shown)) == NULL)
            no_memory(x, at);
        object_rekey(x, &e->obj, sched_text_key(key));   /* whichever thread names it first */
        e->key = strcpy(copy, key);
        HASH_ADD_KEYPTR(hh, st->names, e->key, strlen(e->key), e);
        if (st->oom)
            no_memory(x, at);
    }
    struct sched_op op = { .cls = cls, .obj = &e->obj, .loc = at };
    sched_visible(x, &op);
}

static void place_text(const struct sockaddr_storage *a, socklen_t len, char *buf, size_t n);
static int port_of(const struct sockaddr_storage *a);

/* A call on the socket address a: a port of this machine (any of its
** addresses: same_place), or a Unix socket's path or abstract name. */
static void socket_name_step(struct exec *x, const struct sockaddr_storage *a, socklen_t len,
                             const struct sched_opclass *cls, struct sched_loc at)
{
    char shown[SCHED_NAME_MAX], key[SCHED_NAME_MAX + 16];
    place_text(a, len, shown, sizeof shown);
    if (a->ss_family == AF_UNIX)
        snprintf(key, sizeof key, "unix %s", shown);
    else
        snprintf(key, sizeof key, "port%s %d", a->ss_family == AF_INET6 ? "6" : "",
                 port_of(a));
    name_step(x, key, shown, cls, at);
}

/* A call on the real file at path: named by its folder's real path and
** its own name, so that "x" and "./x" are one file (links to it are not). */
static void file_name_step(struct exec *x, const char *path, const struct sched_opclass *cls,
                           struct sched_loc at)
{
    char folder[PATH_MAX], real[PATH_MAX], key[PATH_MAX + 8];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - path) + 1 : 1,
             slash ? path : ".");
    if (realpath(folder, real) != NULL)
        snprintf(key, sizeof key, "file %s/%s", real, base);
    else
        snprintf(key, sizeof key, "file %s", path);
    name_step(x, key, path, cls, at);
}

/* ==========================================================================
** Unix datagram sockets made by socket()
** ==========================================================================
** Such a socket has a queue of messages (a stream that keeps them whole,
** which a peer's close does not end) that any socket sending to its bound
** name, or connected to it, writes into; so each message begins with its
** sender's bound name (NULL: unnamed), kept in the arena for the whole
** execution, which recvfrom and recvmsg give back.
*/

struct posix_name {
    socklen_t len;
    struct sockaddr_storage addr;
};

#define SENDER_HEAD sizeof(const struct posix_name *)

static void place_text(const struct sockaddr_storage *a, socklen_t len, char *buf, size_t n);

/* f's queue, made on first use: named by its bound name, if it has one. */
static struct stream *dgram_queue(struct exec *x, struct posix_fd *f, struct sched_loc at)
{
    if (f->in == NULL) {
        char name[SCHED_NAME_MAX];
        if (f->name)
            place_text(&f->name->addr, f->name->len, name, sizeof name);
        else
            snprintf(name, sizeof name, "datagram socket %d", f->fd);
        f->in = stream_new(x, name, PIPE_CAPACITY, at);
        stream_set_messages(f->in, false, SENDER_HEAD);
    }
    return f->in;
}

/* A message read from f's queue (peek: left there): its sender noted, its
** bytes into buf. */
static long addressed_read(struct exec *x, struct posix_fd *f, void *buf, size_t n,
                           struct stream_read_how how, size_t *whole, struct sched_loc at)
{
    if (f->scratch == NULL && (f->scratch = arena_alloc(&x->arena, PIPE_CAPACITY +
                                                        SENDER_HEAD)) == NULL)
        no_memory(x, at);
    size_t room = n < PIPE_CAPACITY ? n : PIPE_CAPACITY;   /* no message is longer */
    long got = stream_read_as(x, dgram_queue(x, f, at), f->scratch, room + SENDER_HEAD, how,
                              whole, at);
    if (got < (long)SENDER_HEAD)
        return got;
    memcpy(&f->last_from, f->scratch, SENDER_HEAD);
    memcpy(buf, f->scratch + SENDER_HEAD, (size_t)got - SENDER_HEAD);
    if (whole && *whole)
        *whole -= SENDER_HEAD;
    return got - (long)SENDER_HEAD;
}

/* A read of f; flags: MSG_DONTWAIT, MSG_PEEK (the bytes stay). whole: as
** stream_read's (NULL: not wanted). */
static ssize_t stream_in(struct exec *x, struct posix_fd *f, void *buf, size_t n, int flags,
                         size_t *whole, struct sched_loc at)
{
    if (f->epoll)
        return failed(EINVAL);
    if (f->signals)
        return signalfd_read(x, f, buf, n, flags & MSG_DONTWAIT, at);
    if (f->in == NULL && !f->addressed)
        return failed(f->family ? ENOTCONN : EBADF);
    struct stream_read_how how = {
        .nonblock = flags & MSG_DONTWAIT, .nonblock_flag = &f->flags->nonblock,
        .peek = flags & MSG_PEEK, .timeout_flag = &f->flags->rcvtimeo,
        .number_closed = &f->closed,
    };
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
    long got = f->addressed ? addressed_read(x, f, buf, n, how, whole, at)
                            : stream_read_as(x, f->in, buf, n, how, whole, at);
    return got == WEFT_EBUSY ? failed(EAGAIN) : got == STREAM_EBADF ? failed(EBADF)
         : got == STREAM_ECONNRESET ? failed(ECONNRESET) : got;
}

/* A write to a stream whose read end is closed: EPIPE, or the death by
** SIGPIPE that the program would die of if it does not ignore it. */
static ssize_t broken_pipe(struct exec *x, struct posix_fd *f, bool nosignal, struct sched_loc at)
{
    if (!nosignal && posix_sigpipe(x, at))
        sched_fail(x, WEFT_CRASH, at, "write to \"%s\" after its read end was closed: SIGPIPE "
                   "ends the program (ignore SIGPIPE, or send with MSG_NOSIGNAL)",
                   stream_name(f->out));
    return failed(EPIPE);
}

/* A write by f into out (its own out, or the queue sendto names; to_queue:
** a datagram socket's queue, where the message begins with f's name). */
static ssize_t stream_out_to(struct exec *x, struct posix_fd *f, struct stream *out,
                             bool to_queue, const void *buf, size_t n, bool nonblock,
                             bool nosignal, struct sched_loc at)
{
    if (out == NULL)
        return failed(f->family ? ENOTCONN : EBADF);
    size_t head = to_queue ? SENDER_HEAD : 0;
    if (f->type != 0 && f->type != SOCK_STREAM &&
        ((head && n > PIPE_CAPACITY) || !stream_message_fits(out, n + head)))
        return failed(EMSGSIZE);
    unsigned char small[STREAM_ATOMIC + SENDER_HEAD], *with = small;
    if (head && n > STREAM_ATOMIC && (with = arena_alloc(&x->arena, n + head)) == NULL)
        no_memory(x, at);
    if (head) {                       /* (a waiting write reads it from here later) */
        memcpy(with, &f->name, head);
        memcpy(with + head, buf, n);
        buf = with;
    }
    struct stream_write_how how = {
        .nonblock = nonblock, .nonblock_flag = &f->flags->nonblock,
        .timeout_flag = &f->flags->sndtimeo, .number_closed = &f->closed,
    };
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
    long put = stream_write_as(x, out, buf, n + head, how, at);
    if (put == STREAM_EBADF)
        return failed(EBADF);
    if (put == WEFT_ECLOSED && f->type == SOCK_DGRAM)
        return failed(ECONNREFUSED);  /* Linux: no SIGPIPE for a datagram */
    if (put == STREAM_ECONNRESET)
        return failed(ECONNRESET);    /* TCP: no SIGPIPE (stream.c: tcp_closed_write) */
    if (put == WEFT_ECLOSED)
        return broken_pipe(x, f, nosignal, at);
    return put == WEFT_EBUSY ? failed(EAGAIN) : put - (long)head;
}

static ssize_t udp_send(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                        const struct sockaddr *to, socklen_t len, struct sched_loc at);

static ssize_t stream_out(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                          bool nonblock, bool nosignal, struct sched_loc at)
{
    if (is_udp(f))                    /* write, writev, send: to the connected peer */
        return udp_send(x, f, buf, n, NULL, 0, at);
    if (f->epoll)
        return failed(EINVAL);
    return stream_out_to(x, f, f->out, f->out_addressed, buf, n, nonblock, nosignal, at);
}

/* Did a call on fd through f fail with EBADF because a dup2 onto fd came
** before its step? Then fd names another file, and the call is one on
** that file, as it would have looked the number up in its step (it failed
** with EBADF, which Linux never gives there: the call holds the old file,
** or finds the new one). */
static bool renamed_since(struct exec *x, int fd, const struct posix_fd *f, ssize_t result)
{
    return result < 0 && errno == EBADF && f->closed && fd_find(x, fd) != NULL &&
           fd_find(x, fd) != f;
}

static ssize_t read_fd(struct exec *x, int fd, void *buf, size_t n, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f && f->eventfd)               /* 8 bytes, or EINVAL */
        return n < sizeof(uint64_t) ? failed(EINVAL) : stream_in(x, f, buf, 8, 0, NULL, at);
    if (f) {
        ssize_t got = stream_in(x, f, buf, n, 0, NULL, at);
        return renamed_since(x, fd, f, got) ? read_fd(x, fd, buf, n, at) : got;
    }
    if (would_block(fd, POLLIN))
        blocks_outside(x, "read", at);
    return read(fd, buf, n);
}

ssize_t weft_read_at(int fd, void *buf, size_t n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return read(fd, buf, n);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, read_fd(x, fd, buf, n, at), at);
}

static ssize_t write_fd(struct exec *x, int fd, const void *buf, size_t n, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    uint64_t v = 0;
    if (f && (f->timer || f->signals))   /* timerfd_settime sets it; a signalfd has
                                         no write */
        return failed(EINVAL);
    if (f && f->eventfd && n >= sizeof v)
        memcpy(&v, buf, sizeof v);
    if (f && f->eventfd)               /* 8 bytes, not 2^64 - 1, or EINVAL */
        return n < sizeof v || v == UINT64_MAX ? failed(EINVAL)
                                               : stream_out(x, f, buf, 8, false, false, at);
    if (f) {
        ssize_t put = stream_out(x, f, buf, n, false, false, at);
        return renamed_since(x, fd, f, put) ? write_fd(x, fd, buf, n, at) : put;
    }
    if (is_output(fd))
        return posix_output(x, fd, buf, n);
    if (would_block(fd, POLLOUT))
        blocks_outside(x, "write", at);
    return write(fd, buf, n);
}

ssize_t weft_write_at(int fd, const void *buf, size_t n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return write(fd, buf, n);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, write_fd(x, fd, buf, n, at), at);
}

/* recv, recvfrom and recvmsg on a modelled descriptor: call names the
** call in a message. *whole: as stream_read's. */
static ssize_t recv_modelled(struct exec *x, struct posix_fd *f, void *buf, size_t n, int flags,
                             size_t *whole, const char *call, struct sched_loc at)
{
    if (flags & ~(MSG_DONTWAIT | MSG_WAITALL | MSG_NOSIGNAL | MSG_PEEK))
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s flags 0x%x are not supported by weft yet "
                   "(MSG_DONTWAIT, MSG_WAITALL and MSG_PEEK are)", call, (unsigned)flags);
    if ((flags & MSG_PEEK) && (flags & MSG_WAITALL))
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s with MSG_PEEK and MSG_WAITALL together is not "
                   "supported by weft yet (each alone is)", call);
    if (!f->socket)
        return failed(ENOTSOCK);
    ssize_t got = stream_in(x, f, buf, n, flags & (MSG_DONTWAIT | MSG_PEEK), whole, at);
    bool messages = f->type == SOCK_DGRAM || f->type == SOCK_SEQPACKET;
    while ((flags & MSG_WAITALL) && !messages && got > 0 && (size_t)got < n) {
        ssize_t more = stream_in(x, f, (char *)buf + got, n - (size_t)got, 0, NULL, at);
        if (more <= 0)
            break;
        got += more;
    }
    return got;
}

static struct posix_fd *datagram_target(struct exec *x, const struct posix_fd *f,
                                        const struct sockaddr_storage *a, socklen_t len);
static struct stream *dgram_queue(struct exec *x, struct posix_fd *f, struct sched_loc at);

/* A datagram to the Unix socket bound at to (Linux checks its length and
** family first: EINVAL). */
static ssize_t send_to_name(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                            int flags, const struct sockaddr *to, socklen_t len,
                            struct sched_loc at)
{
    struct sockaddr_storage a = { 0 };
    if (len <= offsetof(struct sockaddr_un, sun_path) || len > sizeof(struct sockaddr_un))
        return failed(EINVAL);
    memcpy(&a, to, len);
    if (a.ss_family != AF_UNIX)
        return failed(EINVAL);
    socket_name_step(x, &a, len, &sendto_class, at);
    struct posix_fd *t = datagram_target(x, f, &a, len);
    if (t == NULL)
        return -1;
    return stream_out_to(x, f, dgram_queue(x, t, at), true, buf, n, flags & MSG_DONTWAIT,
                         flags & MSG_NOSIGNAL, at);
}

/* send, sendto and sendmsg on a modelled descriptor; to: the address to
** send to (NULL, or len 0: none), as Linux takes it: ignored on a TCP
** socket and a seqpacket socket, EISCONN on a connected Unix stream
** socket, EOPNOTSUPP on an unconnected one, where it goes on a datagram
** socket. */
static ssize_t send_modelled(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                             int flags, const struct sockaddr *to, socklen_t len,
                             const char *call, struct sched_loc at)
{
    if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s flags 0x%x are not supported by weft yet "
                   "(MSG_DONTWAIT and MSG_NOSIGNAL are)", call, (unsigned)flags);
    if (!f->socket)
        return failed(ENOTSOCK);
    if (is_udp(f))
        return udp_send(x, f, buf, n, to, len, at);
    bool ignored = f->type == SOCK_SEQPACKET || (f->family && f->family != AF_UNIX);
    if (to == NULL || len == 0 || ignored)
        return stream_out(x, f, buf, n, flags & MSG_DONTWAIT, flags & MSG_NOSIGNAL, at);
    if (f->type != SOCK_DGRAM)
        return failed(f->in || f->out ? EISCONN : EOPNOTSUPP);
    return send_to_name(x, f, buf, n, flags, to, len, at);
}

static ssize_t recv_fd(struct exec *x, int fd, void *buf, size_t n, int flags,
                       struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLIN))
            blocks_outside(x, "recv", at);
        return recv(fd, buf, n, flags);
    }
    return recv_modelled(x, f, buf, n, flags, NULL, "recv", at);
}

ssize_t weft_recv_at(int fd, void *buf, size_t n, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return recv(fd, buf, n, flags);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, recv_fd(x, fd, buf, n, flags, at), at);
}

static ssize_t send_fd(struct exec *x, int fd, const void *buf, size_t n, int flags,
                       struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLOUT))
            blocks_outside(x, "send", at);
        return send(fd, buf, n, flags);
    }
    return send_modelled(x, f, buf, n, flags, NULL, 0, "send", at);
}

ssize_t weft_send_at(int fd, const void *buf, size_t n, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return send(fd, buf, n, flags);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, send_fd(x, fd, buf, n, flags, at), at);
}

/* ==========================================================================
** readv, writev, sendto, recvfrom, sendmsg, recvmsg
** ==========================================================================
** Each is read, write, recv or send on one buffer: the iovecs are gathered
** into one before a write (so a writev is one write, on a datagram socket
** one message) and filled from one after a read, so every rule of those
** calls holds as it is; an address to send to is send_modelled's.
*/

/* The iovecs' total length: 0, or -1 with errno EINVAL for a count or a
** total Linux refuses. */
static int iov_total(const struct iovec *iov, int n, size_t *total)
{
    *total = 0;
    if (n < 0 || n > IOV_MAX || (n > 0 && iov == NULL))
        return (int)failed(EINVAL);
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len > (size_t)SSIZE_MAX - *total)
            return (int)failed(EINVAL);
        *total += iov[i].iov_len;
    }
    return 0;
}

/* One buffer for the iovecs: the first one's when it is the only one with
** room, else room in the execution's arena, with their bytes (gather). */
static void *iov_buffer(struct exec *x, const struct iovec *iov, int n, size_t total,
                        bool gather, struct sched_loc at)
{
    for (int i = 0; i < n && total; i++)
        if (iov[i].iov_len == total)
            return iov[i].iov_base;
    unsigned char *buf = arena_alloc(&x->arena, total ? total : 1);
    if (buf == NULL)
        no_memory(x, at);
    for (size_t off = 0, i = 0; gather && i < (size_t)n; off += iov[i++].iov_len)
        memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
    return buf;
}

/* The got bytes read into buf handed out to the iovecs, in order. */
static void iov_scatter(const struct iovec *iov, int n, const unsigned char *buf, ssize_t got)
{
    for (int i = 0; i < n && got > 0; i++) {
        size_t k = iov[i].iov_len < (size_t)got ? iov[i].iov_len : (size_t)got;
        if (iov[i].iov_base != buf)
            memmove(iov[i].iov_base, buf, k);
        buf += k;
        got -= (ssize_t)k;
    }
}

static ssize_t readv_fd(struct exec *x, int fd, const struct iovec *iov, int n,
                        struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    size_t total;
    if (iov_total(iov, n, &total) != 0)
        return -1;
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (would_block(fd, POLLIN))
            blocks_outside(x, "readv", at);
        return readv(fd, iov, n);
    }
    void *buf = iov_buffer(x, iov, n, total, false, at);
    ssize_t got = stream_in(x, f, buf, total, 0, NULL, at);
    iov_scatter(iov, n, buf, got);
    return got;
}

ssize_t weft_readv_at(int fd, const struct iovec *iov, int n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return readv(fd, iov, n);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, readv_fd(x, fd, iov, n, at), at);
}

static ssize_t writev_fd(struct exec *x, int fd, const struct iovec *iov, int n,
                         struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    size_t total;
    if (iov_total(iov, n, &total) != 0)
        return -1;
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL && !is_output(fd)) {
        if (would_block(fd, POLLOUT))
            blocks_outside(x, "writev", at);
        return writev(fd, iov, n);
    }
    void *buf = iov_buffer(x, iov, n, total, true, at);
    return f ? stream_out(x, f, buf, total, false, false, at) : posix_output(x, fd, buf, total);
}

ssize_t weft_writev_at(int fd, const struct iovec *iov, int n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return writev(fd, iov, n);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, writev_fd(x, fd, iov, n, at), at);
}

/* recvfrom's and recvmsg's address of the sender: a Unix socket's peer
** bound to a name, a datagram's sender's; none (length 0, the buffer
** untouched) for a socket pair's, an unnamed one's and a TCP socket's,
** as Linux gives them. */
static void sender_address(const struct posix_fd *f, void *addr, socklen_t *len)
{
    if (addr == NULL || len == NULL)
        return;
    if (f->addressed && f->last_from) {
        memcpy(addr, &f->last_from->addr, *len < f->last_from->len ? *len : f->last_from->len);
        *len = f->last_from->len;
    } else if (!f->addressed && f->family == AF_UNIX && f->peer_len > sizeof(sa_family_t)) {
        memcpy(addr, &f->peer, *len < f->peer_len ? *len : f->peer_len);
        *len = f->peer_len;
    } else {
        *len = 0;
    }
}

static ssize_t sendto_fd(struct exec *x, int fd, const void *buf, size_t n, int flags,
                         const struct sockaddr *addr, socklen_t len, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLOUT))
            blocks_outside(x, "sendto", at);
        return sendto(fd, buf, n, flags, addr, len);
    }
    return send_modelled(x, f, buf, n, flags, addr, len, "sendto", at);
}

ssize_t weft_sendto_at(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
                       socklen_t len, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sendto(fd, buf, n, flags, addr, len);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, sendto_fd(x, fd, buf, n, flags, addr, len, at), at);
}

static ssize_t recvfrom_fd(struct exec *x, int fd, void *buf, size_t n, int flags,
                           struct sockaddr *addr, socklen_t *len, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLIN))
            blocks_outside(x, "recvfrom", at);
        return recvfrom(fd, buf, n, flags, addr, len);
    }
    ssize_t got = recv_modelled(x, f, buf, n, flags, NULL, "recvfrom", at);
    if (got >= 0)
        sender_address(f, addr, len);
    return got;
}

ssize_t weft_recvfrom_at(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                         socklen_t *len, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return recvfrom(fd, buf, n, flags, addr, len);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, recvfrom_fd(x, fd, buf, n, flags, addr, len, at), at);
}

/* Ancillary data to send (SCM_RIGHTS, credentials) is not modelled. */
static void no_control(struct exec *x, const struct msghdr *m, const char *call,
                       struct sched_loc at)
{
    if (m->msg_control && m->msg_controllen)
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s with ancillary data (msg_control) on a pipe or "
                   "socket between threads is not supported by weft yet", call);
}

static ssize_t sendmsg_fd(struct exec *x, int fd, const struct msghdr *m, int flags,
                          struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLOUT))
            blocks_outside(x, "sendmsg", at);
        return sendmsg(fd, m, flags);
    }
    size_t total;
    if (m->msg_iovlen > (size_t)IOV_MAX)
        return failed(EMSGSIZE);
    if (iov_total(m->msg_iov, (int)m->msg_iovlen, &total) != 0)
        return -1;
    no_control(x, m, "sendmsg", at);
    void *buf = iov_buffer(x, m->msg_iov, (int)m->msg_iovlen, total, true, at);
    return send_modelled(x, f, buf, total, flags, m->msg_name, m->msg_namelen, "sendmsg", at);
}

ssize_t weft_sendmsg_at(int fd, const struct msghdr *m, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return sendmsg(fd, m, flags);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, sendmsg_fd(x, fd, m, flags, at), at);
}

/* recvmsg: the iovecs filled, the sender's address, no ancillary data
** (none is ever sent), MSG_TRUNC when a message was cut to fit. */
static ssize_t recvmsg_fd(struct exec *x, int fd, struct msghdr *m, int flags,
                          struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLIN))
            blocks_outside(x, "recvmsg", at);
        return recvmsg(fd, m, flags);
    }
    size_t total, whole = 0;
    if (m->msg_iovlen > (size_t)IOV_MAX)
        return failed(EMSGSIZE);
    if (iov_total(m->msg_iov, (int)m->msg_iovlen, &total) != 0)
        return -1;
    void *buf = iov_buffer(x, m->msg_iov, (int)m->msg_iovlen, total, false, at);
    ssize_t got = recv_modelled(x, f, buf, total, flags, &whole, "recvmsg", at);
    if (got < 0)
        return got;
    iov_scatter(m->msg_iov, (int)m->msg_iovlen, buf, got);
    sender_address(f, m->msg_name, &m->msg_namelen);
    m->msg_controllen = 0;
    m->msg_flags = whole ? MSG_TRUNC : 0;
    return got;
}

ssize_t weft_recvmsg_at(int fd, struct msghdr *m, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return recvmsg(fd, m, flags);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return point_leave(x, recvmsg_fd(x, fd, m, flags, at), at);
}

/* ==========================================================================
** close, shutdown, fcntl, dup
** ========================================================================== */

static void udp_close_step(struct exec *x, const struct posix_fd *f, struct sched_loc at);

/* Does a descriptor other than f (a dup of it) still hold the end f
** reads from (in), writes to, or listens on? */
static bool end_shared(struct exec *x, const struct posix_fd *f, int which)
{
    for (const struct posix_fd *g = x->program->fds; g; g = g->hh.next)
        if (g != f && ((which == 0 && g->in == f->in) || (which == 1 && g->out == f->out) ||
                       (which == 2 && g->listening == f->listening)))
            return true;
    return false;
}

/* Does the close of f give its name up: the last descriptor of a bound
** socket (UDP's port has steps of its own: udp_close_step)? A connect, a
** send to the name or a bind looks it up after a step on the name, so the
** close is a step on it too, its last, with which the descriptor goes
** (a listener an accept holds keeps its name: bound_at). Without one, DPOR
** took a connect and the close of its listener for independent, and ran
** only the connect that came after the close (refused), never the one
** that came first. */
static bool gives_name_up(struct exec *x, const struct posix_fd *f)
{
    if (!f->bound || is_udp(f))
        return false;
    for (const struct posix_fd *g = x->program->fds; g; g = g->hh.next)
        if (g != f && g->in == f->in && g->out == f->out && g->listening == f->listening)
            return false;             /* a dup keeps it */
    return true;
}

static void socket_name_step(struct exec *x, const struct sockaddr_storage *a, socklen_t len,
                             const struct sched_opclass *cls, struct sched_loc at);

/* Does a descriptor other than owner (a dup) still hold its read or write
** end? (stream_close_unless, in the end's close step.) */
static bool end_kept(struct exec *x, const void *owner, bool read_end)
{
    return end_shared(x, owner, read_end ? 0 : 1);
}

/* What the close of f closes: the listener and UDP port that no other
** descriptor (a dup) holds (its ends: end_kept); shared: a dup holds one. */
struct close_plan {
    bool udp, listener, in, out, shared;
};

static struct close_plan close_plan(struct exec *x, const struct posix_fd *f)
{
    struct close_plan c = {
        .udp = is_udp(f) && f->bound && !end_shared(x, f, 0),
        .listener = f->listening && !end_shared(x, f, 2),
        .in = f->in && !end_shared(x, f, 0),
        .out = f->out && !f->out_addressed && !end_shared(x, f, 1),
    };
    c.shared = (f->in && !c.in) || (f->out && !f->out_addressed && !c.out) ||
               (f->listening && !c.listener);
    return c;
}

static int close_fd(struct exec *x, int fd, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL)
        return unreserve(x, fd);
    struct close_plan c = close_plan(x, f);
    bool ends = f->in || (f->out && !f->out_addressed);
    if (c.shared && !c.udp && !c.listener && !ends) {
        if (!step_on_ends(x, fd, f, &close_shared_class, at))
            return (int)failed(EBADF);   /* a dup keeps its listener: a step still */
        c = close_plan(x, f);         /* the dup's own close may have come first */
    }
    if (c.udp)
        udp_close_step(x, f, at);
    if (c.listener)
        listener_close(x, f->listening, at);
    if (c.listener && !listener_closed(f->listening)) {   /* an accept holds it */
        f->next_held = x->program->held_listeners;
        x->program->held_listeners = f;
    }
    /* Whether a dup keeps each end is decided in the end's close step. */
    if (f->in && stream_close_unless(x, f->in, true, end_kept, f, at) == STREAM_EBADF)
        return (int)failed(EBADF);
    if (f->out && !f->out_addressed)  /* (a queue others send to stays open) */
        stream_close_unless(x, f->out, false, end_kept, f, at);
    if (fd_find(x, fd) != f)          /* another thread's close came between its steps */
        return (int)failed(EBADF);
    if (gives_name_up(x, f) && !(f->listening && !listener_closed(f->listening)))
        socket_name_step(x, &f->local, f->local_len, &unbind_class, at);   /* last: the
                                         rest of the close comes with it */
    if (fd_find(x, fd) != f)
        return (int)failed(EBADF);
    number_closes(x, fd, f->in, f->out, f->listening, at);
    HASH_DEL(x->program->fds, f);     /* its number stays reserved for its reuse */
    f->closed = true;
    return 0;
}

int weft_close_at(int fd, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return close(fd);
    struct sched_loc at = { file, line };
    point_enter(x, at);               /* it never waits: a request is acted on first */
    return (int)point_leave(x, close_fd(x, fd, at), at);
}

/* What a poll finds on listening socket f once shut down (how): Linux's
** TCP listener is closed (POLLHUP: tcp_disconnect); a Unix one is readable,
** and hung up once both ways are shut (unix_poll). */
static short listener_shut_bits(const struct posix_fd *f, int how)
{
    if (f->family != AF_UNIX)
        return POLLHUP;
    return how == SHUT_RDWR ? POLLIN | POLLHUP : POLLIN;
}

int weft_shutdown_at(int fd, int how, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return shutdown(fd, how);
    struct sched_loc at = { file, line };
    if (number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL)
        return shutdown(fd, how);
    if (!f->socket)
        return (int)failed(ENOTSOCK);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return (int)failed(EINVAL);
    if (is_udp(f))
        sched_fail(x, WEFT_UNSUPPORTED, at, "shutdown of a UDP socket is not supported by weft "
                   "yet (close is)");
    if (how != SHUT_WR && f->listening)  /* a Unix socket's queue is still accepted */
        listener_shutdown(x, f->listening, f->family == AF_UNIX, listener_shut_bits(f, how), at);
    if (how != SHUT_WR && f->in && !stream_reader_closed(f->in))
        stream_shutdown(x, f->in, true, at);
    if (how != SHUT_RD && f->out && !f->out_addressed && !stream_writer_closed(f->out))
        stream_shutdown(x, f->out, false, at);
    return 0;
}

static int modelled_fcntl(struct exec *x, struct posix_fd *f, int cmd, long arg,
                          struct sched_loc at)
{
    switch (cmd) {
    case F_GETFL:
        return (f->in && f->out ? O_RDWR : f->in ? O_RDONLY : O_WRONLY) |
               (f->flags->nonblock ? O_NONBLOCK : 0);
    case F_SETFL:
        f->flags->nonblock = (arg & O_NONBLOCK) != 0;
        return 0;
    case F_GETFD:
        return FD_CLOEXEC;
    case F_SETFD:
        return 0;
    default:
        sched_fail(x, WEFT_UNSUPPORTED, at, "fcntl command %d on a pipe or socket pair is not "
                   "supported by weft yet (F_GETFL, F_SETFL, F_GETFD, F_SETFD are)", cmd);
    }
}

/*
** ioctl, fstat and lseek on a modelled descriptor answer as Linux does for
** a pipe or socket (they reached weft's /dev/null: FIONBIO was lost, a
** false deadlock; FIONREAD failed; fstat said a character device).
** FIONREAD looks at the stream in a step (it reads what other threads
** change), FIONBIO sets O_NONBLOCK as F_SETFL does.
*/
static int modelled_ioctl(struct exec *x, int fd, struct posix_fd *f, unsigned long request,
                          void *arg, struct sched_loc at)
{
    if (request == FIONBIO || request == FIONREAD) {
        const struct sched_opclass *cls = request == FIONBIO ? &set_flags_class
                                                               : &bytes_ready_class;
        if (arg == NULL)
            return (int)failed(EFAULT);
        if (!step_on_ends(x, fd, f, cls, at))
            return (int)failed(EBADF);
        if (request == FIONBIO)
            f->flags->nonblock = *(const int *)arg != 0;
        else
            *(int *)arg = f->in && !f->eventfd ? (int)stream_next_read(f->in) : 0;
        return 0;
    }
    if (request == FIOCLEX || request == FIONCLEX)
        return 0;
    sched_fail(x, WEFT_UNSUPPORTED, at, "ioctl request %#lx on a pipe or socket is not supported "
               "by weft yet (FIONREAD, FIONBIO, FIOCLEX and FIONCLEX are)", request);
}

int weft_ioctl_at(const char *file, int line, int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);   /* a pointer or an int, as glibc reads it */
    va_end(ap);
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x && number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    return f ? modelled_ioctl(x, fd, f, request, arg, at) : ioctl(fd, request, arg);
}

int weft_fstat_at(int fd, struct stat *st, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x && number_gone(x, fd, (struct sched_loc){ file, line }))
        return (int)failed(EBADF);
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    if (f == NULL)
        return fstat(fd, st);
    memset(st, 0, sizeof *st);        /* an anonymous inode: eventfd, epoll */
    st->st_mode = f->socket ? S_IFSOCK | 0777
                : f->eventfd || f->epoll || f->signals ? 0600 : S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = (ino_t)fd;
    return 0;
}

/* Does a call that moves bytes between two descriptors in the kernel
** (sendfile, splice) name a modelled one? Then weft cannot do it: it is
** named as not supported (the bytes would go to weft's /dev/null). */
static bool either_modelled(int a, int b)
{
    struct exec *x = sync_exec();
    return x && (fd_find(x, a) || fd_find(x, b) || number_closed(x, a) || number_closed(x, b));
}

ssize_t weft_sendfile_at(int out, int in, __off64_t *off, size_t n, const char *file, int line)
{
    if (either_modelled(out, in))
        return weft_program_unsupported_at("sendfile on a pipe or socket", file, line);
    return sendfile(out, in, off, n);
}

ssize_t weft_splice_at(int in, __off64_t *in_off, int out, __off64_t *out_off, size_t n,
                       unsigned flags, const char *file, int line)
{
    if (either_modelled(in, out))
        return weft_program_unsupported_at("splice on a pipe or socket", file, line);
    return splice(in, in_off, out, out_off, n, flags);
}

ssize_t weft_tee_at(int in, int out, size_t n, unsigned flags, const char *file, int line)
{
    if (either_modelled(in, out))
        return weft_program_unsupported_at("tee on a pipe", file, line);
    return tee(in, out, n, flags);
}

ssize_t weft_copy_file_range_at(int in, __off64_t *in_off, int out, __off64_t *out_off,
                                size_t n, unsigned flags, const char *file, int line)
{
    if (either_modelled(in, out))
        return weft_program_unsupported_at("copy_file_range on a pipe or socket", file, line);
    return copy_file_range(in, in_off, out, out_off, n, flags);
}

off_t weft_lseek_at(int fd, off_t offset, int whence, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x && number_gone(x, fd, (struct sched_loc){ file, line }))
        return (off_t)failed(EBADF);
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    return f ? (off_t)failed(ESPIPE) : lseek(fd, offset, whence);
}

int weft_fcntl_at(const char *file, int line, int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);   /* an int or a pointer, as glibc reads it */
    va_end(ap);
    struct exec *x = sync_exec();
    if (x && number_gone(x, fd, (struct sched_loc){ file, line }))
        return (int)failed(EBADF);
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    if (f == NULL)
        return fcntl(fd, cmd, arg);
    struct sched_loc at = { file, line };
    if ((cmd == F_GETFL || cmd == F_SETFL) &&
        !step_on_ends(x, fd, f, cmd == F_GETFL ? &get_flags_class : &set_flags_class, at))
        return (int)failed(EBADF);
    return modelled_fcntl(x, f, cmd, (long)(intptr_t)arg, at);
}

/* The real number `to` reserved for a modelled end, as dup2 makes it.
** A number closed before is weft's still: taking it is a step, unless
** this dup2 closed it just now (nobody could see it closed). */
static int reserve_at(struct exec *x, int to, bool just_closed, struct sched_loc at)
{
    struct closed_fd *c = closed_number(x, to);
    if (c && !c->taken && just_closed)
        c->taken = c->taken_in_dup2 = true;
    else if (c && !c->taken)
        number_taken(x, c, at);
    if (c)
        return to;
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0)
        return -1;
    int fd = dup3(null, to, O_CLOEXEC);
    close(null);
    return own(x, fd);
}

/* dup and dup2 of a modelled descriptor: a new number for the same ends
** (O_NONBLOCK is copied, not shared). Onto a number below the modelled
** ones that the program did not get from weft, weft's own descriptors
** could be clobbered: refused. */
static int dup_modelled(struct exec *x, struct posix_fd *f, int to, const char *call,
                        struct sched_loc at)
{
    if (to == f->fd)
        return to;
    if (!step_on_ends(x, f->fd, f, &dup_class, at))
        return (int)failed(EBADF);
    if (to >= 0 && to < FIRST_MODELLED_FD && fd_find(x, to) == NULL)
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s of a pipe or socket onto descriptor %d is not "
                   "supported by weft yet (onto 100 and up, or onto another modelled one, is)",
                   call, to);
    bool replaced = to >= 0 && fd_find(x, to);
    if (replaced)
        close_fd(x, to, at);
    int n = to < 0 ? reserve(x, at) : reserve_at(x, to, replaced, at);
    if (n < 0)
        return -1;
    struct posix_fd *g = arena_alloc(&x->arena, sizeof *g);
    if (g == NULL)
        no_memory(x, at);
    *g = *f;
    g->fd = n;
    HASH_ADD_INT(x->program->fds, fd, g);
    if (x->program->oom)
        no_memory(x, at);
    return n;
}

int weft_dup_at(int fd, int to, const char *call, const char *file, int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x && number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    if (f)
        return dup_modelled(x, f, to, call, at);
    if (x && to >= 0 && fd_find(x, to))
        sched_fail(x, WEFT_UNSUPPORTED, at, "%s onto a pipe or socket pair's descriptor is not "
                   "supported by weft yet", call);
    struct closed_fd *c = x && to >= 0 ? closed_number(x, to) : NULL;
    if (c && !c->taken) {             /* onto a closed number weft keeps: the file's now */
        number_taken(x, c, at);
        disown(x, to);
        return own(x, dup2(fd, to));
    }
    return to < 0 ? dup(fd) : dup2(fd, to);
}

/* Real files the program opens are its own: they pass through, and are
** closed before the next execution if it leaves them open, so every
** execution finds the same descriptors free. */
int weft_open_at(const char *file, int line, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, unsigned) : 0;
    va_end(ap);
    struct exec *x = sync_exec();
    if (x == NULL)
        return open(path, flags, mode);
    struct sched_loc at = { file, line };
    point_enter(x, at);               /* a cancellation point that never waits */
    /* which files exist is the threads' to race on */
    file_name_step(x, path, flags & (O_CREAT | O_TRUNC | O_TMPFILE) ? &create_class : &open_class,
                   at);
    return (int)point_leave(x, own(x, open(path, flags, mode)), at);
}

/* fopen: a step on the file's name, which it creates unless it only reads
** (mode "r" or "r+"). */
void posix_fopen_step(struct exec *x, const char *path, const char *mode, struct sched_loc at)
{
    bool creates = mode && (mode[0] == 'w' || mode[0] == 'a');
    file_name_step(x, path, creates ? &create_class : &open_class, at);
}

int weft_unlink_at(const char *path, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x)                            /* which files exist is the threads' to race on */
        file_name_step(x, path, &unlink_class, (struct sched_loc){ file, line });
    return unlink(path);
}

/* Two steps, one on each name; the rename itself comes after both. */
int weft_rename_at(const char *from, const char *to, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x) {
        file_name_step(x, from, &rename_class, (struct sched_loc){ file, line });
        file_name_step(x, to, &rename_class, (struct sched_loc){ file, line });
    }
    return rename(from, to);
}

/* ==========================================================================
** poll and select
** ========================================================================== */

/* revents of a modelled descriptor after a poll that found it ready. */
static short revents_of(const struct posix_fd *f, const struct stream_poll *w, short events)
{
    return (short)(w->revents | (is_udp(f) ? events & POLLOUT : 0));   /* a send never waits:
                                                                          it may be lost */
}

/* Real descriptors among pfds looked at once (they never become ready in
** an execution); how many are ready, *real set when there are some. */
static int poll_real(struct exec *x, struct pollfd *pfds, nfds_t n, bool *real)
{
    int ready = 0;
    *real = false;
    for (nfds_t i = 0; i < n; i++) {
        pfds[i].revents = 0;
        if (pfds[i].fd < 0 || fd_find(x, pfds[i].fd))
            continue;
        if (number_closed(x, pfds[i].fd)) {   /* closed in this execution */
            pfds[i].revents = POLLNVAL;
            ready++;
            continue;
        }
        *real = true;
        struct pollfd one = pfds[i];
        if (poll(&one, 1, 0) > 0) {
            pfds[i].revents = one.revents;
            ready++;
        }
    }
    return ready;
}

/* poll, waiting at most timeout_ns of virtual time (< 0: no limit). */
static int poll_ns(struct exec *x, struct pollfd *pfds, nfds_t n, int64_t timeout_ns,
                   bool for_select, struct sched_loc at)
{
    for (nfds_t i = 0; i < n; i++)    /* the numbers closed before: looks */
        number_look(x, pfds[i].fd, at);
    bool real;
    int ready = poll_real(x, pfds, n, &real);
    struct stream_poll *w = arena_alloc(&x->arena, (n ? n : 1) * sizeof *w);
    struct posix_fd **polled = arena_alloc(&x->arena, (n ? n : 1) * sizeof *polled);
    if (w == NULL || polled == NULL)
        no_memory(x, at);
    int objects = 1;                  /* the clock, and each descriptor's
                                         streams and file (stream_poll) */
    bool writable = false;            /* a UDP socket asked for POLLOUT: ready now */
    for (nfds_t i = 0; i < n; i++) {
        struct posix_fd *f = polled[i] = pfds[i].fd >= 0 ? fd_find(x, pfds[i].fd) : NULL;
        if (f && f->epoll)
            sched_fail(x, WEFT_UNSUPPORTED, at, "poll or select of an epoll descriptor is not "
                       "supported by weft yet (epoll_wait is)");
        if (f && f->addressed && (pfds[i].events & POLLIN))
            dgram_queue(x, f, at);    /* (an unbound one's: nothing comes) */
        if (f)
            w[i] = (struct stream_poll){ .in = f->in, .out = f->out, .listening = f->listening,
                                         .want_in = pfds[i].events & POLLIN,
                                         .want_out = pfds[i].events & POLLOUT,
                                         .want_rdhup = pfds[i].events & POLLRDHUP, .nval = true,
                                         .holds_file = true, .number_closed = &f->closed,
                                         .own_bits = own_bits(x, f) };
        writable |= f && is_udp(f) && (pfds[i].events & POLLOUT);
        objects += f == NULL ? 0 : 3 + (f->signals ? f->signals->nobjs : 0);
    }
    if (objects > SCHED_MAX_OBJS - 2)
        sched_fail(x, WEFT_UNSUPPORTED, at, "poll on more than %d pipes or sockets (not "
                   "supported by weft yet)",
                   (SCHED_MAX_OBJS - 3) / 3);
    if (objects == 1) {
        if (ready || timeout_ns == 0)
            return ready;
        if (timeout_ns < 0)
            blocks_outside(x, "poll", at);
        posix_cancel_enter(x, false, at.file, at.line);   /* a sleep's cancellation */
        weft_sleep_ns_at(timeout_ns, at.file, at.line);
        return wait_cancelled(x) ? -1 : 0;
    }
    int64_t ns = ready || writable ? 0 : timeout_ns;
    if (stream_poll(x, for_select ? STREAM_SELECT : STREAM_POLL, w, (int)n, ns, at) < 0 &&
        wait_cancelled(x))
        return -1;
    for (nfds_t i = 0; i < n; i++) {  /* what each number named when the poll began
                                         (it may name another now) */
        if (w[i].gone && w[i].gone_waiting && for_select)
            pfds[i].revents = pfds[i].events & (POLLIN | POLLOUT);   /* Linux: ready */
        else if (w[i].gone)           /* another thread closed it before the step */
            pfds[i].revents = POLLNVAL;
        else if (polled[i])
            pfds[i].revents = revents_of(polled[i], &w[i], pfds[i].events);
        ready += (w[i].gone || polled[i]) && pfds[i].revents;
    }
    return ready;
}

/* A timeout in ms, a timeval or a timespec as virtual ns: -1 for none
** (negative ms, a null pointer), or -2 with errno EINVAL for one Linux
** refuses (select takes microseconds past a second, pselect and ppoll
** no nanoseconds past one). */
static int64_t timeout_of_ms(int ms)
{
    return ms < 0 ? -1 : sched_ms_to_ns(ms);
}

/* sec seconds and ns (below a second) nanoseconds, or INT64_MAX. */
static int64_t timeout_of(int64_t sec, int64_t ns)
{
    return sec >= INT64_MAX / 1000000000 - 1 ? INT64_MAX : sec * 1000000000 + ns;
}

static int64_t timeout_of_tv(const struct timeval *tv)
{
    if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0)) {
        errno = EINVAL;
        return -2;
    }
    if (tv == NULL)
        return -1;
    int64_t sec = tv->tv_sec > INT64_MAX / 2 ? INT64_MAX / 2 : tv->tv_sec + tv->tv_usec / 1000000;
    return timeout_of(sec, (int64_t)(tv->tv_usec % 1000000) * 1000);
}

static int64_t timeout_of_ts(const struct timespec *ts)
{
    if (ts && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)) {
        errno = EINVAL;
        return -2;
    }
    return ts ? timeout_of(ts->tv_sec, ts->tv_nsec) : -1;
}

/*
** ppoll, pselect and epoll_pwait wait with their mask (NULL: the thread's
** own) in place of the thread's, swapped in and back by the call as Linux
** does it: a pending signal the mask unblocks goes to its handler at once
** and the call fails with EINTR without waiting (mask_in: true; Linux
** would first return descriptors already ready, leaving the signal
** pending); one sent once the call began ends it with EINTR at any of its
** steps (signal_cuts_all: a handler due at its first step came in the
** call, where one due at a plain poll's first step may have come before
** it); and the thread's mask is back as the call returns (mask_out, which
** delivers what that unblocks).
*/
static bool mask_in(struct exec *x, const sigset_t *mask, uint64_t *saved, struct sched_loc at)
{
    struct posix_thread *t = posix_thread_self(x);
    if (mask == NULL || t == NULL)
        return false;
    *saved = t->sigmask;
    t->sigmask = posix_sigset_bits(mask);
    x->current->signal_cuts_all = true;
    return posix_signals_unblocked(x, at) > 0;
}

static long mask_out(struct exec *x, const sigset_t *mask, uint64_t saved, long result,
                     struct sched_loc at)
{
    struct posix_thread *t = posix_thread_self(x);
    if (mask == NULL || t == NULL)
        return result;
    uint64_t was = t->sigmask;
    t->sigmask = saved;
    x->current->signal_cuts_all = false;
    int keep = errno;
    if (was & ~saved)                 /* (a handler run here leaves the result as it is) */
        posix_signals_unblocked(x, at);
    errno = keep;
    return result;
}

/* A cancellation point's end (point_leave), then mask_out. */
static long masked_leave(struct exec *x, const sigset_t *mask, uint64_t saved, long result,
                         struct sched_loc at)
{
    return mask_out(x, mask, saved, point_leave(x, result, at), at);
}

int weft_poll_at(struct pollfd *pfds, nfds_t n, int timeout_ms, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return poll(pfds, n, timeout_ms);
    struct sched_loc at = { file, line };
    poll_point_enter(x, at);
    return (int)point_leave(x, poll_ns(x, pfds, n, timeout_of_ms(timeout_ms), false, at), at);
}

/* ppoll: poll with a timespec, waiting with mask (mask_in). */
int weft_ppoll_at(struct pollfd *pfds, nfds_t n, const struct timespec *ts,
                  const sigset_t *mask, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return ppoll(pfds, n, ts, mask);
    struct sched_loc at = { file, line };
    int64_t ns = timeout_of_ts(ts);
    if (ns < -1)
        return -1;
    poll_point_enter(x, at);
    uint64_t saved = 0;
    if (mask_in(x, mask, &saved, at))
        return (int)masked_leave(x, mask, saved, failed(EINTR), at);
    return (int)masked_leave(x, mask, saved, poll_ns(x, pfds, n, ns, false, at), at);
}

/* select over poll: each descriptor below nfds in a set is one pollfd;
** timeout_ns as poll_ns's. */
static int select_ns(struct exec *x, int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
                     int64_t timeout_ns, struct sched_loc at)
{
    struct pollfd *p = arena_alloc(&x->arena, (size_t)(nfds ? nfds : 1) * sizeof *p);
    if (p == NULL)
        no_memory(x, at);
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0);
        if (ev)
            p[n++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    int rc = poll_ns(x, p, n, timeout_ns, true, at);
    if (rc < 0)
        return rc;
    for (nfds_t i = 0; i < n; i++)
        if (p[i].revents & POLLNVAL)
            return (int)failed(EBADF);
    if (rd)
        FD_ZERO(rd);
    if (wr)
        FD_ZERO(wr);
    if (ex)
        FD_ZERO(ex);
    int bits = 0;
    for (nfds_t i = 0; i < n; i++) {
        short r = p[i].revents;
        if (rd && (p[i].events & POLLIN) && (r & (POLLIN | POLLHUP | POLLERR)) && ++bits)
            FD_SET(p[i].fd, rd);
        if (wr && (p[i].events & POLLOUT) && (r & (POLLOUT | POLLERR)) && ++bits)
            FD_SET(p[i].fd, wr);
    }
    return bits;
}

int weft_posix_select_at(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv,
                         const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return select(nfds, rd, wr, ex, tv);
    struct sched_loc at = { file, line };
    int64_t ns = timeout_of_tv(tv);
    if (ns < -1 || nfds < 0 || nfds > FD_SETSIZE)
        return (int)failed(EINVAL);
    poll_point_enter(x, at);
    int bits = (int)point_leave(x, select_ns(x, nfds, rd, wr, ex, ns, at), at);
    if (tv && bits == 0)              /* Linux: what is left of the timeout */
        *tv = (struct timeval){ 0, 0 };
    return bits;
}

/* pselect: select with a timespec, left as it is, waiting with mask
** (mask_in). */
int weft_pselect_at(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
                    const sigset_t *mask, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return pselect(nfds, rd, wr, ex, ts, mask);
    struct sched_loc at = { file, line };
    int64_t ns = timeout_of_ts(ts);
    if (ns < -1 || nfds < 0 || nfds > FD_SETSIZE)
        return (int)failed(EINVAL);
    poll_point_enter(x, at);
    uint64_t saved = 0;
    if (mask_in(x, mask, &saved, at))
        return (int)masked_leave(x, mask, saved, failed(EINTR), at);
    return (int)masked_leave(x, mask, saved, select_ns(x, nfds, rd, wr, ex, ns, at), at);
}

/* ==========================================================================
** epoll
** ==========================================================================
** An epoll instance is a modelled descriptor with an interest list of
** modelled descriptors; epoll_wait is a poll of them (stream_poll), level
** triggered, or edge triggered (EPOLLET: an entry is found again only
** after a wake-up of its file since it last reported, stream_edges), with
** EPOLLONESHOT. The interest list is an object that each
** epoll_ctl's step writes and each wait's first step reads. So that a wait
** sees what another thread's epoll_ctl changes while it waits, the
** instance also has a stream of its own that each wait polls and each
** epoll_ctl's step touches, counting a version: a poll that finds a newer
** one than its wishes were made from looks at the new list. Reports rotate:
** a wait that can give fewer events than are ready starts after the last
** one it gave, as Linux's ready list moves them to its end.
*/

struct epoll_entry {
    int fd;
    uint32_t events;
    epoll_data_t data;
    bool disabled;                    /* EPOLLONESHOT, reported: until EPOLL_CTL_MOD */
    struct stream_edge edge;          /* EPOLLET: the wake-ups it reported */
    struct posix_fd *target;          /* the descriptor added: one that takes its
                                         number after its close is not watched,
                                         a dup of it is (epoll_target) */
};

struct epoll_set {
    struct epoll_entry *entries;      /* in the order they were added */
    int n, cap;
    int next;                         /* where the next report starts */
    struct sched_obj *list;           /* the interest list: epoll_ctl writes it,
                                         a wait's look reads it */
    struct stream *changed;           /* what a waiting poll waits on besides its
                                         descriptors: each epoll_ctl's step
                                         touches it; the instance's name,
                                         "epoll N" until spelled */
    unsigned version;                 /* counts the epoll_ctl calls: a wait whose
                                         wishes are older looks again */
    bool spelled;                     /* named as the program spells it */
};

/* The most descriptors one wait looks at: a poll's objects, less the
** instance's own stream. */
#define EPOLL_MAX_WATCHED (SCHED_MAX_OBJS / 2 - 2)

static const struct sched_objclass epoll_list_class = { .name = "epoll instance" };

int weft_epoll_create_at(int size, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (size <= 0 || (flags & ~EPOLL_CLOEXEC))
        return (int)failed(EINVAL);
    if (x == NULL)
        return epoll_create1(flags);
    struct sched_loc at = { file, line };
    struct epoll_set *ep = arena_alloc(&x->arena, sizeof *ep);
    if (ep == NULL)
        no_memory(x, at);
    int fd = fd_new(x, NULL, NULL, false, false, at);
    if (fd < 0)
        return -1;
    char name[SCHED_NAME_MAX];
    snprintf(name, sizeof name, "epoll %d", fd);
    ep->changed = stream_new(x, name, PIPE_CAPACITY, at);
    if ((ep->list = object_new(x, &epoll_list_class, sizeof *ep->list, name)) == NULL)
        no_memory(x, at);
    fd_find(x, fd)->epoll = ep;
    return fd;
}

/* The epoll instance epfd names (after the call's look at the number):
** NULL with errno EBADF or EINVAL. */
static struct epoll_set *epoll_named(struct exec *x, int epfd, struct sched_loc at)
{
    if (number_gone(x, epfd, at)) {
        errno = EBADF;
        return NULL;
    }
    struct posix_fd *e = fd_find(x, epfd);
    if (e == NULL)
        errno = fcntl(epfd, F_GETFD) < 0 ? EBADF : EINVAL;
    else if (e->epoll == NULL)
        errno = EINVAL;
    return e ? e->epoll : NULL;
}

/*
** An epoll instance and an eventfd are made by a call whose result the
** program names, out of the macro's sight: each is named "epoll N" or
** "eventfd" until the program's first epoll_ctl or epoll_wait on it, whose
** argument spells the name it uses ("ep", "loop->wake"), as a pipe is
** named by pipe's argument. A name that is an expression of more than a
** variable or a member (a call, an index by a loop counter) is not taken.
*/
static bool spelling_names(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) >= SCHED_NAME_MAX || isdigit((unsigned char)s[0]))
        return false;
    for (const char *c = s; *c; c++) {
        if (c[0] == '-' && c[1] == '>')
            c++;                      /* a member through a pointer */
        else if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.')
            return false;
    }
    return true;
}

static void epoll_spelled(struct epoll_set *ep, const char *spelling)
{
    if (ep->spelled || !spelling_names(spelling))
        return;
    stream_rename(ep->changed, spelling);
    snprintf(ep->list->name, sizeof ep->list->name, "%s", spelling);
    ep->spelled = true;
}

static void eventfd_spelled(struct posix_fd *f, const char *spelling)
{
    if (f == NULL || !f->eventfd || f->spelled || !spelling_names(spelling))
        return;
    stream_rename(f->in, spelling);
    f->spelled = true;
}

/* Is the file that f named still open through a descriptor: f, or a dup
** of it (the same ends)? */
static bool file_still_open(struct exec *x, const struct posix_fd *f)
{
    for (const struct posix_fd *g = x->program->fds; g; g = g->hh.next)
        if (g == f || (g->in == f->in && g->out == f->out && g->listening == f->listening &&
                       g->epoll == f->epoll))
            return true;
    return false;
}

/* The descriptor entry e watches now: the one added, while its file is
** open, through its number or a dup's (Linux keeps an entry until the
** file's last descriptor closes, and goes on reporting its events with
** its data: epoll(7)); NULL after that, or while disabled. */
static struct posix_fd *epoll_target(struct exec *x, const struct epoll_entry *e)
{
    if (e->disabled)
        return NULL;
    struct posix_fd *f = fd_find(x, e->fd);
    if (f == e->target)
        return f;
    return file_still_open(x, e->target) ? e->target : NULL;
}

static struct epoll_entry *epoll_entry_of(struct exec *x, struct epoll_set *ep, int fd)
{
    for (int i = 0; i < ep->n; i++)
        if (ep->entries[i].fd == fd && ep->entries[i].target == fd_find(x, fd))
            return &ep->entries[i];
    return NULL;
}

/* Can fd be watched? 0, or -1 with errno as Linux sets it (EBADF for no
** descriptor, EPERM for a regular file); a descriptor weft does not model
** otherwise, or an epoll instance, stops the execution at the call. */
static int epoll_watchable(struct exec *x, int epfd, int fd, struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *t = fd_find(x, fd);
    struct stat st;
    if (fd == epfd)
        return (int)failed(EINVAL);
    if (t && t->epoll)
        sched_fail(x, WEFT_UNSUPPORTED, at, "epoll_ctl of an epoll descriptor (nested epoll) is "
                   "not supported by weft yet");
    if (t)
        return 0;
    if (fstat(fd, &st) != 0)
        return (int)failed(EBADF);
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return (int)failed(EPERM);
    sched_fail(x, WEFT_UNSUPPORTED, at, "epoll_ctl of descriptor %d, which weft does not model "
               "(a terminal, a socket to the world), is not supported by weft yet (pipes and "
               "sockets between the program's threads are)", fd);
}

/* The events epoll_ctl may ask for; one waiter woken of several is not
** modelled. */
static void epoll_events_supported(struct exec *x, const struct posix_fd *f, uint32_t events,
                                   struct sched_loc at)
{
    if (f->signals && (events & EPOLLET))   /* no signal is counted as a wake-up */
        sched_fail(x, WEFT_UNSUPPORTED, at, "epoll_ctl of a signalfd with EPOLLET is not "
                   "supported by weft yet (level-triggered events are)");
    if (events & EPOLLEXCLUSIVE)
        sched_fail(x, WEFT_UNSUPPORTED, at, "epoll_ctl with EPOLLEXCLUSIVE is not supported by "
                   "weft yet (level-triggered events, EPOLLET and EPOLLONESHOT are)");
}

static void epoll_add(struct exec *x, struct epoll_set *ep, int fd, const struct epoll_event *ev,
                      struct sched_loc at)
{
    if (ep->n == ep->cap) {
        int cap = ep->cap ? 2 * ep->cap : 8;
        struct epoll_entry *e = arena_alloc(&x->arena, (size_t)cap * sizeof *e);
        if (e == NULL)
            no_memory(x, at);
        if (ep->n)
            memcpy(e, ep->entries, (size_t)ep->n * sizeof *e);
        ep->entries = e;
        ep->cap = cap;
    }
    ep->entries[ep->n++] = (struct epoll_entry){ fd, ev->events, ev->data, false,
                                                 { 0, true }, fd_find(x, fd) };
}

/* An epoll_ctl's step: a write to the list, which waits' looks read, and
** to the stream that waiting polls wait on (obj2), whose waiters it wakes:
** the new version tells them the list changed. The list changes after it:
** nothing runs between the two. */
struct epoll_change {
    struct sched_op op;
    struct epoll_set *ep;
};

static void change_apply(struct exec *x, struct sched_op *op)
{
    (void)x;
    OP_OF(op, struct epoll_change, op)->ep->version++;
}

static const struct sched_opclass epoll_ctl_class = { .verb = "epoll_ctl",
                                                      .apply = change_apply };

static void epoll_changes(struct exec *x, struct epoll_set *ep, struct sched_loc at)
{
    struct epoll_change c = { .op = { .cls = &epoll_ctl_class, .obj = ep->list,
                                      .obj2 = stream_object(ep->changed), .loc = at },
                              .ep = ep };
    sched_visible(x, &c.op);
}

int weft_epoll_ctl_at(int epfd, int op, int fd, struct epoll_event *ev, const char *ep_name,
                      const char *fd_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return epoll_ctl(epfd, op, fd, ev);
    struct sched_loc at = { file, line };
    struct epoll_set *ep = epoll_named(x, epfd, at);
    if (ep == NULL || epoll_watchable(x, epfd, fd, at) != 0)
        return -1;
    epoll_spelled(ep, ep_name);
    eventfd_spelled(fd_find(x, fd), fd_name);
    if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
        return (int)failed(EINVAL);
    if (op != EPOLL_CTL_DEL && ev == NULL)
        return (int)failed(EFAULT);
    if (op != EPOLL_CTL_DEL)
        epoll_events_supported(x, fd_find(x, fd), ev->events, at);
    /* The list is looked at after the step, which orders it with other
    ** threads' calls on it (two ADDs of one descriptor both succeeded when
    ** both looked before either's step). */
    epoll_changes(x, ep, at);
    struct epoll_entry *e = epoll_entry_of(x, ep, fd);
    if ((op == EPOLL_CTL_ADD) == (e != NULL))
        return (int)failed(e ? EEXIST : ENOENT);
    if (ep->n >= EPOLL_MAX_WATCHED && op == EPOLL_CTL_ADD)
        sched_fail(x, WEFT_UNSUPPORTED, at, "an epoll instance watching more than %d descriptors "
                   "is not supported by weft yet", EPOLL_MAX_WATCHED);
    if (op == EPOLL_CTL_ADD) {
        epoll_add(x, ep, fd, ev, at);
    } else if (op == EPOLL_CTL_MOD) {
        e->events = ev->events;
        e->data = ev->data;
        e->disabled = false;
        e->edge.armed = true;         /* ep_modify queues it if ready */
    } else {
        int i = (int)(e - ep->entries);
        memmove(e, e + 1, (size_t)(ep->n - i - 1) * sizeof *e);
        ep->n--;
        ep->next = ep->next > i ? ep->next - 1 : ep->next;
    }
    return 0;
}

/* The poll wish of entry e: the ends of the file it added, whether it is
** disabled or closed now or not (the wish finds nothing then: stream.c's
** wish_off), so that what the wait's step touches never depends on when
** this look ran. */
static void epoll_wish(struct exec *x, struct epoll_entry *e, struct stream_poll *w,
                       bool *udp_writable, struct sched_loc at)
{
    struct posix_fd *f = e->target;
    bool in = e->events & (EPOLLIN | EPOLLRDHUP);
    if (f->addressed && in && !f->closed)
        dgram_queue(x, f, at);
    *w = (struct stream_poll){ .in = f->in, .out = f->out, .listening = f->listening,
                               .want_in = e->events & EPOLLIN, .want_out = e->events & EPOLLOUT,
                               .want_rdhup = e->events & EPOLLRDHUP, .off = &e->disabled,
                               .entry = true, .edge = e->events & EPOLLET ? &e->edge : NULL,
                               .own_bits = own_bits(x, f) };
    bool sends = is_udp(f) && (e->events & EPOLLOUT);
    w->ready_outside = sends && (e->events & (EPOLLET | EPOLLONESHOT));
    *udp_writable |= sends && epoll_target(x, e) && stream_edge_pending(w);
}

/* What entry e reports after the poll (0: nothing). */
static uint32_t epoll_revents(struct exec *x, const struct epoll_entry *e,
                              const struct stream_poll *w)
{
    struct posix_fd *f = epoll_target(x, e);
    if (f == NULL || !stream_edge_pending(w))
        return 0;
    short r = revents_of(f, w, e->events & EPOLLOUT ? POLLOUT : 0);
    return (r & POLLIN ? EPOLLIN : 0) | (r & POLLOUT ? EPOLLOUT : 0) |
           (r & POLLHUP ? EPOLLHUP : 0) | (r & POLLERR ? EPOLLERR : 0) |
           (r & POLLRDHUP ? EPOLLRDHUP : 0);
}

/* The ready entries into events, at most max, from ep->next on. */
static int epoll_report(struct exec *x, struct epoll_set *ep, const struct stream_poll *w,
                        struct epoll_event *events, int max)
{
    int got = 0, n = ep->n, last = -1;
    for (int k = 0; k < n && got < max; k++) {
        int i = (ep->next + k) % n;
        uint32_t ev = epoll_revents(x, &ep->entries[i], &w[i + 1]);
        if (ev == 0)
            continue;
        events[got++] = (struct epoll_event){ .events = ev, .data = ep->entries[i].data };
        ep->entries[i].disabled |= (ep->entries[i].events & EPOLLONESHOT) != 0;
        if (ep->entries[i].events & EPOLLET)   /* what it reported, till the next wake-up */
            ep->entries[i].edge = (struct stream_edge){ stream_edges(&w[i + 1]), false };
        last = i;
    }
    if (last >= 0)
        ep->next = (last + 1) % n;
    return got;
}

/* A wait's look at the interest list, before it makes its wishes: a read
** of the list, which every epoll_ctl writes (and no poll: it commutes with
** other waits). Made between steps, after whatever step the thread took
** last, the wishes would depend on where another thread's epoll_ctl came
** without a dependence, and DPOR lost classes (a list looked at before a
** DEL, polled after it). */
static const struct sched_opclass epoll_look_class = {
    .verb = "look at", .apply = changes_nothing, .reads_only = always_reads,
};

/* epoll_wait, epoll_pwait and epoll_pwait2: timeout_ns < 0 waits
** without a limit. */
static int epoll_wait_fd(struct exec *x, int epfd, struct epoll_event *events, int max,
                         int64_t timeout_ns, const char *ep_name, struct sched_loc at)
{
    struct epoll_set *ep = epoll_named(x, epfd, at);
    if (ep == NULL)
        return -1;
    epoll_spelled(ep, ep_name);
    if (max <= 0 || (size_t)max > INT_MAX / sizeof *events)
        return (int)failed(EINVAL);
    if (events == NULL)
        return (int)failed(EFAULT);
    struct stream_poll *w = arena_alloc(&x->arena, (EPOLL_MAX_WATCHED + 1) * sizeof *w);
    if (w == NULL)
        no_memory(x, at);
    /* A timed wait's look reads the clock too: its deadline counts from
    ** the look, which the searches then order with the steps that move
    ** the clock (counted from the call's start, between steps, a deadline
    ** depended on whether another thread's timeout came first, unseen:
    ** DPOR lost classes that plain DFS ran). */
    struct sched_op look = { .cls = &epoll_look_class, .obj = ep->list,
                             .obj2 = timeout_ns > 0 ? sched_clock(x) : NULL, .loc = at };
    sched_visible(x, &look);
    if (wait_cancelled(x))            /* a handler came in the call (mask_in) */
        return -1;
    int64_t until = timeout_ns < 0 ? -1
                  : timeout_ns > INT64_MAX - x->now ? INT64_MAX : x->now + timeout_ns;
    for (;;) {
        bool writable = false;
        w[0] = (struct stream_poll){ .in = ep->changed, .want_in = true, .epoll = true,
                                     .stamp = &ep->version, .stamp_seen = ep->version };
        for (int i = 0; i < ep->n; i++)
            epoll_wish(x, &ep->entries[i], &w[i + 1], &writable, at);
        int64_t ns = writable ? 0 : until < 0 ? -1 : until > x->now ? until - x->now : 0;
        int ready = stream_poll(x, STREAM_EPOLL_WAIT, w, ep->n + 1, ns, at);
        if (wait_cancelled(x))
            return -1;
        if (w[0].revents & POLLIN)    /* the list changed: look again */
            continue;
        if (ready == 0 && !writable)
            return 0;                 /* timed out */
        int got = epoll_report(x, ep, w, events, max);
        if (got > 0 || (until >= 0 && until <= x->now))
            return got;
        /* What woke it another waiter reported first, disabling it
        ** (EPOLLONESHOT): as Linux's does, the wait goes on. */
    }
}

/* epoll_wait with timeout_ns, waiting with mask (mask_in; NULL: the
** thread's own). */
static int epoll_wait_masked(struct exec *x, int epfd, struct epoll_event *events, int max,
                             int64_t timeout_ns, const sigset_t *mask, const char *ep_name,
                             struct sched_loc at)
{
    poll_point_enter(x, at);
    uint64_t saved = 0;
    if (mask_in(x, mask, &saved, at))
        return (int)masked_leave(x, mask, saved, failed(EINTR), at);
    return (int)masked_leave(x, mask, saved,
                             epoll_wait_fd(x, epfd, events, max, timeout_ns, ep_name, at), at);
}

int weft_epoll_wait_at(int epfd, struct epoll_event *events, int max, int timeout_ms,
                       const char *ep_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return epoll_wait(epfd, events, max, timeout_ms);
    return epoll_wait_masked(x, epfd, events, max, timeout_of_ms(timeout_ms), NULL, ep_name,
                             (struct sched_loc){ file, line });
}

int weft_epoll_pwait_at(int epfd, struct epoll_event *events, int max, int timeout_ms,
                        const sigset_t *mask, const char *ep_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return epoll_pwait(epfd, events, max, timeout_ms, mask);
    return epoll_wait_masked(x, epfd, events, max, timeout_of_ms(timeout_ms), mask, ep_name,
                             (struct sched_loc){ file, line });
}

/* epoll_pwait2: a timespec (NULL: no limit). */
int weft_epoll_pwait2_at(int epfd, struct epoll_event *events, int max,
                         const struct timespec *timeout, const sigset_t *mask,
                         const char *ep_name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return epoll_pwait2(epfd, events, max, timeout, mask);
    int64_t ns = timeout_of_ts(timeout);
    if (ns < -1)
        return -1;                    /* EINVAL */
    return epoll_wait_masked(x, epfd, events, max, ns, mask, ep_name,
                             (struct sched_loc){ file, line });
}

/* ==========================================================================
** Loopback sockets between the program's threads
** ==========================================================================
** socket() of a stream socket (AF_INET, AF_INET6, AF_UNIX) is modelled:
** bind records its address (no file is made for a Unix path; port 0 takes
** 49152 + its descriptor, unique while it is open), listen gives it a
** queue (sync/stream.c), connect finds the listener of this execution at
** that address and queues a new pair of streams, accept takes them. An
** address no listener of the program has refuses the connection; one
** outside the machine is beyond weft (stuck).
*/

struct posix_conn {                   /* a connection queued on a listener */
    struct stream *up, *down;         /* client to server, server to client */
    struct sockaddr_storage client;
    socklen_t client_len;
};

static bool modelled_family(int domain)
{
    return domain == AF_INET || domain == AF_INET6 || domain == AF_UNIX;
}

/* The kind of socket weft models for socket(domain, type, protocol):
** SOCK_STREAM, SOCK_DGRAM (Unix, or UDP), or for AF_UNIX also
** SOCK_SEQPACKET; else 0. */
static int modelled_kind(int domain, int type, int protocol)
{
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (!modelled_family(domain))
        return 0;
    if (kind == SOCK_DGRAM && domain != AF_UNIX && protocol != 0 && protocol != IPPROTO_UDP)
        return 0;                     /* a ping socket, UDP-Lite: the system's */
    if (kind == SOCK_STREAM || kind == SOCK_DGRAM || (domain == AF_UNIX &&
                                                      kind == SOCK_SEQPACKET))
        return kind;
    return 0;
}

int weft_socket_at(int domain, int type, int protocol, const char *file, int line)
{
    struct exec *x = sync_exec();
    int kind = modelled_kind(domain, type, protocol);
    if (x == NULL || kind == 0)
        return x ? own(x, socket(domain, type, protocol)) : socket(domain, type, protocol);
    struct sched_loc at = { file, line };
    int fd = fd_new(x, NULL, NULL, type & SOCK_NONBLOCK, true, at);
    if (fd >= 0) {
        struct posix_fd *f = fd_find(x, fd);
        f->family = domain;
        f->type = kind == SOCK_STREAM ? 0 : kind;
        f->addressed = kind == SOCK_DGRAM;
    }
    return fd;
}

/* The port of an inet address, or -1 (a Unix one). */
static int port_of(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)a)->sin_port);
    if (a->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
    return -1;
}

static void set_port(struct sockaddr_storage *a, int port)
{
    if (a->ss_family == AF_INET)
        ((struct sockaddr_in *)a)->sin_port = htons((uint16_t)port);
    else if (a->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)a)->sin6_port = htons((uint16_t)port);
}

/* Is a an address of this machine (loopback or any)? */
static bool local_address(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
        return ip == INADDR_ANY || (ip >> 24) == 127;
    }
    if (a->ss_family == AF_INET6) {
        const struct in6_addr *ip = &((const struct sockaddr_in6 *)a)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(ip) || IN6_IS_ADDR_UNSPECIFIED(ip);
    }
    return true;
}

/* Do a and b name one place (a Unix path, or a port of this machine)? */
static bool same_place(const struct sockaddr_storage *a, socklen_t alen,
                       const struct sockaddr_storage *b, socklen_t blen)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family != AF_UNIX)
        return port_of(a) == port_of(b) && local_address(a) && local_address(b);
    size_t off = offsetof(struct sockaddr_un, sun_path);
    return alen == blen && alen > off && memcmp((const char *)a + off, (const char *)b + off,
                                                alen - off) == 0;
}

/* "127.0.0.1:8080", "[::1]:8080", "/tmp/s.sock", "@abstract": for names. */
static void place_text(const struct sockaddr_storage *a, socklen_t len, char *buf, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (a->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, ip, sizeof ip);
        snprintf(buf, n, "%s:%d", ip, port_of(a));
    } else if (a->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, ip, sizeof ip);
        snprintf(buf, n, "[%s]:%d", ip, port_of(a));
    } else {
        const struct sockaddr_un *u = (const struct sockaddr_un *)a;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t plen = len > off ? len - off : 0;
        if (plen && u->sun_path[0] == 0)
            snprintf(buf, n, "@%.*s", (int)(plen - 1), u->sun_path + 1);
        else
            snprintf(buf, n, "%.*s", (int)strnlen(u->sun_path, plen), u->sun_path);
    }
}

/* The socket of this execution bound to a's place (listening, if asked);
** a port is TCP's or UDP's (udp), a Unix name either's. */
static struct posix_fd *bound_at(struct exec *x, const struct sockaddr_storage *a, socklen_t len,
                                 bool listening, bool udp)
{
    for (struct posix_fd *f = x->program ? x->program->fds : NULL; f; f = f->hh.next)
        if (f->bound && (!listening || f->listening) &&
            (a->ss_family == AF_UNIX || is_udp(f) == udp) &&
            same_place(&f->local, f->local_len, a, len))
            return f;
    /* A listening socket whose number was closed while an accept waits on
    ** it still listens, as on Linux, where the accept holds its file: a
    ** connect is queued for that accept, a bind of its address fails. */
    for (struct posix_fd *f = x->program ? x->program->held_listeners : NULL; f; f = f->next_held)
        if (!listener_closed(f->listening) && same_place(&f->local, f->local_len, a, len))
            return f;
    return NULL;
}

/* The modelled socket fd names, after the call's look at the number
** (NULL: not one; *gone: the number is closed). */
static struct posix_fd *modelled_socket(struct exec *x, int fd, bool *gone, struct sched_loc at)
{
    *gone = number_gone(x, fd, at);
    struct posix_fd *f = *gone ? NULL : fd_find(x, fd);
    return f && f->family ? f : NULL;
}

/* Copy an address the program gave, checking its size and family. */
static int take_address(const struct posix_fd *f, const struct sockaddr *addr, socklen_t len,
                        struct sockaddr_storage *into)
{
    if (addr == NULL || len < sizeof(sa_family_t) || len > sizeof *into)
        return (int)failed(EINVAL);
    memset(into, 0, sizeof *into);
    memcpy(into, addr, len);
    return into->ss_family == f->family ? 0 : (int)failed(EAFNOSUPPORT);
}

/* A UDP port of the execution: what binding it, connecting the socket
** bound to it and closing that socket change, and each send reads, as
** steps, so the searches order a send against the bind it may come
** before (a datagram sent before the receiver bound its port is lost). */
struct udp_port {
    struct sched_obj obj;             /* first: what the steps touch */
    int key;                          /* family << 16 | port */
    UT_hash_handle hh;
};

static const struct sched_objclass udp_port_class = { .name = "UDP port" };
static const struct sched_opclass udp_bind_class = { .verb = "bind" };
static const struct sched_opclass udp_connect_class = { .verb = "connect" };
static const struct sched_opclass udp_close_class = { .verb = "close" };

static bool udp_accepts(const struct posix_fd *t, const struct posix_fd *f);

/* A send's look at the port: who takes the datagram (NULL: it is lost).
** It changes nothing: two sends commute. */
struct udp_look {
    struct sched_op op;
    struct sockaddr_storage to;
    struct posix_fd *from, *taker;
};

static void udp_look_apply(struct exec *x, struct sched_op *op)
{
    struct udp_look *l = OP_OF(op, struct udp_look, op);
    struct posix_fd *t = bound_at(x, &l->to, sizeof l->to, false, true);
    l->taker = t && udp_accepts(t, l->from) ? t : NULL;
    op->idle = true;
    op->note = l->taker ? NULL : "lost";
}

static const struct sched_opclass udp_send_class = {
    .verb = "sendto", .apply = udp_look_apply, .reads_only = always_reads,
};

/* The object of a's port, made on first use. */
static struct sched_obj *udp_port_of(struct exec *x, const struct sockaddr_storage *a,
                                     struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    int key = (int)a->ss_family << 16 | port_of(a);
    struct udp_port *p = NULL;
    if (st == NULL)
        no_memory(x, at);
    HASH_FIND_INT(st->udp_ports, &key, p);
    if (p == NULL) {
        char name[SCHED_NAME_MAX];
        snprintf(name, sizeof name, "udp port %d%s", port_of(a),
                 a->ss_family == AF_INET6 ? " (v6)" : "");
        if ((p = object_new(x, &udp_port_class, sizeof *p, name)) == NULL)
            no_memory(x, at);
        p->key = key;
        HASH_ADD_INT(st->udp_ports, key, p);
        if (st->oom)
            no_memory(x, at);
    }
    return &p->obj;
}

/* A step of cls (bind, connect, close) on the port of a. */
static void udp_port_step(struct exec *x, const struct sockaddr_storage *a,
                          const struct sched_opclass *cls, struct sched_loc at)
{
    struct sched_op op = { .cls = cls, .obj = udp_port_of(x, a, at), .loc = at };
    sched_visible(x, &op);
}

/* Closing a bound UDP socket is a step: sends after it find nobody. */
static void udp_close_step(struct exec *x, const struct posix_fd *f, struct sched_loc at)
{
    udp_port_step(x, &f->local, &udp_close_class, at);
}

/* An unbound inet socket gets the loopback address and a port of its own. */
static void bind_ephemeral(struct posix_fd *f)
{
    memset(&f->local, 0, sizeof f->local);
    f->local.ss_family = (sa_family_t)f->family;
    if (f->family == AF_INET) {
        ((struct sockaddr_in *)&f->local)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        f->local_len = sizeof(struct sockaddr_in);
    } else if (f->family == AF_INET6) {
        ((struct sockaddr_in6 *)&f->local)->sin6_addr = in6addr_loopback;
        f->local_len = sizeof(struct sockaddr_in6);
    } else {
        f->local_len = sizeof(sa_family_t);   /* an unnamed Unix socket */
    }
    set_port(&f->local, 49152 + f->fd);
    f->bound = f->family != AF_UNIX;
}

/* A datagram socket bound: its name kept for the messages it sends, and
** its queue named after it. A UDP socket bound to any address sends from
** the loopback one, as a datagram over loopback says. */
static int name_datagram_socket(struct exec *x, struct posix_fd *f, struct sched_loc at)
{
    struct posix_name *n = arena_alloc(&x->arena, sizeof *n);
    if (n == NULL)
        no_memory(x, at);
    n->len = f->local_len;
    n->addr = f->local;
    if (n->addr.ss_family == AF_INET &&
        ((struct sockaddr_in *)&n->addr)->sin_addr.s_addr == htonl(INADDR_ANY))
        ((struct sockaddr_in *)&n->addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (n->addr.ss_family == AF_INET6 &&
        IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&n->addr)->sin6_addr))
        ((struct sockaddr_in6 *)&n->addr)->sin6_addr = in6addr_loopback;
    f->name = n;
    dgram_queue(x, f, at);
    return 0;
}

int weft_bind_at(int fd, const struct sockaddr *addr, socklen_t len, const char *file, int line)
{
    struct exec *x = sync_exec();
    bool gone = false;
    struct posix_fd *f = x ? modelled_socket(x, fd, &gone, (struct sched_loc){ file, line }) : NULL;
    if (gone)
        return (int)failed(EBADF);
    if (f == NULL)
        return bind(fd, addr, len);
    struct sockaddr_storage a;
    if (take_address(f, addr, len, &a) != 0)
        return -1;
    if (f->bound)
        return (int)failed(EINVAL);
    if (port_of(&a) == 0)             /* a port of its own: nobody else's name */
        set_port(&a, 49152 + fd);
    if (!local_address(&a))
        return (int)failed(EADDRNOTAVAIL);
    if (is_udp(f))                    /* a step: sends race it, and other binds */
        udp_port_step(x, &a, &udp_bind_class, (struct sched_loc){ file, line });
    else                              /* a step: connects race it, and other binds */
        socket_name_step(x, &a, len, &bind_class, (struct sched_loc){ file, line });
    if (bound_at(x, &a, len, false, is_udp(f)))
        return (int)failed(EADDRINUSE);
    f->local = a;
    f->local_len = len;
    f->bound = true;
    if (f->addressed)
        return name_datagram_socket(x, f, (struct sched_loc){ file, line });
    return 0;
}

static listener_refuse_fn refuse_connection;

int weft_listen_at(int fd, int backlog, const char *file, int line)
{
    struct exec *x = sync_exec();
    bool gone = false;
    struct posix_fd *f = x ? modelled_socket(x, fd, &gone, (struct sched_loc){ file, line }) : NULL;
    if (gone)
        return (int)failed(EBADF);
    if (f == NULL)
        return listen(fd, backlog);
    if (f->type == SOCK_DGRAM)
        return (int)failed(EOPNOTSUPP);
    if (f->in || f->out)
        return (int)failed(EINVAL);
    if (f->listening)
        return 0;
    if (!f->bound)
        bind_ephemeral(f);
    socket_name_step(x, &f->local, f->local_len, &listen_class, (struct sched_loc){ file, line });
    char name[SCHED_NAME_MAX];
    place_text(&f->local, f->local_len, name, sizeof name);
    f->listening = listener_new(x, name, backlog < 0 || backlog > 128 ? 128 : backlog,
                                refuse_connection, (struct sched_loc){ file, line });
    stream_file_new(x, NULL, NULL, f->listening, (struct sched_loc){ file, line });
    return 0;
}

/* A connection's two streams, named after the place and the client. */
static struct posix_conn *conn_new(struct exec *x, const struct posix_fd *server,
                                   const struct posix_fd *client, struct sched_loc at)
{
    struct posix_conn *c = arena_alloc(&x->arena, sizeof *c);
    if (c == NULL)
        no_memory(x, at);
    char place[SCHED_NAME_MAX], up[2 * SCHED_NAME_MAX], down[2 * SCHED_NAME_MAX];
    place_text(&server->local, server->local_len, place, sizeof place);
    snprintf(up, sizeof up, "client %d to %s", client->fd, place);
    snprintf(down, sizeof down, "%s to client %d", place, client->fd);
    up[SCHED_NAME_MAX - 1] = down[SCHED_NAME_MAX - 1] = 0;   /* names are that long at most */
    size_t capacity = server->family == AF_UNIX ? PIPE_CAPACITY : TCP_CAPACITY;
    c->up = stream_new(x, up, capacity, at);
    c->down = stream_new(x, down, capacity, at);
    if (server->family == AF_UNIX) {  /* the accepted socket's buffer is the default */
        stream_set_charged(c->up, client->flags->sndbuf ? client->flags->sndbuf
                                                        : STREAM_UNIX_SNDBUF);
        stream_set_charged(c->down, STREAM_UNIX_SNDBUF);
    } else {
        stream_set_tcp(c->up);
        stream_set_tcp(c->down);
    }
    if (server->type == SOCK_SEQPACKET) {
        stream_set_messages(c->up, true, 0);
        stream_set_messages(c->down, true, 0);
    }
    c->client = client->local;
    c->client_len = client->local_len;
    return c;
}

/* The datagram socket bound to a, which f may send to: NULL with errno
** set as Linux does: ENOENT for a path nothing is bound to (ECONNREFUSED
** for an abstract name), EPROTOTYPE for a socket of another type, EPERM
** for one connected to another socket. */
static struct posix_fd *datagram_target(struct exec *x, const struct posix_fd *f,
                                        const struct sockaddr_storage *a, socklen_t len)
{
    struct posix_fd *t = bound_at(x, a, len, false, false);
    const struct sockaddr_un *u = (const struct sockaddr_un *)a;
    bool abstract = len > offsetof(struct sockaddr_un, sun_path) && u->sun_path[0] == 0;
    int code = t == NULL ? (abstract ? ECONNREFUSED : ENOENT)
             : !t->addressed ? EPROTOTYPE
             : t->out && (f->in == NULL || t->out != f->in) ? EPERM : 0;
    if (code)
        errno = code;
    return code ? NULL : t;
}

/* connect of a datagram socket: where its sends without an address go
** (again and again: the last one counts). */
static int datagram_connect(struct exec *x, struct posix_fd *f, const struct sockaddr_storage *a,
                            socklen_t len, struct sched_loc at)
{
    struct posix_fd *t = datagram_target(x, f, a, len);
    if (t == NULL)
        return -1;
    f->out = dgram_queue(x, t, at);
    f->out_addressed = true;
    f->peer = *a;
    f->peer_len = len;
    return 0;
}

/* ==========================================================================
** UDP sockets
** ==========================================================================
** A UDP socket is a datagram socket of the execution's own namespace, like
** a Unix one (its queue of messages, each with its sender's name), with
** UDP's rules: sending is never refused and never waits. A datagram to a
** port no socket of the execution is bound to, one that finds its
** receiver's queue full (65,536 bytes), closed, or connected to another
** sender, is dropped, and the send says it went. An unbound socket that
** sends or connects takes a port of its own. connect only sets where
** sends without an address go (AF_UNSPEC forgets it); datagrams from
** others are dropped then. Addresses outside the machine are beyond weft:
** named as not supported at their line.
*/

/* The largest payload of one datagram (IPv4's; IPv6's without jumbograms). */
static size_t udp_max(const struct posix_fd *f)
{
    return f->family == AF_INET ? 65507 : 65527;
}

/* An address a UDP call names: 0, or -1 with errno as Linux sets it. */
static int udp_address(const struct posix_fd *f, const struct sockaddr *addr, socklen_t len,
                       struct sockaddr_storage *into)
{
    socklen_t need = f->family == AF_INET ? sizeof(struct sockaddr_in)
                                          : sizeof(struct sockaddr_in6);
    if (addr == NULL || len < need)
        return (int)failed(EINVAL);
    if (take_address(f, addr, len > need ? need : len, into) != 0)
        return -1;
    return 0;
}

static _Noreturn void udp_outside(struct exec *x, const char *what,
                                  const struct sockaddr_storage *a, struct sched_loc at)
{
    char place[SCHED_NAME_MAX];
    place_text(a, sizeof *a, place, sizeof place);
    sched_fail(x, WEFT_UNSUPPORTED, at, "%s to %s, outside this machine, is not supported by "
               "weft yet (UDP over loopback and any addresses is)", what, place);
}

/* An unbound UDP socket takes a port of its own, as Linux binds one. */
static void udp_autobind(struct exec *x, struct posix_fd *f, struct sched_loc at)
{
    if (f->bound)
        return;
    bind_ephemeral(f);
    name_datagram_socket(x, f, at);
}

static int udp_connect(struct exec *x, struct posix_fd *f, const struct sockaddr *addr,
                       socklen_t len, struct sched_loc at)
{
    if (addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
        if (f->bound)
            udp_port_step(x, &f->local, &udp_connect_class, at);
        f->peer_len = 0;              /* dissolved: sends need an address again */
        return 0;
    }
    struct sockaddr_storage a;
    if (udp_address(f, addr, len, &a) != 0)
        return -1;
    if (!local_address(&a))
        udp_outside(x, "a UDP connect", &a, at);
    udp_autobind(x, f, at);
    udp_port_step(x, &f->local, &udp_connect_class, at);   /* who it takes datagrams from */
    f->peer = a;
    f->peer_len = f->family == AF_INET ? sizeof(struct sockaddr_in)
                                       : sizeof(struct sockaddr_in6);
    return 0;
}

/* Does the receiver t take datagrams from f (not connected, or to f)? */
static bool udp_accepts(const struct posix_fd *t, const struct posix_fd *f)
{
    return t->peer_len == 0 ||
           same_place(&t->peer, t->peer_len, &f->name->addr, f->name->len);
}

/* sendto, send, write (and their vectors) on a UDP socket: to the address
** given, else to the connected peer (EDESTADDRREQ without one). */
static ssize_t udp_send(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                        const struct sockaddr *to, socklen_t len, struct sched_loc at)
{
    struct sockaddr_storage a;
    if (to && len) {
        if (udp_address(f, to, len, &a) != 0)
            return -1;
    } else if (f->peer_len) {
        a = f->peer;
    } else {
        return failed(EDESTADDRREQ);
    }
    if (port_of(&a) == 0)
        return failed(EINVAL);
    if (n > udp_max(f))
        return failed(EMSGSIZE);
    if (!local_address(&a))
        udp_outside(x, "a UDP datagram", &a, at);
    udp_autobind(x, f, at);
    struct udp_look l = { .op = { .cls = &udp_send_class, .obj = udp_port_of(x, &a, at),
                                  .loc = at },
                          .to = a, .from = f };
    sched_visible(x, &l.op);
    if (l.taker == NULL)
        return (ssize_t)n;            /* nobody there for it: lost, as UDP loses it */
    int saved = errno;
    ssize_t put = stream_out_to(x, f, dgram_queue(x, l.taker, at), true, buf, n, true, true,
                                at);
    if (put < 0)                      /* the queue full, or its socket closed: lost */
        errno = saved;
    return (ssize_t)n;
}

static int connect_modelled(struct exec *x, struct posix_fd *f, const struct sockaddr *addr,
                            socklen_t len, struct sched_loc at)
{
    if (is_udp(f))
        return udp_connect(x, f, addr, len, at);
    struct sockaddr_storage a;
    if (take_address(f, addr, len, &a) != 0)
        return -1;
    socket_name_step(x, &a, len, &connect_class, at);
    if (f->addressed)
        return datagram_connect(x, f, &a, len, at);
    if (f->in || f->out || f->listening)
        return (int)failed(EISCONN);
    if (!local_address(&a))
        sched_fail(x, WEFT_STUCK, at, "connect to an address outside this machine would wait "
                   "outside weft: only sockets between the program's threads are modelled "
                   "(README: Running a pthread program)");
    struct posix_fd *server = bound_at(x, &a, len, false, false);
    if (server && server->type != f->type)
        return (int)failed(EPROTOTYPE);
    if (server == NULL || !server->listening)
        return (int)failed(ECONNREFUSED);
    if (!f->bound)
        bind_ephemeral(f);
    struct posix_conn *c = conn_new(x, server, f, at);
    /* Linux: a Unix socket's connect to a full backlog fails with EAGAIN
    ** when nonblocking, or once SO_SNDTIMEO has passed (EINTR whatever
    ** SA_RESTART then), each as its first step finds them. A TCP connect
    ** waits (its SYNs are retried). */
    bool is_unix = f->family == AF_UNIX;
    struct stream_write_how how = {
        .nonblock_flag = is_unix ? &f->flags->nonblock : NULL,
        .timeout_flag = is_unix ? &f->flags->sndtimeo : NULL,
    };
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
    int rc = listener_connect(x, server->listening, c, how, at);
    if (rc == WEFT_EBUSY)
        return (int)failed(EAGAIN);
    if (rc != 0)
        return wait_cancelled(x) ? -1 : (int)failed(ECONNREFUSED);
    f->in = c->down;
    f->out = c->up;
    stream_file_new(x, f->in, f->out, NULL, at);
    f->peer = a;
    f->peer_len = len;
    /* Linux fails a nonblocking TCP connect with EINPROGRESS, over loopback
    ** too: the handshake ends after the call returns. weft ends it in the
    ** call's step (read here, with no step between: as the step found
    ** O_NONBLOCK), so the client's poll finds it writable and SO_ERROR 0. */
    if (!is_unix && f->flags->nonblock)
        return (int)failed(EINPROGRESS);
    return 0;
}

/* connect: a cancellation point, whether weft models the socket or not. */
int weft_connect_at(int fd, const struct sockaddr *addr, socklen_t len, const char *file,
                    int line)
{
    struct exec *x = sync_exec();
    struct sched_loc at = { file, line };
    if (x == NULL)
        return connect(fd, addr, len);
    point_enter(x, at);
    bool gone;
    struct posix_fd *f = modelled_socket(x, fd, &gone, at);
    int rc = gone ? (int)failed(EBADF)
           : f ? connect_modelled(x, f, addr, len, at) : connect(fd, addr, len);
    return (int)point_leave(x, rc, at);
}

static int accept_fd(struct exec *x, int fd, struct sockaddr *addr, socklen_t *len, int flags,
                     struct sched_loc at)
{
    if (number_gone(x, fd, at))
        return (int)failed(EBADF);
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {                  /* a listening socket of the system */
        if (would_block(fd, POLLIN))
            blocks_outside(x, "accept", at);
        return own(x, accept4(fd, addr, len, flags));
    }
    if (!f->listening)
        return (int)failed(f->type == SOCK_DGRAM ? EOPNOTSUPP : f->family ? EINVAL : ENOTSOCK);
    void *item = NULL;
    /* Linux: with SO_RCVTIMEO, EAGAIN once it passed, and EINTR whatever
    ** SA_RESTART */
    struct stream_read_how how = { .nonblock_flag = &f->flags->nonblock,
                                   .timeout_flag = &f->flags->rcvtimeo };
    posix_eintr_begin(x, POSIX_EINTR_UNLESS_RESTART);
    int rc = listener_accept(x, f->listening, &item, how, at);
    if (rc != 0 && wait_cancelled(x))
        return -1;
    if (rc != 0)                      /* (shut down: not listening) */
        return (int)failed(rc == WEFT_EBUSY ? EAGAIN : rc == WEFT_ECLOSED ? EINVAL : EBADF);
    struct posix_conn *c = item;
    int s = fd_new(x, c->up, c->down, flags & SOCK_NONBLOCK, true, at);
    if (s < 0)
        return -1;
    struct posix_fd *n = fd_find(x, s);
    n->family = f->family;
    n->type = f->type;
    n->local = f->local;
    n->local_len = f->local_len;
    n->bound = true;
    n->peer = c->client;
    n->peer_len = c->client_len;
    if (addr && len) {
        memcpy(addr, &c->client, *len < c->client_len ? *len : c->client_len);
        *len = c->client_len;
    }
    return s;
}

int weft_accept_at(int fd, struct sockaddr *addr, socklen_t *len, int flags, const char *file,
                   int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return accept4(fd, addr, len, flags);
    struct sched_loc at = { file, line };
    point_enter(x, at);
    return (int)point_leave(x, accept_fd(x, fd, addr, len, flags, at), at);
}

/* A closed or shut down listener refuses the connections it never
** accepted: their clients' reads fail with ECONNRESET (Linux resets them). */
static void refuse_connection(struct exec *x, void *item, struct sched_loc at)
{
    struct posix_conn *c = item;
    stream_abort(x, c->down, at);     /* the reset first: a write between the two
                                         steps goes in, as before the refusal */
    stream_close(x, c->up, true, at);
}

static int copy_address(const struct sockaddr_storage *a, socklen_t alen, struct sockaddr *addr,
                        socklen_t *len)
{
    if (addr == NULL || len == NULL)
        return (int)failed(EFAULT);
    memcpy(addr, a, *len < alen ? *len : alen);
    *len = alen;
    return 0;
}

int weft_sockname_at(int fd, struct sockaddr *addr, socklen_t *len, int peer, const char *file,
                     int line)
{
    struct exec *x = sync_exec();
    bool gone = false;
    struct posix_fd *f = x ? modelled_socket(x, fd, &gone, (struct sched_loc){ file, line }) : NULL;
    if (gone)
        return (int)failed(EBADF);
    if (f == NULL)
        return peer ? getpeername(fd, addr, len) : getsockname(fd, addr, len);
    if (peer && !f->peer_len)
        return (int)failed(ENOTCONN);
    if (!peer && !f->local_len) {
        struct sockaddr_storage none = { .ss_family = (sa_family_t)f->family };
        return copy_address(&none, f->family == AF_INET ? sizeof(struct sockaddr_in)
                                   : f->family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                   : sizeof(sa_family_t), addr, len);
    }
    return peer ? copy_address(&f->peer, f->peer_len, addr, len)
                : copy_address(&f->local, f->local_len, addr, len);
}

/* SO_RCVTIMEO or SO_SNDTIMEO of f (*ns, in its flags): set from the
** timeval at value, or got into it, as Linux's sock_set_timeout and
** sock_get_timeout do: a read or a write that waits that long fails with
** EAGAIN, or gives what went in (stream_read_how, stream_write_how). */
static int socket_timeout(int64_t *ns, void *value, socklen_t *len, int set)
{
    struct timeval tv;
    if (value == NULL || len == NULL)
        return (int)failed(EFAULT);
    if (*len < (socklen_t)sizeof tv)
        return (int)failed(EINVAL);
    if (!set) {
        int64_t t = *ns > 0 ? *ns : 0;
        tv = (struct timeval){ .tv_sec = t / 1000000000, .tv_usec = t % 1000000000 / 1000 };
        memcpy(value, &tv, sizeof tv);
        *len = sizeof tv;
        return 0;
    }
    memcpy(&tv, value, sizeof tv);
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return (int)failed(EDOM);
    *ns = tv.tv_sec < 0 ? -1
        : tv.tv_sec > INT64_MAX / 1000000000 - 1 ? 0      /* for ever */
        : tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
    return 0;
}

/* SO_SNDBUF of a Unix socket f: set as Linux's sock_setsockopt sets it
** (doubled, at least STREAM_SNDBUF_MIN), and its writes are charged
** against it from then on (stream.c); got as that doubled value. */
static int send_buffer(struct posix_fd *f, void *value, socklen_t *len, int set)
{
    int v;
    if (value == NULL || len == NULL)
        return (int)failed(EFAULT);
    if (set) {
        if (*len < (socklen_t)sizeof v)
            return (int)failed(EINVAL);
        memcpy(&v, value, sizeof v);
        size_t asked = (unsigned)v < STREAM_SNDBUF_MAX ? (unsigned)v : STREAM_SNDBUF_MAX;
        f->flags->sndbuf = 2 * asked < STREAM_SNDBUF_MIN ? STREAM_SNDBUF_MIN : 2 * asked;
        if (f->out && stream_sndbuf(f->out))
            stream_set_sndbuf(f->out, f->flags->sndbuf);
        return 0;
    }
    v = (int)(f->out && stream_sndbuf(f->out) ? stream_sndbuf(f->out)
            : f->flags->sndbuf ? f->flags->sndbuf : STREAM_UNIX_SNDBUF);
    if ((int)*len < 0)
        return (int)failed(EINVAL);
    *len = *len < (socklen_t)sizeof v ? *len : (socklen_t)sizeof v;
    memcpy(value, &v, *len);
    return 0;
}

/* What a set option step's log says: the option and the value set
** ("set option sv[1] (SO_RCVTIMEO 250ms)"); a get one's: the option. */
struct option_note {
    const char *fmt;
    int a, b;
};

static struct option_note option_note(int name, const void *value, socklen_t len, int set)
{
    static const char *const timeouts[2][7] = {
        { "SO_RCVTIMEO", "SO_RCVTIMEO %ds", "SO_RCVTIMEO %dms", "SO_RCVTIMEO %dus",
          "SO_RCVTIMEO %d.%06ds", "SO_RCVTIMEO 0: none", "SO_RCVTIMEO negative: no wait" },
        { "SO_SNDTIMEO", "SO_SNDTIMEO %ds", "SO_SNDTIMEO %dms", "SO_SNDTIMEO %dus",
          "SO_SNDTIMEO %d.%06ds", "SO_SNDTIMEO 0: none", "SO_SNDTIMEO negative: no wait" },
    };
    struct timeval tv;
    int n;
    if (name == SO_SNDBUF)
        return set && value && len >= (socklen_t)sizeof n
                   ? (struct option_note){ "SO_SNDBUF %d", (memcpy(&n, value, sizeof n), n), 0 }
                   : (struct option_note){ "SO_SNDBUF", 0, 0 };
    const char *const *f = timeouts[name == SO_SNDTIMEO];
    if (!set || value == NULL || len < (socklen_t)sizeof tv)
        return (struct option_note){ f[0], 0, 0 };
    memcpy(&tv, value, sizeof tv);
    if (tv.tv_sec > INT32_MAX || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return (struct option_note){ f[0], 0, 0 };   /* (EDOM, or for ever) */
    if (tv.tv_sec < 0)
        return (struct option_note){ f[6], 0, 0 };
    int s = (int)tv.tv_sec, us = (int)tv.tv_usec;
    if (s == 0 && us == 0)
        return (struct option_note){ f[5], 0, 0 };
    if (us == 0)
        return (struct option_note){ f[1], s, 0 };
    if (s <= INT32_MAX / 1000000 && us % 1000 == 0)
        return (struct option_note){ f[2], s * 1000 + us / 1000, 0 };
    if (s <= INT32_MAX / 1000000)
        return (struct option_note){ f[3], s * 1000000 + us, 0 };
    return (struct option_note){ f[4], s, us };
}

/* Options of a modelled socket: SO_RCVTIMEO, SO_SNDTIMEO and a Unix
** socket's SO_SNDBUF are modelled; others change nothing weft models: set
** ones are accepted, read ones are 0 (SO_TYPE: the socket's type). */
int weft_sockopt_at(int fd, int level, int name, void *value, socklen_t *len, socklen_t setlen,
                    int set, const char *file, int line)
{
    struct exec *x = sync_exec();
    bool gone = x && number_gone(x, fd, (struct sched_loc){ file, line });
    struct posix_fd *f = x && !gone ? fd_find(x, fd) : NULL;
    if (gone)
        return (int)failed(EBADF);
    if (f == NULL)
        return set ? setsockopt(fd, level, name, value, setlen)
                   : getsockopt(fd, level, name, value, len);
    if (!f->socket)
        return (int)failed(ENOTSOCK);
    /* The options weft models are read by the first steps of the socket's
    ** calls (stream.c): a change, or a look, is a step on its ends. */
    bool modelled = level == SOL_SOCKET &&
        (name == SO_RCVTIMEO || name == SO_SNDTIMEO ||
         (name == SO_SNDBUF && (f->family == 0 || f->family == AF_UNIX)));
    struct option_note on = option_note(name, value, setlen, set);
    if (modelled && !step_on_ends_noted(x, fd, f, set ? &set_option_class : &get_option_class,
                                        (struct sched_loc){ file, line }, on.fmt, on.a, on.b))
        return (int)failed(EBADF);
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
        return socket_timeout(name == SO_RCVTIMEO ? &f->flags->rcvtimeo : &f->flags->sndtimeo,
                              value, set ? &setlen : len, set);
    if (level == SOL_SOCKET && name == SO_SNDBUF && (f->family == 0 || f->family == AF_UNIX))
        return send_buffer(f, value, set ? &setlen : len, set);
    if (set)
        return 0;
    if (value == NULL || len == NULL)
        return (int)failed(EFAULT);
    memset(value, 0, *len);
    if (level == SOL_SOCKET && name == SO_TYPE && *len >= sizeof(int))
        *(int *)value = f->type ? f->type : SOCK_STREAM;
    return 0;
}
