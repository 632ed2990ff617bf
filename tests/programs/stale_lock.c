/* stale_lock.c -- a cleaner removes a stale lock file while a starter
** takes the lock with open(O_CREAT|O_EXCL), counting on the cleaner having
** gone first (tests/programs.sh). unlink and rename are steps on the names
** they use, as open is, so the starter's open before the unlink is tried:
** it fails. -DFIXED: main starts the starter once the cleaner is done. A
** rename moves the lock aside first, so both names are steps. */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#define LOCK "/tmp/weft-stale-lock.lock"
#define ASIDE "/tmp/weft-stale-lock.old"

static void *cleaner(void *arg)
{
    (void)arg;
    assert(rename(LOCK, ASIDE) == 0);
    assert(unlink(ASIDE) == 0);
    return NULL;
}

static void *starter(void *arg)
{
    (void)arg;
    int fd = open(LOCK, O_CREAT | O_EXCL | O_WRONLY, 0600);
    assert(fd >= 0);
    close(fd);
    return NULL;
}

int main(void)
{
    unlink(ASIDE);
    int stale = open(LOCK, O_CREAT | O_WRONLY, 0600);   /* left by a crash */
    assert(stale >= 0);
    close(stale);
    pthread_t c, s;
    pthread_create(&c, NULL, cleaner, NULL);
#ifdef FIXED
    pthread_join(c, NULL);
#endif
    pthread_create(&s, NULL, starter, NULL);
#ifndef FIXED
    pthread_join(c, NULL);
#endif
    pthread_join(s, NULL);
    unlink(LOCK);
    return 0;
}
