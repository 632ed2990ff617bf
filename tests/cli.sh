#!/bin/sh
# cli.sh -- the weft command as a user meets it: exit codes, bundled
# scenarios, byte-identical replays, refused tokens, golden reports, JSON.
# Run by `make check` with WEFT pointing at the built command.
set -u
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

# Usage errors (DESIGN.md, Command line: exit 2 = usage or build error)
check "no command" 2 "$WEFT"
check "unknown command" 2 "$WEFT" frobnicate
check "unknown option" 2 "$WEFT" run --frob abba
check "unknown scenario" 2 "$WEFT" run no_such_scenario
check "bad strategy" 2 "$WEFT" run --strategy nope abba
check "help" 0 "$WEFT" run --help
expect_grep "help text" "--max-preemptions" "$tmp/out"
check "list" 0 "$WEFT" list
expect_grep "list shows scenarios" "coder_close_during_create" "$tmp/out"

# Every bundled scenario meets its expectation, from the folder and by name.
check "run scenarios/" 0 "$WEFT" run --quiet "$top_srcdir/scenarios/"
check "run built-in" 0 "$WEFT" run --quiet abba abba_fixed

# An expectation not met is exit 1.
cat >"$tmp/wrong.c" <<'C'
#include <weft.h>
WEFT_SCENARIO(wrong_expectation, .summary = "expects a deadlock, has none", .expect = WEFT_DEADLOCK)
{
    weft_mutex_t *m = weft_calloc(1, sizeof *m);
    weft_mutex_lock(m);
    weft_mutex_unlock(m);
}
C
check "unexpected result" 1 "$WEFT" run "$tmp/wrong.c"
expect_grep "unexpected is said" "UNEXPECTED pass" "$tmp/out"

# A compile error is shown and is exit 2.
printf '#include <weft.h>\nthis is not C;\n' >"$tmp/broken.c"
check "compile error" 2 "$WEFT" run "$tmp/broken.c"
expect_grep "compiler output shown" "error" "$tmp/err"

# Editing a header the scenario includes recompiles it (the cache key
# covers #include "..." files).
printf '#define BAD 0\n' >"$tmp/cfg.h"
printf '#include <weft.h>\n#include "cfg.h"\nWEFT_SCENARIO(uses_header, .expect = WEFT_PASS) { weft_assert(!BAD); }\n' >"$tmp/hdr.c"
check "header, before" 0 "$WEFT" run --quiet "$tmp/hdr.c"
printf '#define BAD 1\n' >"$tmp/cfg.h"
check "header, after an edit" 1 "$WEFT" run --quiet "$tmp/hdr.c"

