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

# ---- Totals, and --quiet never hides what went wrong ----

cat >"$tmp/unexpected.c" <<'C'
#include <weft.h>
static weft_mutex_t *a, *b;
static void other(void *arg) { (void)arg; weft_mutex_lock(b); weft_mutex_lock(a);
                               weft_mutex_unlock(a); weft_mutex_unlock(b); }
WEFT_SCENARIO(claims_to_pass, .summary = "abba, expected to pass", .expect = WEFT_PASS)
{
    a = weft_calloc(1, sizeof *a);
    b = weft_calloc(1, sizeof *b);
    weft_thread_t t = weft_spawn("other", other, 0);
    weft_mutex_lock(a); weft_mutex_lock(b); weft_mutex_unlock(b); weft_mutex_unlock(a);
    weft_join(t);
}
C
check "totals" 0 "$WEFT" run abba abba_fixed
if [ "$(tail -1 "$tmp/out")" = "2 scenarios: 2 as expected, 0 unexpected, 0 errors" ]
then ok; else bad "totals line: $(tail -1 "$tmp/out")"; fi
check "totals of one" 1 "$WEFT" run --quiet "$tmp/unexpected.c"
if [ "$(tail -1 "$tmp/out")" = "1 scenario: 0 as expected, 1 unexpected, 0 errors" ]
then ok; else bad "totals line of one: $(tail -1 "$tmp/out")"; fi
check "--quiet" 1 "$WEFT" run --quiet abba "$tmp/unexpected.c" abba_fixed
expect_grep "--quiet: an unexpected failure's report" "^weft: DEADLOCK in claims_to_pass" "$tmp/out"
expect_grep "--quiet: its replay" "replay $tmp/unexpected.c claims_to_pass --schedule w2" "$tmp/out"
if grep -q "DEADLOCK in abba" "$tmp/out"; then bad "--quiet showed an expected failure"; else ok; fi
if [ "$(wc -l <"$tmp/out")" -gt 20 ] && grep -q "^abba: deadlock" "$tmp/out" &&
   grep -q "^abba_fixed: pass" "$tmp/out"; then ok; else bad "--quiet: the summaries"; fi

# ---- --output-dir: each failure's report and a replay script ----

check "--output-dir" 1 "$WEFT" run --quiet --output-dir "$tmp/artifacts" abba "$tmp/unexpected.c" \
    abba_fixed
if [ -x "$tmp/artifacts/abba/replay.sh" ] && [ -x "$tmp/artifacts/claims_to_pass/replay.sh" ] &&
   [ ! -e "$tmp/artifacts/abba_fixed" ]; then ok; else bad "--output-dir: the folders"; ls -R "$tmp/artifacts"; fi
for name in abba claims_to_pass; do
    a=$tmp/artifacts/$name
    if python3 -c "$strict_json" "$a/report.json"; then ok; else bad "$name: report.json"; fi
    (cd / && WEFT=$weft_abs "$a/replay.sh") >"$tmp/replayed.txt" 2>&1
    head -n -1 "$a/report.txt" >"$tmp/reported.txt"   # less the summary line
    if cmp -s "$tmp/replayed.txt" "$tmp/reported.txt"; then ok; else
        bad "$name: replay.sh does not print report.txt"; diff "$tmp/reported.txt" "$tmp/replayed.txt" | head; fi
done
WEFT=$weft_abs check "replay.sh passes its arguments on" 0 "$tmp/artifacts/abba/replay.sh" --format json
expect_grep "replay.sh --format json" '^{"scenario":"abba"' "$tmp/out"
check "--output-dir that cannot be made" 2 "$WEFT" run --output-dir /dev/null/x abba
expect_grep "--output-dir error named" "cannot make the --output-dir /dev/null/x" "$tmp/err"

# ---- TAP 14: one test point per scenario, checked by prove ----

