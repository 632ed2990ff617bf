/* descriptor_kinds.c -- calls that ask a pipe or a socket what it is,
** answered as Linux does, each checked natively (tests/programs.sh): fstat
** (a FIFO, a socket), ioctl FIONREAD (the bytes a read would find, in a
** step that races the writers: the argument "race" asserts that a
** writer thread's byte is already there, which it may not be), FIONBIO (as
** O_NONBLOCK), lseek (ESPIPE) and getsockopt SO_TYPE. They reached weft's
** /dev/null: fstat said a character device, FIONREAD failed, and FIONBIO
** was lost, so the read below waited for ever. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int p[2];

static void *writer(void *arg)
{
    (void)arg;
    assert(write(p[1], "x", 1) == 1);
    return NULL;
}

int main(int argc, char **argv)
{
    int s[2], n = -1, on = 1, type = 0;
    socklen_t len = sizeof type;
    struct stat st;
    char c[4];
    assert(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    if (argc > 1 && strcmp(argv[1], "race") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, writer, NULL);
        assert(ioctl(p[0], FIONREAD, &n) == 0 && n == 1);
        pthread_join(t, NULL);
        return 0;
    }
    assert(write(p[1], "abc", 3) == 3 && write(s[1], "abcd", 4) == 4);
    assert(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    assert(fstat(s[0], &st) == 0 && S_ISSOCK(st.st_mode));
    assert(ioctl(p[0], FIONREAD, &n) == 0 && n == 3);
    assert(ioctl(s[0], FIONREAD, &n) == 0 && n == 4);
    assert(getsockopt(s[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);
    assert(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &type, &len) == -1 && errno == ENOTSOCK);
    assert(lseek(p[0], 0, SEEK_CUR) == -1 && errno == ESPIPE);
    assert(read(p[0], c, 3) == 3);
    assert(ioctl(p[0], FIONBIO, &on) == 0);
    assert(read(p[0], c, 1) == -1 && errno == EAGAIN);
    return 0;
}
