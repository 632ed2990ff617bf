/*
** program.c -- a pthread program as a scenario: its main is thread 0, its
** writable data is restored before every execution, its heap is the
** execution's arena, its exit status is a verdict, and what it writes to
** standard output and error is kept for the report of the execution.
*/
#define WEFT_PTHREAD_IMPLEMENTATION
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <malloc.h>
#include <stdio_ext.h>
#include "weft_pthread.h"
#include "core/race.h"
#include "posix/state.h"
#include "sync/sync.h"

#define uthash_malloc(size)      arena_alloc(&x->arena, (size))
#define uthash_free(ptr, size)   ((void)(ptr), (void)(size))
#define uthash_nonfatal_oom(e)   (x->program->oom = true)
#include <uthash.h>

/* ==========================================================================
** The program's data: copied once loaded, restored before each execution
** ========================================================================== */

struct segments_of { struct posix_program *p; uintptr_t base; int found; };

static int collect_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct segments_of *s = arg;
    if (info->dlpi_addr != s->base)
        return 0;
    s->found = 1;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || ph->p_memsz == 0)
            continue;
        if (s->p->nsegments == POSIX_MAX_SEGMENTS)
            return -1;
        struct posix_segment *seg = &s->p->segments[s->p->nsegments++];
        seg->addr = (unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        seg->size = ph->p_memsz;
        seg->copy = malloc(seg->size);
        if (seg->copy == NULL)
            return -1;
        memcpy(seg->copy, seg->addr, seg->size);
    }
    return 1;
}

int posix_program_snapshot(struct posix_program *p, void *handle, const char *path)
{
    struct link_map *map;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) {
        fprintf(stderr, "weft: cannot find where %s was loaded: %s\n", path, dlerror());
        return -1;
    }
    struct segments_of s = { p, (uintptr_t)map->l_addr, 0 };
    int rc = dl_iterate_phdr(collect_segments, &s);
    if (rc == 1 && posix_signals_snapshot(p) == 0 && posix_process_snapshot(p) == 0)
        return 0;
    fprintf(stderr, "weft: cannot copy the data of program %s (%s)\n", path,
            rc < 0 ? "out of memory, or too many writable segments" : "not found loaded");
    return -1;
}

void posix_program_release(struct posix_program *p)
{
    for (int i = 0; i < p->nsegments; i++)
        free(p->segments[i].copy);
    p->nsegments = 0;
    posix_signals_release(p);
    posix_process_release(p);
    posix_stdio_reset(p);
    free(p->files);
    p->files = NULL;
    p->files_cap = 0;
    posix_io_release(p);
}

/* The C library's state that programs rely on, as in a new process:
** getopt starts over (optind = 0 makes glibc forget its position inside
** a word of options too, not only the word), rand and random are as
** never seeded, strtok has no words left, and the streams the program
** writes through carry nothing an earlier execution left buffered. */
static void libc_reset(struct posix_program *p)
{
    optind = 0;
    opterr = 1;
    optopt = '?';
    optarg = NULL;
    srand(1);                         /* rand and random as if never seeded */
    srandom(1);
    p->no_words[0] = 0;               /* strtok(NULL, ...) finds no more words */
    strtok(p->no_words, " ");
    posix_stdio_reset(p);
}

/* argv for this execution, in its arena: getopt permutes the array and a
** program may write into its words, so each execution gets its own copy.
** NULL without memory. */
static char **fresh_argv(struct exec *x, const struct posix_program *p)
{
    char **argv = arena_alloc(&x->arena, ((size_t)p->argc + 1) * sizeof *argv);
    for (int i = 0; argv && i < p->argc; i++) {
        size_t n = strlen(p->argv[i]) + 1;
        if ((argv[i] = arena_alloc(&x->arena, n)) == NULL)
            return NULL;
        memcpy(argv[i], p->argv[i], n);
    }
    return argv;                      /* arena memory is zeroed: argv[argc] = NULL */
}

/* On every switch: the C library's per-thread state that weft gives each
** of its threads, which share one thread of the process. */
static void program_switch(struct exec *x, struct sched_thread *to)
{
    posix_tls_switch(x, to);          /* errno and thread-local storage */
    posix_locale_switch(x, to);       /* uselocale's */
}

