/*
** sockopt_race.c -- SO_RCVTIMEO or SO_SNDTIMEO set by one thread while
** another calls on the socket (tests/programs.sh): the call reads the
** timeout in its first step, as it reads O_NONBLOCK, so whether its wait
** can time out depends on which step came first. The mode picks the call:
**   read      a read of an empty Unix socket (SO_RCVTIMEO)
**   write     a write to a full one (SO_SNDTIMEO)
**   accept    an accept with no connection waiting (SO_RCVTIMEO)
**   never     a read, and a negative SO_RCVTIMEO, which Linux turns into
**             "do not wait": it fails at once with EAGAIN
** Another thread sets the timeout (1 ms), then makes the call possible
** (a byte, room, a connection), so a call that waited returns.
** -DNEVER_EAGAIN claims the call never gives up: it does on Linux when
** the timeout came first and ran out before the other thread's next step.
** weft's DPOR used to read the timeout when the call began, before its
** step, and passed the claim ("exhaustive").
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int sv[2], ls;
static const char *mode;
static char room[65536];
static long filled;
static struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "\0sockopt_race" };
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

/* Sets the timeout, then makes the call possible. */
static void *setter(void *arg)
{
    (void)arg;
    struct timeval tv = { 0, 1000 };
    if (strcmp(mode, "never") == 0)
        tv = (struct timeval){ -1, 0 };
    if (strcmp(mode, "write") == 0) {
        assert(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
        while (filled > 0)
            filled -= read(sv[0], room, sizeof room);
    } else if (strcmp(mode, "accept") == 0) {
        assert(setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        assert(connect(c, (struct sockaddr *)&un, sizeof un) == 0);
    } else {
        assert(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
        assert(write(sv[1], "b", 1) == 1);
    }
    return NULL;
}

/* Fill sv[1] until a write would wait: how many bytes went in. */
static long fill(void)
{
    long total = 0, n;
    while ((n = send(sv[1], room, sizeof room, MSG_DONTWAIT)) > 0)
        total += n;
    assert(errno == EAGAIN);
    return total;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(bind(ls, (struct sockaddr *)&un, sizeof un) == 0 && listen(ls, 4) == 0);
    if (strcmp(mode, "write") == 0)
        filled = fill();
    pthread_t t;
    pthread_create(&t, NULL, setter, NULL);
    pthread_mutex_lock(&m);           /* a step of main's own before the call */
    pthread_mutex_unlock(&m);
    char c = 'x';
    long r = strcmp(mode, "write") == 0    ? write(sv[1], &c, 1)
           : strcmp(mode, "accept") == 0   ? accept(ls, NULL, NULL)
                                           : read(sv[0], &c, 1);
    assert(r >= 0 || errno == EAGAIN);
#ifdef NEVER_EAGAIN
    assert(r >= 0);
#endif
    pthread_join(t, NULL);
    return 0;
}
