# harness.sh -- what the shell tests share, sourced after they set WEFT,
# top_srcdir and tmp: counts of passed and failed checks, and the checks.

pass=0 fail=0

check() {   # check NAME EXPECTED_STATUS COMMAND...: the exit status; output in $tmp
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
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