/* Before each execution (no thread runs yet): the data as loaded. */
static void program_setup(void)
{
    struct exec *x = exec_current();
    struct posix_program *p = (struct posix_program *)posix_program_of(x);
    x->on_switch = program_switch;
    for (int i = 0; i < p->nsegments; i++)
        memcpy(p->segments[i].addr, p->segments[i].copy, p->segments[i].size);
    libc_reset(p);                    /* its streams first: they may be on pipes */
    posix_io_reset(p);
    posix_signals_reset(p);
    posix_process_reset(p);
}

/* ==========================================================================
** main as thread 0, and exit
** ========================================================================== */

/*
** atexit and on_exit: the handlers run when main returns, a thread calls
** exit or the last thread ends after main's pthread_exit, the last given
** first, in the thread that ends the process (the others go on meanwhile,
** as in a real process); at_quick_exit's when a thread calls quick_exit.
** Each execution starts with none. Outside an execution (a constructor)
** they are the C library's.
*/
struct exit_handler {
    void (*fn)(void);
    void (*on_exit)(int, void *);
    void *arg;
};

/* Add h to a list of *n handlers (false without memory). */
static bool add_handler(struct exec *x, struct exit_handler **list, int *n, int *cap,
                        struct exit_handler h)
{
    if (*n == *cap) {
        int more_cap = *cap ? 2 * *cap : 32;
        struct exit_handler *more = arena_alloc(&x->arena, (size_t)more_cap * sizeof *more);
        if (more == NULL)
            return false;
        if (*n)
            memcpy(more, *list, (size_t)*n * sizeof *more);
        *list = more;
        *cap = more_cap;
    }
    (*list)[(*n)++] = h;
    return true;
}

int weft_program_atexit(void (*fn)(void))
{
    struct exec *x = sync_exec();
    struct posix_exec *st = x ? posix_state(x) : NULL;
    if (x == NULL)
        return atexit(fn);
    struct exit_handler h = { .fn = fn };
    return st && add_handler(x, &st->at_exit, &st->nat_exit, &st->at_exit_cap, h) ? 0 : -1;
}

int weft_program_on_exit(void (*fn)(int, void *), void *arg)
{
    struct exec *x = sync_exec();
    struct posix_exec *st = x ? posix_state(x) : NULL;
    if (x == NULL)
        return on_exit(fn, arg);
    struct exit_handler h = { .on_exit = fn, .arg = arg };
    return st && add_handler(x, &st->at_exit, &st->nat_exit, &st->at_exit_cap, h) ? 0 : -1;
}

int weft_program_at_quick_exit(void (*fn)(void))
{
    struct exec *x = sync_exec();
    struct posix_exec *st = x ? posix_state(x) : NULL;
    if (x == NULL)
        return at_quick_exit(fn);
    struct exit_handler h = { .fn = fn };
    return st && add_handler(x, &st->at_quick_exit, &st->nat_quick_exit,
                             &st->at_quick_exit_cap, h) ? 0 : -1;
}

/* The handlers of a list, the last given first, each taken off before it
** runs (one that calls exit does not run again). */
static void run_handlers(struct exec *x, struct exit_handler *list, int *n, int status)
{
    uint8_t was = x->current->handling;
    x->current->handling = SCHED_EXIT_HANDLERS;     /* their steps say so in reports */
    while (*n > 0) {
        struct exit_handler h = list[--*n];
        if (h.on_exit)
            h.on_exit(status, h.arg);
        else
            h.fn();
    }
    x->current->handling = was;
}

static void run_at_exit(struct exec *x, int status)
{
    struct posix_exec *st = posix_state(x);
    if (st)
        run_handlers(x, st->at_exit, &st->nat_exit, status);
}

/* The process ends with status, where loc is (or the call returning to
** pc, when not NULL): a nonzero one fails the execution there (unless
** --exit-status=ignore); else the other threads stop wherever they are
** (sched_exit). call names the call. */
static _Noreturn void end_process(struct exec *x, int status, const char *call,
                                  struct sched_loc loc, const void *pc)
{
    if (status != 0 && !posix_program_of(x)->ignore_exit_status) {
        x->outcome.where_pc = pc;
        snprintf(x->outcome.row, sizeof x->outcome.row, "%s(%d)", call, status);
        sched_fail(x, WEFT_ASSERTION, loc, "the program called %s(%d)", call, status);
    }
    sched_exit(x, loc, NULL);
}

static void thread_ends(struct exec *x, bool main_exits, struct sched_loc at);

