#!/bin/sh
# layering.sh -- the architecture, checked (README, "How it works"): each
# layer includes only the layers below it; the searches know no kind of
# object; nothing mutable lives at file scope in the library but the
# scenario registry and the one thread-local pointer to the running
# execution. Run by `make check` after the build.
set -u
src=${top_srcdir:-.}/sched
build=${top_builddir:-.}
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# includes_only DIR ALLOWED...: every quoted include in DIR names a header
# of one of those folders (or weft.h).
includes_only() {
    dir=$1
    shift
    allowed=$(echo "$@" | sed 's/ /|/g')
    found=$(grep -nE '^#include "' "$src/$dir"/*.[ch] |
            grep -vE "#include \"(($allowed)/[a-z_0-9]+\.h|weft(_pthread)?\.h)\"" || true)
    if [ -z "$found" ]; then ok; else bad "$dir/ includes beyond $*:"; echo "$found"; fi
}

includes_only core core
includes_only sync core sync
includes_only explore core explore
includes_only report core explore report
includes_only posix core sync posix
includes_only cli core explore report cli posix

# The searches and the reports reach objects through the operation
# contract only: no object kind, no primitive's own struct.
found=$(grep -nE '\bOBJ_[A-Z]+|mutex_impl|struct weft_chan\b|cond_impl|waitgroup_impl' \
        "$src"/explore/*.[ch] "$src"/report/*.[ch] "$src"/core/*.[ch] || true)
if [ -z "$found" ]; then ok; else bad "a primitive named outside sync/:"; echo "$found"; fi

# No mutable variable at file scope (or static in a function) in the
# library, but the registry's, the running execution's pointer and the
# command line's stop signal (a signal handler reaches nothing else): the
# symbol tables list what lands in writable data, zeroed data and
# thread-local storage (constant tables live in .rodata and .data.rel.ro;
# AddressSanitizer adds an __odr_asan marker per global).
lib=$build/.libs/libweft_core.a
cli=$build/.libs/libweft_cli.a
if [ -f "$lib" ] && command -v objdump >/dev/null 2>&1; then
    found=$(objdump -t "$lib" "$cli" 2>/dev/null |
            awk '/file format/ { obj = $1; next }
                 match($0, / [^ \t]+\t/) { sec = substr($0, RSTART + 1, RLENGTH - 2);
                     if (sec ~ /^\.(data|bss|tdata|tbss)/ && sec !~ /^\.data\.rel\.ro/)
                         print obj, sec, $NF }' |
            grep -v -e '^registry\.o: ' -e ' exec_running_$' -e ' \.[a-z.]*$' -e ' __odr_asan\.' \
                 -e '^supervise\.o: \.bss stop_signal$' || true)
    if [ -z "$found" ]; then ok; else bad "mutable state at file scope:"; echo "$found"; fi
else
    bad "cannot inspect $lib with objdump"
fi

echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
