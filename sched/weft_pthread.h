/*
** weft_pthread.h -- what `weft run prog.c` puts in front of every source of
** a pthread program (cc -include): the program's calls to the POSIX
** threads, semaphores, sleeps, clocks, exit, stdio and malloc become calls
** into weft (sched/posix/), with the caller's file and line, so they run
** on weft's green threads and primitives. A program never includes this
** file itself; scenario files use weft.h.
**
** The system headers are included first, with glibc's own types and
** prototypes: the macros below rename calls only, never declarations. So
** every header that declares a renamed call is among them (a program's
** own #include of it later is then empty).
*/
#ifndef WEFT_PTHREAD_H
#define WEFT_PTHREAD_H

/* No feature-test macro here: glibc declares what the program asked for,
** as without weft. Those its sources define before their first #include
** come as -D options (cli/features.c), since this header includes the
** system headers first. So a program that asks for POSIX's strerror_r
** gets it, and one with a gettid of its own compiles. The calls below are
** renamed whether glibc declared them or not, and weft's own prototypes use
** only what every feature set has. One exception: under a strict -std
** (c11, no GNU dialect) with no macro at all, glibc would declare ISO C
** only, and weft's prototypes need POSIX's types (siginfo_t, clockid_t):
** POSIX.1-2008 then. */
#if defined __STRICT_ANSI__ && !defined _GNU_SOURCE && !defined _POSIX_C_SOURCE && \
    !defined _POSIX_SOURCE && !defined _XOPEN_SOURCE && !defined _DEFAULT_SOURCE && \
    !defined _BSD_SOURCE && !defined _SVID_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define WEFT_PROG_API __attribute__((visibility("default")))
#define WEFT_AT const char *file_, int line_

/* ---- threads ---- */
WEFT_PROG_API int weft_pthread_create_at(pthread_t *t, const pthread_attr_t *attr,
                                         void *(*fn)(void *), void *arg, const char *fn_name,
                                         WEFT_AT);
WEFT_PROG_API int weft_pthread_join_at(pthread_t t, void **result, WEFT_AT);
WEFT_PROG_API int weft_pthread_detach_at(pthread_t t, WEFT_AT);
WEFT_PROG_API pthread_t weft_pthread_self(void);
WEFT_PROG_API __attribute__((noreturn)) void weft_pthread_exit_at(void *result, WEFT_AT);
WEFT_PROG_API int weft_sched_yield_at(WEFT_AT);

/* ---- thread-specific data ---- */
WEFT_PROG_API int weft_pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
WEFT_PROG_API int weft_pthread_key_delete(pthread_key_t key);
WEFT_PROG_API void *weft_pthread_getspecific(pthread_key_t key);
WEFT_PROG_API int weft_pthread_setspecific(pthread_key_t key, const void *value);

/* ---- cancellation ---- */
struct weft_cleanup_ { void (*fn)(void *); void *arg; struct weft_cleanup_ *next; };
WEFT_PROG_API int weft_pthread_cancel_at(pthread_t t, WEFT_AT);
WEFT_PROG_API void weft_pthread_testcancel_at(WEFT_AT);
WEFT_PROG_API int weft_pthread_setcancelstate(int state, int *old);
WEFT_PROG_API int weft_pthread_setcanceltype(int type, int *old);
WEFT_PROG_API void weft_pthread_cleanup_push_(struct weft_cleanup_ *c);
WEFT_PROG_API void weft_pthread_cleanup_pop_(struct weft_cleanup_ *c, int execute);

/* ---- names, scheduling and affinity: kept, no step (posix/thread_np.c) ---- */
WEFT_PROG_API int weft_pthread_setname_np_at(pthread_t t, const char *name, WEFT_AT);
WEFT_PROG_API int weft_pthread_getname_np_at(pthread_t t, char *buf, size_t len, WEFT_AT);
WEFT_PROG_API int weft_pthread_getschedparam_at(pthread_t t, int *policy,
                                                struct sched_param *param, WEFT_AT);
WEFT_PROG_API int weft_pthread_setschedparam_at(pthread_t t, int policy,
                                                const struct sched_param *param, WEFT_AT);
WEFT_PROG_API int weft_pthread_getattr_np_at(pthread_t t, pthread_attr_t *attr, WEFT_AT);
WEFT_PROG_API int weft_pthread_getcpuclockid_at(pthread_t t, clockid_t *clock, WEFT_AT);
WEFT_PROG_API int weft_pthread_affinity_at(pthread_t t, size_t size, void *set, int get,
                                           WEFT_AT);
/* The joins that give up: steps (posix/thread_np.c). */
WEFT_PROG_API int weft_pthread_tryjoin_np_at(pthread_t t, void **result, WEFT_AT);
WEFT_PROG_API int weft_pthread_clockjoin_np_at(pthread_t t, void **result, clockid_t clock,
                                               const struct timespec *deadline, WEFT_AT);

/* ---- signal masks (posix/signal.c); signals sent between the program's
** threads, and waits for them (posix/delivery.c) ---- */
WEFT_PROG_API int weft_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
WEFT_PROG_API int weft_sigprocmask(int how, const sigset_t *set, sigset_t *old);
WEFT_PROG_API int weft_pthread_kill_at(pthread_t t, int sig, WEFT_AT);
WEFT_PROG_API int weft_raise_at(int sig, WEFT_AT);
WEFT_PROG_API int weft_kill_at(pid_t pid, int sig, WEFT_AT);
WEFT_PROG_API int weft_sigqueue_at(pid_t pid, int sig, union sigval value, WEFT_AT);
WEFT_PROG_API int weft_pthread_sigqueue_at(pthread_t t, int sig, union sigval value, WEFT_AT);
WEFT_PROG_API int weft_sigwait_at(const sigset_t *set, int *sig, WEFT_AT);
WEFT_PROG_API int weft_sigtimedwait_at(const sigset_t *set, siginfo_t *info,
                                       const struct timespec *timeout, WEFT_AT);
WEFT_PROG_API int weft_sigpending_at(sigset_t *set, WEFT_AT);
WEFT_PROG_API int weft_pause_at(WEFT_AT);
WEFT_PROG_API int weft_sigsuspend_at(const sigset_t *mask, WEFT_AT);
/* setjmp and sigsetjmp note where the jump target stands among the signal
** handlers the thread runs and, for sigsetjmp(env, 1), its mask; a longjmp
** or siglongjmp leaves the handlers it jumps out of and puts that mask
** back (posix/delivery.c). Outside an execution they are glibc's own. */
WEFT_PROG_API int weft_jmp_note(struct __jmp_buf_tag *env, int savemask);
WEFT_PROG_API __attribute__((noreturn)) void weft_longjmp(struct __jmp_buf_tag *env, int val);

/* ---- mutexes ---- */
WEFT_PROG_API int weft_pthread_mutex_init_at(pthread_mutex_t *m, const pthread_mutexattr_t *a,
                                             const char *name, WEFT_AT);
WEFT_PROG_API int weft_pthread_mutex_op_at(pthread_mutex_t *m, int op, const char *name,
                                           WEFT_AT);

WEFT_PROG_API int weft_pthread_mutex_timedlock_at(pthread_mutex_t *m, clockid_t clock,
                                                  const struct timespec *deadline,
                                                  const char *name, WEFT_AT);
#ifdef __USE_XOPEN2K                  /* as glibc declares them */
WEFT_PROG_API int weft_pthread_spin_op_at(pthread_spinlock_t *s, int op, const char *name,
                                          WEFT_AT);
#endif

/* ---- condition variables ---- */
WEFT_PROG_API int weft_pthread_cond_init_at(pthread_cond_t *c, const pthread_condattr_t *a,
                                            const char *name, WEFT_AT);
WEFT_PROG_API int weft_pthread_cond_wait_at(pthread_cond_t *c, pthread_mutex_t *m,
                                            const struct timespec *deadline, const char *name,
                                            const char *mutex_name, WEFT_AT);