static void program_body(void)
{
    struct exec *x = sync_exec();
    const struct posix_program *p = posix_program_of(x);
    struct posix_thread *self = posix_thread_self(x);
    jmp_buf exit_to;
    self->exit_to = &exit_to;
    if (setjmp(exit_to) != 0) {       /* pthread_exit: the other threads go on */
        posix_keys_thread_exit(x, self);
        thread_ends(x, true, sync_current_loc(x));   /* the others go on; the
                                                        last to end exits */
        return;
    }
    char **argv = fresh_argv(x, p);
    if (argv == NULL)
        sched_fail(x, WEFT_ASSERTION, sync_current_loc(x), "out of memory for argv");
    int status = p->main(p->argc, argv);
    run_at_exit(x, status);           /* returning from main is exit(status) */
    if (status != 0 && !p->ignore_exit_status) {
        x->outcome.where_pc = (const char *)(uintptr_t)p->main + 1;   /* a return address
                                         whose call is main's first byte */
        snprintf(x->outcome.row, sizeof x->outcome.row, "returns %d", status);
        sched_fail(x, WEFT_ASSERTION, sync_current_loc(x),
                   "the program's main returned exit status %d", status);
    }
    sched_exit(x, sync_current_loc(x), "main returned");    /* returning is exit */
}

bool posix_is_program(const struct weft_scenario *s)
{
    return s->body == program_body;
}

void posix_program_init(struct posix_program *p, const char *name, const char *file)
{
    p->scenario = (struct weft_scenario){
        .name = name, .summary = "a pthread program (weft run FILE.c)", .expect = WEFT_PASS,
        .body = program_body, .setup = program_setup, .file = file, .line = 1,
    };
}

/* exit(status), from any thread: a nonzero status fails the execution
** where exit was called (unless --exit-status=ignore); else the process
** ends there, the other threads stopped wherever they are (sched_exit). */
void weft_program_exit_at(int status, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        exit(status);
    run_at_exit(x, status);
    end_process(x, status, "exit", posix_loc(file, line), NULL);
}

/* exit, as err, errx and error call it (posix/messages.c), from the
** program's call that returns to pc: the report names its line. */
_Noreturn void posix_exit_from(struct exec *x, const char *call, int status, const void *pc)
{
    run_at_exit(x, status);
    end_process(x, status, call, sync_current_loc(x), pc);
}

/* _exit and _Exit (how 0) end the process at once; quick_exit (how 1)
** runs at_quick_exit's handlers first. */
void weft_program__exit_at(int status, int how, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL && how)
        quick_exit(status);
    if (x == NULL)
        _exit(status);
    struct posix_exec *st = posix_state(x);
    if (how && st)
        run_handlers(x, st->at_quick_exit, &st->nat_quick_exit, status);
    end_process(x, status, how ? "quick_exit" : "_exit", posix_loc(file, line), NULL);
}

/* Is the running thread the last of the execution not finished? Read in a
** step that depends on every other, as an exit is. main's own (it called
** pthread_exit) says that it has exited in that step, not before: another
** thread that ends reads it as it returns (posix_thread_ends), so its
** ending has a step of its own exactly when it comes after main's. */
struct last_op {
    struct sched_op op;
    bool main_exits;
    bool last;
};

static void last_apply(struct exec *x, struct sched_op *op)
{
    struct last_op *l = OP_OF(op, struct last_op, op);
    if (l->main_exits)
        posix_state(x)->main_exited = true;
    l->last = true;
    for (int i = 0; i < x->nthreads; i++)
        if (x->threads[i] != x->current && x->threads[i]->state != T_FINISHED)
            l->last = false;
    op->note = l->last ? "the last thread: exit(0)" : NULL;
}

static const struct sched_opclass last_class = { .verb = "end", .flags = OP_GLOBAL,
                                                 .apply = last_apply };

static void thread_ends(struct exec *x, bool main_exits, struct sched_loc at)
{
    struct posix_exec *st = posix_state(x);
    if (st == NULL || !(st->main_exited || main_exits))
        return;
    struct last_op l = { .op = { .cls = &last_class, .loc = at }, .main_exits = main_exits };
    sched_visible(x, &l.op);
    if (l.last) {
        run_at_exit(x, 0);
        sched_exit(x, at, NULL);
    }
}

void posix_thread_ends(struct exec *x, struct sched_loc at)
{
    thread_ends(x, false, at);
}

