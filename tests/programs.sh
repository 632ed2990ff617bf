#!/bin/sh
# programs.sh -- pthread programs run as they are (issue 10): the bundled
# programs' exact verdicts, buggy and -DFIXED, byte-identical replays;
# fresh data and heap in every execution; the mapped pthread calls; exit
# status; unsupported calls; programs of several sources; the command line.
# Run by `make check` with WEFT pointing at the built command.
set -u
WEFT=${WEFT:-./weft}
top_srcdir=${top_srcdir:-.}
progs=$top_srcdir/scenarios/programs
tests=$top_srcdir/tests/programs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/harness.sh"

# replays_identically NAME: the report in $tmp/out, replayed with the
# command it prints, is byte for byte the same report.
replays_identically() {
    sed -n '/^=====/,/^=====/p' "$tmp/out" >"$tmp/report"
    cmd=$(sed -n 's/^  weft replay /replay /p' "$tmp/report")
    if [ -z "$cmd" ]; then
        fail=$((fail + 1)); echo "FAIL: $1: no replay command"; return
    fi
    # shellcheck disable=SC2086
    eval "\"\$WEFT\" $cmd" >"$tmp/replayed" 2>"$tmp/err"
    if cmp -s "$tmp/report" "$tmp/replayed"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1: the replay differs"
        diff "$tmp/report" "$tmp/replayed" | head -20; fi
}

# ---- the bundled programs: buggy, then fixed ----
bundled() {   # bundled NAME CLASS RESULT
    check "$1 buggy" 1 "$WEFT" run "$progs/$1.c"
    expect_grep "$1 class" "^weft: $2 in $1\$" "$tmp/out"
    expect_grep "$1 summary" "^$1: UNEXPECTED $3 (expected pass) \[dpor\]" "$tmp/out"
    replays_identically "$1 replay"
    check "$1 fixed" 0 "$WEFT" run --cflags=-DFIXED "$progs/$1.c"
    expect_grep "$1 fixed passes exhaustively" \
        "^$1: pass (expected pass) \[dpor\] [0-9]* executions*.*, exhaustive" "$tmp/out"
}
bundled lock_order_callback DEADLOCK deadlock
bundled lost_wakeup_flag DEADLOCK deadlock
bundled pool_shutdown DEADLOCK deadlock
bundled pipe_deadlock DEADLOCK deadlock
bundled timed_wait_lost_wakeup "ASSERTION FAILED" assertion
bundled check_then_act "ASSERTION FAILED" assertion
# missed_cancel.c is bundled but not run: it needs pthread_cancel, which
# this weft reports as unsupported (README: Running a pthread program).
check "timed wait again" 1 "$WEFT" run "$progs/timed_wait_lost_wakeup.c"
expect_grep "the lost signal" "signal the_job.finished (no waiter)" "$tmp/out"
expect_grep "the timeout on the virtual clock" "  100  timed_wait_lost_wakeup.c:62  wake the_job.finished (timed out)" \
    "$tmp/out"
expect_grep "its output under the report" "^  2 payment(s)$" "$tmp/out"
expect_grep "its error output under the report" "^  payment timed out: paying directly$" "$tmp/out"
check "pipe deadlock again" 1 "$WEFT" run "$progs/pipe_deadlock.c"
expect_grep "pipe named as spelled" 'waits to read from "the_log.fds" (empty, its write end open)' \
    "$tmp/out"
check "pool shutdown again" 1 "$WEFT" run "$progs/pool_shutdown.c"
expect_grep "an atomic named as spelled, at its line" \
    "pool_shutdown.c:37 .*load p->stopping (= 0)" "$tmp/out"
check "atomic calls named" 1 "$WEFT" run "$tests/atomics_named.c"
expect_grep "arguments evaluated once" "failed in main" "$tmp/out"
expect_grep "fetch_add named, at its line" "atomics_named.c:16  add cells\[i++\] (0 -> 2)" "$tmp/out"
expect_grep "through a pointer: *p, first spelling kept" "atomics_named.c:20  cas \*p (5 -> 6)" \
    "$tmp/out"
expect_grep "an explicit order" "atomics_named.c:21  swap \*p (6 -> 7)" "$tmp/out"
expect_grep "atomic_flag" "atomics_named.c:24  store flag (0)" "$tmp/out"
expect_grep "the failing call itself" "atomics_named.c:25  add \*p (7 -> 6)" "$tmp/out"
# Atomics are visible steps by default in programs: without them the
# window between the flag's check and the wait is never seen.
check "pool shutdown with --memory off" 0 "$WEFT" run --memory off "$progs/pool_shutdown.c"
check "--memory off is repeated in a replay" 1 \
    "$WEFT" run --memory off "$progs/lock_order_callback.c"
