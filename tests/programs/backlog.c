/* backlog.c -- listen(fd, BACKLOG), then connects before any accept
** (tests/programs.sh). Linux queues a connection more than the backlog
** (sk_acceptq_is_full): with the default BACKLOG 1 both connects return
** at once and both accepts find one; with -DBACKLOG=0 the second connect
** waits for an accept that never comes, a deadlock. (weft held exactly
** the backlog, and reported the first as a deadlock.) */
#include <assert.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef BACKLOG
#define BACKLOG 1
#endif

int main(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(47126),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int l = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, BACKLOG) == 0);
    int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(c1, (struct sockaddr *)&a, sizeof a) == 0);
    assert(connect(c2, (struct sockaddr *)&a, sizeof a) == 0);
    int s1 = accept(l, NULL, NULL), s2 = accept(l, NULL, NULL);
    assert(s1 >= 0 && s2 >= 0);
    close(s1);
    close(s2);
    close(c1);
    close(c2);
    close(l);
    return 0;
}