# Replays are byte-identical, 20 times, for every buggy scenario.
for s in $("$WEFT" list | awk '$2 != "pass" { print $1 }'); do
    "$WEFT" run "$s" >"$tmp/run.txt"
    token=$(sed -n 's/.*--schedule \(w2\.[A-Za-z0-9_-]*\).*/\1/p' "$tmp/run.txt" | head -1)
    if [ -z "$token" ]; then fail=$((fail + 1)); echo "FAIL: $s: no token"; continue; fi
    "$WEFT" replay "$s" --schedule "$token" >"$tmp/replay0.txt"
    same=1
    for i in $(seq 1 19); do
        "$WEFT" replay "$s" --schedule "$token" >"$tmp/replay.txt" || same=0
        cmp -s "$tmp/replay0.txt" "$tmp/replay.txt" || same=0
    done
    # The replay prints the run's report, byte for byte (the run adds a summary line).
    head -n "$(wc -l <"$tmp/replay0.txt")" "$tmp/run.txt" | cmp -s - "$tmp/replay0.txt" || same=0
    if [ $same -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $s: replay differs"; fi
done

# explain: the same execution step by step, each thread's state after each step.
token=$("$WEFT" run abba | sed -n 's/.*--schedule \(w2\.[A-Za-z0-9_-]*\).*/\1/p' | head -1)
check "explain" 0 "$WEFT" explain abba --schedule "$token"
expect_grep "explain shows states" 'wants mutex "A"' "$tmp/out"
expect_grep "explain ends with the report" "DEADLOCK" "$tmp/out"

# Tokens that do not fit are refused, saying where.
token=$("$WEFT" run abba | sed -n 's/.*--schedule \(w2\.[A-Za-z0-9_-]*\).*/\1/p' | head -1)
check "token for another scenario" 2 "$WEFT" replay philosophers --schedule "$token"
expect_grep "divergence step named" "diverged" "$tmp/err"
check "damaged token" 2 "$WEFT" replay abba --schedule "w1.AAAA"
check "future version" 2 "$WEFT" replay abba --schedule "w9.AAAA"
expect_grep "version named" "version" "$tmp/err"

# A token records how its execution ended. Version-1 tokens (no result)
# still replay; a replay that ends otherwise than recorded says so, exit 1.
check "version-1 token" 0 "$WEFT" replay abba --schedule "w1.BgMAAQECAgJiLQ"
expect_grep "version-1 token replays" "DEADLOCK" "$tmp/out"
token=$("$WEFT" run abba | sed -n 's/.*--schedule \(w2\.[A-Za-z0-9_-]*\).*/\1/p' | head -1)
relabelled=$(python3 - "$token" <<'PY'
import base64, sys
# The same choices, recorded as ending in "pass" (result 0): payload is
# nsteps, result, runs...; the CRC-16/GENIBUS covers "w2." and the payload.
def crc16(data):
    c = 0xFFFF
    for b in data:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ (0x1021 if c & 0x8000 else 0)) & 0xFFFF
    return c ^ 0xFFFF
body = sys.argv[1][3:]
raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[:-2]
payload = bytearray(raw)
payload[1] = 0                     # nsteps < 128: one byte; then the result
k = crc16(b"w2." + bytes(payload))
out = base64.urlsafe_b64encode(bytes(payload) + bytes([k >> 8, k & 0xFF]))
print("w2." + out.decode().rstrip("="))
PY
)
check "replay ends otherwise than recorded" 1 "$WEFT" replay abba --schedule "$relabelled"
expect_grep "recorded result named" 'recorded pass, but this replay ended in deadlock' "$tmp/err"

