#!/bin/sh
# test.sh -- the whole test suite, as the README's second command runs it:
# configure and `make check` in a plain build (warnings are errors), the
# bundled scenarios under valgrind (in CI always), then `make distcheck`
# with AddressSanitizer and UndefinedBehaviorSanitizer: the tarball's
# suite in a separate tree (which also builds a test program through
# pkg-config weft-main).
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
# No time limit: under valgrind on a loaded machine a search's verdict must
# not depend on its speed. The searches run in children that weft
# supervises, whose exit status is weft's own, so valgrind's errors there
# are found in its log (with -q it prints nothing else).
if command -v valgrind >/dev/null 2>&1; then
    status=0
    WEFT_CACHE_DIR="$top/.weft-cache" valgrind -q --error-exitcode=9 ./weft run --quiet \
        --time-limit 0 scenarios/ tests/regress/ >valgrind.log 2>&1 || status=$?
    if [ $status -ne 0 ] || grep -q '^==[0-9]*== ' valgrind.log; then
        grep -E "UNEXPECTED|^==[0-9]*== [A-Z]" valgrind.log | head -20
        tail -60 valgrind.log
        grep -q "HAVE_VALGRIND_VALGRIND_H 1" config.h ||
            echo "(configured without valgrind/valgrind.h: run ./configure again)"
        exit 1
    fi
    rm -f valgrind.log
elif [ -n "${CI:-}" ]; then
    echo "valgrind is not installed (scripts/install-deps.sh installs it)"
    exit 1
else
    echo "valgrind is not installed: skipped"
fi

# The release tarball, built in a tree of its own from read-only sources,
# passes the whole suite again, under the sanitizers (fibers carry the
# sanitizer fiber-switch annotations), then installs and builds a program
# through pkg-config weft-main. One run for both: the plain build's
# suite ran above.
phase "make distcheck under AddressSanitizer and UndefinedBehaviorSanitizer"
make -s -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-sanitizers >distcheck.log 2>&1 || {
    tail -60 distcheck.log
    for log in weft-*/_build/sub/tests/*.log; do
        [ -f "$log" ] && grep -q -E "^(FAIL|ERROR)|FAIL:" "$log" && tail -40 "$log"
    done
    exit 1
}
rm -f distcheck.log weft-*.tar.gz
phase done
echo "all tests passed"