nscen=$(( $("$WEFT" list "$top_srcdir/scenarios/" | wc -l) + 1 ))
check "tap" 1 "$WEFT" run --format tap "$top_srcdir/scenarios/" "$tmp/unexpected.c"
cp "$tmp/out" "$tmp/all.tap"
if [ "$(head -2 "$tmp/all.tap")" = "$(printf 'TAP version 14\n1..%d' "$nscen")" ]; then ok
else bad "tap: the version and plan"; head -2 "$tmp/all.tap"; fi
if [ "$(grep -c '^ok [0-9]* - ' "$tmp/all.tap")" -eq $((nscen - 1)) ] &&
   [ "$(grep -c '^not ok [0-9]* - claims_to_pass: deadlock (expected pass)$' "$tmp/all.tap")" -eq 1 ]
then ok; else bad "tap: one point per scenario"; fi
expect_grep "tap: the report in the YAML block" "^    weft: DEADLOCK in claims_to_pass" "$tmp/all.tap"
expect_grep "tap: the replay" "^      weft replay .*claims_to_pass --schedule" "$tmp/all.tap"
# What "exhaustive" leaves out is said as the JSON says it: a held-back
# spin whose orders may be merged (ticker_starves_stop_fixed), and a loop
# whose count ran past the turns it may take (poll_gives_up -DTRIES=40).
expect_grep "tap: spins merged" "^  spins_merged: true" "$tmp/all.tap"
check "tap: a loop held" 1 "$WEFT" run --format tap --cflags=-DTRIES=40 \
    "$top_srcdir/tests/regress/poll_gives_up.c"
expect_grep "tap: a loop held, said" "^  loops_held: true" "$tmp/out"
expect_grep "tap: the memory checked" "^  memory_checked: marked" "$tmp/out"
# prove (TAP::Harness 3.44) knows TAP up to version 13, whose syntax 14
# extends: the same stream as 13 must parse, YAML blocks and all.
if command -v prove >/dev/null; then
    sed 's/^TAP version 14$/TAP version 13/' "$tmp/all.tap" >"$tmp/all13.tap"
    prove --exec cat "$tmp/all13.tap" >"$tmp/prove.txt" 2>&1
    if grep -q "Parse errors" "$tmp/prove.txt" || ! grep -q "Failed 1/$nscen subtests" "$tmp/prove.txt"
    then bad "prove"; cat "$tmp/prove.txt"; else ok; fi
fi
check "tap needs one report per scenario" 2 "$WEFT" run --format tap --classes "$tmp/c" abba
check "tap is for run" 2 "$WEFT" replay --format tap abba --schedule w2.BgEDAAEBAgICmYw

# ---- JUnit: valid against tests/ci/junit.xsd, a testsuite per file ----

check "junit" 1 "$WEFT" run --format junit "$top_srcdir/scenarios/" "$tmp/unexpected.c" \
    "$weird/st'o ry.c"
cp "$tmp/out" "$tmp/all.xml"
if command -v xmllint >/dev/null; then
    check "junit: valid" 0 xmllint --noout --schema "$top_srcdir/tests/ci/junit.xsd" "$tmp/all.xml"