# Golden reports: the text a person reads (README shows the same).
for g in "$top_srcdir"/tests/golden/*.txt; do
    [ -e "$g" ] || continue
    name=$(basename "$g" .txt)
    "$WEFT" run "$name" | sed '$d' >"$tmp/golden.txt"
    if cmp -s "$g" "$tmp/golden.txt"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: golden $name"; diff "$g" "$tmp/golden.txt" | head -20; fi
done

# JSON: one object per scenario, with the documented fields.
check "json" 0 "$WEFT" run --format json abba abba_fixed
if python3 - "$tmp/out" <<'PY'
import json, sys
objs = [json.loads(line) for line in open(sys.argv[1])]
assert len(objs) == 2, objs
bug, fixed = objs
for k in ("scenario", "result", "expected", "executions", "exhaustive", "elapsed_s"):
    assert k in bug and k in fixed, k
assert bug["result"] == "deadlock" and bug["schedule"].startswith("w2.")
assert bug["threads"] and bug["steps"] and bug["cycle"]
assert fixed["result"] == "pass" and fixed["exhaustive"] is True
assert fixed["memory_checked"] == "marked"
PY
then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: json fields"; fi

# Every strategy finds every seed bug (the five upstream hangs) with its
# default budget, and names its class.
for strategy in auto dpor dfs bounded pct random; do
    check "$strategy finds the seed bugs" 0 "$WEFT" run --quiet --strategy "$strategy" \
        coder_close_during_create agentops_queue_full grpc_goaway_hang \
        tinykv_shutdown_hang tinykv_shutdown_spin nng_recv_close
done

# Regression scenarios (tests/regress/, one file per bug found and fixed):
# each declares the result every exhaustive strategy must give.
for strategy in dpor dfs "dfs --no-sleep-sets" auto; do
    # shellcheck disable=SC2086
    check "regressions under $strategy" 0 "$WEFT" run --quiet --strategy $strategy "$top_srcdir/tests/regress/"
done

# Polling loops of several threads whose turns alternate or follow a
# counter (tests/fairness/): fair to the thread they wait for under every
# strategy, proven by the exhaustive ones, and a livelock when nothing can
# end them. (Not under --no-sleep-sets: plain DFS over three looping
# threads runs millions of executions before it is done.)
for strategy in dpor dfs auto; do
    check "polling loops under $strategy" 0 "$WEFT" run --quiet --strategy $strategy "$top_srcdir/tests/fairness/"
done
for strategy in dpor dfs; do     # issue 7, defect 5: alternating turns, proven
    check "alternating poll proven by $strategy" 0 "$WEFT" run --quiet --strategy $strategy \
        "$top_srcdir/tests/regress/poll_alternating.c" "$top_srcdir/tests/fairness/poll_heartbeat.c"
    expect_grep "round-robin poll: pass, exhaustive ($strategy)" "^poll_alternating: pass (expected pass) \[$strategy\] [0-9].* exhaustive" "$tmp/out"
    expect_grep "heartbeat poll: pass, exhaustive ($strategy)" "^poll_heartbeat: pass (expected pass) \[$strategy\] [0-9].* exhaustive" "$tmp/out"
    check "spins still livelocks under $strategy" 0 "$WEFT" run --quiet --strategy $strategy \
        "$top_srcdir/tests/regress/spin_alternating.c" "$top_srcdir/tests/fairness/spin_heartbeat.c" \
        "$top_srcdir/tests/regress/spin_sleep_zero.c" tinykv_shutdown_spin
    for s in spin_alternating spin_heartbeat spin_sleep_zero tinykv_shutdown_spin; do
        expect_grep "$s: livelock ($strategy)" "^$s: livelock (expected livelock) \[$strategy\]" "$tmp/out"
    done
done
for strategy in random pct; do   # never exhaustive: no execution starves, none is cut
    check "polling loops under $strategy" 1 "$WEFT" run --format json --strategy $strategy "$top_srcdir/tests/fairness/"
    expect_grep "$strategy: the counter poll ends" '"scenario":"poll_counter","result":"pass".*"executions":1000,"pruned":0,"cut":0' "$tmp/out"
    expect_grep "$strategy: the heartbeat poll ends" '"scenario":"poll_heartbeat","result":"pass".*"executions":1000,"pruned":0,"cut":0' "$tmp/out"
    expect_grep "$strategy: the endless one is a livelock" '"scenario":"spin_heartbeat","result":"livelock","expected":"livelock","as_expected":true' "$tmp/out"
done

# --memory=all: scenario files compiled for ThreadSanitizer with weft's own
# hooks; every load and store is checked, C11 atomics are visible steps.
for strategy in dpor dfs "dfs --no-sleep-sets" auto; do
    # shellcheck disable=SC2086
    check "memory=all under $strategy" 0 "$WEFT" run --quiet --memory=all --strategy $strategy "$top_srcdir/tests/memory/"
done
expect_grep "all memory named" "exhaustive (all memory checked)" "$tmp/out"
check "plain store unseen without --memory=all" 1 "$WEFT" run --quiet "$top_srcdir/tests/memory/plain_store_race.c"
expect_grep "the caveat says why" "exhaustive (plain memory checked where marked)" "$tmp/out"
check "memory=all report" 0 "$WEFT" run --memory=all "$top_srcdir/tests/memory/plain_store_race.c"
expect_grep "race reported" "DATA RACE" "$tmp/out"
token=$(sed -n 's/.*--schedule \(w2\.[A-Za-z0-9_-]*\).*/\1/p' "$tmp/out" | head -1)
expect_grep "replay repeats --memory" "replay .*plain_store_race.c plain_store_race --memory all --schedule" "$tmp/out"
check "memory=all replay" 0 "$WEFT" replay "$top_srcdir/tests/memory/plain_store_race.c" plain_store_race --memory all --schedule "$token"
expect_grep "replayed race" "DATA RACE" "$tmp/out"
check "bad --memory" 2 "$WEFT" run --memory=some abba
expect_grep "memory modes named" "off, atomics or all" "$tmp/err"

