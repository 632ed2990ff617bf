/*
** nonblock_race.c -- O_NONBLOCK set by one thread while another calls on
** the descriptor (tests/programs.sh): the call looks at the flag in its
** first step, so whether it gives up (EAGAIN) or waits depends on which
** step came first. The mode picks the call:
**   read      a read of an empty pipe (main sets O_NONBLOCK with F_SETFL)
**   write     a write to a full pipe (main sets it with ioctl FIONBIO)
**   accept    an accept with no connection waiting (F_SETFL)
** Main then makes the call possible (a byte, room, a connection), so a
** call that waited returns. -DNEVER_EAGAIN claims it never gives up: on
** Linux it does when the flag came first, and weft's DPOR used to read the
** flag when the call began, before its step, and miss that order (a pass).
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int p[2], ls;
static const char *mode;
static char room[65536];

static void *caller(void *arg)
{
    (void)arg;
    char c = 'x';
    long r = strcmp(mode, "read") == 0    ? read(p[0], &c, 1)
           : strcmp(mode, "write") == 0   ? write(p[1], &c, 1)
                                          : accept(ls, NULL, NULL);
    assert(r >= 0 || errno == EAGAIN);
#ifdef NEVER_EAGAIN
    assert(r >= 0);
#endif
    return NULL;
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "read";
    assert(pipe(p) == 0);
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(7412),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    ls = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(ls, (struct sockaddr *)&in, sizeof in) == 0 && listen(ls, 4) == 0);
    int on = 1;
    if (strcmp(mode, "write") == 0)
        assert(write(p[1], room, sizeof room) == (long)sizeof room);   /* full */
    pthread_t t;
    pthread_create(&t, NULL, caller, NULL);
    if (strcmp(mode, "read") == 0) {
        assert(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
        assert(write(p[1], "b", 1) == 1);
    } else if (strcmp(mode, "write") == 0) {
        assert(ioctl(p[1], FIONBIO, &on) == 0);
        assert(read(p[0], room, sizeof room) == (long)sizeof room);
    } else {
        assert(fcntl(ls, F_SETFL, O_NONBLOCK) == 0);
        int c = socket(AF_INET, SOCK_STREAM, 0);
        assert(connect(c, (struct sockaddr *)&in, sizeof in) == 0);
    }
    pthread_join(t, NULL);
    return 0;
}