WEFT_PROG_API int weft_pthread_cond_clockwait_at(pthread_cond_t *c, pthread_mutex_t *m,
                                                 clockid_t clock, const struct timespec *deadline,
                                                 const char *name, const char *mutex_name,
                                                 WEFT_AT);
WEFT_PROG_API int weft_pthread_cond_signal_at(pthread_cond_t *c, int all, const char *name,
                                              WEFT_AT);

/* ---- read-write locks, once, barriers ---- */
#if defined __USE_UNIX98 || defined __USE_XOPEN2K
WEFT_PROG_API int weft_pthread_rwlock_init_at(pthread_rwlock_t *rw,
                                              const pthread_rwlockattr_t *a, const char *name,
                                              WEFT_AT);
WEFT_PROG_API int weft_pthread_rwlock_op_at(pthread_rwlock_t *rw, int op, const char *name,
                                            WEFT_AT);
WEFT_PROG_API int weft_pthread_rwlock_timed_at(pthread_rwlock_t *rw, int write, clockid_t clock,
                                               const struct timespec *deadline,
                                               const char *name, WEFT_AT);
#endif
WEFT_PROG_API int weft_pthread_once_at(pthread_once_t *o, void (*fn)(void), const char *name,
                                       WEFT_AT);
#ifdef __USE_XOPEN2K
WEFT_PROG_API int weft_pthread_barrier_init_at(pthread_barrier_t *b, unsigned count,
                                               const char *name, WEFT_AT);
WEFT_PROG_API int weft_pthread_barrier_wait_at(pthread_barrier_t *b, WEFT_AT);
#endif

/* ---- POSIX semaphores ---- */
WEFT_PROG_API int weft_posix_sem_init_at(sem_t *s, int pshared, unsigned value, const char *name,
                                   WEFT_AT);
WEFT_PROG_API int weft_posix_sem_wait_at(sem_t *s, int try_only, const struct timespec *deadline,
                                   const char *name, WEFT_AT);
WEFT_PROG_API int weft_posix_sem_clockwait_at(sem_t *s, clockid_t clock,
                                              const struct timespec *deadline, const char *name,
                                              WEFT_AT);
WEFT_PROG_API int weft_posix_sem_getvalue_at(sem_t *s, int *value, const char *name, WEFT_AT);
WEFT_PROG_API int weft_posix_sem_post_at(sem_t *s, const char *name, WEFT_AT);
WEFT_PROG_API sem_t *weft_posix_sem_open_at(WEFT_AT, const char *name, int oflag, ...);
WEFT_PROG_API int weft_posix_sem_close_at(sem_t *s, WEFT_AT);
WEFT_PROG_API int weft_posix_sem_unlink_at(const char *name, WEFT_AT);

/* ---- time: weft's virtual clock ---- */
WEFT_PROG_API int weft_clock_gettime_at(clockid_t clock, struct timespec *ts, WEFT_AT);
WEFT_PROG_API int weft_nanosleep_at(const struct timespec *req, struct timespec *rem, WEFT_AT);
WEFT_PROG_API int weft_clock_nanosleep_at(clockid_t clock, int flags,
                                          const struct timespec *req, struct timespec *rem,
                                          WEFT_AT);
WEFT_PROG_API int weft_usleep_at(__useconds_t us, WEFT_AT);
WEFT_PROG_API unsigned weft_sleep_at_(unsigned s, WEFT_AT);
WEFT_PROG_API time_t weft_time_at(time_t *t, WEFT_AT);
WEFT_PROG_API int weft_gettimeofday_at(struct timeval *tv, void *tz, WEFT_AT);
WEFT_PROG_API int weft_timespec_get_at(struct timespec *ts, int base, WEFT_AT);
WEFT_PROG_API clock_t weft_clock_at(WEFT_AT);
/* The process's real-time timer (ITIMER_REAL): SIGALRM on the virtual
** clock, while a handler or a sigwait would take it (posix/itimer.c). */
WEFT_PROG_API unsigned weft_alarm_at(unsigned seconds, WEFT_AT);
WEFT_PROG_API __useconds_t weft_ualarm_at(__useconds_t value, __useconds_t interval, WEFT_AT);
WEFT_PROG_API int weft_setitimer_at(int which, const struct itimerval *set,
                                    struct itimerval *old, WEFT_AT);
WEFT_PROG_API int weft_getitimer_at(int which, struct itimerval *cur, WEFT_AT);
/* POSIX timers on the virtual clock: a signal (while a handler or a
** sigwait would take it), a detached thread, or nothing (posix/itimer.c).
** name: the timer_t's spelling. */
WEFT_PROG_API int weft_timer_create_at(clockid_t clock, struct sigevent *sev, timer_t *id,
                                       const char *name, WEFT_AT);
WEFT_PROG_API int weft_timer_settime_at(timer_t id, int flags, const struct itimerspec *set,
                                        struct itimerspec *old, WEFT_AT);
WEFT_PROG_API int weft_timer_gettime_at(timer_t id, struct itimerspec *cur, WEFT_AT);
WEFT_PROG_API int weft_timer_getoverrun_at(timer_t id, WEFT_AT);
WEFT_PROG_API int weft_timer_delete_at(timer_t id, WEFT_AT);

/* ---- the process: exit, and calls weft does not model yet ---- */
WEFT_PROG_API __attribute__((noreturn)) void weft_program_exit_at(int status, WEFT_AT);
/* _exit, _Exit (how 0) and quick_exit (how 1): no atexit handlers */
WEFT_PROG_API __attribute__((noreturn)) void weft_program__exit_at(int status, int how, WEFT_AT);
WEFT_PROG_API int weft_program_atexit(void (*fn)(void));
WEFT_PROG_API int weft_program_on_exit(void (*fn)(int, void *), void *arg);
WEFT_PROG_API int weft_program_at_quick_exit(void (*fn)(void));
WEFT_PROG_API int weft_program_unsupported_at(const char *call, WEFT_AT);
WEFT_PROG_API FILE *weft_program_stdin_at(FILE *f, const char *call, WEFT_AT);
WEFT_PROG_API void *weft_program_unsupported_ptr_at(const char *call, WEFT_AT);
/* The same for a call whose arguments the program made only for it. */
WEFT_PROG_API int weft_program_unsupported_args_at(const char *call, WEFT_AT, ...);

/* ---- descriptors: pipes and socket pairs between threads (posix/io.c) ---- */
WEFT_PROG_API int weft_pipe_at(int fds[2], int flags, const char *name, WEFT_AT);
WEFT_PROG_API int weft_eventfd_at(unsigned int initval, int flags, WEFT_AT);
WEFT_PROG_API int weft_timerfd_create_at(int clockid, int flags, WEFT_AT);
WEFT_PROG_API int weft_signalfd_at(int fd, const sigset_t *mask, int flags, WEFT_AT);
WEFT_PROG_API int weft_timerfd_settime_at(int fd, int flags, const struct itimerspec *value,
                                          struct itimerspec *old, const char *name, WEFT_AT);
WEFT_PROG_API int weft_timerfd_gettime_at(int fd, struct itimerspec *cur, WEFT_AT);
WEFT_PROG_API int weft_ioctl_at(const char *file, int line, int fd, unsigned long request, ...);
WEFT_PROG_API int weft_fstat_at(int fd, struct stat *st, WEFT_AT);
/* sendfile, splice, tee and copy_file_range: the kernel's, between real
** files; named as not supported at their line on a modelled descriptor */
WEFT_PROG_API ssize_t weft_sendfile_at(int out, int in, __off64_t *off, size_t n, WEFT_AT);
WEFT_PROG_API ssize_t weft_splice_at(int in, __off64_t *in_off, int out, __off64_t *out_off,
                                     size_t n, unsigned flags, WEFT_AT);
WEFT_PROG_API ssize_t weft_tee_at(int in, int out, size_t n, unsigned flags, WEFT_AT);
WEFT_PROG_API ssize_t weft_copy_file_range_at(int in, __off64_t *in_off, int out,
                                              __off64_t *out_off, size_t n, unsigned flags,
                                              WEFT_AT);
