/*
** io.c -- file descriptors of a pthread program: pipes and socket pairs
** between its threads are weft streams (sync/stream.h), so a read that
** waits for a write is a visible wait and a deadlock through a pipe is a
** deadlock. Every other descriptor (a regular file, a terminal, a socket
** to the world) is the real one: a call on it passes through when it
** cannot block, and when it would block weft stops the execution at its
** line as STUCK rather than hang.
**
** A stream's descriptor is a real one too, a /dev/null opened to reserve
** its number, so numbers never collide with the program's real files and
** follow the lowest-free rule. The reservations an execution leaves open
** (it ended in a deadlock) are closed before the next one (posix_io_reset).
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <fcntl.h>
#include <signal.h>
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

/* A descriptor of the program that weft models. */
struct posix_fd {
    int fd;
    struct stream *in;                /* what it reads, or NULL */
    struct stream *out;               /* what it writes, or NULL */
    bool nonblock;
    bool socket;
    UT_hash_handle hh;
};

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

/* ==========================================================================
** Reserved numbers
** ========================================================================== */

static struct posix_program *program_of(struct exec *x)
{
    return (struct posix_program *)posix_program_of(x);   /* the loader's, not const */
}

/* Remember fd, a real descriptor the execution opened, to close it
** before the next execution if the program does not: fd, or -1 (errno
** set) when there is no memory to remember it. */
static int own(struct exec *x, int fd)
{
    struct posix_program *p = program_of(x);
    if (fd < 0)
        return fd;
    if (p->nreserved == p->reserved_cap) {
        int cap = p->reserved_cap ? 2 * p->reserved_cap : 16;
        int *r = realloc(p->reserved, (size_t)cap * sizeof *r);
        if (r == NULL) {
            close(fd);
            errno = ENOMEM;
            return -1;
        }
        p->reserved = r;
        p->reserved_cap = cap;
    }
    p->reserved[p->nreserved++] = fd;
    return fd;
}

/* A real descriptor number for a stream end: -1 with errno set. */
static int reserve(struct exec *x)
{
    return own(x, open("/dev/null", O_RDONLY | O_CLOEXEC));
}

/* fd is closed by the program: forget it (and close it). */
static int unreserve(struct exec *x, int fd)
{
    struct posix_program *p = program_of(x);
    for (int i = 0; i < p->nreserved; i++)
        if (p->reserved[i] == fd) {
            p->reserved[i] = p->reserved[--p->nreserved];
            break;
        }
    return close(fd);
}

void posix_io_reset(struct posix_program *p)
{
    for (int i = 0; i < p->nreserved; i++)
        close(p->reserved[i]);
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
    f->fd = reserve(x);
    if (f->fd < 0)
        return -1;
    *f = (struct posix_fd){ .fd = f->fd, .in = in, .out = out, .nonblock = nonblock,
                            .socket = socket };
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
               "%s would block outside weft: only pipes and socket pairs "
               "made by the program are modelled (README: Running a pthread program)",
               call);
}

static bool is_output(int fd) { return fd == STDOUT_FILENO || fd == STDERR_FILENO; }

