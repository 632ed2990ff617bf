/* loopback.h -- for the test programs that talk TCP to themselves: a
** listener on 127.0.0.1 at a port the system picks (backlog 1); its
** address in *a. */
#include <assert.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int loopback_listener(struct sockaddr_in *a)
{
    socklen_t len = sizeof *a;
    *a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int l = socket(AF_INET, SOCK_STREAM, 0);
    assert(bind(l, (struct sockaddr *)a, sizeof *a) == 0 && listen(l, 1) == 0);
    assert(getsockname(l, (struct sockaddr *)a, &len) == 0);
    return l;
}