# Exact class counts beyond lock_family: writer_readers(N) has 2^N classes,
# lastzero(n) 5, 12, 28, 64 for n = 2..5 (reads of atomics commute).
for n in 2 3 4 5 6; do
    got=$("$WEFT" run --strategy dpor --format json --param readers=$n writer_readers |
          sed 's/.*"executions":\([0-9]*\).*/\1/')
    if [ "$got" = $((1 << n)) ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: writer_readers($n): $got executions, want $((1 << n))"; fi
done
for nc in 2:5 3:12 4:28 5:64; do
    got=$("$WEFT" run --strategy dpor --format json --param threads=${nc%:*} lastzero |
          sed 's/.*"executions":\([0-9]*\).*/\1/')
    if [ "$got" = "${nc#*:}" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: lastzero(${nc%:*}): $got executions, want ${nc#*:}"; fi
done

# Timers race by default: a reply after the caller gave up is found. The
# idle rule misses it, and its summary says it is an under-approximation.
check "late reply found" 0 "$WEFT" run --quiet "$top_srcdir/tests/regress/reply_after_timeout.c"
check "late reply missed under --timers=idle" 1 "$WEFT" run --quiet --timers idle "$top_srcdir/tests/regress/reply_after_timeout.c"
expect_grep "idle rule labelled" "timers fire only when every thread waits" "$tmp/out"

# "Exhaustive" says which memory it covers.
check "exhaustive names its memory" 0 "$WEFT" run --quiet abba_fixed
expect_grep "memory caveat" "exhaustive (plain memory checked where marked)" "$tmp/out"

# A failure that shrinking cannot run again is shown as found, with a note;
# a scenario that runs differently for the same choices is nondeterminism.
check "failure kept when shrinking fails" 0 "$WEFT" run "$top_srcdir/tests/regress/failure_shrink_cannot_repeat.c"
expect_grep "the found failure is shown" "ASSERTION FAILED" "$tmp/out"
expect_grep "shrinking failure noted" "shrinking could not reproduce it" "$tmp/out"
check "shrink_failed in JSON" 0 "$WEFT" run --format json "$top_srcdir/tests/regress/failure_shrink_cannot_repeat.c"
expect_grep "shrink_failed field" '"shrink_failed":true' "$tmp/out"
check "nondeterminism reported" 0 "$WEFT" run "$top_srcdir/tests/regress/rand_is_nondeterminism.c"
expect_grep "where the runs parted" "in one run of the same schedule" "$tmp/out"
expect_grep "likely causes named" "rand()" "$tmp/out"

# DPOR and DFS with sleep sets cover the same classes of interleavings: on
# every fixed scenario both are exhaustive with the same number of complete
# executions (DPOR just wastes fewer on blocked ones).
for s in $("$WEFT" list | awk '$2 == "pass" { print $1 }'); do
    a=$("$WEFT" run --strategy dfs --format json "$s" | sed 's/.*"executions":\([0-9]*\).*"exhaustive":\([a-z]*\).*/\1 \2/')
    b=$("$WEFT" run --strategy dpor --format json "$s" | sed 's/.*"executions":\([0-9]*\).*"exhaustive":\([a-z]*\).*/\1 \2/')
    if [ "$a" = "$b" ] && [ "${a#* }" = true ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $s: dfs '$a' vs dpor '$b'"; fi
done

# Random runs reproduce with the same seed.
"$WEFT" run --strategy random --seed 5 --format json philosophers | sed 's/"elapsed_s":[0-9.]*,//' >"$tmp/a"
"$WEFT" run --strategy random --seed 5 --format json philosophers | sed 's/"elapsed_s":[0-9.]*,//' >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: seeded random differs"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