/* ==========================================================================
** pipe, pipe2, socketpair
** ========================================================================== */

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
    bool nonblock = flags & O_NONBLOCK;
    int r = fd_new(x, s, NULL, nonblock, false, at);
    int w = r < 0 ? -1 : fd_new(x, NULL, s, nonblock, false, at);
    if (w < 0) {
        if (r >= 0)
            weft_close_at(r, file, line);
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
    if (domain != AF_UNIX || kind != SOCK_STREAM)
        sched_fail(x, WEFT_ASSERTION, at, "socketpair of %s is not supported by weft yet "
                   "(AF_UNIX, SOCK_STREAM is)", domain != AF_UNIX ? "a domain but AF_UNIX"
                   : "a type but SOCK_STREAM");
    char n01[SCHED_NAME_MAX], n10[SCHED_NAME_MAX];
    snprintf(n01, sizeof n01, "%s[0] to [1]", spelled(name));
    snprintf(n10, sizeof n10, "%s[1] to [0]", spelled(name));
    struct stream *a = stream_new(x, n01, PIPE_CAPACITY, at);
    struct stream *b = stream_new(x, n10, PIPE_CAPACITY, at);
    bool nonblock = type & SOCK_NONBLOCK;
    int s0 = fd_new(x, b, a, nonblock, true, at);
    int s1 = s0 < 0 ? -1 : fd_new(x, a, b, nonblock, true, at);
    if (s1 < 0) {
        if (s0 >= 0)
            weft_close_at(s0, file, line);
        return -1;
    }
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

static ssize_t stream_in(struct exec *x, struct posix_fd *f, void *buf, size_t n, bool nonblock,
                         struct sched_loc at)
{
    if (f->in == NULL)
        return failed(EBADF);
    long got = stream_read(x, f->in, buf, n, nonblock || f->nonblock, at);
    return got == WEFT_EBUSY ? failed(EAGAIN) : got;
}

/* A write to a stream whose read end is closed: EPIPE, or the death by
** SIGPIPE that the program would die of if it does not ignore it. */
static ssize_t broken_pipe(struct exec *x, struct posix_fd *f, bool nosignal, struct sched_loc at)
{
    struct sigaction sa;
    if (!nosignal && sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        sched_fail(x, WEFT_CRASH, at, "write to \"%s\" after its read end was closed: SIGPIPE "
                   "ends the program (ignore SIGPIPE, or send with MSG_NOSIGNAL)",
                   stream_name(f->out));
    return failed(EPIPE);
}

static ssize_t stream_out(struct exec *x, struct posix_fd *f, const void *buf, size_t n,
                          bool nonblock, bool nosignal, struct sched_loc at)
{
    if (f->out == NULL)
        return failed(EBADF);
    long put = stream_write(x, f->out, buf, n, nonblock || f->nonblock, at);
    if (put == WEFT_ECLOSED)
        return broken_pipe(x, f, nosignal, at);
    return put == WEFT_EBUSY ? failed(EAGAIN) : put;
}

ssize_t weft_read_at(int fd, void *buf, size_t n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return read(fd, buf, n);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f)
        return stream_in(x, f, buf, n, false, at);
    if (would_block(fd, POLLIN))
        blocks_outside(x, "read", at);
    return read(fd, buf, n);
}

ssize_t weft_write_at(int fd, const void *buf, size_t n, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return write(fd, buf, n);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f)
        return stream_out(x, f, buf, n, false, false, at);
    if (is_output(fd))
        return posix_output(x, fd, buf, n);
    if (would_block(fd, POLLOUT))
        blocks_outside(x, "write", at);
    return write(fd, buf, n);
}

ssize_t weft_recv_at(int fd, void *buf, size_t n, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return recv(fd, buf, n, flags);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLIN))
            blocks_outside(x, "recv", at);
        return recv(fd, buf, n, flags);
    }
    if (flags & ~(MSG_DONTWAIT | MSG_WAITALL | MSG_NOSIGNAL))
        sched_fail(x, WEFT_ASSERTION, at, "recv flags 0x%x are not supported by weft yet "
                   "(MSG_DONTWAIT and MSG_WAITALL are)", (unsigned)flags);
    if (!f->socket)
        return failed(ENOTSOCK);
    ssize_t got = stream_in(x, f, buf, n, flags & MSG_DONTWAIT, at);
    while ((flags & MSG_WAITALL) && got > 0 && (size_t)got < n) {
        ssize_t more = stream_in(x, f, (char *)buf + got, n - (size_t)got, false, at);
        if (more <= 0)
            break;
        got += more;
    }
    return got;
}

