/*
** dup_dgram.c -- dup and dup2 of modelled descriptors, and socket pairs
** that keep message boundaries (tests/programs.sh).
**   (no -D)   a pipe's write end duplicated: the reader sees the end of
**             the stream only after both descriptors are closed; datagrams
**             and seqpackets arrive one per read, a long one cut to the
**             buffer; a seqpacket peer's close ends the stream: pass.
**   -DLEAK    the duplicate is never closed: the reader waits forever
**             (deadlock).
**   -DDGRAM_EOF  a datagram peer's close ends nothing: a read after it
**             waits forever (deadlock), as on Linux.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int p[2], copy, dg[2], sp[2];

static void *writer(void *arg)
{
    (void)arg;
    assert(write(copy, "ab", 2) == 2);
    assert(close(p[1]) == 0);
#ifndef LEAK
    assert(close(copy) == 0);
#endif
    assert(send(dg[1], "one", 3, 0) == 3);
    assert(send(dg[1], "", 0, 0) == 0);
    assert(send(dg[1], "three33", 7, 0) == 7);
    assert(send(sp[1], "seq", 3, 0) == 3);
    close(sp[1]);
#ifdef DGRAM_EOF
    close(dg[1]);
#endif
    return NULL;
}

int main(void)
{
    assert(pipe(p) == 0);
    copy = dup(p[1]);
    assert(copy >= 0 && copy != p[1]);
    int moved = dup2(copy, 150);
    assert(moved == 150 && close(150) == 0);
    assert(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) == 0);
    assert(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    char buf[16];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    assert(n == 0 && got == 2 && memcmp(buf, "ab", 2) == 0);
    assert(recv(dg[0], buf, sizeof buf, 0) == 3 && memcmp(buf, "one", 3) == 0);
    assert(recv(dg[0], buf, sizeof buf, 0) == 0);
    assert(recv(dg[0], buf, 5, 0) == 5 && memcmp(buf, "three", 5) == 0);
    assert(read(sp[0], buf, sizeof buf) == 3);
    assert(read(sp[0], buf, sizeof buf) == 0);      /* seqpacket: the close ends it */
#ifdef DGRAM_EOF
    recv(dg[0], buf, sizeof buf, 0);
#endif
    pthread_join(t, NULL);
    return 0;
}
