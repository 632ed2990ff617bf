/*
** symbol.c -- code addresses into function, file and line (see symbol.h).
**
** An instrumented access records the return address of its hook call. The
** call itself is the byte before: that is what is looked up, so an access
** that ends a line is not named by the line after it. dladdr gives the
** module and offset; libdw (elfutils), when configure found it, reads the
** module's DWARF for the function and the line. One libdw session serves a
** whole report and is closed before it returns: nothing is kept.
*/
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "report/symbol.h"

#ifdef HAVE_LIBDW
#include <elfutils/libdwfl.h>
#endif

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

/* A session that knows every module mapped into this process, or NULL. */
static Dwfl *session_begin(void)
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

static void lookup_line(Dwfl *dwfl, uintptr_t call, struct symbol *out)
{
    Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, call) : NULL;
    if (mod == NULL)
        return;
    const char *function = dwfl_module_addrname(mod, call);
    if (function)
        snprintf(out->function, sizeof out->function, "%s", function);
    Dwfl_Line *line = dwfl_module_getsrc(mod, call);
    const char *file = line ? dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL) : NULL;
    if (file && out->line > 0)
        snprintf(out->file, sizeof out->file, "%s", file);
    else
        out->line = 0;
}
#endif

void symbol_lookup(const void *const *pcs, int n, struct symbol *out)
{
#ifdef HAVE_LIBDW
    bool any = false;
    for (int i = 0; i < n; i++)
        any |= pcs[i] != NULL;
    Dwfl *dwfl = any ? session_begin() : NULL;
#endif
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        if (pcs[i] == NULL)
            continue;
        uintptr_t call = (uintptr_t)pcs[i] - 1;
        out[i].known = true;
        lookup_module(call, &out[i]);
#ifdef HAVE_LIBDW
        lookup_line(dwfl, call, &out[i]);
#endif
    }
#ifdef HAVE_LIBDW
    if (dwfl)
        dwfl_end(dwfl);
#endif
}