ssize_t weft_send_at(int fd, const void *buf, size_t n, int flags, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return send(fd, buf, n, flags);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL) {
        if (!(flags & MSG_DONTWAIT) && would_block(fd, POLLOUT))
            blocks_outside(x, "send", at);
        return send(fd, buf, n, flags);
    }
    if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
        sched_fail(x, WEFT_ASSERTION, at, "send flags 0x%x are not supported by weft yet "
                   "(MSG_DONTWAIT and MSG_NOSIGNAL are)", (unsigned)flags);
    if (!f->socket)
        return failed(ENOTSOCK);
    return stream_out(x, f, buf, n, flags & MSG_DONTWAIT, flags & MSG_NOSIGNAL, at);
}

/* ==========================================================================
** close, shutdown, fcntl, dup
** ========================================================================== */

int weft_close_at(int fd, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return close(fd);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL)
        return unreserve(x, fd);
    if (f->in)
        stream_close(x, f->in, true, at);
    if (f->out)
        stream_close(x, f->out, false, at);
    HASH_DEL(x->program->fds, f);
    unreserve(x, fd);
    return 0;
}

int weft_shutdown_at(int fd, int how, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return shutdown(fd, how);
    struct sched_loc at = { file, line };
    struct posix_fd *f = fd_find(x, fd);
    if (f == NULL)
        return shutdown(fd, how);
    if (!f->socket)
        return (int)failed(ENOTSOCK);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return (int)failed(EINVAL);
    if (how != SHUT_WR && f->in && !stream_reader_closed(f->in))
        stream_close(x, f->in, true, at);
    if (how != SHUT_RD && f->out && !stream_writer_closed(f->out))
        stream_close(x, f->out, false, at);
    return 0;
}

static int modelled_fcntl(struct exec *x, struct posix_fd *f, int cmd, long arg,
                          struct sched_loc at)
{
    switch (cmd) {
    case F_GETFL:
        return (f->in && f->out ? O_RDWR : f->in ? O_RDONLY : O_WRONLY) |
               (f->nonblock ? O_NONBLOCK : 0);
    case F_SETFL:
        f->nonblock = (arg & O_NONBLOCK) != 0;
        return 0;
    case F_GETFD:
        return FD_CLOEXEC;
    case F_SETFD:
        return 0;
    default:
        sched_fail(x, WEFT_ASSERTION, at, "fcntl command %d on a pipe or socket pair is not "
                   "supported by weft yet (F_GETFL, F_SETFL, F_GETFD, F_SETFD are)", cmd);
    }
}

int weft_fcntl_at(const char *file, int line, int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);   /* an int or a pointer, as glibc reads it */
    va_end(ap);
    struct exec *x = sync_exec();
    struct posix_fd *f = x ? fd_find(x, fd) : NULL;
    if (f == NULL)
        return fcntl(fd, cmd, arg);
    return modelled_fcntl(x, f, cmd, (long)(intptr_t)arg, (struct sched_loc){ file, line });
}

int weft_dup_at(int fd, int to, const char *call, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x && (fd_find(x, fd) || (to >= 0 && fd_find(x, to))))
        sched_fail(x, WEFT_ASSERTION, (struct sched_loc){ file, line },
                   "%s of a pipe or socket pair is not supported by weft yet", call);
    return to < 0 ? dup(fd) : dup2(fd, to);
}

/* Listening sockets are the system's: accept passes through when a
** connection waits, else it would block outside weft. */
int weft_accept_at(int fd, struct sockaddr *addr, socklen_t *len, int flags, const char *file,
                   int line)
{
    struct exec *x = sync_exec();
    if (x && fd_find(x, fd))
        return (int)failed(ENOTSOCK);
    if (x == NULL)
        return accept4(fd, addr, len, flags);
    if (would_block(fd, POLLIN))
        blocks_outside(x, "accept", (struct sched_loc){ file, line });
    return own(x, accept4(fd, addr, len, flags));
}

/* Real files and sockets the program opens are its own: they pass
** through, and are closed before the next execution if it leaves them
** open, so every execution finds the same descriptors free. */
int weft_open_at(const char *file, int line, const char *path, int flags, ...)
{
    (void)file;
    (void)line;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, unsigned) : 0;
    va_end(ap);
    struct exec *x = sync_exec();
    int fd = open(path, flags, mode);
    return x ? own(x, fd) : fd;
}

