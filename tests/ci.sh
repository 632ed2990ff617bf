#!/bin/sh
# ci.sh -- weft as CI and scripts meet it: JSON that parses whatever the
# file names hold, replay commands a shell runs as printed, the README's
# JSON table against real output.
# Run by `make check` with WEFT pointing at the built command.
set -u
WEFT=${WEFT:-./weft}
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/harness.sh"
weft_abs=$(cd "$(dirname "$WEFT")" && pwd)/$(basename "$WEFT")

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# ---- Correct output: strings that break naive JSON and naive shells ----

# A folder whose name holds a quote, $(...), a backslash, a space, a tab
# and \001; a file in it with a single quote; a --param key with a quote.
weird=$(printf '%s/we"ird $(touch PWNED) \\ \001\tx' "$tmp")
mkdir -p "$weird"
cp "$top_srcdir/tests/golden/report_story.c" "$weird/st'o ry.c"
strict_json='
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="strict"):
    json.loads(line)
'
cd "$tmp" || exit 1
check "weird names: run" 0 "$weft_abs" run --format json --param 'k"e$(x)y=3' "$weird/st'o ry.c"
if python3 -c "$strict_json" "$tmp/out"; then ok; else bad "weird names: JSON does not parse"; fi
replay=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["replay"])' \
         "$tmp/out")
schedule=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["schedule"])' \
           "$tmp/out")
PATH=$(dirname "$weft_abs"):$PATH check "weird names: the JSON replay runs in sh" 0 sh -c "$replay"
expect_grep "weird names: the replay reports it" "weft: DEADLOCK in report_story" "$tmp/out"
check "weird names: text" 0 "$weft_abs" run --param 'k"e$(x)y=3' "$weird/st'o ry.c"
sed -n '/^Replay:$/{n;p;}' "$tmp/out" >"$tmp/replay.txt"
PATH=$(dirname "$weft_abs"):$PATH check "weird names: the text replay runs in sh" 0 sh "$tmp/replay.txt"
expect_grep "weird names: same schedule" "--schedule $schedule" "$tmp/replay.txt"
if [ -e "$tmp/PWNED" ]; then bad "a replay command ran \$(touch PWNED)"; else ok; fi

# Bytes that are not UTF-8 in a path: \ufffd in JSON, never a bad line.
latin=$(printf '%s/caf\351' "$tmp")
mkdir -p "$latin"
cp "$top_srcdir/tests/golden/report_story.c" "$latin/story.c"
check "not UTF-8: run" 0 "$weft_abs" run --format json "$latin/story.c"
if python3 -c "$strict_json" "$tmp/out"; then ok; else bad "not UTF-8: JSON does not parse"; fi
expect_grep "not UTF-8: U+FFFD" 'caf\\ufffd' "$tmp/out"
cd - >/dev/null || exit 1

# The README's JSON table against real output (tests/json_schema.py).
if python3 "$top_srcdir/tests/json_schema.py" >"$tmp/schema.txt"; then ok; else
    bad "README JSON table"; cat "$tmp/schema.txt"; fi

echo "ci.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