int weft_program_unsupported_at(const char *call, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL) {
        fprintf(stderr, "weft: %s:%d: %s is not supported by weft yet\n", file, line, call);
        errno = ENOSYS;
        return -1;
    }
    sched_fail(x, WEFT_UNSUPPORTED, posix_loc(file, line),
               "%s is not supported by weft yet (README: Running a pthread program)", call);
}

int weft_program_unsupported_args_at(const char *call, const char *file, int line, ...)
{
    return weft_program_unsupported_at(call, file, line);
}

void *weft_program_unsupported_ptr_at(const char *call, const char *file, int line)
{
    weft_program_unsupported_at(call, file, line);
    return NULL;
}

/* assert() in the program (linked with --wrap=__assert_fail): a failed
** assertion, at its line, rather than an abort. */
__attribute__((visibility("default"), noreturn)) void
__wrap___assert_fail(const char *expr, const char *file, unsigned line, const char *fn);
void __wrap___assert_fail(const char *expr, const char *file, unsigned line, const char *fn)
{
    struct exec *x = sync_exec();
    if (x == NULL) {
        fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, fn, expr);
        abort();
    }
    if (strcmp(fn, "weft_program_main_") == 0)
        fn = "main";                  /* renamed by weft_pthread.h */
    sched_fail(x, WEFT_ASSERTION, posix_loc(file, (int)line), "assert(%s) failed in %s",
               expr, fn);
}

/* A program's atomic_* call, or __atomic or __sync builtin, just before
** its instrumented access: the access's step is at this line, and its
** cell named as the program spells it (atomic.c). The builtin inside an
** atomic_* call says so again, at the same line, with weft's own
** spelling: the call's stays. */
void weft_atomic_site_(const volatile void *addr, const char *name, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return;
    const struct sched_site *s = &x->atomic_site;
    if (s->addr == addr && s->at.line == line && s->at.file &&
        (s->at.file == file || strcmp(s->at.file, file) == 0))
        return;
    x->atomic_site = (struct sched_site){ addr, name, { file, line } };
}

/* ==========================================================================
** The heap: blocks of the execution's arena
** ========================================================================== */

/*
** A block freed is handed out again, as glibc's per-thread cache does: the
** next malloc of its size class (16 bytes) by the thread that freed it
** gets the one it freed last. So a stale pointer can equal a new one, and
** a compare-and-swap that takes the one for the other (the ABA of a
** lock-free stack) is found. Only the freeing thread reuses its blocks:
** which block another thread's malloc gets then never depends on an order
** of steps the searches take to commute.
*/
struct heap_block {
    void *addr;
    size_t size;
    bool freed;
    int freed_by;                     /* the thread that freed it */
    struct heap_block *next_free;     /* freed, most recent first */
    UT_hash_handle hh;
};

static size_t size_class(size_t n) { return ((n ? n : 1) + 15) & ~(size_t)15; }

/* The block of n's size class that the running thread freed last, taken
** out of the freed list; NULL if none. */
static struct heap_block *reuse(struct exec *x, struct posix_exec *st, size_t n)
{
    for (struct heap_block **p = &st->freed; *p; p = &(*p)->next_free) {
        struct heap_block *b = *p;
        if (b->freed_by == x->current->id && size_class(b->size) == size_class(n)) {
            *p = b->next_free;
            b->freed = false;
            b->size = n;
            return b;
        }
    }
    return NULL;
}

static void *heap_alloc(struct exec *x, size_t n, bool zeroed)
{
    struct posix_exec *st = posix_state(x);
    struct heap_block *again = st ? reuse(x, st, n) : NULL;
    if (again) {
        if (zeroed)
            memset(again->addr, 0, n);
        return again->addr;
    }
    struct heap_block *b = st ? arena_alloc(&x->arena, sizeof *b) : NULL;
    void *p = b ? arena_alloc_named(&x->arena, n ? n : 1, object_next_key(x)) : NULL;
    if (p == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    b->addr = p;
    b->size = n;
    HASH_ADD_PTR(st->blocks, addr, b);
    if (st->oom) {
        errno = ENOMEM;
        return NULL;
    }
    return p;
}

/* The live block at p, or NULL when p is not the program's block of this
** execution (memory malloc'd before it, by libc itself, ...). A block freed
** already fails the execution at the call returning to pc (the thread's
** last step may be lines before it). */
static struct heap_block *heap_find(struct exec *x, void *p, const char *what, const void *pc)
{
    struct posix_exec *st = posix_state(x);
    struct heap_block *b = NULL;
    if (st)
        HASH_FIND_PTR(st->blocks, &p, b);
    if (b && b->freed) {
        const struct sched_thread *by = sched_thread(x, b->freed_by);
        char who[SCHED_NAME_MAX + 16] = "another thread";
        if (by == x->current)
            snprintf(who, sizeof who, "this thread");
        else if (by)
            snprintf(who, sizeof who, "thread \"%s\"", by->obj.name);
        x->outcome.where_pc = pc;
        sched_fail(x, WEFT_CRASH, sync_current_loc(x), "%s of a block already freed (by %s)",
                   what, who);
    }
    return b;
}

void *weft_program_malloc(size_t n)
{
    struct exec *x = sync_exec();
    return x ? heap_alloc(x, n, false) : malloc(n);
}

void *weft_program_calloc(size_t count, size_t n)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return calloc(count, n);
    if (n && count > SIZE_MAX / n) {
        errno = ENOMEM;
        return NULL;
    }
    return heap_alloc(x, count * n, true);
}

