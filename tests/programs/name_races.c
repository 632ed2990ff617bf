/*
** name_races.c -- a socket's close gives its name up in a step on the
** name, which a connect or a send to the name looks it up after
** (tests/programs.sh). The mode picks the socket main closes while a
** client thread reaches for it:
**   unix      a Unix stream listener: the connect is queued, or refused
**   tcp       a TCP listener on a loopback port: the same
**   dgram     a bound Unix datagram socket: the send goes in, or is refused
** -DREFUSED_ONLY claims the client is always refused: on Linux it is not
** when it comes first, and weft's DPOR used to run only the client that
** came after the close (a pass, 1 execution, where plain DFS failed).
*/
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_storage place;
static socklen_t place_len;
static int kind;

static void *client(void *arg)
{
    (void)arg;
    int c = socket(place.ss_family, kind, 0);
    int rc = kind == SOCK_DGRAM
           ? (int)sendto(c, "m", 1, 0, (struct sockaddr *)&place, place_len) - 1
           : connect(c, (struct sockaddr *)&place, place_len);
    assert(rc == 0 || errno == ECONNREFUSED);
#ifdef REFUSED_ONLY
    assert(rc == -1);
#endif
    close(c);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "unix";
    kind = strcmp(mode, "dgram") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    if (strcmp(mode, "tcp") == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)&place;
        in->sin_family = AF_INET;
        in->sin_port = htons(7411);
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        place_len = sizeof *in;
    } else {
        struct sockaddr_un *un = (struct sockaddr_un *)&place;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, "\0name-races", 11);
        place_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 11);
    }
    int s = socket(place.ss_family, kind, 0);
    assert(bind(s, (struct sockaddr *)&place, place_len) == 0);
    if (kind == SOCK_STREAM)
        assert(listen(s, 4) == 0);
    pthread_t t;
    pthread_create(&t, NULL, client, NULL);
    close(s);
    pthread_join(t, NULL);
    return 0;
}
