/*
** epoll.c -- epoll_create1, epoll_ctl, epoll_wait and epoll_pwait on the
** modelled pipes and sockets (tests/programs.sh). The mode picks one:
**   loop      an event loop reads two pipes that two writers fill and
**             close, until both ends are at their end (EPOLLHUP); it
**             watches with EPOLLONESHOT and re-arms after each read
**             (-DNO_REARM forgets to: the loop waits for ever, a deadlock)
**   added     main waits with nothing to watch; a thread adds a pipe and
**             writes to it: the wait sees the change and the byte
**   rotate    two ready pipes, one event a wait: each wait gives the other
**   timeout   a wait with nothing ready ends when the virtual clock passes
**             its timeout (epoll_wait's in ms, epoll_pwait2's a timespec,
**             which must be valid)
**   sockets   a UDP socket is writable at once and readable once a
**             datagram came; a socket pair's peer shut down: EPOLLRDHUP
**   errors    the errors Linux gives
**   dup       a watched pipe end is dup'd and closed: its entry stays, as
**             Linux keeps it while the file is open, and goes on reporting
**             with the closed number's data; the dup cannot remove it
**             (ENOENT); it goes with the dup's close (weft dropped it at
**             the first close)
**   exclusive EPOLLEXCLUSIVE: not supported, named at its line (EPOLLET
**             is: epoll_edge.c)
**   workers   two workers wait on one instance for two EPOLLONESHOT
**             eventfds that main makes readable: each worker gets one; a
**             worker woken for one the other took first waits on, as
**             Linux's epoll_wait with no timeout never returns 0 (weft
**             returned 0 to it)
**   add_twice two threads add one descriptor: exactly one succeeds (both
**             did when each looked the list up before either's step)
**   del_waiting a waiter's list loses an entry while it waits, and main's
**             own wait takes the change's wake-up: the waiter must never
**             report the deleted entry (it did, from its old wishes)
**   closing   a worker waits on two pipes while a thread closes one of
**             them: its entry leaves the list at the close, whenever the
**             worker made its wish (DPOR lost classes where the worker
**             looked at the list before the close and polled after it)
**   deadlines two waiters time out on one instance, then main writes: a
**             deadline counts from the wait's look at the list, which the
**             searches order with the other's timeout (it counted from
**             the call's start, between steps: DPOR lost classes)
*/
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int p[2], q[2];

static void *fill(void *arg)
{
    int *fds = arg;
    assert(write(fds[1], "ab", 2) == 2);
    close(fds[1]);
    return NULL;
}

static void watch(int ep, int op, int fd, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.fd = fd };
    assert(epoll_ctl(ep, op, fd, &ev) == 0);
}

static void loop(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    assert(ep >= 0 && pipe(p) == 0 && pipe(q) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT);
    watch(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLONESHOT);
    pthread_t a, b;
    pthread_create(&a, NULL, fill, p);
    pthread_create(&b, NULL, fill, q);
    int open_ends = 2, bytes = 0;
    while (open_ends > 0) {
        struct epoll_event evs[2];
        int n = epoll_wait(ep, evs, 2, -1);
        assert(n >= 1);
        for (int i = 0; i < n; i++) {
            char buf[8];
            ssize_t got = read(evs[i].data.fd, buf, sizeof buf);
            assert(got >= 0);
            bytes += (int)got;
            if (got == 0) {
                open_ends--;
                watch(ep, EPOLL_CTL_DEL, evs[i].data.fd, 0);
                continue;
            }
#ifndef NO_REARM
            watch(ep, EPOLL_CTL_MOD, evs[i].data.fd, EPOLLIN | EPOLLONESHOT);
#endif
        }
    }
    assert(bytes == 4);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    close(ep);
}

static int shared_ep;

static void *adder(void *arg)
{
    (void)arg;
    watch(shared_ep, EPOLL_CTL_ADD, p[0], EPOLLIN);
    assert(write(p[1], "x", 1) == 1);
    return NULL;
}

static void added(void)
{
    shared_ep = epoll_create(1);
    assert(pipe(p) == 0);
    pthread_t t;
    pthread_create(&t, NULL, adder, NULL);
    struct epoll_event ev;
    sigset_t none;
    sigemptyset(&none);
    assert(epoll_pwait(shared_ep, &ev, 1, -1, &none) == 1);
    assert(ev.events == EPOLLIN && ev.data.fd == p[0]);
    pthread_join(t, NULL);
}

static void rotate(void)
{
    int ep = epoll_create1(0);
    assert(pipe(p) == 0 && pipe(q) == 0);
    assert(write(p[1], "x", 1) == 1 && write(q[1], "y", 1) == 1);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN);
    watch(ep, EPOLL_CTL_ADD, q[0], EPOLLIN);
    struct epoll_event ev;
    assert(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.fd == p[0]);
    assert(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.fd == q[0]);
    assert(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.fd == p[0]);
    struct epoll_event two[4];
    assert(epoll_wait(ep, two, 4, 0) == 2);
}

