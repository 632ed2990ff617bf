#!/bin/sh
# test.sh -- the whole test suite, as the README's second command runs it:
# configure and `make check` in a plain build (warnings are errors), the
# bundled scenarios under valgrind (in CI always), `make distcheck`
# (which also builds a test program through pkg-config weft-main), then
# `make check` again in a separate tree under AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
# phase NAME: print the phase's name and how long the one before took.
started=$(date +%s)
phase() {
    now=$(date +%s)
    [ -z "${current:-}" ] || echo "   ($current: $((now - started)) s)"
    started=$now
    current=$1
    [ "$1" = done ] || echo "== $1"
}

[ -x configure ] || autoreconf -fi
phase "plain build: make check"
[ -f Makefile ] || ./configure -q
make -s -j"$jobs"
make -s -j"$jobs" check || { cat tests/unit.log tests/cli.sh.log 2>/dev/null | tail -60; exit 1; }
grep -h -E "^(cli:|ci.sh:|standalone:|differential:|classes:|layering:|programs:|views:|page_chromium:|shard:|[0-9]+%: Checks)" tests/*.log

phase "valgrind: the bundled scenarios and the regressions, without a memory error"
if command -v valgrind >/dev/null 2>&1; then
    WEFT_CACHE_DIR="$top/.weft-cache" valgrind -q --error-exitcode=9 ./weft run --quiet \
        scenarios/ tests/regress/ >valgrind.log 2>&1 || {
        tail -60 valgrind.log
        grep -q "HAVE_VALGRIND_VALGRIND_H 1" config.h ||
            echo "(configured without valgrind/valgrind.h: run ./configure again)"
        exit 1
    }
    rm -f valgrind.log
elif [ -n "${CI:-}" ]; then
    echo "valgrind is not installed (scripts/install-deps.sh installs it)"
    exit 1
else
    echo "valgrind is not installed: skipped"
fi

phase "make distcheck (the release tarball builds and passes its tests)"
make -s -j"$jobs" distcheck >distcheck.log 2>&1 || { tail -60 distcheck.log; exit 1; }
rm -f distcheck.log weft-*.tar.gz

phase "sanitizer build (ASan + UBSan): make check"
san="$top/build-sanitizers"
rm -rf "$san"
mkdir -p "$san"
# A separate copy of the sources: the plain build above configured this tree.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files | tar -C "$top" -cf - -T - | tar -C "$san" -xf -
else
    tar -C "$top" --exclude=./build-sanitizers -cf - . | tar -C "$san" -xf -
fi
(cd "$san" && autoreconf -fi >/dev/null 2>&1 && ./configure -q --enable-sanitizers &&
    make -s -j"$jobs" && make -s -j"$jobs" check) ||
    { cat "$san"/tests/unit.log "$san"/tests/cli.sh.log 2>/dev/null | tail -60; exit 1; }
grep -h -E "^(cli:|ci.sh:|standalone:|differential:|classes:|layering:|programs:|views:|page_chromium:|shard:|[0-9]+%: Checks)" "$san"/tests/*.log
rm -rf "$san"
phase done
echo "all tests passed"