static void heap_free(struct exec *x, struct heap_block *b, const void *pc)
{
    struct posix_exec *st = posix_state(x);
    if (x->cfg->check_all_memory)
        race_free(x, (uintptr_t)b->addr, b->size ? b->size : 1, sync_current_loc(x), pc);
    b->freed = true;
    b->freed_by = x->current->id;
    b->next_free = st->freed;
    st->freed = b;
}

/* A block the C library allocated for the program (getline's, asprintf's)
** is freed for real; under --memory=all its bytes are forgotten first, as
** weft's own blocks are: glibc's cache, one for all of weft's threads, hands
** it to the next thread that allocates, and its old accesses were taken
** for a race with the new owner's. */
void weft_program_free(void *p)
{
    struct exec *x = sync_exec();
    struct heap_block *b = x && p ? heap_find(x, p, "free", __builtin_return_address(0)) : NULL;
    if (b) {
        heap_free(x, b, __builtin_return_address(0));
        return;
    }
    uint64_t in_arena;                /* (a pointer into weft's heap, not a block's
                                         start, is no glibc block: glibc's free
                                         rejects it) */
    if (x && p && x->cfg->check_all_memory && !arena_offset(&x->arena, p, &in_arena))
        race_free(x, (uintptr_t)p, malloc_usable_size(p), sync_current_loc(x),
                  __builtin_return_address(0));
    free(p);
}

/* strdup and strndup: the copy in the execution's heap, like malloc's. */
char *weft_program_strndup(const char *s, size_t n)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return strndup(s, n);
    size_t len = strnlen(s, n);
    char *copy = heap_alloc(x, len + 1, false);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *weft_program_strdup(const char *s) { return weft_program_strndup(s, SIZE_MAX); }

void *weft_program_realloc(void *p, size_t n)
{
    struct exec *x = sync_exec();
    struct heap_block *b = x && p ? heap_find(x, p, "realloc", __builtin_return_address(0)) : NULL;
    if (x == NULL || (p && b == NULL))
        return realloc(p, n);
    void *q = heap_alloc(x, n, false);
    if (q && b) {
        memcpy(q, p, b->size < n ? b->size : n);
        heap_free(x, b, __builtin_return_address(0));
    }
    return q;
}

/* ==========================================================================
** Standard output and error: kept for the report inside an execution
** ========================================================================== */

/* The execution that captures what is written to f, or NULL (f is another
** file, or no execution runs: f is written for real). */
static struct exec *capturing(FILE *f)
{
    return f == stdout || f == stderr ? exec_current() : NULL;
}

ssize_t posix_output(struct exec *x, int fd, const void *buf, size_t n)
{
    sched_output(x, fd == STDERR_FILENO, buf, n);
    return (ssize_t)n;
}

static void capture(struct exec *x, FILE *f, const void *buf, size_t n)
{
    sched_output(x, f == stderr, buf, n);
}

int weft_program_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    struct exec *x = capturing(f);
    if (x == NULL)
        return vfprintf(f, fmt, ap);
    char small[512];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *text = small;
    if (n >= (int)sizeof small && (text = arena_alloc(&x->arena, (size_t)n + 1)) != NULL)
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (n > 0)
        capture(x, f, text ? text : small, text ? (size_t)n : sizeof small - 1);
    return n;
}