WEFT_PROG_API off_t weft_lseek_at(int fd, off_t offset, int whence, WEFT_AT);
WEFT_PROG_API int weft_socketpair_at(int domain, int type, int protocol, int sv[2],
                                     const char *name, WEFT_AT);
WEFT_PROG_API ssize_t weft_read_at(int fd, void *buf, size_t n, WEFT_AT);
WEFT_PROG_API ssize_t weft_write_at(int fd, const void *buf, size_t n, WEFT_AT);
WEFT_PROG_API ssize_t weft_recv_at(int fd, void *buf, size_t n, int flags, WEFT_AT);
WEFT_PROG_API ssize_t weft_send_at(int fd, const void *buf, size_t n, int flags, WEFT_AT);
WEFT_PROG_API ssize_t weft_readv_at(int fd, const struct iovec *iov, int n, WEFT_AT);
WEFT_PROG_API ssize_t weft_writev_at(int fd, const struct iovec *iov, int n, WEFT_AT);
WEFT_PROG_API ssize_t weft_sendto_at(int fd, const void *buf, size_t n, int flags,
                                     const struct sockaddr *addr, socklen_t len, WEFT_AT);
WEFT_PROG_API ssize_t weft_recvfrom_at(int fd, void *buf, size_t n, int flags,
                                       struct sockaddr *addr, socklen_t *len, WEFT_AT);
WEFT_PROG_API ssize_t weft_sendmsg_at(int fd, const struct msghdr *m, int flags, WEFT_AT);
WEFT_PROG_API ssize_t weft_recvmsg_at(int fd, struct msghdr *m, int flags, WEFT_AT);
WEFT_PROG_API int weft_close_at(int fd, WEFT_AT);
WEFT_PROG_API int weft_shutdown_at(int fd, int how, WEFT_AT);
WEFT_PROG_API int weft_fcntl_at(const char *file_, int line_, int fd, int cmd, ...);
WEFT_PROG_API int weft_dup_at(int fd, int to, const char *call, WEFT_AT);
WEFT_PROG_API int weft_poll_at(struct pollfd *fds, nfds_t n, int timeout_ms, WEFT_AT);
WEFT_PROG_API int weft_posix_select_at(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
                                 struct timeval *tv, WEFT_AT);
WEFT_PROG_API int weft_ppoll_at(struct pollfd *fds, nfds_t n, const struct timespec *ts,
                                const sigset_t *mask, WEFT_AT);
WEFT_PROG_API int weft_pselect_at(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
                                  const struct timespec *ts, const sigset_t *mask, WEFT_AT);
WEFT_PROG_API int weft_open_at(const char *file_, int line_, const char *path, int flags, ...);
WEFT_PROG_API int weft_unlink_at(const char *path, WEFT_AT);
WEFT_PROG_API int weft_rename_at(const char *from, const char *to, WEFT_AT);
WEFT_PROG_API int weft_socket_at(int domain, int type, int protocol, WEFT_AT);
WEFT_PROG_API int weft_bind_at(int fd, const struct sockaddr *addr, socklen_t len, WEFT_AT);
WEFT_PROG_API int weft_listen_at(int fd, int backlog, WEFT_AT);
WEFT_PROG_API int weft_connect_at(int fd, const struct sockaddr *addr, socklen_t len, WEFT_AT);
WEFT_PROG_API int weft_sockname_at(int fd, struct sockaddr *addr, socklen_t *len, int peer,
                                   WEFT_AT);
WEFT_PROG_API int weft_sockopt_at(int fd, int level, int name, void *value, socklen_t *len,
                                  socklen_t setlen, int set, WEFT_AT);
WEFT_PROG_API int weft_accept_at(int fd, struct sockaddr *addr, socklen_t *len, int flags,
                                 WEFT_AT);
WEFT_PROG_API int weft_epoll_create_at(int size, int flags, WEFT_AT);
WEFT_PROG_API int weft_epoll_ctl_at(int epfd, int op, int fd, struct epoll_event *ev,
                                    const char *ep_name, const char *fd_name, WEFT_AT);
WEFT_PROG_API int weft_epoll_wait_at(int epfd, struct epoll_event *events, int max,
                                     int timeout_ms, const char *ep_name, WEFT_AT);
WEFT_PROG_API int weft_epoll_pwait_at(int epfd, struct epoll_event *events, int max,
                                      int timeout_ms, const sigset_t *mask,
                                      const char *ep_name, WEFT_AT);
WEFT_PROG_API int weft_epoll_pwait2_at(int epfd, struct epoll_event *events, int max,
                                       const struct timespec *timeout, const sigset_t *mask,
                                       const char *ep_name, WEFT_AT);

/* ---- C11 threads: the pthread calls under other names (posix/c11.c) ---- */
WEFT_PROG_API int weft_c11_result(int pthread_rc);
WEFT_PROG_API int weft_thrd_create_at(thrd_t *t, int (*fn)(void *), void *arg,
                                      const char *fn_name, WEFT_AT);
WEFT_PROG_API int weft_thrd_join_at(thrd_t t, int *res, WEFT_AT);
WEFT_PROG_API int weft_mtx_init_at(mtx_t *m, int type, const char *name, WEFT_AT);
WEFT_PROG_API int weft_thrd_sleep_at(const struct timespec *d, struct timespec *rem, WEFT_AT);

/* ---- C11 atomics: the line and the spelling of each call ---- */
WEFT_PROG_API void weft_atomic_site_(const volatile void *addr, const char *name, WEFT_AT);

/* ---- the heap: fresh in every execution ---- */
WEFT_PROG_API void *weft_program_malloc(size_t n);
WEFT_PROG_API void *weft_program_calloc(size_t count, size_t n);
WEFT_PROG_API void *weft_program_realloc(void *p, size_t n);
WEFT_PROG_API void weft_program_free(void *p);
WEFT_PROG_API char *weft_program_strdup(const char *s);
WEFT_PROG_API char *weft_program_strndup(const char *s, size_t n);