fi
nfiles=$(( $(ls "$top_srcdir"/scenarios/*.c | wc -l) + 2 ))
if [ "$(grep -c '<testcase ' "$tmp/all.xml")" -eq $((nscen + 1)) ] &&
   [ "$(grep -c '<testsuite ' "$tmp/all.xml")" -eq "$nfiles" ] &&
   [ "$(grep -c '<failure type="deadlock" message="deadlock (expected pass): ' "$tmp/all.xml")" -eq 1 ]
then ok; else bad "junit: one testcase per scenario, one testsuite per file, one failure"; fi
expect_grep "junit: suite counts" '<testsuite name="[^"]*unexpected.c" tests="1" failures="1" errors="0"' "$tmp/all.xml"

# ---- An Automake project's make check runs weft through the TAP driver ----

if command -v autoreconf >/dev/null && command -v automake >/dev/null; then
    cp -r "$top_srcdir/tests/ci/tap-project" "$tmp/project"
    chmod -R u+w "$tmp/project"
    (cd "$tmp/project" && autoreconf -fi && ./configure) >"$tmp/project.log" 2>&1 ||
        bad "the Automake project does not build"
    (cd "$tmp/project" && WEFT=$weft_abs WEFT_SCENARIOS="$top_srcdir/scenarios/ $tmp/unexpected.c" \
        env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make check) >"$tmp/make.txt" 2>&1   # not the outer make's
    if grep -q "^# TOTAL: $nscen$" "$tmp/make.txt" && grep -q "^# PASS:  $((nscen - 1))$" "$tmp/make.txt" &&
       grep -q "^# FAIL:  1$" "$tmp/make.txt" && grep -q "^# ERROR: 0$" "$tmp/make.txt" &&
       grep -q "^FAIL: scenarios.test $nscen - claims_to_pass" "$tmp/make.txt"
    then ok; else bad "make check through the TAP driver"; tail -30 "$tmp/make.txt"; fi
fi

# ---- Accepting a sampled search ----

fixed=$("$WEFT" list | awk '$1 ~ /_fixed$/ { print $1 }')
# shellcheck disable=SC2086
check "pct on the fixes, exhaustive asked" 1 "$WEFT" run --quiet --strategy pct $fixed
# shellcheck disable=SC2086
check "pct on the fixes, a sample accepted" 0 "$WEFT" run --quiet --strategy pct --accept sampled $fixed
expect_grep "the sample is named" "^abba_fixed: no failure found (expected pass) \[pct depth 3, seed 1\] 1000 executions, NOT exhaustive: stopped by the execution or time budget; accepted as a sample: 1000 executions without a failure, at least 1000 asked" "$tmp/out"
check "random on every scenario, a sample accepted" 0 "$WEFT" run --quiet --strategy random \
    --accept sampled "$top_srcdir/scenarios/"
check "a sample too small" 1 "$WEFT" run --strategy pct --executions 50 --accept sampled:51 abba_fixed
expect_grep "too small, said" "not accepted as a sample: 50 executions, fewer than the 51 asked" "$tmp/out"
check "--accept exhaustive" 0 "$WEFT" run --quiet --accept exhaustive abba_fixed
check "--accept bad" 2 "$WEFT" run --accept sampled:x abba_fixed
check "--accept bad word" 2 "$WEFT" run --accept some abba_fixed
cat >"$tmp/sampled.c" <<'C'
#include <weft.h>
WEFT_SCENARIO(declares_a_sample, .expect = WEFT_PASS, .accept = WEFT_ACCEPT_SAMPLED,
              .min_executions = 200)
{
    weft_mutex_t *m = weft_calloc(1, sizeof *m);
    weft_mutex_lock(m);
    weft_mutex_unlock(m);
}
C
check ".accept in the scenario" 0 "$WEFT" run --strategy random --executions 200 "$tmp/sampled.c"
expect_grep ".accept: the sample named" "accepted as a sample: 200 executions without a failure, at least 200 asked" "$tmp/out"
check ".accept, a smaller sample" 1 "$WEFT" run --strategy random --executions 199 "$tmp/sampled.c"
check "--accept overrides .accept" 1 "$WEFT" run --strategy random --executions 200 \
    --accept exhaustive "$tmp/sampled.c"

# ---- The command line people expect ----

check "--version" 0 "$WEFT" --version
version=$(sed -n 's/^AC_INIT(\[weft\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
if [ "$(cat "$tmp/out")" = "weft $version" ]; then ok; else bad "--version: $(cat "$tmp/out")"; fi

# run FILE NAME...: those scenarios of the file, in the order named.
cp "$top_srcdir/tests/golden/report_story.c" "$tmp/three.c"
printf 'WEFT_SCENARIO(second_one, .expect = WEFT_PASS) { }\nWEFT_SCENARIO(third_one, .expect = WEFT_PASS) { }\n' \
    >>"$tmp/three.c"
check "run FILE NAME NAME" 0 "$WEFT" run "$tmp/three.c" third_one second_one abba_fixed
if [ "$(cut -d: -f1 "$tmp/out" | head -3 | tr '\n' ' ')" = "third_one second_one abba_fixed " ] &&
   [ "$(tail -1 "$tmp/out")" = "3 scenarios: 3 as expected, 0 unexpected, 0 errors" ]
then ok; else bad "run FILE NAME NAME ran otherwise"; cat "$tmp/out"; fi
check "run FILE NAME, a name it lacks" 2 "$WEFT" run "$tmp/three.c" fourth_one
expect_grep "the missing name said" "no scenario 'fourth_one' in $tmp/three.c" "$tmp/err"

# A byte-identical copy of a scenario file is a file of its own.
mkdir -p "$tmp/copy"
cp "$tmp/three.c" "$tmp/copy/three.c"
check "a byte-identical copy" 0 "$WEFT" run --quiet "$tmp/three.c" "$tmp/copy/three.c"
expect_grep "both copies ran" "^6 scenarios: 6 as expected" "$tmp/out"

# An empty folder is an error, not "nothing failed".
mkdir -p "$tmp/empty"
check "an empty folder" 2 "$WEFT" run "$tmp/empty"
expect_grep "an empty folder said" "folder $tmp/empty has no scenario files" "$tmp/err"

# --cflags (and WEFT_CFLAGS) reach the compiler and key the cache.
printf '#include <weft.h>\n#include "cfg.h"\nWEFT_SCENARIO(flagged, .expect = WEFT_PASS) { weft_assert(!BAD); }\n' \
    >"$tmp/flagged.c"
mkdir -p "$tmp/inc"
printf '#ifndef BAD\n#define BAD 0\n#endif\n' >"$tmp/inc/cfg.h"
check "--cflags -I" 0 "$WEFT" run --quiet --cflags "-I$tmp/inc" "$tmp/flagged.c"
check "--cflags -D, a new key" 1 "$WEFT" run --quiet --cflags "-I$tmp/inc -DBAD=1" "$tmp/flagged.c"
WEFT_CFLAGS="-I$tmp/inc -DBAD=1" check "WEFT_CFLAGS" 1 "$WEFT" run --quiet "$tmp/flagged.c"
check "--cflags back" 0 "$WEFT" run --quiet --cflags "-I$tmp/inc" "$tmp/flagged.c"

# Man pages: render without a warning, and name every option and call.
if command -v man >/dev/null; then
    for page in weft.1 weft.3; do
        LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$top_srcdir/man/$page" >"$tmp/page" 2>"$tmp/warn"
        if [ -s "$tmp/page" ] && [ ! -s "$tmp/warn" ]; then ok; else bad "man $page"; cat "$tmp/warn"; fi
    done
fi
for o in $("$WEFT" run --help | grep -o -- '--[a-z-]*' | sort -u) --schedule --version; do
    grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$top_srcdir/man/weft.1" ||
        bad "weft.1 does not name $o"
done
for f in $(grep -o "^WEFT_API [^(]*(" "$top_srcdir/sched/weft.h" | sed 's/($//' |
           awk '{print $NF}' | tr -d '*' | grep -v '_at$') \
         $(grep -o "^#define weft_[a-z_]*(" "$top_srcdir/sched/weft.h" | sed 's/#define //; s/($//'); do
    grep -q "$f" "$top_srcdir/man/weft.3" || bad "weft.3 does not name $f"
done

# Bash completion: commands, option values, scenario names.
if command -v bash >/dev/null; then
    complete_words() {   # complete_words WORD...: what completing the last word offers
        bash -c 'shopt -s extglob; . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
                 _weft; printf "%s\n" "${COMPREPLY[@]}"' sh "$top_srcdir/completion/weft" "$@" |
            tr '\n' ' '
    }
    [ "$(complete_words "$WEFT" re)" = "replay " ] || bad "completion: commands"
    [ "$(complete_words "$WEFT" run --format j)" = "json junit " ] || bad "completion: --format"
    [ "$(complete_words "$WEFT" run abba_f)" = "abba_fixed " ] || bad "completion: scenarios"
    [ "$(complete_words "$WEFT" run --output-d)" = "--output-dir " ] || bad "completion: options"
    ok
fi

# ---- Progress that says when auto samples ----

# lock_family 4x4 has 63 million orders: DPOR cannot finish in half a
# second, so auto samples with PCT for the other half, and the line says so.
check "progress: auto samples" 1 "$WEFT" run --progress --time-limit 1 lock_family \
    --param threads=4 --param sections=4
expect_grep "progress: the switch is said" "sampling with PCT (DPOR could not finish in half the time limit): not exhaustive" "$tmp/err"

# The README's JSON table against real output (tests/json_schema.py).
if python3 "$top_srcdir/tests/json_schema.py" >"$tmp/schema.txt"; then ok; else
    bad "README JSON table"; cat "$tmp/schema.txt"; fi

echo "ci.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
