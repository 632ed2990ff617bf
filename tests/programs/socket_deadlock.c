/* socket_deadlock.c -- a client that reads the reply before it sends the
** request, and a server that reads the request first: a deadlock through
** a loopback socket (tests/programs.sh). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
static int l;
static void *server(void *arg) {
    (void)arg;
    int c = accept(l, NULL, NULL);
    char b[4];
    read(c, b, 4);               /* waits for the request */
    write(c, "pong", 4);
    close(c);
    return NULL;
}
int main(void) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8080), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    l = socket(AF_INET, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    connect(s, (struct sockaddr *)&a, sizeof a);
    char b[4];
    read(s, b, 4);               /* waits for the reply before asking */
    printf("got reply\n");
    pthread_join(t, NULL);
    return 0;
}