int weft_socket_at(int domain, int type, int protocol, const char *file, int line)
{
    (void)file;
    (void)line;
    struct exec *x = sync_exec();
    int fd = socket(domain, type, protocol);
    return x ? own(x, fd) : fd;
}

/* ==========================================================================
** poll and select
** ========================================================================== */

/* revents of a modelled descriptor after a poll that found it ready. */
static short revents_of(const struct posix_fd *f, const struct stream_poll *w, short events)
{
    short r = 0;
    if (w->got_in) {
        if ((events & POLLIN) && stream_buffered(f->in) > 0)
            r |= POLLIN;
        if (stream_writer_closed(f->in))
            r |= POLLHUP | (events & POLLIN);
    }
    if (w->got_out)
        r |= stream_reader_closed(f->out) ? POLLERR : (events & POLLOUT);
    return r;
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
        *real = true;
        struct pollfd one = pfds[i];
        if (poll(&one, 1, 0) > 0) {
            pfds[i].revents = one.revents;
            ready++;
        }
    }
    return ready;
}

int weft_poll_at(struct pollfd *pfds, nfds_t n, int timeout_ms, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return poll(pfds, n, timeout_ms);
    struct sched_loc at = { file, line };
    bool real;
    int ready = poll_real(x, pfds, n, &real);
    struct stream_poll *w = arena_alloc(&x->arena, (n ? n : 1) * sizeof *w);
    if (w == NULL)
        no_memory(x, at);
    int streams = 0;
    for (nfds_t i = 0; i < n; i++) {
        struct posix_fd *f = pfds[i].fd >= 0 ? fd_find(x, pfds[i].fd) : NULL;
        if (f)
            w[i] = (struct stream_poll){ .in = f->in, .out = f->out,
                                         .want_in = pfds[i].events & POLLIN,
                                         .want_out = pfds[i].events & POLLOUT };
        streams += 2 * (f != NULL);
    }
    if (streams >= SCHED_MAX_OBJS)
        sched_fail(x, WEFT_ASSERTION, at, "poll on more than %d pipes or sockets",
                   SCHED_MAX_OBJS / 2 - 1);
    if (streams == 0) {
        if (ready || timeout_ms == 0)
            return ready;
        if (timeout_ms < 0)
            blocks_outside(x, "poll", at);
        weft_sleep_ns_at(sched_ms_to_ns(timeout_ms), file, line);
        return 0;
    }
    int64_t ns = ready || timeout_ms == 0 ? 0 : timeout_ms < 0 ? -1 : sched_ms_to_ns(timeout_ms);
    stream_poll(x, w, (int)n, ns, at);
    for (nfds_t i = 0; i < n; i++) {
        struct posix_fd *f = pfds[i].fd >= 0 ? fd_find(x, pfds[i].fd) : NULL;
        if (f && (pfds[i].revents = revents_of(f, &w[i], pfds[i].events)))
            ready++;
    }
    return ready;
}

/* select over poll: each descriptor below nfds in a set is one pollfd. */
int weft_posix_select_at(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv,
                   const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return select(nfds, rd, wr, ex, tv);
    if (nfds < 0 || nfds > FD_SETSIZE || (tv && (tv->tv_sec < 0 || tv->tv_usec < 0)))
        return (int)failed(EINVAL);
    struct pollfd *p = arena_alloc(&x->arena, (size_t)(nfds ? nfds : 1) * sizeof *p);
    if (p == NULL)
        no_memory(x, (struct sched_loc){ file, line });
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0);
        if (ev)
            p[n++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    int64_t ms = tv ? (int64_t)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000 : -1;
    int rc = weft_poll_at(p, n, ms > INT32_MAX ? INT32_MAX : (int)ms, file, line);
    if (rc < 0)
        return rc;
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
    if (tv && rc == 0)
        *tv = (struct timeval){ 0, 0 };
    return bits;
}
