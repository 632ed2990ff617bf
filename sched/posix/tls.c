/*
** tls.c -- each thread of a pthread program has its own errno and its own
** __thread / _Thread_local variables, although all of them are fibers of
** one OS thread.
**
** errno is the C library's, one per OS thread: its value is saved when a
** thread is left and put back when it is resumed (x->on_switch).
**
** Thread-local variables: the program is a module loaded with dlopen, so
** its code finds its TLS block through the OS thread's dynamic thread
** vector (DTV): __tls_get_addr(module, offset) reads the block's address
** from the DTV's entry for the module, on every access (the program is
** compiled with the general- or local-dynamic model, the traditional
** dialect: cli/loader.c). Resuming a thread stores the address of that
** thread's own block in the entry; leaving the program puts the OS
** thread's block back. Why this and not the alternatives:
**  - copying the block in and out on every switch would give every thread
**    the same addresses: a pointer to one thread's variable, handed to
**    another thread (a per-thread counter registered in a list), would
**    read the reader's copy. Here each thread's variables have their own
**    addresses, as under real threads, and a switch costs two stores;
**  - setting the thread pointer itself (%fs) would move the C library's
**    own thread state (its errno, malloc caches, stdio locks) along with
**    the program's, and costs a system call per switch;
**  - rewriting __thread as something else at compile time cannot keep
**    both the declaration syntax and the per-thread meaning.
** The DTV's layout is the C library's, so it is checked when the program
** is loaded (posix_tls_find): the entry must hold the block dlinfo names,
** and a probe variable compiled into the program (weft_program_tls_probe_)
** must move with the entry. A C library where either fails is refused
** with a clear message rather than run with shared thread-locals.
** A variable the program declares with an initial-exec or local-exec
** tls_model attribute would be reached without the DTV (and local-exec
** does not link into a shared object): weft_pthread.h makes every
** tls_model attribute global-dynamic.
*/
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include "posix/state.h"

/* ==========================================================================
** The DTV entry of a module, on the calling OS thread
** ========================================================================== */

/* glibc's dtv_t: the block's address, then what to free. */
struct dtv_entry { void *val; void *to_free; };

/* The calling OS thread's DTV entry for module modid, or NULL where weft
** does not know where the DTV is. Not cached: the C library may move the
** DTV when another module is loaded. */
static struct dtv_entry *dtv_entry(size_t modid)
{
    void **tcb;
#if defined(__x86_64__)
    __asm__("mov %%fs:0, %0" : "=r"(tcb));         /* tcbhead_t: tcb, dtv, self */
    struct dtv_entry *dtv = tcb[1];
#elif defined(__aarch64__)
    __asm__("mrs %0, tpidr_el0" : "=r"(tcb));      /* tcbhead_t: dtv, private */
    struct dtv_entry *dtv = tcb[0];
#else
    (void)tcb;
    struct dtv_entry *dtv = NULL;
#endif
    return dtv && modid ? &dtv[modid] : NULL;
}

/* ==========================================================================
** At load: find the segment, check the DTV
** ========================================================================== */

struct tls_of { struct posix_tls *tls; uintptr_t base; };

static int find_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct tls_of *t = arg;
    if (info->dlpi_addr != t->base)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_TLS)
            continue;
        t->tls->modid = info->dlpi_tls_modid;
        t->tls->image = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        t->tls->filesz = ph->p_filesz;
        t->tls->memsz = ph->p_memsz;
        t->tls->align = ph->p_align ? ph->p_align : 1;
    }
    return 1;
}

/* Does the probe's address follow the DTV entry? The entry is pointed at
** a test block and back; the probe must land at the same offset in it. */
static bool probe_follows(struct dtv_entry *e, void *(*probe)(void), void *block)
{
    unsigned char test[64] __attribute__((aligned(64)));
    char *before = probe();
    void *saved = e->val;
    e->val = test;
    char *moved = probe();
    e->val = saved;
    return before >= (char *)block && moved == (char *)test + (before - (char *)block) &&
           probe() == before;
}

int posix_tls_find(struct posix_program *p, void *handle, const char *path)
{
    struct link_map *map;
    void *(*probe)(void) = (void *(*)(void))dlsym(handle, "weft_program_tls_probe_");
    if (probe == NULL || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) {
        fprintf(stderr, "weft: %s was not built by this weft (no TLS probe): rebuild it\n", path);
        return -1;
    }
    struct tls_of t = { &p->tls, (uintptr_t)map->l_addr };
    dl_iterate_phdr(find_segment, &t);
    probe();                          /* the OS thread's block, allocated now */
    void *block = NULL;
    struct dtv_entry *e = dtv_entry(p->tls.modid);
    bool ok = p->tls.modid != 0 && dlinfo(handle, RTLD_DI_TLS_DATA, &block) == 0 && e &&
              e->val == block && block && p->tls.memsz <= 64 * 1024 * 1024 &&
              probe_follows(e, probe, block);
    if (!ok)
        fprintf(stderr, "weft: cannot give each thread of %s its own thread-local storage "
                "on this system (the C library's thread vector is not laid out as weft "
                "expects); see README, Running a pthread program\n", path);
    return ok ? 0 : -1;
}

/* ==========================================================================
** On every switch
** ========================================================================== */

/* A fresh block for a thread: the image, then zeros, aligned as asked. */
static void *new_block(struct exec *x, const struct posix_tls *tls)
{
    unsigned char *raw = arena_alloc(&x->arena, tls->memsz + tls->align);
    if (raw == NULL)
        return NULL;
    uintptr_t at = ((uintptr_t)raw + tls->align - 1) & ~(uintptr_t)(tls->align - 1);
    memcpy((void *)at, tls->image, tls->filesz);   /* the rest is zeroed already */
    return (void *)at;
}

void posix_tls_switch(struct exec *x, struct sched_thread *to)
{
    const struct posix_tls *tls = &posix_program_of(x)->tls;
    struct posix_exec *st = posix_state(x);
    struct dtv_entry *e = dtv_entry(tls->modid);
    if (st == NULL || e == NULL)
        return;
    if (st->tls_installed) {
        struct posix_thread *from = posix_thread_at(x, st->tls_installed - 1);
        if (from)
            from->saved_errno = errno;
    } else {
        st->os_tls = e->val;
        st->os_errno = errno;
    }
    struct posix_thread *t = to ? posix_thread_at(x, to->id) : NULL;
    if (t && t->tls == NULL)
        t->tls = new_block(x, tls);
    if (t == NULL || t->tls == NULL) {            /* the scheduler, or no memory */
        e->val = st->os_tls;
        errno = st->os_errno;
        st->tls_installed = 0;
        return;
    }
    e->val = t->tls;
    errno = t->saved_errno;
    st->tls_installed = to->id + 1;
}
