/*
** pipe_deadlock.c -- a logger that holds its lock across a read from a
** pipe, a plain pthread program (weft run scenarios/programs/pipe_deadlock.c).
**
** Workers format a line under the log's mutex (it numbers the lines) and
** write it into the log's pipe; the logger thread reads the lines and
** counts them under the same mutex. The logger takes the mutex before it
** reads: when it gets there before a worker has written, it waits in
** read() holding the mutex the worker needs to write, and both wait
** forever. Built with -DFIXED the logger reads first and locks only to
** count.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WORKERS 2
#define LINE 32

struct log {
    pthread_mutex_t mu;
    int fds[2];                       /* the pipe: workers write, the logger reads */
    int next;                         /* the number of the next line */
    int counted;
};

static struct log the_log = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* One whole line of LINE bytes, or 0 at the end of the pipe. */
static int read_line(int fd, char *line)
{
    size_t got = 0;
    while (got < LINE) {
        ssize_t n = read(fd, line + got, LINE - got);
        if (n <= 0)
            return 0;
        got += (size_t)n;
    }
    return 1;
}

static void *logger(void *arg)
{
    struct log *lg = arg;
    char line[LINE];
    for (;;) {
#ifdef FIXED
        int more = read_line(lg->fds[0], line);
        pthread_mutex_lock(&lg->mu);
#else
        pthread_mutex_lock(&lg->mu);
        int more = read_line(lg->fds[0], line);   /* may wait, holding lg->mu */
#endif
        if (more)
            lg->counted++;
        pthread_mutex_unlock(&lg->mu);
        if (!more)
            return NULL;
    }
}

static void *worker(void *arg)
{
    struct log *lg = arg;
    char line[LINE];
    printf("worker %lu: logging a line\n", (unsigned long)pthread_self());
    pthread_mutex_lock(&lg->mu);
    memset(line, ' ', sizeof line);
    snprintf(line, sizeof line, "line %d", lg->next++);
    if (write(lg->fds[1], line, LINE) != LINE)
        perror("write");
    pthread_mutex_unlock(&lg->mu);
    return NULL;
}

int main(void)
{
    pthread_t log_thread, workers[WORKERS];
    if (pipe(the_log.fds) != 0) {
        perror("pipe");
        return 1;
    }
    fprintf(stderr, "logger and %d workers\n", WORKERS);
    pthread_create(&log_thread, NULL, logger, &the_log);
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&workers[i], NULL, worker, &the_log);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    close(the_log.fds[1]);            /* the logger reads to the end, then returns */
    pthread_join(log_thread, NULL);
    close(the_log.fds[0]);
    printf("%d lines logged\n", the_log.counted);
    return the_log.counted == WORKERS ? 0 : 1;
}