int weft_program_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = weft_program_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int weft_program_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = weft_program_vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int weft_program_fputs(const char *s, FILE *f)
{
    struct exec *x = capturing(f);
    if (x == NULL)
        return fputs(s, f);
    capture(x, f, s, strlen(s));
    return 1;
}

int weft_program_puts(const char *s)
{
    struct exec *x = capturing(stdout);
    if (x == NULL)
        return puts(s);
    capture(x, stdout, s, strlen(s));
    capture(x, stdout, "\n", 1);
    return 1;
}

int weft_program_fputc(int c, FILE *f)
{
    struct exec *x = capturing(f);
    if (x == NULL)
        return fputc(c, f);
    unsigned char byte = (unsigned char)c;
    capture(x, f, &byte, 1);
    return byte;
}

int weft_program_putchar(int c) { return weft_program_fputc(c, stdout); }

size_t weft_program_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    struct exec *x = capturing(f);
    if (x == NULL)
        return fwrite(p, size, n, f);
    if (size && n > SIZE_MAX / size)
        n = SIZE_MAX / size;
    capture(x, f, p, size * n);
    return n;
}

void weft_program_perror(const char *s)
{
    struct exec *x = capturing(stderr);
    if (x == NULL) {
        perror(s);
        return;
    }
    int saved = errno;
    if (s && *s)
        weft_program_fprintf(stderr, "%s: ", s);
    weft_program_fprintf(stderr, "%s\n", strerror(saved));
    errno = saved;
}

/* putc and the _unlocked forms are fputc, fputs and fwrite by another name. */
int weft_program_putc_unlocked(int c, FILE *f) { return weft_program_fputc(c, f); }
int weft_program_putchar_unlocked(int c) { return weft_program_fputc(c, stdout); }
int weft_program_fputs_unlocked(const char *s, FILE *f) { return weft_program_fputs(s, f); }
size_t weft_program_fwrite_unlocked(const void *p, size_t size, size_t n, FILE *f)
{
    return weft_program_fwrite(p, size, n, f);
}

/* dprintf: to descriptor 1 or 2 it is kept, to a pipe it is a write. */
int weft_program_dprintf_at(const char *file, int line, int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    ssize_t w = weft_write_at(fd, text, (size_t)n, file, line);
    free(text);
    return w < 0 ? -1 : n;
}

/* setvbuf on the captured streams does nothing: nothing of the program is
** buffered there, and a buffer of the program's (often on main's stack)
** must not outlive the execution inside weft's own stdout. */
int weft_program_setvbuf(FILE *f, char *buf, int mode, size_t size)
{
    return capturing(f) ? 0 : setvbuf(f, buf, mode, size);
}

void weft_program_setbuf(FILE *f, char *buf)
{
    weft_program_setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ);
}

void weft_program_setlinebuf(FILE *f) { weft_program_setvbuf(f, NULL, _IOLBF, 0); }

/* ==========================================================================
** The program's own streams: what an execution leaves open is dropped
** ========================================================================== */

/* The streams fopen, fdopen and tmpfile opened and fclose did not close
** yet, kept across executions (program.files) so that the next execution
** can drop them: their unwritten buffers purged, never flushed into a
** later execution's file. */
static void files_add(struct posix_program *p, FILE *f)
{
    if (f == NULL)
        return;
    if (p->nfiles == p->files_cap) {
        int cap = p->files_cap ? 2 * p->files_cap : 8;
        FILE **files = realloc(p->files, (size_t)cap * sizeof *files);
        if (files == NULL)
            return;                   /* kept untracked: it may survive */
        p->files = files;
        p->files_cap = cap;
    }
    p->files[p->nfiles++] = f;
}

static void files_remove(struct posix_program *p, FILE *f)
{
    for (int i = 0; i < p->nfiles; i++)
        if (p->files[i] == f) {
            p->files[i] = p->files[--p->nfiles];
            return;
        }
}

static struct posix_program *program_now(void)
{
    struct exec *x = exec_current();
    return x ? (struct posix_program *)posix_program_of(x) : NULL;
}

FILE *weft_program_fopen_at(const char *path, const char *mode, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x && path)
        posix_fopen_step(x, path, mode, posix_loc(file, line));
    FILE *f = fopen(path, mode);
    struct posix_program *p = program_now();
    if (p)
        files_add(p, f);
    return f;
}

/* A stream over a modelled descriptor (fdopen of a pipe end): its reads
** and writes are the descriptor's, visible at the line of the fdopen
** (the C library flushes it from wherever it likes). Outside an execution
** (a stream dropped between two) it does nothing. */
struct modelled_file {
    int fd;
    const char *file;
    int line;
    const struct posix_program *p;
};

