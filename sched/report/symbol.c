/*
** symbol.c -- code addresses into function, file and line (see symbol.h).
**
** A call chain and an instrumented access record return addresses. The
** call itself is the byte before: that is what is looked up, so a call
** that ends a line is not named by the line after it. dladdr gives the
** module and offset; libdw (elfutils), when configure found it, reads the
** module's DWARF for the functions and lines, expanding inlined calls so
** that a helper the compiler inlined still shows as a frame. A session
** serves a whole report and is closed before it returns: nothing is kept.
*/
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/symbol.h"

#ifdef HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#endif

struct symbol_session {
#ifdef HAVE_LIBDW
    Dwfl *dwfl;                       /* NULL: module and offset only */
#endif
    int unused;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void lookup_module(uintptr_t call, struct symbol *out)
{
    Dl_info info;
    if (dladdr((void *)call, &info) == 0 || info.dli_fname == NULL)
        return;
    snprintf(out->module, sizeof out->module, "%s", base_name(info.dli_fname));
    out->offset = (unsigned long)(call - (uintptr_t)info.dli_fbase);
}

#ifdef HAVE_LIBDW
static const Dwfl_Callbacks callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

/* A libdw session that knows every module mapped into this process, or NULL. */
static Dwfl *dwfl_session(void)
{
    Dwfl *dwfl = dwfl_begin(&callbacks);
    if (dwfl == NULL)
        return NULL;
    dwfl_report_begin(dwfl);
    if (dwfl_linux_proc_report(dwfl, getpid()) != 0 ||
        dwfl_report_end(dwfl, NULL, NULL) != 0) {
        dwfl_end(dwfl);
        return NULL;
    }
    return dwfl;
}

/* A function's name as the program spells it: its main is renamed so
** that weft can call it (weft_pthread.h). */
static void set_function(struct symbol *out, const char *name)
{
    bool main = strcmp(name, "weft_program_main_") == 0;
    snprintf(out->function, sizeof out->function, "%s", main ? "main" : name);
}

static void lookup_line(Dwfl_Module *mod, uintptr_t call, struct symbol *out)
{
    const char *function = dwfl_module_addrname(mod, call);
    if (function)
        set_function(out, function);
    Dwfl_Line *line = dwfl_module_getsrc(mod, call);
    const char *file = line ? dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL) : NULL;
    if (file && out->line > 0)
        snprintf(out->file, sizeof out->file, "%s", file);
    else
        out->line = 0;
}

static void die_name(Dwarf_Die *die, struct symbol *out)
{
    Dwarf_Attribute attr;
    const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    if (name)
        set_function(out, name);
}

/* Where the inlined call die was made: out's file and line. */
static void call_site(Dwarf_Die *die, Dwarf_Files *files, struct symbol *out)
{
    Dwarf_Attribute attr;
    Dwarf_Word file = 0, line = 0;
    const char *path = NULL;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line) == 0 &&
        dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &file) == 0 && files)
        path = dwarf_filesrc(files, file, NULL, NULL);
    if (path && line > 0) {
        snprintf(out->file, sizeof out->file, "%s", path);
        out->line = (int)line;
    }
}

/* The innermost function (inlined or not) whose code holds call, copied
** into *fn; false when the debug information knows none. */
static bool innermost_function(Dwfl_Module *mod, uintptr_t call, Dwarf_Die *fn)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, call, &bias), *scopes = NULL;
    int nscopes = cu ? dwarf_getscopes(cu, call - bias, &scopes) : -1;
    bool found = false;
    for (int i = 0; i < nscopes && !found; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram) {
            *fn = scopes[i];
            found = true;
        }
    }
    free(scopes);
    return found;
}

/* The inlined calls at call, innermost first, then their function: out[0]
** has the line of the code, each next frame the line of the call inlined
** into it. Returns how many frames (0: no scopes known). */
static int inline_frames(Dwfl_Module *mod, uintptr_t call, struct symbol *out, int max)
{
    Dwarf_Die fn, cu, *scopes = NULL;
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (!innermost_function(mod, call, &fn))
        return 0;
    int nscopes = dwarf_getscopes_die(&fn, &scopes);   /* fn, then what holds it */
    if (dwarf_diecu(&fn, &cu, NULL, NULL) == NULL || dwarf_getsrcfiles(&cu, &files, &nfiles) != 0)
        files = NULL;
    int n = 0;
    Dwarf_Die *inner = NULL;          /* the inlined call of the frame before */
    for (int i = 0; i < nscopes && n < max; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        struct symbol *f = &out[n++];
        *f = out[0];                  /* known, module, offset */
        f->function[0] = f->file[0] = 0;
        f->line = 0;
        if (inner)
            call_site(inner, files, f);
        else
            lookup_line(mod, call, f);
        die_name(&scopes[i], f);      /* the inlined function's, not its host's */
        if (tag == DW_TAG_subprogram)
            break;
        inner = &scopes[i];
    }
    free(scopes);
    return n;
}
#endif

struct symbol_session *symbol_begin(void)
{
    struct symbol_session *s = calloc(1, sizeof *s);
#ifdef HAVE_LIBDW
    if (s)
        s->dwfl = dwfl_session();
#endif
    return s;
}

void symbol_end(struct symbol_session *s)
{
#ifdef HAVE_LIBDW
    if (s && s->dwfl)
        dwfl_end(s->dwfl);
#endif
    free(s);
}

int symbol_frames(struct symbol_session *s, const void *pc, struct symbol *out, int max)
{
    if (pc == NULL || max <= 0)
        return 0;
    uintptr_t call = (uintptr_t)pc - 1;
    memset(&out[0], 0, sizeof out[0]);
    out[0].known = true;
    lookup_module(call, &out[0]);
#ifdef HAVE_LIBDW
    Dwfl_Module *mod = s && s->dwfl ? dwfl_addrmodule(s->dwfl, call) : NULL;
    int n = mod ? inline_frames(mod, call, out, max) : 0;
    if (n > 0)
        return n;
    if (mod)
        lookup_line(mod, call, &out[0]);
#else
    (void)s;
#endif
    return 1;
}

/* Code inlined from a system header (error's wrapper in <bits/error.h>,
** a libc inline): no line the program wrote. */
static bool system_header(const char *file)
{
    return strncmp(file, "/usr/include/", 13) == 0 || strncmp(file, "/usr/lib/", 9) == 0;
}

/* The line the program wrote: the innermost frame at the call, or the
** call that inlined a system header's code there. */
void symbol_lookup(const void *const *pcs, int n, struct symbol *out)
{
    bool any = false;
    for (int i = 0; i < n; i++)
        any |= pcs[i] != NULL;
    struct symbol_session *s = any ? symbol_begin() : NULL;
    for (int i = 0; i < n; i++) {
        struct symbol frames[8];
        int nframes = symbol_frames(s, pcs[i], frames, 8), own = 0;
        while (own + 1 < nframes && system_header(frames[own].file))
            own++;
        if (nframes == 0)
            memset(&out[i], 0, sizeof out[i]);
        else
            out[i] = frames[own];
    }
    symbol_end(s);
}