static void timeout(void)
{
    int ep = epoll_create1(0);
    assert(pipe(p) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct epoll_event ev;
    assert(epoll_wait(ep, &ev, 1, 50) == 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert(ms >= 50);
    struct timespec quarter = { 0, 250000000 }, bad = { 0, 1000000000 };
    sigset_t none;
    sigemptyset(&none);
    assert(epoll_pwait2(ep, &ev, 1, &quarter, &none) == 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ms = (t0.tv_sec - t1.tv_sec) * 1000 + (t0.tv_nsec - t1.tv_nsec) / 1000000;
    assert(ms >= 250);
    assert(epoll_pwait2(ep, &ev, 1, &bad, NULL) == -1 && errno == EINVAL);
    assert(write(p[1], "x", 1) == 1);
    assert(epoll_pwait2(ep, &ev, 1, NULL, NULL) == 1 && ev.events == EPOLLIN);
}

static void sockets(void)
{
    int ep = epoll_create1(0);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9100),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert(bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    watch(ep, EPOLL_CTL_ADD, u, EPOLLIN | EPOLLOUT);
    struct epoll_event ev;
    assert(epoll_wait(ep, &ev, 1, -1) == 1 && ev.events == EPOLLOUT);
    assert(sendto(u, "d", 1, 0, (struct sockaddr *)&a, sizeof a) == 1);
    assert(epoll_wait(ep, &ev, 1, -1) == 1 && ev.events == (EPOLLIN | EPOLLOUT));
    int sv[2];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    watch(ep, EPOLL_CTL_DEL, u, 0);
    watch(ep, EPOLL_CTL_ADD, sv[0], EPOLLIN | EPOLLRDHUP);
    assert(epoll_wait(ep, &ev, 1, 0) == 0);
    shutdown(sv[1], SHUT_WR);         /* half closed: no EPOLLHUP (Linux) */
    assert(epoll_wait(ep, &ev, 1, 0) == 1);
    assert(ev.events == (EPOLLIN | EPOLLRDHUP) && ev.data.fd == sv[0]);
    close(sv[1]);                     /* both directions shut: EPOLLHUP */
    assert(epoll_wait(ep, &ev, 1, 0) == 1);
    assert(ev.events == (EPOLLIN | EPOLLRDHUP | EPOLLHUP) && ev.data.fd == sv[0]);
}

static void dup_then_close(void)
{
    int ep = epoll_create1(0);
    assert(pipe(p) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN);
    int d = dup(p[0]), watched = p[0];
    close(p[0]);
    assert(write(p[1], "x", 1) == 1);
    struct epoll_event ev;
    assert(epoll_wait(ep, &ev, 1, 0) == 1 && ev.events == EPOLLIN && ev.data.fd == watched);
    struct epoll_event none = { .events = EPOLLIN };
    assert(epoll_ctl(ep, EPOLL_CTL_DEL, d, &none) == -1 && errno == ENOENT);
    close(d);
    assert(epoll_wait(ep, &ev, 1, 0) == 0);
}

static void errors(void)
{
    int ep = epoll_create1(0);
    assert(pipe(p) == 0);
    struct epoll_event ev = { .events = EPOLLIN };
    assert(epoll_create(0) == -1 && errno == EINVAL);
    assert(epoll_create1(12345) == -1 && errno == EINVAL);
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EEXIST);
    assert(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev) == -1 && errno == ENOENT);
    assert(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == -1 && errno == ENOENT);
    assert(epoll_ctl(ep, 99, p[0], &ev) == -1 && errno == EINVAL);
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL);
    assert(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev) == -1 && errno == EINVAL);
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, 4321, &ev) == -1 && errno == EBADF);
    assert(epoll_ctl(4321, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EBADF);
    FILE *f = tmpfile();
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, fileno(f), &ev) == -1 && errno == EPERM);
    fclose(f);
    struct epoll_event out;
    assert(epoll_wait(ep, &out, 0, 0) == -1 && errno == EINVAL);
    assert(epoll_wait(p[0], &out, 1, 0) == -1 && errno == EINVAL);
    char c;
    assert(read(ep, &c, 1) == -1 && errno == EINVAL);
    close(p[0]);                      /* a closed descriptor leaves the list */
    assert(epoll_wait(ep, &out, 1, 0) == 0);
    close(ep);
    assert(epoll_wait(ep, &out, 1, 0) == -1 && errno == EBADF);
}

static int ep_shared;

static void *epoll_worker(void *arg)
{
    struct epoll_event ev;
    assert(epoll_wait(ep_shared, &ev, 1, -1) == 1);
    *(int *)arg = ev.data.fd;
    return NULL;
}