/* May the stream act on its descriptor now? */
static bool modelled_live(const struct modelled_file *m)
{
    return sync_exec() != NULL && !m->p->dropping_files;
}

static ssize_t modelled_read(void *cookie, char *buf, size_t n)
{
    struct modelled_file *m = cookie;
    return modelled_live(m) ? weft_read_at(m->fd, buf, n, m->file, m->line) : 0;
}

static ssize_t modelled_write(void *cookie, const char *buf, size_t n)
{
    struct modelled_file *m = cookie;
    if (!modelled_live(m))
        return (ssize_t)n;
    ssize_t done = 0;
    while ((size_t)done < n) {        /* the C library wants it all, or an error */
        ssize_t w = weft_write_at(m->fd, buf + done, n - (size_t)done, m->file, m->line);
        if (w <= 0)
            return done ? done : -1;
        done += w;
    }
    return done;
}

static int modelled_close(void *cookie)
{
    struct modelled_file *m = cookie;
    int rc = modelled_live(m) ? weft_close_at(m->fd, m->file, m->line) : 0;
    free(m);
    return rc;
}

static FILE *fdopen_modelled(const struct posix_program *p, int fd, const char *mode,
                             const char *file, int line)
{
    struct modelled_file *m = malloc(sizeof *m);
    if (m == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    *m = (struct modelled_file){ fd, file, line, p };
    cookie_io_functions_t io = { modelled_read, modelled_write, NULL, modelled_close };
    FILE *f = fopencookie(m, mode, io);
    if (f == NULL)
        free(m);
    return f;
}

FILE *weft_program_fdopen_at(int fd, const char *mode, const char *file, int line)
{
    struct exec *x = sync_exec();
    FILE *f = x && posix_io_modelled(x, fd)
            ? fdopen_modelled(posix_program_of(x), fd, mode, file, line) : fdopen(fd, mode);
    struct posix_program *p = program_now();
    if (p)
        files_add(p, f);
    return f;
}

FILE *weft_program_tmpfile(void)
{
    FILE *f = tmpfile();
    struct posix_program *p = program_now();
    if (p)
        files_add(p, f);
    return f;
}

int weft_program_fclose(FILE *f)
{
    struct posix_program *p = program_now();
    if (p)
        files_remove(p, f);
    return fclose(f);
}

void posix_stdio_reset(struct posix_program *p)
{
    p->dropping_files = true;         /* a stream on a pipe end acts no more */
    for (int i = 0; i < p->nfiles; i++) {
        __fpurge(p->files[i]);
        fclose(p->files[i]);
    }
    p->nfiles = 0;
    p->dropping_files = false;
}

/* ==========================================================================
** Time: the execution's virtual clock
** ========================================================================== */

/* The virtual clocks start at these (so a program's dates look like dates). */
#define REALTIME_START_NS  (INT64_C(1700000000) * 1000000000)
#define MONOTONIC_START_NS (INT64_C(1000) * 1000000000)

/* The clocks of dates start at a date: CLOCK_TAI too (Linux's is the
** real-time clock plus the TAI offset the system set, often 0), and the
** real-time alarm clock; the others at 1000 s. */
int64_t posix_clock_start(clockid_t clock)
{
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_REALTIME_ALARM: case CLOCK_TAI:
        return REALTIME_START_NS;
    default:
        return MONOTONIC_START_NS;
    }
}

/* A clock read at file:line, from the program's call at site (its return
** address: reads on one line are told apart, so straight-line code that
** reads the time three times is not a loop polling the clock). */
static int64_t read_clock(const char *file, int line, const void *site)
{
    return sync_now_ns(sync_exec(), (struct sched_loc){ file, line }, (uintptr_t)site);
}