expect_grep "replay with --memory off" "lock_order_callback.c --memory off --schedule" "$tmp/out"
replays_identically "replay with --memory off"
check "the fixed lost wake-up with every access checked" 0 \
    "$WEFT" run --memory=all --cflags -DFIXED "$progs/lost_wakeup_flag.c"

# ---- fresh data and heap in every execution ----
check "fresh state, 10,000 executions" 1 \
    "$WEFT" run --strategy random --executions 10000 "$tests/fresh_state.c"
expect_grep "fresh state: no failure in 10,000" \
    "^fresh_state: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 10000 executions," \
    "$tmp/out"
check "fresh state, exhaustive" 0 "$WEFT" run "$tests/fresh_state.c"

# ---- the mapped calls, every interleaving ----
check "pthread surface" 0 "$WEFT" run "$tests/surface.c"
expect_grep "pthread surface exhaustive" "^surface: pass (expected pass) \[dpor\].*exhaustive" \
    "$tmp/out"
check "pthread surface, all memory checked" 0 "$WEFT" run --memory=all "$tests/surface.c"

# ---- pipes and socket pairs between threads ----
for part in 1 2 3 4 5; do
    check "pipes part $part" 0 "$WEFT" run "$tests/pipes.c" -- $part
    expect_grep "pipes part $part exhaustive" "^pipes: pass (expected pass) \[dpor\].*exhaustive" \
        "$tmp/out"
done
check "pipes, all memory checked" 0 "$WEFT" run --memory=all "$tests/pipes.c" -- 2
for part in 1 2 3; do
    check "loopback sockets part $part" 0 "$WEFT" run "$tests/sockets.c" -- $part
    expect_grep "sockets part $part exhaustive" \
        "^sockets: pass (expected pass) \[dpor\].*exhaustive" "$tmp/out"
done
check "a deadlock through a loopback socket" 1 "$WEFT" run "$tests/socket_deadlock.c"
expect_grep "socket deadlock found" "^weft: DEADLOCK in socket_deadlock" "$tmp/out"
expect_grep "client side named" 'main" waits to read from "127.0.0.1:8080 to client [0-9]*"' \
    "$tmp/out"
expect_grep "server side named" 'server" waits to read from "client [0-9]* to 127.0.0.1:8080"' \
    "$tmp/out"
expect_grep "accept a step" "socket_deadlock.c:12 .*accept 127.0.0.1:8080" "$tmp/out"
replays_identically "socket deadlock replay"
check "read from a real socket" 1 "$WEFT" run "$tests/io_outside.c" -- 1
expect_grep "stuck read named" "^weft: STUCK (blocked outside weft) in io_outside" "$tmp/out"
expect_grep "stuck read's line" "at io_outside.c:21:" "$tmp/out"
expect_grep "stuck read said" "read would block outside weft" "$tmp/out"
check "accept on a real socket" 1 "$WEFT" run "$tests/io_outside.c" -- 2
expect_grep "stuck accept" "accept would block outside weft" "$tmp/out"
expect_grep "stuck accept's line" "at io_outside.c:29:" "$tmp/out"
replays_identically "stuck accept replay"
check "write to a pipe with no reader" 1 "$WEFT" run "$tests/io_outside.c" -- 3
expect_grep "SIGPIPE is a crash" "^weft: CRASH in io_outside" "$tmp/out"
expect_grep "SIGPIPE said" 'write to "fds" after its read end was closed: SIGPIPE' "$tmp/out"

# ---- exit status ----
check "main returns 3" 1 "$WEFT" run "$tests/exit_status.c"
expect_grep "main's status named" "the program's main returned exit status 3" "$tmp/out"
expect_grep "summary after the report" "^exit_status: UNEXPECTED assertion" "$tmp/out"
# What the program printed appears once, under the report of the failing
# execution (every execution printed it), and nowhere else.
if [ "$(grep -c "shown under the report only" "$tmp/out" "$tmp/err" | tr '\n' ' ')" = \
     "$tmp/out:1 $tmp/err:0 " ] &&
   sed -n '/^What the program wrote to standard output/,/^\*\*\*/p' "$tmp/out" |
       grep -q "^  shown under the report only$"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: the output is not shown once under the report"; fi