/* ---- standard output and error: kept for the report, per execution ---- */
WEFT_PROG_API int weft_program_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
WEFT_PROG_API int weft_program_fprintf(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
WEFT_PROG_API int weft_program_vfprintf(FILE *f, const char *fmt, __builtin_va_list ap);
WEFT_PROG_API int weft_program_puts(const char *s);
WEFT_PROG_API int weft_program_fputs(const char *s, FILE *f);
WEFT_PROG_API int weft_program_putchar(int c);
WEFT_PROG_API int weft_program_fputc(int c, FILE *f);
WEFT_PROG_API size_t weft_program_fwrite(const void *p, size_t size, size_t n, FILE *f);
WEFT_PROG_API void weft_program_perror(const char *s);
WEFT_PROG_API int weft_program_putc_unlocked(int c, FILE *f);
WEFT_PROG_API int weft_program_putchar_unlocked(int c);
WEFT_PROG_API int weft_program_fputs_unlocked(const char *s, FILE *f);
WEFT_PROG_API size_t weft_program_fwrite_unlocked(const void *p, size_t size, size_t n, FILE *f);
WEFT_PROG_API int weft_program_dprintf_at(const char *file_, int line_, int fd, const char *fmt,
                                          ...) __attribute__((format(printf, 4, 5)));
WEFT_PROG_API int weft_program_setvbuf(FILE *f, char *buf, int mode, size_t size);
WEFT_PROG_API void weft_program_setbuf(FILE *f, char *buf);
WEFT_PROG_API void weft_program_setlinebuf(FILE *f);
/* The program's own streams, dropped unwritten when an execution leaves them open. */
WEFT_PROG_API FILE *weft_program_fopen_at(const char *path, const char *mode, WEFT_AT);
WEFT_PROG_API FILE *weft_program_fdopen_at(int fd, const char *mode, WEFT_AT);
WEFT_PROG_API FILE *weft_program_tmpfile(void);
/* flockfile (op 0), ftrylockfile (1) and funlockfile (2): a recursive
** mutex per stream, owned by the weft thread (glibc's is the OS thread's). */
WEFT_PROG_API int weft_stream_lock_op_at(FILE *f, int op, const char *name, WEFT_AT);
WEFT_PROG_API int weft_program_fclose(FILE *f);

/* The calls renamed (sched/posix/ defines the functions without them). */
#ifndef WEFT_PTHREAD_IMPLEMENTATION
#define pthread_create(t, attr, fn, arg) \
    weft_pthread_create_at((t), (attr), (fn), (arg), #fn, __FILE__, __LINE__)
#define pthread_join(t, result) weft_pthread_join_at((t), (result), __FILE__, __LINE__)
#define pthread_detach(t)       weft_pthread_detach_at((t), __FILE__, __LINE__)
#define pthread_self()          weft_pthread_self()
#define pthread_exit(result)    weft_pthread_exit_at((result), __FILE__, __LINE__)
#define sched_yield()           weft_sched_yield_at(__FILE__, __LINE__)
#define pthread_yield()         weft_sched_yield_at(__FILE__, __LINE__)
#define pthread_cancel(t)    weft_pthread_cancel_at((t), __FILE__, __LINE__)
#define pthread_testcancel() weft_pthread_testcancel_at(__FILE__, __LINE__)
#define pthread_setcancelstate weft_pthread_setcancelstate
#define pthread_setcanceltype  weft_pthread_setcanceltype
/* A handler record on the stack of the block the two macros open and close. */
#undef pthread_cleanup_push
#undef pthread_cleanup_pop
#define pthread_cleanup_push(fn, arg) \
    do { struct weft_cleanup_ weft_cleanup_ = { (fn), (arg), 0 }; \
         weft_pthread_cleanup_push_(&weft_cleanup_);
#define pthread_cleanup_pop(execute) \
         weft_pthread_cleanup_pop_(&weft_cleanup_, (execute)); } while (0)
#define pthread_key_create   weft_pthread_key_create
#define pthread_key_delete   weft_pthread_key_delete
#define pthread_getspecific  weft_pthread_getspecific
#define pthread_setspecific  weft_pthread_setspecific
/* Destroying a condition variable, rwlock, barrier or semaphore: nothing
** to undo (a function, so that a call as a statement is not one "with no
** effect" to the compiler). */
static inline int weft_destroy_(const volatile void *object)
{
    (void)object;
    return 0;
}
#define pthread_mutex_init(m, a) weft_pthread_mutex_init_at((m), (a), #m, __FILE__, __LINE__)
#define pthread_mutex_destroy(m) weft_pthread_mutex_op_at((m), 3, #m, __FILE__, __LINE__)
#define pthread_mutex_lock(m)    weft_pthread_mutex_op_at((m), 0, #m, __FILE__, __LINE__)
#define pthread_mutex_trylock(m) weft_pthread_mutex_op_at((m), 1, #m, __FILE__, __LINE__)
#define pthread_mutex_unlock(m)  weft_pthread_mutex_op_at((m), 2, #m, __FILE__, __LINE__)
#define pthread_cond_init(c, a) weft_pthread_cond_init_at((c), (a), #c, __FILE__, __LINE__)
#define pthread_cond_destroy(c) weft_destroy_(c)
#define pthread_cond_wait(c, m) \
    weft_pthread_cond_wait_at((c), (m), NULL, #c, #m, __FILE__, __LINE__)
#define pthread_cond_timedwait(c, m, t) \
    weft_pthread_cond_wait_at((c), (m), (t), #c, #m, __FILE__, __LINE__)
#define pthread_cond_signal(c)    weft_pthread_cond_signal_at((c), 0, #c, __FILE__, __LINE__)
#define pthread_cond_broadcast(c) weft_pthread_cond_signal_at((c), 1, #c, __FILE__, __LINE__)
#define pthread_rwlock_init(rw, a) weft_pthread_rwlock_init_at((rw), (a), #rw, __FILE__, __LINE__)
#define pthread_rwlock_destroy(rw) weft_destroy_(rw)
#define pthread_rwlock_rdlock(rw)  weft_pthread_rwlock_op_at((rw), 0, #rw, __FILE__, __LINE__)
#define pthread_rwlock_wrlock(rw)  weft_pthread_rwlock_op_at((rw), 2, #rw, __FILE__, __LINE__)
#define pthread_rwlock_unlock(rw)  weft_pthread_rwlock_op_at((rw), 1, #rw, __FILE__, __LINE__)
#define pthread_once(o, fn)        weft_pthread_once_at((o), (fn), #o, __FILE__, __LINE__)
#define pthread_barrier_init(b, a, n) \
    weft_pthread_barrier_init_at((b), (n), #b, __FILE__, __LINE__)
#define pthread_barrier_destroy(b) weft_destroy_(b)
#define pthread_barrier_wait(b)    weft_pthread_barrier_wait_at((b), __FILE__, __LINE__)
#define sem_init(s, p, v)     weft_posix_sem_init_at((s), (p), (v), #s, __FILE__, __LINE__)
#define sem_destroy(s)        weft_destroy_(s)
#define sem_wait(s)           weft_posix_sem_wait_at((s), 0, NULL, #s, __FILE__, __LINE__)
#define sem_trywait(s)        weft_posix_sem_wait_at((s), 1, NULL, #s, __FILE__, __LINE__)
#define sem_timedwait(s, t)   weft_posix_sem_wait_at((s), 0, (t), #s, __FILE__, __LINE__)
#define sem_clockwait(s, clk, t) \
    weft_posix_sem_clockwait_at((s), (clk), (t), #s, __FILE__, __LINE__)
#define sem_post(s)           weft_posix_sem_post_at((s), #s, __FILE__, __LINE__)
#define clock_gettime(...)   weft_clock_gettime_at(__VA_ARGS__, __FILE__, __LINE__)
#define nanosleep(...)       weft_nanosleep_at(__VA_ARGS__, __FILE__, __LINE__)
#define usleep(us)           weft_usleep_at((us), __FILE__, __LINE__)
#define clock_nanosleep(...) weft_clock_nanosleep_at(__VA_ARGS__, __FILE__, __LINE__)
#define sleep(s)             weft_sleep_at_((s), __FILE__, __LINE__)
#define time(t)              weft_time_at((t), __FILE__, __LINE__)
#define gettimeofday(...)    weft_gettimeofday_at(__VA_ARGS__, __FILE__, __LINE__)
#define timespec_get(ts, base) weft_timespec_get_at((ts), (base), __FILE__, __LINE__)
#define clock()              weft_clock_at(__FILE__, __LINE__)
#define exit(status) weft_program_exit_at((status), __FILE__, __LINE__)
#define _exit(status) weft_program__exit_at((status), 0, __FILE__, __LINE__)
#define _Exit(status) weft_program__exit_at((status), 0, __FILE__, __LINE__)
#define quick_exit(status) weft_program__exit_at((status), 1, __FILE__, __LINE__)
#define atexit       weft_program_atexit
#define on_exit      weft_program_on_exit
#define at_quick_exit weft_program_at_quick_exit
#define WEFT_UNSUPPORTED_(call) weft_program_unsupported_at(#call, __FILE__, __LINE__)
#define WEFT_UNSUPPORTED_PTR_(call) weft_program_unsupported_ptr_at(#call, __FILE__, __LINE__)
#define WEFT_UNSUPPORTED_ARGS_(call, ...) \
    weft_program_unsupported_args_at(#call, __FILE__, __LINE__, __VA_ARGS__)
#define pthread_kill(t, sig)     weft_pthread_kill_at((t), (sig), __FILE__, __LINE__)
#define raise(sig)               weft_raise_at((sig), __FILE__, __LINE__)
#define kill(pid, sig)           weft_kill_at((pid), (sig), __FILE__, __LINE__)
#define sigqueue(pid, sig, value) weft_sigqueue_at((pid), (sig), (value), __FILE__, __LINE__)
#define pthread_sigqueue(t, sig, value) \
    weft_pthread_sigqueue_at((t), (sig), (value), __FILE__, __LINE__)
#define sigwait(set, sig)        weft_sigwait_at((set), (sig), __FILE__, __LINE__)
#define sigwaitinfo(set, info)   weft_sigtimedwait_at((set), (info), NULL, __FILE__, __LINE__)
#define sigtimedwait(set, info, timeout) \
    weft_sigtimedwait_at((set), (info), (timeout), __FILE__, __LINE__)
#define sigpending(set)          weft_sigpending_at((set), __FILE__, __LINE__)
#define pause()                  weft_pause_at(__FILE__, __LINE__)
#define sigsuspend(mask)         weft_sigsuspend_at((mask), __FILE__, __LINE__)
#define pthread_sigmask          weft_pthread_sigmask
#define sigprocmask              weft_sigprocmask
#undef setjmp
#undef _setjmp
#undef sigsetjmp
#define setjmp(env)              __sigsetjmp((env), weft_jmp_note((env), 0))
#define _setjmp(env)             __sigsetjmp((env), weft_jmp_note((env), 0))
#define sigsetjmp(env, savemask) __sigsetjmp((env), weft_jmp_note((env), (savemask)))
#define longjmp(env, val)        weft_longjmp((env), (val))
#define _longjmp(env, val)       weft_longjmp((env), (val))
#define siglongjmp(env, val)     weft_longjmp((env), (val))
#define pthread_mutex_timedlock(m, t) \
    weft_pthread_mutex_timedlock_at((m), CLOCK_REALTIME, (t), #m, __FILE__, __LINE__)
#define pthread_mutex_clocklock(m, clk, t) \
    weft_pthread_mutex_timedlock_at((m), (clk), (t), #m, __FILE__, __LINE__)
#define pthread_cond_clockwait(c, m, clk, t) \
    weft_pthread_cond_clockwait_at((c), (m), (clk), (t), #c, #m, __FILE__, __LINE__)
#define pthread_rwlock_tryrdlock(rw) weft_pthread_rwlock_op_at((rw), 5, #rw, __FILE__, __LINE__)
#define pthread_rwlock_trywrlock(rw) weft_pthread_rwlock_op_at((rw), 6, #rw, __FILE__, __LINE__)
#define pthread_rwlock_timedrdlock(rw, t) \
    weft_pthread_rwlock_timed_at((rw), 0, CLOCK_REALTIME, (t), #rw, __FILE__, __LINE__)
#define pthread_rwlock_timedwrlock(rw, t) \
    weft_pthread_rwlock_timed_at((rw), 1, CLOCK_REALTIME, (t), #rw, __FILE__, __LINE__)
#define pthread_rwlock_clockrdlock(rw, clk, t) \
    weft_pthread_rwlock_timed_at((rw), 0, (clk), (t), #rw, __FILE__, __LINE__)
#define pthread_rwlock_clockwrlock(rw, clk, t) \
    weft_pthread_rwlock_timed_at((rw), 1, (clk), (t), #rw, __FILE__, __LINE__)
#define pthread_spin_init(s, p)  ((void)(p), weft_pthread_spin_op_at((s), 3, #s, __FILE__, __LINE__))
#define pthread_spin_destroy(s)  weft_pthread_spin_op_at((s), 4, #s, __FILE__, __LINE__)
#define pthread_spin_lock(s)     weft_pthread_spin_op_at((s), 0, #s, __FILE__, __LINE__)
#define pthread_spin_trylock(s)  weft_pthread_spin_op_at((s), 1, #s, __FILE__, __LINE__)
#define pthread_spin_unlock(s)   weft_pthread_spin_op_at((s), 2, #s, __FILE__, __LINE__)
#define sem_getvalue(s, v)    weft_posix_sem_getvalue_at((s), (v), #s, __FILE__, __LINE__)
#define sem_open(...)         weft_posix_sem_open_at(__FILE__, __LINE__, __VA_ARGS__)
#define sem_close(s)          weft_posix_sem_close_at((s), __FILE__, __LINE__)
#define sem_unlink(name)      weft_posix_sem_unlink_at((name), __FILE__, __LINE__)
#define pthread_setname_np(t, name)   weft_pthread_setname_np_at((t), (name), __FILE__, __LINE__)
#define pthread_getname_np(t, buf, n)  weft_pthread_getname_np_at((t), (buf), (n), __FILE__, __LINE__)
#define pthread_getschedparam(t, pol, p) \
    weft_pthread_getschedparam_at((t), (pol), (p), __FILE__, __LINE__)
#define pthread_setschedparam(t, pol, p) \
    weft_pthread_setschedparam_at((t), (pol), (p), __FILE__, __LINE__)
#define pthread_setaffinity_np(t, n, set) \
    weft_pthread_affinity_at((t), (n), (void *)(set), 0, __FILE__, __LINE__)
#define pthread_getaffinity_np(t, n, set) \
    weft_pthread_affinity_at((t), (n), (void *)(set), 1, __FILE__, __LINE__)
#define pthread_tryjoin_np(t, r) weft_pthread_tryjoin_np_at((t), (r), __FILE__, __LINE__)
#define pthread_timedjoin_np(t, r, abs) \
    weft_pthread_clockjoin_np_at((t), (r), CLOCK_REALTIME, (abs), __FILE__, __LINE__)
#define pthread_clockjoin_np(t, r, clk, abs) \
    weft_pthread_clockjoin_np_at((t), (r), (clk), (abs), __FILE__, __LINE__)
#define pthread_getattr_np(t, attr)    weft_pthread_getattr_np_at((t), (attr), __FILE__, __LINE__)
#define pthread_getcpuclockid(t, c)    weft_pthread_getcpuclockid_at((t), (c), __FILE__, __LINE__)
#define fork(...)                      WEFT_UNSUPPORTED_(fork)
/* The child of vfork runs on its parent's stack until it execs or _exits:
** its _exit would end the execution as the program's own. */
#define vfork(...)                     WEFT_UNSUPPORTED_(vfork)
/* The real-time timer and POSIX timers, on the virtual clock (a real one
** would signal weft's process in real time). */
#define alarm(s)                       weft_alarm_at((s), __FILE__, __LINE__)
#define ualarm(v, i)                   weft_ualarm_at((v), (i), __FILE__, __LINE__)
#define setitimer(w, set, old)         weft_setitimer_at((w), (set), (old), __FILE__, __LINE__)
#define getitimer(w, cur)              weft_getitimer_at((w), (cur), __FILE__, __LINE__)
#define timer_create(c, sev, id)       weft_timer_create_at((c), (sev), (id), #id, __FILE__, __LINE__)
#define timer_settime(id, f, set, old) \
    weft_timer_settime_at((id), (f), (set), (old), __FILE__, __LINE__)
#define timer_gettime(id, cur)         weft_timer_gettime_at((id), (cur), __FILE__, __LINE__)
#define timer_getoverrun(id)           weft_timer_getoverrun_at((id), __FILE__, __LINE__)
#define timer_delete(id)               weft_timer_delete_at((id), __FILE__, __LINE__)
/* stdio reads: standard input that would block stops the execution at
** the line (weft_program_stdin_at); any other stream is read as it is. */
#define WEFT_IN_(f, call) weft_program_stdin_at((f), #call, __FILE__, __LINE__)
#define getchar()              getc(WEFT_IN_(stdin, getchar))
#define getchar_unlocked()     getc_unlocked(WEFT_IN_(stdin, getchar))
#define getc(f)                getc(WEFT_IN_((f), getc))
#define fgetc(f)               fgetc(WEFT_IN_((f), fgetc))
#define fgets(s, n, f)         fgets((s), (n), WEFT_IN_((f), fgets))
#define fread(p, size, n, f)   fread((p), (size), (n), WEFT_IN_((f), fread))
#define getline(l, n, f)       getline((l), (n), WEFT_IN_((f), getline))
#define getdelim(l, n, d, f)   getdelim((l), (n), (d), WEFT_IN_((f), getdelim))
#define scanf(...)             fscanf(WEFT_IN_(stdin, scanf), __VA_ARGS__)
#define fscanf(f, ...)         fscanf(WEFT_IN_((f), fscanf), __VA_ARGS__)
#define thrd_create(t, fn, arg) weft_thrd_create_at((t), (fn), (arg), #fn, __FILE__, __LINE__)
#define thrd_join(t, res)     weft_thrd_join_at((t), (res), __FILE__, __LINE__)
#define thrd_detach(t)        weft_c11_result(weft_pthread_detach_at((t), __FILE__, __LINE__))
#define thrd_current()        weft_pthread_self()
#define thrd_exit(res)        weft_pthread_exit_at((void *)(intptr_t)(res), __FILE__, __LINE__)
#define thrd_yield()          ((void)weft_sched_yield_at(__FILE__, __LINE__))
#define thrd_sleep(d, rem)    weft_thrd_sleep_at((d), (rem), __FILE__, __LINE__)
#define mtx_init(m, type)     weft_mtx_init_at((m), (type), #m, __FILE__, __LINE__)
#define mtx_destroy(m)        ((void)(m))
#define mtx_lock(m) \
    weft_c11_result(weft_pthread_mutex_op_at((pthread_mutex_t *)(m), 0, #m, __FILE__, __LINE__))
#define mtx_trylock(m) \
    weft_c11_result(weft_pthread_mutex_op_at((pthread_mutex_t *)(m), 1, #m, __FILE__, __LINE__))
#define mtx_unlock(m) \
    weft_c11_result(weft_pthread_mutex_op_at((pthread_mutex_t *)(m), 2, #m, __FILE__, __LINE__))
#define mtx_timedlock(m, t) weft_c11_result(weft_pthread_mutex_timedlock_at( \
    (pthread_mutex_t *)(m), CLOCK_REALTIME, (t), #m, __FILE__, __LINE__))
#define cnd_init(c) \
    weft_c11_result(weft_pthread_cond_init_at((pthread_cond_t *)(c), NULL, #c, __FILE__, __LINE__))
#define cnd_destroy(c)        ((void)(c))
#define cnd_signal(c) \
    weft_c11_result(weft_pthread_cond_signal_at((pthread_cond_t *)(c), 0, #c, __FILE__, __LINE__))
#define cnd_broadcast(c) \
    weft_c11_result(weft_pthread_cond_signal_at((pthread_cond_t *)(c), 1, #c, __FILE__, __LINE__))
#define cnd_wait(c, m) weft_c11_result(weft_pthread_cond_wait_at( \
    (pthread_cond_t *)(c), (pthread_mutex_t *)(m), NULL, #c, #m, __FILE__, __LINE__))
#define cnd_timedwait(c, m, t) weft_c11_result(weft_pthread_cond_clockwait_at( \
    (pthread_cond_t *)(c), (pthread_mutex_t *)(m), CLOCK_REALTIME, (t), #c, #m, __FILE__, \
    __LINE__))
#define call_once(flag, fn) \
    ((void)weft_pthread_once_at((pthread_once_t *)(flag), (fn), #flag, __FILE__, __LINE__))
#define tss_create(key, dtor) weft_c11_result(weft_pthread_key_create((key), (dtor)))
#define tss_delete(key)       ((void)weft_pthread_key_delete(key))
#define tss_get(key)          weft_pthread_getspecific(key)
#define tss_set(key, v)       weft_c11_result(weft_pthread_setspecific((key), (v)))
#define pipe(f)               weft_pipe_at((f), 0, #f, __FILE__, __LINE__)
#define pipe2(f, flags)       weft_pipe_at((f), (flags), #f, __FILE__, __LINE__)
#define eventfd(v, fl)        weft_eventfd_at((v), (fl), __FILE__, __LINE__)
#define timerfd_create(c, fl) weft_timerfd_create_at((c), (fl), __FILE__, __LINE__)
#define signalfd(fd, m, fl)   weft_signalfd_at((fd), (m), (fl), __FILE__, __LINE__)
#define timerfd_settime(fd, fl, v, o) \
    weft_timerfd_settime_at((fd), (fl), (v), (o), #fd, __FILE__, __LINE__)
#define timerfd_gettime(fd, c) weft_timerfd_gettime_at((fd), (c), __FILE__, __LINE__)
#define ioctl(...)            weft_ioctl_at(__FILE__, __LINE__, __VA_ARGS__)
#define fstat(fd, st)         weft_fstat_at((fd), (st), __FILE__, __LINE__)
#define sendfile(out, in, off, n) weft_sendfile_at((out), (in), (off), (n), __FILE__, __LINE__)
#define splice(...)           weft_splice_at(__VA_ARGS__, __FILE__, __LINE__)
#define tee(...)              weft_tee_at(__VA_ARGS__, __FILE__, __LINE__)
#define copy_file_range(...)  weft_copy_file_range_at(__VA_ARGS__, __FILE__, __LINE__)
#define lseek(fd, off, wh)    weft_lseek_at((fd), (off), (wh), __FILE__, __LINE__)
#define eventfd_read(fd, v) \
    (weft_read_at((fd), (v), sizeof(eventfd_t), __FILE__, __LINE__) == sizeof(eventfd_t) ? 0 : -1)
#define eventfd_write(fd, v) (weft_write_at((fd), &(eventfd_t){ (v) }, sizeof(eventfd_t), \
                                            __FILE__, __LINE__) == sizeof(eventfd_t) ? 0 : -1)
#define socketpair(d, t, p, sv) \
    weft_socketpair_at((d), (t), (p), (sv), #sv, __FILE__, __LINE__)
#define read(fd, buf, n)      weft_read_at((fd), (buf), (n), __FILE__, __LINE__)
#define write(fd, buf, n)     weft_write_at((fd), (buf), (n), __FILE__, __LINE__)
#define recv(fd, buf, n, fl)  weft_recv_at((fd), (buf), (n), (fl), __FILE__, __LINE__)
#define send(fd, buf, n, fl)  weft_send_at((fd), (buf), (n), (fl), __FILE__, __LINE__)
#define close(fd)             weft_close_at((fd), __FILE__, __LINE__)
#define shutdown(fd, how)     weft_shutdown_at((fd), (how), __FILE__, __LINE__)
#define fcntl(...)            weft_fcntl_at(__FILE__, __LINE__, __VA_ARGS__)
#define dup(fd)               weft_dup_at((fd), -1, "dup", __FILE__, __LINE__)
#define dup2(fd, to)          weft_dup_at((fd), (to), "dup2", __FILE__, __LINE__)
#define poll(fds, n, ms)      weft_poll_at((fds), (n), (ms), __FILE__, __LINE__)
#define select(n, r, w, e, tv) weft_posix_select_at((n), (r), (w), (e), (tv), __FILE__, __LINE__)
#define ppoll(fds, n, ts, mask) weft_ppoll_at((fds), (n), (ts), (mask), __FILE__, __LINE__)
#define pselect(n, r, w, e, ts, mask) \
    weft_pselect_at((n), (r), (w), (e), (ts), (mask), __FILE__, __LINE__)
#define open(...)             weft_open_at(__FILE__, __LINE__, __VA_ARGS__)
#define unlink(path)          weft_unlink_at((path), __FILE__, __LINE__)
#define rename(from, to)      weft_rename_at((from), (to), __FILE__, __LINE__)
#define socket(d, t, p)       weft_socket_at((d), (t), (p), __FILE__, __LINE__)
#define bind(fd, a, l)        weft_bind_at((fd), (a), (l), __FILE__, __LINE__)
#define listen(fd, n)         weft_listen_at((fd), (n), __FILE__, __LINE__)
#define connect(fd, a, l)     weft_connect_at((fd), (a), (l), __FILE__, __LINE__)
#define getsockname(fd, a, l) weft_sockname_at((fd), (a), (l), 0, __FILE__, __LINE__)
#define getpeername(fd, a, l) weft_sockname_at((fd), (a), (l), 1, __FILE__, __LINE__)
#define setsockopt(fd, lv, n, v, l) \
    weft_sockopt_at((fd), (lv), (n), (void *)(v), NULL, (l), 1, __FILE__, __LINE__)
#define getsockopt(fd, lv, n, v, l) \
    weft_sockopt_at((fd), (lv), (n), (v), (l), 0, 0, __FILE__, __LINE__)
#define accept(fd, a, l)      weft_accept_at((fd), (a), (l), 0, __FILE__, __LINE__)
#define accept4(fd, a, l, fl) weft_accept_at((fd), (a), (l), (fl), __FILE__, __LINE__)
#define readv(fd, iov, n)     weft_readv_at((fd), (iov), (n), __FILE__, __LINE__)
#define writev(fd, iov, n)    weft_writev_at((fd), (iov), (n), __FILE__, __LINE__)
#define sendto(fd, buf, n, fl, a, l) \
    weft_sendto_at((fd), (buf), (n), (fl), (const struct sockaddr *)(a), (l), __FILE__, __LINE__)
#define recvfrom(fd, buf, n, fl, a, l) \
    weft_recvfrom_at((fd), (buf), (n), (fl), (struct sockaddr *)(a), (l), __FILE__, __LINE__)
#define sendmsg(fd, m, fl)    weft_sendmsg_at((fd), (m), (fl), __FILE__, __LINE__)
#define recvmsg(fd, m, fl)    weft_recvmsg_at((fd), (m), (fl), __FILE__, __LINE__)
#define epoll_create(n)       weft_epoll_create_at((n), 0, __FILE__, __LINE__)
#define epoll_create1(flags)  weft_epoll_create_at(1, (flags), __FILE__, __LINE__)
#define epoll_ctl(ep, op, fd, ev) \
    weft_epoll_ctl_at((ep), (op), (fd), (ev), #ep, #fd, __FILE__, __LINE__)
#define epoll_wait(ep, evs, n, ms) \
    weft_epoll_wait_at((ep), (evs), (n), (ms), #ep, __FILE__, __LINE__)
#define epoll_pwait(ep, evs, n, ms, mask) \
    weft_epoll_pwait_at((ep), (evs), (n), (ms), (mask), #ep, __FILE__, __LINE__)
#define epoll_pwait2(ep, evs, n, ts, mask) \
    weft_epoll_pwait2_at((ep), (evs), (n), (ts), (mask), #ep, __FILE__, __LINE__)
/* C11 atomic calls tell weft their line and how they spell their object
** before the instrumented access (with --memory=off they are plain). */
#define WEFT_SITE_(p, name) \
    weft_atomic_site_((const volatile void *)(p), name, __FILE__, __LINE__)
#define WEFT_ATOMIC_OP_(p, name, v, mo, builtin) __extension__ ({ \
    __auto_type weft_p_ = (p); WEFT_SITE_(weft_p_, name); builtin(weft_p_, (v), (mo)); })
#undef atomic_load_explicit
#define atomic_load_explicit(p, mo) __extension__ ({ \
    __auto_type weft_p_ = (p); WEFT_SITE_(weft_p_, #p); \
    __typeof__((void)0, *weft_p_) weft_v_; __atomic_load(weft_p_, &weft_v_, (mo)); weft_v_; })
#undef atomic_store_explicit
#define atomic_store_explicit(p, v, mo) __extension__ ({ \
    __auto_type weft_p_ = (p); __typeof__((void)0, *weft_p_) weft_v_ = (v); \
    WEFT_SITE_(weft_p_, #p); __atomic_store(weft_p_, &weft_v_, (mo)); })
#undef atomic_exchange_explicit
#define atomic_exchange_explicit(p, v, mo) __extension__ ({ \
    __auto_type weft_p_ = (p); __typeof__((void)0, *weft_p_) weft_v_ = (v), weft_old_; \
    WEFT_SITE_(weft_p_, #p); __atomic_exchange(weft_p_, &weft_v_, &weft_old_, (mo)); weft_old_; })
#define WEFT_CAS_(p, e, d, weak, s, f) __extension__ ({ \
    __auto_type weft_p_ = (p); __typeof__((void)0, *weft_p_) weft_d_ = (d); \
    WEFT_SITE_(weft_p_, #p); __atomic_compare_exchange(weft_p_, (e), &weft_d_, weak, (s), (f)); })
#undef atomic_compare_exchange_strong_explicit
#define atomic_compare_exchange_strong_explicit(p, e, d, s, f) WEFT_CAS_(p, e, d, 0, s, f)
#undef atomic_compare_exchange_weak_explicit
#define atomic_compare_exchange_weak_explicit(p, e, d, s, f) WEFT_CAS_(p, e, d, 1, s, f)
#undef atomic_fetch_add_explicit
#define atomic_fetch_add_explicit(p, v, mo) WEFT_ATOMIC_OP_(p, #p, v, mo, __atomic_fetch_add)
#undef atomic_fetch_sub_explicit
#define atomic_fetch_sub_explicit(p, v, mo) WEFT_ATOMIC_OP_(p, #p, v, mo, __atomic_fetch_sub)
#undef atomic_fetch_or_explicit
#define atomic_fetch_or_explicit(p, v, mo)  WEFT_ATOMIC_OP_(p, #p, v, mo, __atomic_fetch_or)
#undef atomic_fetch_and_explicit
#define atomic_fetch_and_explicit(p, v, mo) WEFT_ATOMIC_OP_(p, #p, v, mo, __atomic_fetch_and)
#undef atomic_fetch_xor_explicit
#define atomic_fetch_xor_explicit(p, v, mo) WEFT_ATOMIC_OP_(p, #p, v, mo, __atomic_fetch_xor)
#undef atomic_fetch_add
#define atomic_fetch_add(p, v) atomic_fetch_add_explicit(p, v, __ATOMIC_SEQ_CST)
#undef atomic_fetch_sub
#define atomic_fetch_sub(p, v) atomic_fetch_sub_explicit(p, v, __ATOMIC_SEQ_CST)
#undef atomic_fetch_or
#define atomic_fetch_or(p, v)  atomic_fetch_or_explicit(p, v, __ATOMIC_SEQ_CST)
#undef atomic_fetch_and
#define atomic_fetch_and(p, v) atomic_fetch_and_explicit(p, v, __ATOMIC_SEQ_CST)
#undef atomic_fetch_xor
#define atomic_fetch_xor(p, v) atomic_fetch_xor_explicit(p, v, __ATOMIC_SEQ_CST)
/* atomic_init initialises, and is no atomic operation in C11 (an access
** that races with it is a data race): a plain store here, where glibc's
** header makes it a relaxed atomic store, buffered and reported as one in
** programs whose own atomics are all sequentially consistent. */
#undef atomic_init
#define atomic_init(p, v) __extension__ ({ \
    __auto_type weft_p_ = (p); __typeof__((void)0, *weft_p_) weft_v_ = (v); \
    __builtin_memcpy((void *)weft_p_, &weft_v_, sizeof weft_v_); (void)0; })
#undef atomic_flag_test_and_set_explicit
#define atomic_flag_test_and_set_explicit(p, mo) __extension__ ({ \
    __auto_type weft_p_ = (p); WEFT_SITE_(weft_p_, #p); __atomic_test_and_set(weft_p_, (mo)); })
#undef atomic_flag_clear_explicit
#define atomic_flag_clear_explicit(p, mo) __extension__ ({ \
    __auto_type weft_p_ = (p); WEFT_SITE_(weft_p_, #p); __atomic_clear(weft_p_, (mo)); })
#undef atomic_flag_test_and_set
#define atomic_flag_test_and_set(p) atomic_flag_test_and_set_explicit(p, __ATOMIC_SEQ_CST)
#undef atomic_flag_clear
#define atomic_flag_clear(p) atomic_flag_clear_explicit(p, __ATOMIC_SEQ_CST)
/* GCC's __atomic and __sync builtins, called by the program itself, do
** too (an atomic_* call's own builtin keeps the call's spelling:
** weft_atomic_site_). */
#define WEFT_RAW_(p, call) __extension__ ({ \
    __auto_type weft_b_ = (p); WEFT_SITE_(weft_b_, #p); call; })
#define __atomic_load_n(p, mo)          WEFT_RAW_(p, __atomic_load_n(weft_b_, (mo)))
#define __atomic_load(p, r, mo)         WEFT_RAW_(p, __atomic_load(weft_b_, (r), (mo)))
#define __atomic_store_n(p, v, mo)      WEFT_RAW_(p, __atomic_store_n(weft_b_, (v), (mo)))
#define __atomic_store(p, v, mo)        WEFT_RAW_(p, __atomic_store(weft_b_, (v), (mo)))
#define __atomic_exchange_n(p, v, mo)   WEFT_RAW_(p, __atomic_exchange_n(weft_b_, (v), (mo)))
#define __atomic_exchange(p, v, r, mo)  WEFT_RAW_(p, __atomic_exchange(weft_b_, (v), (r), (mo)))
#define __atomic_compare_exchange_n(p, e, d, w, s, f) \
    WEFT_RAW_(p, __atomic_compare_exchange_n(weft_b_, (e), (d), (w), (s), (f)))
#define __atomic_compare_exchange(p, e, d, w, s, f) \
    WEFT_RAW_(p, __atomic_compare_exchange(weft_b_, (e), (d), (w), (s), (f)))
#define __atomic_fetch_add(p, v, mo)    WEFT_RAW_(p, __atomic_fetch_add(weft_b_, (v), (mo)))
#define __atomic_fetch_sub(p, v, mo)    WEFT_RAW_(p, __atomic_fetch_sub(weft_b_, (v), (mo)))
#define __atomic_fetch_and(p, v, mo)    WEFT_RAW_(p, __atomic_fetch_and(weft_b_, (v), (mo)))
#define __atomic_fetch_or(p, v, mo)     WEFT_RAW_(p, __atomic_fetch_or(weft_b_, (v), (mo)))
#define __atomic_fetch_xor(p, v, mo)    WEFT_RAW_(p, __atomic_fetch_xor(weft_b_, (v), (mo)))
#define __atomic_fetch_nand(p, v, mo)   WEFT_RAW_(p, __atomic_fetch_nand(weft_b_, (v), (mo)))
#define __atomic_add_fetch(p, v, mo)    WEFT_RAW_(p, __atomic_add_fetch(weft_b_, (v), (mo)))
#define __atomic_sub_fetch(p, v, mo)    WEFT_RAW_(p, __atomic_sub_fetch(weft_b_, (v), (mo)))
#define __atomic_and_fetch(p, v, mo)    WEFT_RAW_(p, __atomic_and_fetch(weft_b_, (v), (mo)))
#define __atomic_or_fetch(p, v, mo)     WEFT_RAW_(p, __atomic_or_fetch(weft_b_, (v), (mo)))
#define __atomic_xor_fetch(p, v, mo)    WEFT_RAW_(p, __atomic_xor_fetch(weft_b_, (v), (mo)))
#define __atomic_nand_fetch(p, v, mo)   WEFT_RAW_(p, __atomic_nand_fetch(weft_b_, (v), (mo)))
#define __atomic_test_and_set(p, mo)    WEFT_RAW_(p, __atomic_test_and_set(weft_b_, (mo)))
#define __atomic_clear(p, mo)           WEFT_RAW_(p, __atomic_clear(weft_b_, (mo)))
#define __sync_fetch_and_add(p, v) WEFT_RAW_(p, __sync_fetch_and_add(weft_b_, (v)))
#define __sync_fetch_and_sub(p, v) WEFT_RAW_(p, __sync_fetch_and_sub(weft_b_, (v)))
#define __sync_fetch_and_or(p, v)  WEFT_RAW_(p, __sync_fetch_and_or(weft_b_, (v)))
#define __sync_fetch_and_and(p, v) WEFT_RAW_(p, __sync_fetch_and_and(weft_b_, (v)))
#define __sync_fetch_and_xor(p, v) WEFT_RAW_(p, __sync_fetch_and_xor(weft_b_, (v)))
#define __sync_fetch_and_nand(p, v) WEFT_RAW_(p, __sync_fetch_and_nand(weft_b_, (v)))
#define __sync_add_and_fetch(p, v) WEFT_RAW_(p, __sync_add_and_fetch(weft_b_, (v)))
#define __sync_sub_and_fetch(p, v) WEFT_RAW_(p, __sync_sub_and_fetch(weft_b_, (v)))
#define __sync_or_and_fetch(p, v)  WEFT_RAW_(p, __sync_or_and_fetch(weft_b_, (v)))
#define __sync_and_and_fetch(p, v) WEFT_RAW_(p, __sync_and_and_fetch(weft_b_, (v)))
#define __sync_xor_and_fetch(p, v) WEFT_RAW_(p, __sync_xor_and_fetch(weft_b_, (v)))
#define __sync_nand_and_fetch(p, v) WEFT_RAW_(p, __sync_nand_and_fetch(weft_b_, (v)))
#define __sync_bool_compare_and_swap(p, o, n) \
    WEFT_RAW_(p, __sync_bool_compare_and_swap(weft_b_, (o), (n)))
#define __sync_val_compare_and_swap(p, o, n) \
    WEFT_RAW_(p, __sync_val_compare_and_swap(weft_b_, (o), (n)))
#define __sync_lock_test_and_set(p, v) WEFT_RAW_(p, __sync_lock_test_and_set(weft_b_, (v)))
#define __sync_lock_release(p)     WEFT_RAW_(p, __sync_lock_release(weft_b_))
#define malloc  weft_program_malloc
#define calloc  weft_program_calloc
#define realloc weft_program_realloc
#define free    weft_program_free
#undef strdup
#define strdup  weft_program_strdup
#undef strndup
#define strndup weft_program_strndup
#define printf   weft_program_printf
#define fprintf  weft_program_fprintf
#define vfprintf weft_program_vfprintf
#define vprintf(fmt, ap) weft_program_vfprintf(stdout, (fmt), (ap))
#define puts     weft_program_puts
#define fputs    weft_program_fputs
#define putchar  weft_program_putchar
#define fputc    weft_program_fputc
#define fwrite   weft_program_fwrite
#define perror   weft_program_perror
#undef putc
#define putc     weft_program_fputc
#undef putc_unlocked
#define putc_unlocked    weft_program_putc_unlocked
#undef fputc_unlocked
#define fputc_unlocked   weft_program_putc_unlocked
#undef putchar_unlocked
#define putchar_unlocked weft_program_putchar_unlocked
#undef fputs_unlocked
#define fputs_unlocked   weft_program_fputs_unlocked
#undef fwrite_unlocked
#define fwrite_unlocked  weft_program_fwrite_unlocked
#undef dprintf
#define dprintf(...)     weft_program_dprintf_at(__FILE__, __LINE__, __VA_ARGS__)
#undef setvbuf
#define setvbuf  weft_program_setvbuf
#undef setbuf
#define setbuf   weft_program_setbuf
#undef setlinebuf
#define setlinebuf weft_program_setlinebuf
#undef fopen
#define fopen(path, mode) weft_program_fopen_at((path), (mode), __FILE__, __LINE__)
#undef fdopen
#define fdopen(fd, mode) weft_program_fdopen_at((fd), (mode), __FILE__, __LINE__)
#undef tmpfile
#define tmpfile  weft_program_tmpfile
#undef fclose
#define fclose   weft_program_fclose
#undef flockfile
#define flockfile(f)    ((void)weft_stream_lock_op_at((f), 0, #f, __FILE__, __LINE__))
#undef ftrylockfile
#define ftrylockfile(f) weft_stream_lock_op_at((f), 1, #f, __FILE__, __LINE__)
#undef funlockfile
#define funlockfile(f)  ((void)weft_stream_lock_op_at((f), 2, #f, __FILE__, __LINE__))
/* A thread-local the program pins to the initial- or local-exec model is
** reached without the DTV that weft switches (posix/tls.c), and local-exec
** does not even link into a shared object: every model is the dynamic one. */
#define tls_model(model) tls_model("global-dynamic")
#define __tls_model__(model) __tls_model__("global-dynamic")
#define main weft_program_main_
#endif

#endif /* WEFT_PTHREAD_H */