static void clock_to(clockid_t clock, struct timespec *ts, const char *file, int line,
                     const void *site)
{
    int64_t ns = posix_clock_start(clock) + read_clock(file, line, site);
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

int weft_clock_gettime_at(clockid_t clock, struct timespec *ts, const char *file, int line)
{
    if (sync_exec() == NULL)
        return clock_gettime(clock, ts);
    clock_to(clock, ts, file, line, __builtin_return_address(0));
    return 0;
}

time_t weft_time_at(time_t *t, const char *file, int line)
{
    if (sync_exec() == NULL)
        return time(t);
    time_t now = (time_t)((REALTIME_START_NS + read_clock(file, line,
                                                          __builtin_return_address(0))) /
                          1000000000);
    if (t)
        *t = now;
    return now;
}

int weft_gettimeofday_at(struct timeval *tv, void *tz, const char *file, int line)
{
    if (sync_exec() == NULL)
        return gettimeofday(tv, tz);
    int64_t ns = REALTIME_START_NS + read_clock(file, line, __builtin_return_address(0));
    tv->tv_sec = (time_t)(ns / 1000000000);
    tv->tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
    return 0;
}

int weft_timespec_get_at(struct timespec *ts, int base, const char *file, int line)
{
    if (sync_exec() == NULL)
        return timespec_get(ts, base);
    if (base != TIME_UTC)
        return 0;
    clock_to(CLOCK_REALTIME, ts, file, line, __builtin_return_address(0));
    return base;
}

/* The processor time used: the virtual time since the execution began
** (its threads are never seen to wait for the processor). */
clock_t weft_clock_at(const char *file, int line)
{
    if (sync_exec() == NULL)
        return clock();
    return (clock_t)(read_clock(file, line, __builtin_return_address(0)) /
                     (1000000000 / CLOCKS_PER_SEC));
}

/* A sleep, in a cancellation point: for ns from its first step, or until
** the absolute deadline ns on the virtual clock however late that step
** comes. True when a signal's handler ended it, with what was left of a
** relative one in *left (sleeps fail with EINTR whatever SA_RESTART
** says). */
static bool sleep_end(struct exec *x, int64_t ns, bool absolute, int64_t *left,
                      const char *file, int line)
{
    posix_eintr_begin(x, POSIX_EINTR_ALWAYS);
    if (absolute)
        sleep_until_at(ns, file, line);
    else
        *left = sleep_ns_left_at(ns, file, line);
    bool by_signal = posix_eintr_end(x);
    if (posix_cancel_leave(x))
        posix_cancel_now(x, file, line);
    return by_signal;
}

int weft_nanosleep_at(const struct timespec *req, struct timespec *rem, const char *file,
                      int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return nanosleep(req, rem);
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000) {
        errno = EINVAL;
        return -1;
    }
    int64_t left = 0;
    posix_cancel_enter(x, false, file, line);       /* sleeps are cancellation points */
    bool by_signal = sleep_end(x, (int64_t)req->tv_sec * 1000000000 + req->tv_nsec, false,
                               &left, file, line);
    if (rem)                          /* what was left of it, on the virtual clock */
        *rem = (struct timespec){ (time_t)(left / 1000000000), (long)(left % 1000000000) };
    if (by_signal)
        errno = EINTR;
    return by_signal ? -1 : 0;
}

/* clock_nanosleep: relative, or until an absolute deadline (TIMER_ABSTIME)
** that holds however late the step comes. Errors are returned, not put in
** errno (POSIX). */
int weft_clock_nanosleep_at(clockid_t clock, int flags, const struct timespec *req,
                            struct timespec *rem, const char *file, int line)
{
    struct exec *x = sync_exec();
    if (x == NULL)
        return clock_nanosleep(clock, flags, req, rem);
    if ((clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) || req->tv_nsec < 0 ||
        req->tv_nsec >= 1000000000 || (!(flags & TIMER_ABSTIME) && req->tv_sec < 0))
        return EINVAL;
    if (!(flags & TIMER_ABSTIME))     /* it fails only as checked above */
        return weft_nanosleep_at(req, rem, file, line) == 0 ? 0 : EINVAL;
    posix_cancel_enter(x, false, file, line);       /* a cancellation point */
    return sleep_end(x, posix_virtual_deadline(clock, req), true, NULL, file, line) ? EINTR : 0;
}

int weft_usleep_at(useconds_t us, const char *file, int line)
{
    if (sync_exec() == NULL)
        return usleep(us);
    struct timespec req = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
    return weft_nanosleep_at(&req, NULL, file, line);
}

unsigned weft_sleep_at_(unsigned s, const char *file, int line)
{
    if (sync_exec() == NULL)
        return sleep(s);
    struct timespec req = { (time_t)s, 0 }, rem;
    if (weft_nanosleep_at(&req, &rem, file, line) == 0)
        return 0;
    return (unsigned)rem.tv_sec + (rem.tv_nsec >= 500000000);   /* as glibc rounds */
}