check "exit(5) after --" 1 "$WEFT" run "$tests/exit_status.c" -- 5
expect_grep "exit called, at its line" "exit_status.c:10:" "$tmp/out"
expect_grep "exit's status" "the program called exit(5)" "$tmp/out"
expect_grep "replay repeats the argument" "weft replay .*exit_status.c --arg 5 --schedule" "$tmp/out"
replays_identically "exit replay"
check "exit(0)" 0 "$WEFT" run "$tests/exit_status.c" --arg 0
if grep -q "shown under" "$tmp/out" "$tmp/err"; then
    fail=$((fail + 1)); echo "FAIL: a passing run showed the program's output"; else pass=$((pass + 1)); fi

# ---- the failing execution's output, bounded, in its report and replay ----
check "output captured" 1 "$WEFT" run "$tests/output.c"
sed -n '/^What the program wrote to standard output/,/^\*\*\*/p' "$tmp/out" >"$tmp/shown"
head -4 "$tmp/shown" >"$tmp/head"
printf '%s\n' "What the program wrote to standard output in this execution:" \
    "  printf 1, puts, " "  fputs, fwrite, putchar: !" "  write(1)" >"$tmp/want"
if cmp -s "$tmp/head" "$tmp/want"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: captured standard output"; diff "$tmp/want" "$tmp/head"; fi
expect_grep "bounded, the rest counted" "^  \.\.\. 2346 bytes more$" "$tmp/shown"
expect_grep "standard error apart" "^What the program wrote to standard error in this execution:$" \
    "$tmp/shown"
expect_grep "perror" "^  output: Broken pipe$" "$tmp/shown"
expect_grep "control bytes escaped" '^  tab	and \\x07 bell$' "$tmp/shown"
replays_identically "output replay"
check "output in JSON" 1 "$WEFT" run --format json "$tests/output.c"
expect_grep "JSON stdout" '"stdout":"printf 1, puts, \\nfputs, fwrite, putchar: !\\nwrite(1)\\n' "$tmp/out"
expect_grep "JSON more" '"stdout_more":2346,"stderr":"output: Broken pipe\\n' "$tmp/out"
check "--exit-status=ignore" 0 "$WEFT" run --exit-status=ignore "$tests/exit_status.c"
check "--exit-status=bad" 2 "$WEFT" run --exit-status=maybe "$tests/exit_status.c"
expect_grep "bad --exit-status said" "exit-status takes fail or ignore, not 'maybe'" "$tmp/err"

# ---- what weft does not model yet fails at its line ----
check "unsupported call" 1 "$WEFT" run "$tests/unsupported.c"
expect_grep "unsupported call named" "pthread_cancel is not supported by weft yet" "$tmp/out"
expect_grep "unsupported call's line" "at unsupported.c:14:" "$tmp/out"

# ---- a program of two sources ----
check "two sources" 0 "$WEFT" run "$tests/two_files_lib.c" "$tests/two_files_main.c"
expect_grep "named after main's file" "^two_files_main: pass" "$tmp/out"
check "two sources, all memory: the race" 1 \
    "$WEFT" run --memory=all "$tests/two_files_main.c" "$tests/two_files_lib.c"
expect_grep "the unlocked increment races" "^weft: DATA RACE in two_files_main" "$tmp/out"
replays_identically "two sources replay"

# ---- a program in a folder of scenario files, and its replay ----
mkdir "$tmp/folder"
cp "$progs/lock_order_callback.c" "$tmp/folder/"
check "a program in a folder" 1 "$WEFT" run "$tmp/folder"
expect_grep "folder replay names the program" "lock_order_callback.c lock_order_callback --schedule" \
    "$tmp/out"
replays_identically "folder replay"
check "replay with the wrong program name" 2 \
    "$WEFT" replay "$tmp/folder/lock_order_callback.c" other --schedule w2.BgECAAEBAo7k
expect_grep "wrong program name said" "is called lock_order_callback, not 'other'" "$tmp/err"

# ---- the command line ----
check "program arguments without a program" 2 "$WEFT" run abba -- 1
expect_grep "arguments without a program said" "no program" "$tmp/err"
check "compile error" 2 "$WEFT" run --cflags="-include $tmp/no_such.h" "$tests/exit_status.c"
expect_grep "compile error said" "could not compile" "$tmp/err"

echo "programs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
