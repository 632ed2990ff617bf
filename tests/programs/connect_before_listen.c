/* connect_before_listen.c -- a server thread binds and listens while a
** client thread connects at once: "usually works", but when the client
** runs first Linux refuses the connection (tests/programs.sh). bind,
** listen and connect are steps on the execution's socket addresses, so
** the searches order the connect before the listen too. -DFIXED: main
** listens before it starts either thread. */
#include <arpa/inet.h>
#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listening = -1;
static struct sockaddr_in place;

static void start_listening(void)
{
    listening = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(listening, (struct sockaddr *)&place, sizeof place) == 0);
    assert(listen(listening, 4) == 0);
}

static void *server(void *arg)
{
    (void)arg;
#ifndef FIXED
    start_listening();
#endif
    int c = accept(listening, NULL, NULL);
    char buf[4];
    assert(c >= 0 && read(c, buf, sizeof buf) == 4);
    close(c);
    close(listening);
    return NULL;
}

static void *client(void *arg)
{
    (void)arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int rc = connect(s, (struct sockaddr *)&place, sizeof place);
    assert(rc == 0);
    write(s, "ping", 4);
    close(s);
    return NULL;
}

int main(void)
{
    memset(&place, 0, sizeof place);
    place.sin_family = AF_INET;
    place.sin_port = htons(47123);
    place.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
#ifdef FIXED
    start_listening();
#endif
    pthread_t s, c;
    pthread_create(&s, NULL, server, NULL);
    pthread_create(&c, NULL, client, NULL);
    pthread_join(s, NULL);
    pthread_join(c, NULL);
    return 0;
}
