/*
** io_outside.c -- what weft cannot model stops the execution at its line
** instead of hanging weft (tests/programs.sh): 1, a read from a real
** socket with nothing to read; 2, accept on a real listening socket (one
** the system's socket made, not weft's); 3, a
** write to a pipe whose reader has gone, which SIGPIPE ends.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int part = argc > 1 ? atoi(argv[1]) : 0;
    char c = 0;
    int fds[2];
    if (part == 1) {
        (socketpair)(AF_UNIX, SOCK_STREAM, 0, fds);   /* the system's, not weft's */
        return (int)read(fds[0], &c, 1);
    }
    if (part == 2) {
        int s = (socket)(AF_UNIX, SOCK_SEQPACKET, 0); /* the system's, not weft's */
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        memcpy(a.sun_path, "\0weft-io-outside", 17);  /* abstract: nothing on disk */
        bind(s, (struct sockaddr *)&a, sizeof a);
        listen(s, 1);
        return accept(s, NULL, NULL);
    }
    pipe(fds);
    close(fds[0]);
    return (int)write(fds[1], "x", 1);
}
