# harness.sh -- what the shell tests share, sourced after they set WEFT,
# top_srcdir and tmp: counts of passed and failed checks, and the checks.

pass=0 fail=0

# LeakSanitizer's own leak check at exit can crash in its tracer thread,
# rarely and on some machines only, after the program has done all its
# work (google/sanitizers#1353; once in about 30 CI runs here, never
# reproduced locally in thousands of runs): the command then exits 1 with
# this text and nothing of its own wrong. Such a run is run once more;
# anything else the command does is checked as it is.
lsan_tracer_crashed() {
    grep -q "^Tracer caught signal" "$tmp/err" &&
        grep -q "LeakSanitizer has encountered a fatal error" "$tmp/err"
}

check() {   # check NAME EXPECTED_STATUS COMMAND...: the exit status; output in $tmp
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if lsan_tracer_crashed; then
        echo "note: $name: LeakSanitizer's tracer crashed at exit; run again"
        "$@" >"$tmp/out" 2>"$tmp/err"
        got=$?
    fi
    if [ "$got" -eq "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name: exit $got, want $want"
        sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
    fi
}

expect_grep() {   # expect_grep NAME PATTERN FILE
    if grep -q -- "$2" "$3"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1: no '$2' in output"; head -20 "$3"; fi
}