static void workers(void)
{
    ep_shared = epoll_create1(0);
    int fds[2], got[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        fds[i] = eventfd(0, 0);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.fd = fds[i] };
        assert(epoll_ctl(ep_shared, EPOLL_CTL_ADD, fds[i], &ev) == 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, epoll_worker, &got[i]);
    for (int i = 0; i < 2; i++)
        assert(eventfd_write(fds[i], 1) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert(got[0] != got[1]);
}

static int pc[2], qc[2];

static void *closing_waiter(void *arg)
{
    struct epoll_event ev;
    assert(epoll_wait(ep_shared, &ev, 1, -1) == 1);
    *(int *)arg = ev.data.fd;
    return NULL;
}

static void *closing_closer(void *arg)
{
    (void)arg;
    close(pc[0]);
    return NULL;
}

static void closing(void)
{
    signal(SIGPIPE, SIG_IGN);
    ep_shared = epoll_create1(0);
    assert(pipe(pc) == 0 && pipe(qc) == 0);
    struct epoll_event a = { .events = EPOLLIN, .data.fd = 1 },
                       b = { .events = EPOLLIN, .data.fd = 2 };
    assert(epoll_ctl(ep_shared, EPOLL_CTL_ADD, pc[0], &a) == 0);
    assert(epoll_ctl(ep_shared, EPOLL_CTL_ADD, qc[0], &b) == 0);
    int got;
    pthread_t w, c;
    pthread_create(&w, NULL, closing_waiter, &got);
    pthread_create(&c, NULL, closing_closer, NULL);
    (void)write(pc[1], "x", 1);      /* fails with EPIPE once pc[0] closed */
    pthread_join(c, NULL);
    assert(write(qc[1], "y", 1) == 1);
    pthread_join(w, NULL);
    assert(got == 1 || got == 2);
}

static int adds_ok;

static void *twin_adder(void *arg)
{
    struct epoll_event ev = { .events = EPOLLIN };
    if (epoll_ctl(ep_shared, EPOLL_CTL_ADD, *(int *)arg, &ev) == 0)
        __atomic_fetch_add(&adds_ok, 1, __ATOMIC_SEQ_CST);
    else
        assert(errno == EEXIST);
    return NULL;
}

static void add_twice(void)
{
    ep_shared = epoll_create1(0);
    assert(pipe(pc) == 0);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, twin_adder, &pc[0]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert(adds_ok == 1);
}

static void *stale_waiter(void *arg)
{
    (void)arg;
    struct epoll_event ev[2];
    int n = epoll_wait(ep_shared, ev, 2, 0);
    for (int i = 0; i < n; i++)
        assert(ev[i].data.u32 == 'a');  /* b is never readable */
    return NULL;
}

static void del_waiting(void)
{
    assert(pipe(pc) == 0 && pipe(qc) == 0);
    assert(write(pc[1], "x", 1) == 1);
    ep_shared = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN, .data.u32 = 'a' }, ev[2];
    assert(epoll_ctl(ep_shared, EPOLL_CTL_ADD, pc[0], &e) == 0);
    e.data.u32 = 'b';
    assert(epoll_ctl(ep_shared, EPOLL_CTL_ADD, qc[0], &e) == 0);
    assert(epoll_wait(ep_shared, ev, 2, 0) == 1 && ev[0].data.u32 == 'a');
    pthread_t t;
    pthread_create(&t, NULL, stale_waiter, NULL);
    assert(epoll_ctl(ep_shared, EPOLL_CTL_DEL, pc[0], NULL) == 0);
    assert(epoll_wait(ep_shared, ev, 2, 0) == 0);
    pthread_join(t, NULL);
}

static void exclusive(void)
{
    int ep = epoll_create1(0);
    assert(pipe(p) == 0);
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE);
}

static void *time_out(void *arg)
{
    struct epoll_event ev;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (epoll_wait(shared_ep, &ev, 1, 100) == 0) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        assert(ms >= 100);
    }
    return arg;
}

static void deadlines(void)
{
    shared_ep = epoll_create1(0);
    assert(pipe(p) == 0);
    watch(shared_ep, EPOLL_CTL_ADD, p[0], EPOLLIN);
    pthread_t a, b;
    pthread_create(&a, NULL, time_out, NULL);
    pthread_create(&b, NULL, time_out, NULL);
    assert(write(p[1], "x", 1) == 1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "loop";
    if (strcmp(mode, "loop") == 0)
        loop();
    else if (strcmp(mode, "added") == 0)
        added();
    else if (strcmp(mode, "rotate") == 0)
        rotate();
    else if (strcmp(mode, "timeout") == 0)
        timeout();
    else if (strcmp(mode, "sockets") == 0)
        sockets();
    else if (strcmp(mode, "errors") == 0)
        errors();
    else if (strcmp(mode, "dup") == 0)
        dup_then_close();
    else if (strcmp(mode, "exclusive") == 0)
        exclusive();
    else if (strcmp(mode, "workers") == 0)
        workers();
    else if (strcmp(mode, "closing") == 0)
        closing();
    else if (strcmp(mode, "add_twice") == 0)
        add_twice();
    else if (strcmp(mode, "del_waiting") == 0)
        del_waiting();
    else if (strcmp(mode, "deadlines") == 0)
        deadlines();
    else
        return 2;
    return 0;
}
