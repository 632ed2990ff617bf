# harness.sh -- what the shell tests share, sourced after they set WEFT,
# top_srcdir and tmp: counts of passed and failed checks, and the checks.

pass=0 fail=0

# With WEFT_TEST_TIMES=FILE, each check appends the seconds since the one
# before it ended (its own command and whatever the script ran between)
# and its name: where a slow suite spends its time.
times_file=${WEFT_TEST_TIMES:-}
last_check=$(date +%s.%N)
note_time() {
    [ -n "$times_file" ] || return 0
    now=$(date +%s.%N)
    awk -v a="$last_check" -v b="$now" -v n="${0##*/}: $1" \
        'BEGIN { printf "%8.2f %s\n", b - a, n }' >>"$times_file"
    last_check=$now
}

check() {   # check NAME EXPECTED_STATUS COMMAND...: the exit status; output in $tmp
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    note_time "$name"
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
