/* tcp_capacity.c -- how much a loopback TCP connection holds (tests/programs.sh).
** A client and a server each send a request of SIZE bytes, in one write,
** before reading the other's. Linux's send buffer grows to 4 MB on
** loopback, so 128 KB each way fits and the exchange ends (weft held 65,536
** bytes and called it a deadlock); -DBIG: 5 MB each way, which no buffer
** holds: both wait for ever, on Linux as in weft. */
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "loopback.h"

#ifdef BIG
#define SIZE (5 * 1024 * 1024)
#else
#define SIZE (128 * 1024)
#endif

static int listener;

/* Send all of SIZE bytes, then read all of the peer's. */
static void exchange(int fd)
{
    static char out[2][SIZE], in[65536];
    static int turn;
    char *mine = out[turn++ % 2];
    for (size_t sent = 0; sent < SIZE;) {
        ssize_t k = write(fd, mine + sent, SIZE - sent);
        assert(k > 0);
        sent += (size_t)k;
    }
    for (size_t got = 0; got < SIZE;) {
        ssize_t k = read(fd, in, sizeof in);
        assert(k > 0);
        got += (size_t)k;
    }
}

static void *server(void *arg)
{
    (void)arg;
    int c = accept(listener, NULL, NULL);
    exchange(c);
    close(c);
    return NULL;
}

int main(void)
{
    struct sockaddr_in a;
    listener = loopback_listener(&a);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    exchange(c);
    pthread_join(t, NULL);
    close(c);
    return 0;
}
