/* first_to_claim.c -- two threads each try to claim a port (bind) and a
** lock file (open with O_CREAT|O_EXCL); the code assumes the thread
** started first wins both, but either may (tests/programs.sh). bind and
** an open that creates are steps on the execution's socket addresses and
** on the real files, so the searches try both orders. -DFIXED: it checks
** only that exactly one thread won each. */
#include <arpa/inet.h>
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *lock_path = "/tmp/weft-first-to-claim.lock";
static struct sockaddr_in place;
static atomic_int port_winners, file_winners, first_won_both;

static int claim_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    return bind(s, (struct sockaddr *)&place, sizeof place) == 0;
}

static int claim_file(void)
{
    int fd = open(lock_path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

static void *first(void *arg)
{
    (void)arg;
    int port = claim_port(), file = claim_file();
    atomic_fetch_add(&port_winners, port);
    atomic_fetch_add(&file_winners, file);
    atomic_store(&first_won_both, port && file);
    return NULL;
}

static void *second(void *arg)
{
    (void)arg;
    atomic_fetch_add(&port_winners, claim_port());
    atomic_fetch_add(&file_winners, claim_file());
    return NULL;
}

int main(void)
{
    unlink(lock_path);
    memset(&place, 0, sizeof place);
    place.sin_family = AF_INET;
    place.sin_port = htons(47124);
    place.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    pthread_t a, b;
    pthread_create(&a, NULL, first, NULL);
    pthread_create(&b, NULL, second, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    unlink(lock_path);
    assert(atomic_load(&port_winners) == 1 && atomic_load(&file_winners) == 1);
#ifndef FIXED
    assert(atomic_load(&first_won_both));
#endif
    return 0;
}
