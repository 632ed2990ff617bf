#!/bin/sh
# standalone.sh -- a C project's own test program: its scenarios linked
# with libweft-main behave like `weft run` on them (list, run, replay,
# explain, the same options and exit codes). Run by `make check` with the
# build tree's library; `make installcheck` builds the same program through
# pkg-config weft-main (WEFT_MAIN_PKGCONFIG=1).
set -u
CC=${CC:-cc}
WEFT=${WEFT:-./weft}
top_srcdir=${top_srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() {   # check NAME EXPECTED_STATUS COMMAND...
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $name: exit $got, want $want"
        sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20; fi
}

same() {   # same NAME FILE FILE
    if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1"; diff "$2" "$3" | head -20; fi
}

untime() { sed -e 's/, [0-9.]* s ([0-9]*\/s)//'; }

# Build the program from two scenario files, as a project would (with
# the flags pkg-config gives).
prog=$tmp/my_test
sources="$top_srcdir/scenarios/abba.c $top_srcdir/scenarios/lost_wakeup.c"
if [ "${WEFT_MAIN_PKGCONFIG:-0}" = 1 ]; then
    # shellcheck disable=SC2046,SC2086
    $CC -std=c11 $sources $(pkg-config --cflags --libs weft-main) -o "$prog"
else
    # shellcheck disable=SC2086
    $CC -std=c11 -fsanitize-coverage=trace-cmp ${SAN_CFLAGS:-} -I"$top_srcdir/sched" $sources ${WEFT_MAIN_LIBS:?} -o "$prog"
fi
if [ ! -x "$prog" ]; then echo "FAIL: could not build the test program"; exit 1; fi

check "list" 0 "$prog" list
[ "$(wc -l <"$tmp/out")" -eq 4 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: list"; }

# run with no names: every linked scenario, each as weft run reports it.
check "run all" 0 "$prog" run --quiet
untime <"$tmp/out" >"$tmp/mine"
"$WEFT" run --quiet abba abba_fixed lost_wakeup lost_wakeup_fixed | untime >"$tmp/weft"
same "summaries as weft run" "$tmp/mine" "$tmp/weft"

# A report names the program in its replay command, and the command replays
# the same execution byte for byte.
check "run one" 0 "$prog" run abba
replay=$(sed -n 's/^  \(.* replay abba --schedule w[12]\.[A-Za-z0-9_-]*\)$/\1/p' "$tmp/out")
case "$replay" in "$prog replay abba --schedule "*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); echo "FAIL: replay command '$replay'" ;; esac
head -n -2 "$tmp/out" >"$tmp/report"   # less the summary and totals lines
# shellcheck disable=SC2086
check "replay" 0 $replay
same "replay byte for byte" "$tmp/report" "$tmp/out"
# shellcheck disable=SC2086
check "explain" 0 $(echo "$replay" | sed 's/ replay / explain /')
grep -q 'wants mutex "A"' "$tmp/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: explain"; }

# Exit codes, as weft's.
check "strategy" 0 "$prog" run --quiet --strategy dfs abba lost_wakeup_fixed
check "unknown scenario" 2 "$prog" run no_such_scenario
check "unknown command" 2 "$prog" frobnicate
check "bad strategy" 2 "$prog" run --strategy nope
check "help" 0 "$prog" run --help
grep -q "usage: $prog run" "$tmp/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: usage names the program"; }

echo "standalone: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
