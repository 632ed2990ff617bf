/*
** socket_timeouts.c -- SO_RCVTIMEO on a listening socket, and a Unix
** socket's SO_SNDTIMEO and O_NONBLOCK on a connect to a full backlog
** (tests/programs.sh; the argument picks the mode). weft ignored both, so
** a server that polls a stop flag between timed accepts was reported as a
** deadlock, and so was a client that gives up on a full backlog.
**   server      a server thread accepts with a 100 ms SO_RCVTIMEO, checking
**               a stop flag whenever an accept times out (EAGAIN); main
**               connects once, reads the server's reply, then sets the
**               flag and joins it (passes).
**   unstopped   as server, but main never sets the flag: a livelock, the
**               server spinning on timed-out accepts.
**   full        a Unix listener with a backlog of 0 holds one connection
**               (Linux); a second connect with a 100 ms SO_SNDTIMEO fails
**               with EAGAIN, and so does a nonblocking third (passes).
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static const struct timeval tenth = { 0, 100000 };
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool stop;
static int listener, served;

static struct sockaddr_in loopback(void)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(47151);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static bool stopped(void)
{
    pthread_mutex_lock(&mu);
    bool s = stop;
    pthread_mutex_unlock(&mu);
    return s;
}

static void *server(void *arg)
{
    (void)arg;
    while (!stopped()) {
        int s = accept(listener, NULL, NULL);
        if (s < 0) {
            assert(errno == EAGAIN);  /* the timeout: look at the flag again */
            continue;
        }
        served++;
        assert(write(s, "!", 1) == 1);
        close(s);
    }
    return NULL;
}

static void serve(bool stopping)
{
    struct sockaddr_in a = loopback();
    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    assert(bind(listener, (struct sockaddr *)&a, sizeof a) == 0 && listen(listener, 4) == 0);
    assert(setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tenth, sizeof tenth) == 0);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    char reply;
    assert(read(c, &reply, 1) == 1);  /* served: the flag may stop it now */
    close(c);
    if (stopping) {
        pthread_mutex_lock(&mu);
        stop = true;
        pthread_mutex_unlock(&mu);
    }
    pthread_join(t, NULL);
    close(listener);
}

static void full_backlog(void)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strcpy(a.sun_path, "/tmp/weft-socket-timeouts.sock");
    unlink(a.sun_path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 0) == 0);
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0), c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
    assert(connect(c1, (struct sockaddr *)&a, sizeof a) == 0);
    assert(setsockopt(c2, SOL_SOCKET, SO_SNDTIMEO, &tenth, sizeof tenth) == 0);
    assert(connect(c2, (struct sockaddr *)&a, sizeof a) == -1 && errno == EAGAIN);
    fcntl(c3, F_SETFL, O_NONBLOCK);
    assert(connect(c3, (struct sockaddr *)&a, sizeof a) == -1 && errno == EAGAIN);
    close(c1);
    close(c2);
    close(c3);
    close(l);
    unlink(a.sun_path);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "server";
    if (strcmp(mode, "server") == 0 || strcmp(mode, "unstopped") == 0) {
        serve(strcmp(mode, "server") == 0);
        assert(served == 1);
    } else if (strcmp(mode, "full") == 0) {
        full_backlog();
    } else {
        return 2;
    }
    return 0;
}
