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

# line_of FILE PATTERN: the first line of tests/programs/FILE that has it.
line_of() {
    grep -n "$2" "$tests/$1" | head -1 | cut -d: -f1
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
bundled missed_cancel DEADLOCK deadlock
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
expect_grep "the failing call itself" "atomics_named.c:25  sub \*p (7 -> 6)" "$tmp/out"
# atomic_init is a plain store, no relaxed atomic (audit 21): no caveat,
# and a load it does not happen before races with it.
check "atomic_init before the threads" 0 "$WEFT" run "$tests/atomic_init.c" -- before
expect_grep "atomic_init: no relaxed caveat" \
    "^atomic_init: pass (expected pass) \[dpor\] 2 executions, exhaustive (plain memory not checked, so a bug in its order may be missed: --memory=all checks it)," \
    "$tmp/out"
check "atomic_init racing a load" 1 "$WEFT" run --memory=all "$tests/atomic_init.c" -- racing
expect_grep "atomic_init racing: the write" \
    "^  thread 0 \"main\" wrote it at atomic_init.c:$(line_of atomic_init.c '    atomic_init(&counter, 3);') (in main)$" \
    "$tmp/out"
# A double free is reported at the second free's own line, with the thread
# that freed the block first (audit 21: at the thread's step before).
check "a double free" 1 "$WEFT" run "$tests/double_free.c"
expect_grep "a double free: where and who" \
    "^In thread [01] \"\(main\|dropper\)\" at double_free.c:$(line_of double_free.c '/\* the second free \*/'):$" \
    "$tmp/out"
expect_grep "a double free: the first free's thread" \
    "^  free of a block already freed (by thread \"\(main\|dropper\)\")$" "$tmp/out"
check "a double free, fixed" 0 "$WEFT" run --cflags=-DFIXED "$tests/double_free.c"
# GCC's __sync and __atomic builtins: at their own line too (they showed
# the line of the thread's step before), named as spelled.
check "builtins named" 1 "$WEFT" run "$tests/builtins_named.c"
expect_grep "builtins: arguments evaluated once" "failed in main" "$tmp/out"
expect_grep "__sync_fetch_and_add at its line" "builtins_named.c:17  *add counter (0 -> 1)$" "$tmp/out"
expect_grep "__atomic_fetch_add at its line" "builtins_named.c:18  *add wide (0 -> 2)$" "$tmp/out"
expect_grep "__sync_add_and_fetch named" "builtins_named.c:28  add cells\[i++\] (0 -> 3)$" "$tmp/out"
expect_grep "__sync_bool_compare_and_swap" "builtins_named.c:29  cas flag (0 -> 1)$" "$tmp/out"
expect_grep "__sync_val_compare_and_swap" "builtins_named.c:30  cas flag (1 -> 2)$" "$tmp/out"
expect_grep "__sync_lock_test_and_set" "builtins_named.c:31  swap flag (2 -> 4)$" "$tmp/out"
expect_grep "__sync_lock_release" "builtins_named.c:32  store flag (0, buffered)$" "$tmp/out"
expect_grep "__atomic_load_n" "builtins_named.c:33  load counter (= 1)$" "$tmp/out"
expect_grep "through a pointer: the first spelling kept" "builtins_named.c:35  store counter (5, buffered)$" \
    "$tmp/out"
expect_grep "the failing builtin itself" "builtins_named.c:36  sub wide (2 -> 0)$" "$tmp/out"
# SIGPIPE's disposition is a step that a write to a closed pipe reads (a
# write before the program ignored it passed: signal was no step, and the
# first execution's SIG_IGN stayed for every later one); a thread that
# blocks it gets EPIPE; a handler runs once. Each execution starts in the
# directory, umask and locale the program was loaded with, and reads all
# of a file on standard input.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a write before SIGPIPE is ignored ($strategy)" 1 \
        "$WEFT" run --strategy $strategy "$tests/process_state.c" -- race
    expect_grep "SIGPIPE kills it ($strategy)" "process_state.c:[0-9]*  *raise SIGPIPE (kills the process)$" "$tmp/out"
done
check "SIGPIPE ignored first" 0 "$WEFT" run --cflags=-DFIXED "$tests/process_state.c" -- race
for mode in masked handler restore; do
    check "a fresh process: $mode" 0 "$WEFT" run "$tests/process_state.c" -- $mode
done
printf '5\n' >"$tmp/input"
check "standard input for every execution" 0 "$WEFT" run "$tests/process_state.c" -- input <"$tmp/input"
expect_grep "two executions read it" "^process_state: pass (expected pass) \[dpor\] 2 executions, exhaustive" "$tmp/out"
# A pthread_once_t set to PTHREAD_ONCE_INIT again in memory taken again is
# a new once (its routine was skipped: found by address).
check "a once in reused memory" 0 "$WEFT" run "$tests/once_reused.c"
# Each thread its own gettid() (one id for all let two threads into a
# lock keyed by it).
check "thread ids" 0 "$WEFT" run "$tests/thread_ids.c"
# Time passes only when something waits: three clock reads on one line
# are straight-line code, not a loop polling the clock (the clock moved 1,
# 2, 4, ... ms at each: 1.3 s of sleeps measured minutes).
check "clock reads in straight-line code" 0 "$WEFT" run "$tests/clock_reads.c"
# Atomics whose bytes overlap at different addresses (a byte of a word, a
# half of a 64-bit value) are ordered with each other: DPOR passed them in
# 1 execution. A cell keeps no width of its own (a word read after a byte
# read all four bytes), and atomics on bytes apart in one word commute.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a byte store and a word load race ($strategy)" 1 \
        "$WEFT" run --strategy $strategy "$tests/atomic_overlap.c" -- overlap
    expect_grep "the word read first ($strategy)" "^  assert(ry == 0x100) failed in main$" "$tmp/out"
done
# With --memory=all an atomic operation and an unordered plain access to
# the same memory are a data race, as C11 has it (audit 8: a flag stored
# atomically and read plainly passed "exhaustive (all memory checked)");
# two atomics never race.
for mode in store load; do
    check "atomic and plain race: $mode" 1 "$WEFT" run --memory all "$tests/atomic_plain_race.c" -- $mode
    expect_grep "$mode: said atomic" " it atomically at atomic_plain_race.c:[0-9]*$" "$tmp/out"
    expect_grep "$mode: why" "(an atomic operation orders nothing with a plain access to the same memory" "$tmp/out"
done
check "two atomics do not race" 0 "$WEFT" run --memory all "$tests/atomic_plain_race.c" -- atomics
# A shrunk race replays as reported, with the command the report prints,
# where the token ends while another thread could still run.
check "a shrunk race" 1 "$WEFT" run --memory all "$tests/race_ends_the_token.c"
expect_grep "the shrunk race ends at the second write" \
    "shrunk from 0 preemptions, 7 steps to 0, 6$" "$tmp/out"
replays_identically "a shrunk race, replayed"
# 16-byte atomics (a {pointer, tag} pair) load and are steps: a
# compare-and-swap loop passes, a load-then-store loses an update.
check "16-byte compare-and-swap" 0 "$WEFT" run "$tests/atomic16.c"
check "16-byte load and store lose an update" 1 "$WEFT" run --cflags=-DLOST "$tests/atomic16.c"
expect_grep "the lost update" "^  assert(p.ptr == 4 && p.tag == 4) failed in main$" "$tmp/out"
check "a word after a byte of it" 0 "$WEFT" run "$tests/atomic_overlap.c" -- widen
check "the halves of a word commute" 0 "$WEFT" run "$tests/atomic_overlap.c" -- apart
expect_grep "one execution" "^atomic_overlap: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
# Atomics weaker than seq_cst, as x86 runs them (store buffers): a store
# then a load of another address may be seen reordered. Each run sat at
# "pass, exhaustive" when every atomic was sequentially consistent.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "store buffering, relaxed ($strategy)" 1 \
        "$WEFT" run --strategy $strategy "$tests/store_buffer.c" -- sb
    expect_grep "both loads first ($strategy)" "^  assert(r1 == 1 || r2 == 1) failed in main$" \
        "$tmp/out"
done
expect_grep "the store waits in the buffer" "store \*a (1, buffered)$" "$tmp/out"
expect_grep "the other thread reads the old value" "load \*a (= 0)$" "$tmp/out"
expect_grep "the buffer's own thread" "thread 4 \"store buffer of second\"" "$tmp/out"
replays_identically "store buffering"
check "Peterson's lock with release and acquire" 1 "$WEFT" run "$tests/store_buffer.c" -- peterson
expect_grep "both inside" "^  assert(atomic_load(&data) == 2) failed in main$" "$tmp/out"
check "Peterson's lock, seq_cst" 0 "$WEFT" run "$tests/store_buffer.c" -- peterson_sc
# What orders a store before a later load: a seq_cst store, a seq_cst
# fence, a locked instruction, a lock; a thread reads its own buffered
# store, plainly too (a plain read or write of a stored address drains
# the buffer first: the read found memory, and the flush overwrote the
# write); a join sees what the thread stored. Exact counts: each is every
# class of plain DFS (checked below for some), once.
for case in sb_sc:3 sb_fence:16 sb_swap:3 sb_lock:20 forward:3 join:2 plain_read:2 \
            plain_write:2 mp:8 mp_relaxed:8 mp_fence:8 coherence:25; do
    mode=${case%%:*}
    check "store buffer: $mode" 0 "$WEFT" run "$tests/store_buffer.c" -- "$mode"
    count=${case#*:}
    case $count in *execution*) ;; *) count="$count executions" ;; esac
    expect_grep "store buffer: $mode, $count" \
        "^store_buffer: pass (expected pass) \[dpor\] $count, exhaustive" "$tmp/out"
done
expect_grep "relaxed atomics are said to be x86's" \
    "; relaxed atomics reordered only as x86 reorders them)" "$tmp/out"
# same_classes WHAT ARGS...: on `weft run ARGS`, DPOR visits exactly the
# classes of executions plain DFS visits. Where plain DFS cannot finish in
# its time (60 s), DFS with sleep sets, which finishes, is the reference
# (weaker: it shares DPOR's dependence relation), as in tests/classes.py:
# the answer must not depend on how fast the machine is (plain DFS of
# signal_thread.c timed under --spin-order exact runs more than 3 million
# executions, and under AddressSanitizer on a loaded machine had not met
# every class by its time limit).
same_classes() {
    classes_against "dfs --no-sleep-sets" "$@"
}
# same_classes_slept WHAT ARGS...: the same against DFS with sleep sets
# alone, for the programs whose plain DFS is known never to finish in its
# time, where trying it only spent the 60 s before the fallback, in every
# run (signal_thread.c timed under --spin-order exact: 4 million
# executions in 60 s on the 2-core machine, not done).
same_classes_slept() {
    classes_against dfs "$@"
}
# modes_pass NAME MODE...: each mode of tests/programs/NAME.c passes
# exhaustively under DPOR, whose classes are plain DFS's.
modes_pass() {
    program=$1                        # (check sets name)
    shift
    for mode in "$@"; do
        check "$program: $mode" 0 "$WEFT" run "$tests/$program.c" -- "$mode"
        expect_grep "$program: $mode, exhaustive" \
            "^$program: pass (expected pass) \[dpor\] .*exhaustive" "$tmp/out"
        same_classes "$program: $mode, DPOR's classes" "$tests/$program.c" -- "$mode"
    done
}
# classes_against REFERENCE WHAT ARGS...: DPOR's classes against those of
# the search REFERENCE (plain DFS falls back to DFS with sleep sets).
classes_against() {
    reference=$1
    what=$2
    shift 2
    for strategy in dpor "$reference"; do
        rm -f "$tmp/classes"
        # shellcheck disable=SC2086 # the strategy and its option
        "$WEFT" run --strategy $strategy --classes "$tmp/classes" "$@" >"$tmp/ran" 2>&1
        if [ "$strategy" = "dfs --no-sleep-sets" ] && grep -q 'NOT exhaustive' "$tmp/ran"; then
            rm -f "$tmp/classes"
            "$WEFT" run --strategy dfs --classes "$tmp/classes" "$@" >"$tmp/ran" 2>&1
        fi
        grep -q 'NOT exhaustive' "$tmp/ran" && : >"$tmp/classes"   # no reference
        awk '{ print $2 }' "$tmp/classes" | sort -u > "$tmp/set.${strategy%% *}"
    done
    note_time "$what"
    if cmp -s "$tmp/set.dpor" "$tmp/set.dfs" && [ -s "$tmp/set.dpor" ]; then
        pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $what: DPOR's classes are not those of $reference"; fi
}
# classes_as_plain MODEL MODE...: the same for store_buffer.c's modes under
# --memory-model MODEL.
classes_as_plain() {
    model=$1
    shift
    for mode in "$@"; do
        same_classes "$model $mode" --memory-model "$model" "$tests/store_buffer.c" -- "$mode"
    done
}
classes_as_plain tso sb sb_fence sb_lock mp
# What atomics weaker than seq_cst order for the race check of
# --memory=all, as C11 has it: a relaxed flag publishes nothing (both
# passed "all memory checked"); release and acquire do, so do fences, and a
# relaxed increment continues a release sequence.
for mode in relaxed relaxed_load refcount_nofence; do
    check "a relaxed flag publishes nothing: $mode" 1 \
        "$WEFT" run --memory all "$tests/relaxed_race.c" -- $mode
    expect_grep "$mode: a data race" "^weft: DATA RACE in relaxed_race$" "$tmp/out"
    expect_grep "$mode: why" "(atomics weaker than seq_cst ran: a relaxed one orders nothing" "$tmp/out"
done
# The failing row is at the racing access's line (the thread's last step's
# was shown).
check "a relaxed flag: the race's row" 1 "$WEFT" run --memory all "$tests/relaxed_race.c" -- relaxed
expect_grep "the race's row at the read" '^      !   relaxed_race.c:67  *races$' "$tmp/out"
for mode in release fences sequence refcount; do
    check "what orders the data: $mode" 0 "$WEFT" run --memory all "$tests/relaxed_race.c" -- $mode
    expect_grep "$mode: exhaustive" "^relaxed_race: pass (expected pass) \[dpor\] [0-9]* executions, exhaustive (all memory checked" "$tmp/out"
done
# --memory-model sc: the old rule, labelled, and repeated in a replay.
check "store buffering under sc" 0 "$WEFT" run --memory-model sc "$tests/store_buffer.c" -- sb
expect_grep "sc is labelled" "; atomics weaker than seq_cst ran as seq_cst: --memory-model tso buffers their stores)" "$tmp/out"
check "a failure under sc" 1 "$WEFT" run --memory-model sc "$tests/atomic_overlap.c" -- overlap
expect_grep "replay with --memory-model sc" "atomic_overlap.c --memory-model sc --arg overlap --schedule" "$tmp/out"
check "--memory-model takes tso, pso or sc" 2 "$WEFT" run --memory-model arm "$tests/store_buffer.c"
expect_grep "--memory-model: what was wrong" "weft: --memory-model takes tso, pso or sc, not 'arm'" \
    "$tmp/err"
# --memory-model pso: relaxed stores to different addresses reach memory in
# any order C11 allows (one daemon per address), never past a release store
# or fence, nor past an older store to the same bytes. Message passing
# through a relaxed flag fails (the flag's store first: it passed under
# tso, as on x86); with release, or with fences, it passes; each address's
# values keep one order. Exact counts, and DPOR's classes are plain DFS's.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "message passing through a relaxed flag, pso ($strategy)" 1 \
        "$WEFT" run --memory-model pso --strategy $strategy "$tests/store_buffer.c" -- mp_relaxed
    expect_grep "the flag seen without the data ($strategy)" \
        "^  assert(r2 == -1 || r2 == 42) failed in main$" "$tmp/out"
done
expect_grep "a daemon per address" "flush flag (1)$" "$tmp/out"
expect_grep "named by owner and address" 'thread 4 "stores of first to flag": idle' "$tmp/out"
expect_grep "pso is repeated in the replay" \
    "weft replay .*store_buffer.c --memory-model pso --arg mp_relaxed --schedule" "$tmp/out"
replays_identically "pso replay"
for case in mp:8 mp_fence:8 coherence:64 sb_fence:16 sb_lock:20 sb_sc:3; do
    mode=${case%%:*}
    check "pso: $mode" 0 "$WEFT" run --memory-model pso "$tests/store_buffer.c" -- "$mode"
    expect_grep "pso: $mode, ${case#*:} executions" \
        "^store_buffer: pass (expected pass) \[dpor\] ${case#*:} executions, exhaustive" "$tmp/out"
done
expect_grep "pso's caveat" "; relaxed atomic loads kept in order (ARM and POWER reorder them too))" \
    "$tmp/out"
classes_as_plain pso sb mp mp_relaxed mp_fence coherence
# Atomics are visible steps by default in programs: without them the
# window between the flag's check and the wait is never seen.
check "pool shutdown with --memory off" 0 "$WEFT" run --memory off "$progs/pool_shutdown.c"
check "--memory off is repeated in a replay" 1 \
    "$WEFT" run --memory off "$progs/lock_order_callback.c"
expect_grep "replay with --memory off" "lock_order_callback.c --memory off --schedule" "$tmp/out"
replays_identically "replay with --memory off"
check "the fixed lost wake-up with every access checked" 0 \
    "$WEFT" run --memory=all --cflags -DFIXED "$progs/lost_wakeup_flag.c"

# ---- fresh data, heap, errno and thread-locals in every execution ----
check "fresh state, 10,000 executions" 1 \
    "$WEFT" run --strategy random --executions 10000 "$tests/fresh_state.c"
expect_grep "fresh state: no failure in 10,000" \
    "^fresh_state: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 10000 executions," \
    "$tmp/out"
check "fresh state, exhaustive" 0 "$WEFT" run "$tests/fresh_state.c"
check "fresh state, 10,000 executions, all memory checked" 1 \
    "$WEFT" run --memory=all --strategy random --executions 10000 "$tests/fresh_state.c"
expect_grep "fresh state, all memory: no failure in 10,000" \
    "^fresh_state: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 10000 executions," \
    "$tmp/out"

# ---- condition variables: a timeout while the mutex is held, a cancel ----
check "a timed wait that times out while the mutex is held" 1 \
    "$WEFT" run "$tests/timed_wait_held.c"
expect_grep "the timeout, then the signal that finds no waiter" \
    "timed_wait_held.c:[0-9]*  wake ready (timed out)" "$tmp/out"
expect_grep "the mutex retaken in a step of its own" "timed_wait_held.c:[0-9]*  retake mu" "$tmp/out"
replays_identically "timed wait held replay"
check "a timed wait that times out while the mutex is held, fixed" 0 \
    "$WEFT" run --cflags=-DFIXED "$tests/timed_wait_held.c"
for s in dpor dfs; do
    check "a waiter cancelled after a signal passes it on ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/cancel_signalled.c"
done
# A waiter signalled, then cancelled before its wake, acts on the request
# (glibc): its cleanup handler that forgets the mutex hangs main's lock
# (weft finished the wait and passed).
for s in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a signalled waiter cancelled ($s)" 1 "$WEFT" run --strategy $s "$tests/cancel_after_signal.c"
    expect_grep "the wake interrupted after the signal ($s)" \
        "cancel_after_signal.c:[0-9]*  *wake c (interrupted)$" "$tmp/out"
    expect_grep "the holder was cancelled ($s)" \
        "held by thread 1 \"worker\", which was cancelled holding it, its cleanup handlers run" "$tmp/out"
    # shellcheck disable=SC2086
    check "a signalled waiter cancelled, fixed ($s)" 0 \
        "$WEFT" run --strategy $s --cflags=-DFIXED "$tests/cancel_after_signal.c"
done

# ---- try and timed locks, spinlocks, clockwait: each outcome is explored ----
for s in dpor dfs; do
    check "try and timed calls used correctly ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/try_timed.c"
    for claim in RW_TRY:59 SPIN:64 TIMEDLOCK:74 CLOCKWAIT:85; do
        check "try and timed: ${claim%:*} broken ($s)" 1 \
            "$WEFT" run --strategy $s --cflags=-D${claim%:*} "$tests/try_timed.c"
        expect_grep "try and timed: ${claim%:*} at its line ($s)" \
            "^In thread 0 \"main\" at try_timed.c:${claim#*:}:" "$tmp/out"
    done
done

# ---- stream locks: flockfile is a recursive mutex per stream and thread ----
# glibc's stream lock belongs to the OS thread, which all weft threads
# share: unmapped, it excluded nothing (the unlocked mode's failure, a
# false alarm in the group mode before).
check "flockfile keeps a record together" 0 "$WEFT" run "$tests/stream_lock.c" -- group
expect_grep "flockfile: one execution per order of the records" \
    "^stream_lock: pass (expected pass) \[dpor\] 2 executions, exhaustive" "$tmp/out"
check "records mix without flockfile" 1 "$WEFT" run "$tests/stream_lock.c" -- unlocked
expect_grep "the mixed record found" "^weft: CRASH in stream_lock" "$tmp/out"
check "flockfile twice, funlockfile twice" 0 "$WEFT" run "$tests/stream_lock.c" -- nested
expect_grep "nested stream locks" \
    "^stream_lock: pass (expected pass) \[dpor\] 2 executions, exhaustive" "$tmp/out"
for s in dpor dfs; do
    rm -f "$tmp/tries"
    check "ftrylockfile ($s)" 0 env OUT="$tmp/tries" "$WEFT" run --strategy $s --no-sleep-sets \
        "$tests/stream_lock.c" -- try
    if [ "$(sort -u "$tmp/tries" | tr '\n' ' ')" = "failed tries 0 failed tries 1 " ]; then
        pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: ftrylockfile outcomes ($s)"; fi
done
check "a writer returns holding the stream" 1 "$WEFT" run "$tests/stream_lock.c" -- forgotten
expect_grep "the forgotten stream lock named" \
    'wants mutex "stream lock of out"' "$tmp/out"
expect_grep "its holder named" 'held by thread 1 "writer", which returned without unlocking it' \
    "$tmp/out"
replays_identically "stream lock replay"

# ---- a timed wait whose deadline has passed still releases the mutex ----
for f in "" -DSIGNAL; do
    check "a loop of waits past their deadline${f:+ ($f)}" 0 \
        "$WEFT" run ${f:+--cflags=$f} "$tests/past_deadline_loop.c"
    expect_grep "waits past their deadline, every order${f:+ ($f)}" \
        "^past_deadline_loop: pass (expected pass) \[dpor\] 11 executions, exhaustive" "$tmp/out"
done

# ---- a static rwlock initializer names the lock's kind ----
check "writer-preferring static rwlock, nested read" 1 "$WEFT" run "$tests/rwlock_static_kind.c"
expect_grep "the reader behind the waiting writer" \
    'thread 0 "main" wants rwlock "table" for reading (a writer waits for it)' "$tmp/out"
check "the default static rwlock, nested read" 0 \
    "$WEFT" run --cflags=-DDEFAULT "$tests/rwlock_static_kind.c"

# ---- pthread_attr_setstacksize: the thread gets the stack it asks for ----
check "a thread with a 2 MB stack" 0 "$WEFT" run "$tests/big_stack.c"
check "... while another thread makes one without" 0 \
    "$WEFT" run --strategy dfs --no-sleep-sets --cflags=-DOTHER "$tests/big_stack.c"
expect_grep "every order of the two spawns" \
    "^big_stack: pass (expected pass) \[dfs\] 35 executions, exhaustive" "$tmp/out"
check "... and without asking" 1 "$WEFT" run --cflags=-DNO_ATTR "$tests/big_stack.c"
expect_grep "the overflow says what to do" \
    "stack overflow of its 256 KB stack (signal 11), after its step at big_stack.c:[0-9]* (weft run --stack-size SIZE gives every thread more)" \
    "$tmp/out"

# ---- blocks glibc allocates (asprintf, strdup), freed, under --memory=all ----
check "asprintf's and strdup's blocks, all memory checked" 0 \
    "$WEFT" run --memory=all "$tests/libc_blocks.c"

# ---- a deadline from another clock than the condition's ----
check "a REALTIME deadline on a MONOTONIC condition" 1 "$WEFT" run "$tests/clock_mismatch.c"
expect_grep "the wait that never times out, said" \
    'waits on condition "replied" (released mutex "mu"), with a deadline more than 36 years away (from another clock than the condition.s?): it never times out' \
    "$tmp/out"
check "the condition's own clock" 0 "$WEFT" run --cflags=-DFIXED "$tests/clock_mismatch.c"

# ---- a destructor that would fail weft's own exit ----
check "a program's destructor, not run at weft's exit" 0 "$WEFT" run "$tests/destructor.c"
check "... nor with a process per execution" 0 "$WEFT" run --isolate fork "$tests/destructor.c"

# ---- uselocale: each thread its own locale, each execution the global one ----
for s in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086
    check "uselocale per thread ($s)" 0 "$WEFT" run --strategy $s "$tests/thread_locale.c"
done
check "uselocale per thread (a process per execution)" 0 \
    "$WEFT" run --isolate fork "$tests/thread_locale.c"

# ---- read-lock, unlock, write-lock: every class, a few cut short ----
check "read then write, three threads" 0 "$WEFT" run "$tests/rwlock_read_then_write.c"
expect_grep "read then write: its count (README, Limits)" \
    "^rwlock_read_then_write: pass (expected pass) \[dpor\] 90 executions + 6 pruned, exhaustive" \
    "$tmp/out"
same_classes "read then write, classes" "$tests/rwlock_read_then_write.c"

# ---- timed rwlock calls on the virtual clock: each outcome is explored ----
for s in dpor dfs; do
    check "timed rwlock calls used correctly ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/rwlock_timed.c"
    expect_grep "timed rwlock calls: every interleaving ($s)" \
        "^rwlock_timed: pass (expected pass) \[$s\] .*exhaustive" "$tmp/out"
    [ $s = dpor ] || expect_grep "timed rwlock: DFS's count" \
        "^rwlock_timed: pass (expected pass) \[dfs\] 27 executions, exhaustive" "$tmp/out"
    for claim in ALWAYS_GETS:67 NEVER_GETS:70; do
        check "timed rwlock: ${claim%:*} broken ($s)" 1 \
            "$WEFT" run --strategy $s --cflags=-D${claim%:*} "$tests/rwlock_timed.c"
        expect_grep "timed rwlock: ${claim%:*} at its line ($s)" \
            "^In thread 0 \"main\" at rwlock_timed.c:${claim#*:}:" "$tmp/out"
    done
done
check "timed rwlock: the timeout shown" 1 \
    "$WEFT" run --cflags=-DALWAYS_GETS "$tests/rwlock_timed.c"
expect_grep "the wait that timed out" \
    "rwlock_timed.c:64  timedlock (wait) rw (timed out)$" "$tmp/out"
replays_identically "timed rwlock replay"
# A signal wakes any one waiter, as POSIX allows: a watcher that steals
# the consumer's signal leaves main's join waiting forever (a signal that
# woke the oldest waiter said "pass" in 3 executions); broadcast passes.
check "a signal to the other kind of waiter" 1 "$WEFT" run "$tests/signal_wakes_any.c"
expect_grep "the stolen signal found" "^weft: DEADLOCK in signal_wakes_any" "$tmp/out"
replays_identically "stolen signal replay"
# malloc hands a thread the block it freed last, as glibc's cache does:
# the ABA of a lock-free stack whose pop frees is found (it passed in 14
# executions when no address came back); without the frees it passes, in
# the classes plain DFS sees.
check "an ABA through a reused block" 1 "$WEFT" run "$tests/treiber_aba.c"
expect_grep "the ABA found" "^In thread 0 \"main\" at treiber_aba.c:85:" "$tmp/out"
replays_identically "ABA replay"
# A pthread_once routine that is cancelled leaves the once as if never
# called: the next caller runs it again (a false deadlock before).
check "a cancelled once routine runs again" 0 "$WEFT" run "$tests/once_cancelled.c"
expect_grep "once again, exhaustively" "^once_cancelled: pass (expected pass) \[dpor\] [0-9]* executions\?, exhaustive" "$tmp/out"
# atexit handlers run when main returns or a thread calls exit, in that
# thread, while the others may still run: a flush that counts on an
# unjoined worker having finished is found (it passed in 3 executions,
# the handlers never running).
check "an exit handler before the worker finished" 1 "$WEFT" run "$tests/exit_handler.c"
expect_grep "the handler's assertion" "assert(atomic_load(&produced) == 1) failed in flush" "$tmp/out"
expect_grep "the handler's steps" "^      5   exit_handler.c:16  exit handler: load produced (= 0)$" "$tmp/out"
check "the worker joined first" 0 "$WEFT" run --cflags=-DFIXED "$tests/exit_handler.c"
# Closing a descriptor does not wake a thread blocked reading it (Linux):
# a read of a descriptor this execution closed is a step on what it was an
# end of, so DPOR tries the read before the close (it passed in 1).
check "a close that wakes no reader" 1 "$WEFT" run "$tests/close_does_not_wake.c"
expect_grep "the reader left blocked" "^weft: DEADLOCK in close_does_not_wake" "$tmp/out"
check "closing the write end instead" 0 "$WEFT" run --cflags=-DFIXED "$tests/close_does_not_wake.c"
# A call looks its descriptor up when it begins; when another thread's
# close comes between that and the call's step, the call fails with EBADF
# as on Linux, a poll with POLLNVAL (a read or poll went on with the closed
# end and blocked for ever on the bytes the close dropped, a deadlock no
# run has; a write passed).
for mode in read write poll; do
    check "a $mode after the close of its descriptor" 1 "$WEFT" run "$tests/close_before_call.c" -- $mode
    case $mode in
    poll) expect_grep "the poll finds POLLNVAL" "  poll ends (1 ready)$" "$tmp/out"
          expect_grep "the poll's assertion" \
              "^  assert(poll(&p, 1, -1) == 1 && p.revents == POLLIN) failed in worker$" "$tmp/out" ;;
    *) expect_grep "the $mode fails with EBADF" "  $mode ends (its descriptor closed)$" "$tmp/out"
       expect_grep "the $mode's assertion" "^  assert($mode(ends.*) == 1) failed in worker$" "$tmp/out" ;;
    esac
    replays_identically "the $mode after the close, replayed"
    check "the worker joined before the close ($mode)" 0 \
        "$WEFT" run --cflags=-DFIXED "$tests/close_before_call.c" -- $mode
    expect_grep "joined first: exhaustive ($mode)" \
        "^close_before_call: pass (expected pass) \[dpor\] 2 executions, exhaustive" "$tmp/out"
done
# A call that waits holds its descriptor's file, as on Linux: the close
# of its number by another thread keeps the ends open until the call
# returns (each mode passed, exhaustive, or failed where Linux does not:
# the native program, with main sleeping before its close, gives these
# verdicts).
check "a read holds the pipe's reader" 1 "$WEFT" run "$tests/held_open.c" -- read
expect_grep "the byte written after the close read" \
    "^  assert(!atomic_load(&closed)) failed in worker$" "$tmp/out"
replays_identically "the held read, replayed"
# shellcheck disable=SC2046 # the replay's file and schedule
"$WEFT" explain $(sed -n 's/^  weft replay //p' "$tmp/report") >"$tmp/out" 2>&1
expect_grep "the close takes only the number" \
    "main: close ends (number only: a call waits on it) at held_open.c:" "$tmp/out"
expect_grep "the reader's return closes the end" \
    "worker: close ends (read end, as its last call returns) at held_open.c:" "$tmp/out"
check "a read holds the socket from its peer" 1 "$WEFT" run "$tests/held_open.c" -- socket
expect_grep "the peer's read waits" "^weft: DEADLOCK in held_open$" "$tmp/out"
expect_grep "the held end explained" \
    'its descriptor was closed, but a call waiting on that file holds it open, as on Linux)$' "$tmp/out"
check "a poll holds the pipe's reader" 1 "$WEFT" run "$tests/held_open.c" -- poll
expect_grep "the write after the close succeeds" \
    "^  assert(write(ends\[1\], \"x\", 1) == -1 && errno == EPIPE) failed in main$" "$tmp/out"
check "a select holds the pipe's reader" 1 "$WEFT" run "$tests/held_open.c" -- select
expect_grep "select's step says select" " select ends (blocks)$" "$tmp/out"
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a blocked write finishes after the close ($strategy)" 0 \
        "$WEFT" run --strategy $strategy "$tests/held_open.c" -- write
    expect_grep "every byte before the end ($strategy)" "^held_open: pass (expected pass) .*exhaustive" "$tmp/out"
done
check "an accept is not woken by the close" 1 "$WEFT" run "$tests/held_open.c" -- accept
expect_grep "the server stays in accept" \
    "thread 1 \"worker\" waits to accept a connection on \"127.0.0.1:47125\" (its descriptor closed" "$tmp/out"
check "shutdown wakes the accept with EINVAL" 0 \
    "$WEFT" run --cflags=-DFIXED "$tests/held_open.c" -- accept
expect_grep "shutdown: exhaustive" "^held_open: pass (expected pass) \[dpor\] 4 executions, exhaustive" "$tmp/out"
# The accept holds the listening socket: a connect after the close is
# queued for it (it was refused, and main's join waited for ever).
check "a connect to a listener an accept holds" 0 "$WEFT" run "$tests/held_open.c" -- held
expect_grep "a connect to a held listener: exhaustive" \
    "^held_open: pass (expected pass) \[dpor\] 4 executions, exhaustive" "$tmp/out"
same_classes "a connect to a held listener" "$tests/held_open.c" -- held
# Whether a dup keeps a pipe end is decided in the close's step: two
# closes of its two numbers each left it to the other (a false deadlock),
# and a dup between a close's decision and its step had the end closed
# under it (a false assertion); a read whose step came after a dup2 onto
# its number failed with EBADF, which Linux never gives there. (dup_close
# and dup2_read still lose one class each to plain DFS, of the same
# outcome: the call looks its number up before its step.)
same_classes "two closes of one end's two numbers" "$tests/dup_close_race.c" -- two_closes
for s in dpor "dfs --no-sleep-sets"; do
    for mode in two_closes dup_close dup2_read; do
        # shellcheck disable=SC2086 # the strategy and its option
        check "a close racing a dup or its close: $mode ($s)" 0 \
            "$WEFT" run --strategy $s "$tests/dup_close_race.c" -- $mode
    done
done
# A read, write or accept looks at O_NONBLOCK in its first step, not when
# it began: DPOR missed the call that gives up because another thread's
# F_SETFL (or FIONBIO) came between the two (a pass where Linux fails).
for mode in read write accept; do
    same_classes "O_NONBLOCK set while a call begins: $mode" "$tests/nonblock_race.c" -- $mode
    check "a call that gives up as the flag came first: $mode" 1 \
        "$WEFT" run --cflags=-DNEVER_EAGAIN "$tests/nonblock_race.c" -- $mode
    expect_grep "it gives up: $mode" "^weft: ASSERTION FAILED in nonblock_race$" "$tmp/out"
done
# So do they SO_RCVTIMEO and SO_SNDTIMEO, which a setsockopt sets in a
# step on the socket's ends: DPOR read the timeout when the call began and
# passed a program whose call times out on Linux ("exhaustive", 2 runs).
for mode in read write accept never; do
    same_classes "a socket's timeout set while a call begins: $mode" \
        "$tests/sockopt_race.c" -- $mode
    check "a call that times out as the timeout came first: $mode" 1 \
        "$WEFT" run --cflags=-DNEVER_EAGAIN "$tests/sockopt_race.c" -- $mode
    expect_grep "it times out: $mode" "^weft: ASSERTION FAILED in sockopt_race$" "$tmp/out"
    case $mode in
        read) said="set option sv\[1\] to \[0\] (SO_RCVTIMEO 1ms)" ;;
        write) said="set option sv\[0\] to \[1\] (SO_SNDTIMEO 1ms)" ;;
        accept) said="set option @sockopt_race (SO_RCVTIMEO 1ms)" ;;
        never) said="set option sv\[1\] to \[0\] (SO_RCVTIMEO negative: no wait)" ;;
    esac
    expect_grep "the step names the option and its value: $mode" "$said\$" "$tmp/out"
done
# A nonblocking TCP connect fails with EINPROGRESS, as on Linux over
# loopback; the client's poll then finds the socket writable and SO_ERROR
# 0 (weft returned 0, which Linux never does).
check "a nonblocking TCP connect: EINPROGRESS" 0 "$WEFT" run "$tests/connect_in_progress.c"
expect_grep "EINPROGRESS, then writable" \
    "^connect_in_progress: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
check "a nonblocking TCP connect never returns 0" 1 \
    "$WEFT" run --cflags=-DEXPECT_ZERO "$tests/connect_in_progress.c"
expect_grep "0 was not returned" "^weft: ASSERTION FAILED in connect_in_progress$" "$tmp/out"
# A close gives the socket's name up in a step on the name, which a
# connect or a send to it looks it up after: DPOR ran only the client that
# came after the close (refused), never the one that came first.
for mode in unix tcp dgram; do
    same_classes "a client and the close of its server's socket: $mode" \
        "$tests/name_races.c" -- $mode
    check "a client that comes before the close: $mode" 1 \
        "$WEFT" run --cflags=-DREFUSED_ONLY "$tests/name_races.c" -- $mode
    expect_grep "it is not refused: $mode" "^weft: ASSERTION FAILED in name_races$" "$tmp/out"
done
# poll's bits for sockets as Linux's unix_poll gives them: POLLHUP only
# when both directions are shut, POLLRDHUP on a read shutdown, POLLERR
# while a reset waits (a half-closed socket had POLLHUP, so a server that
# drops a connection on POLLHUP dropped a client awaiting its reply).
check "poll bits of a socket pair" 0 "$WEFT" run "$tests/poll_bits.c"
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a half-closed client gets its reply ($strategy)" 0 \
        "$WEFT" run --strategy $strategy "$tests/poll_bits.c" -- server
    expect_grep "the reply, exhaustive ($strategy)" "^poll_bits: pass (expected pass) .*exhaustive" "$tmp/out"
done
# fstat, ioctl FIONREAD and FIONBIO, lseek and SO_TYPE answer as Linux does
# (they reached weft's /dev/null); FIONREAD is a step that races writers.
check "what a descriptor is" 0 "$WEFT" run "$tests/descriptor_kinds.c"
check "FIONREAD before the writer" 1 "$WEFT" run "$tests/descriptor_kinds.c" -- race
expect_grep "the early FIONREAD found" "^  assert(ioctl(p\[0\], FIONREAD, &n) == 0 && n == 1) failed in main$" "$tmp/out"
# A loopback TCP connection holds 4 MB each way, as Linux's autotuned send
# buffer: 128 KB each way before reading fits (it was a deadlock at 65,536
# bytes); 5 MB does not, on Linux either.
check "128 KB each way over TCP" 0 "$WEFT" run "$tests/tcp_capacity.c"
check "5 MB each way over TCP" 1 "$WEFT" run --cflags=-DBIG "$tests/tcp_capacity.c"
expect_grep "both writers wait" "waits to write to \"client [0-9]* to 127.0.0.1:[0-9]*\" (full: 4194304 of 4194304 bytes" "$tmp/out"
# sendfile and splice are the kernel's between real files, and named as
# not supported on a modelled pipe (the bytes went to weft's /dev/null).
check "sendfile between files" 0 "$WEFT" run "$tests/kernel_copy.c" -- files
for mode in pipe splice; do
    check "kernel copy into a pipe: $mode" 1 "$WEFT" run "$tests/kernel_copy.c" -- $mode
    expect_grep "$mode named" "^  $(test $mode = pipe && echo sendfile || echo splice) on a pipe or socket is not supported by weft yet" "$tmp/out"
done
# A pipe holds 16 pages, as Linux fills them: sixteen 2,049-byte records
# fill it (weft counted 65,536 bytes: 31 fit, and a writer of 20 passed).
check "a pipe's capacity in pages" 0 "$WEFT" run "$tests/pipe_capacity.c"
check "20 records fill a pipe" 1 "$WEFT" run "$tests/pipe_capacity.c" -- deadlock
expect_grep "the writer waits" "^weft: DEADLOCK in pipe_capacity$" "$tmp/out"
check "16 records fit" 0 "$WEFT" run --cflags=-DFIXED "$tests/pipe_capacity.c" -- deadlock
# A Unix socket's writer is charged each write's sk_buff, 768 bytes and
# up, until it is read, against a 212,992-byte send buffer (weft counted
# 65,536 bytes: 300 records of 100 bytes passed where Linux blocks at 278).
check "a Unix socket's capacity, charged per write" 0 "$WEFT" run "$tests/socket_capacity.c"
check "300 records fill a socket pair" 1 "$WEFT" run "$tests/socket_capacity.c" -- deadlock
expect_grep "the record writer waits" "^weft: DEADLOCK in socket_capacity$" "$tmp/out"
check "250 records fit" 0 "$WEFT" run --cflags=-DFIXED "$tests/socket_capacity.c" -- deadlock
# A writer that found the buffer full wakes at a quarter of it: 208 reads
# leave it waiting, 209 wake it; its last write comes before read 1 (it
# waits), or after read k, 1 <= k <= 209: 210 classes.
check "208 reads do not wake a full socket's writer" 1 "$WEFT" run "$tests/socket_capacity.c" -- wake
expect_grep "why it waits" "waits to write to \"sv\[0\] to \[1\]\" (full: 70 unread writes charge it 53760 bytes; Linux lets it go on at a quarter of its 212992-byte send buffer)" "$tmp/out"
for strategy in dpor dfs; do
    check "209 do ($strategy)" 0 "$WEFT" run --strategy $strategy --cflags=-DFIXED "$tests/socket_capacity.c" -- wake
    expect_grep "210 classes ($strategy)" "^socket_capacity: pass (expected pass) \[$strategy\] 210 executions, exhaustive" "$tmp/out"
done
# A stream write goes in sk_buffs of at most 36,544 bytes, a step each: two
# 40,000-byte writes arrive in one of C(4,2) = 6 orders of their pieces,
# 4 of them interleaved.
check "pieces of two writes interleave" 1 "$WEFT" run --classes "$tmp/pieces" "$tests/socket_capacity.c" -- pieces
expect_grep "6 orders, 4 interleaved" "^socket_capacity: UNEXPECTED assertion (expected pass) \[dpor\] 6 executions, 4 failing" "$tmp/out"
# An eventfd's count, each read and write a step (a real descriptor once,
# its race passed "exhaustive").
check "eventfd rules" 0 "$WEFT" run "$tests/eventfd.c"
check "an eventfd read before the write" 1 "$WEFT" run "$tests/eventfd.c" -- race
expect_grep "the early read found" "^  assert(read(efd, &v, sizeof v) == 8) failed in reader$" "$tmp/out"
check "an eventfd wakes an epoll loop" 0 "$WEFT" run "$tests/eventfd.c" -- wake
expect_grep "the epoll loop, exhaustive" "^eventfd: pass (expected pass) \[dpor\] 8 executions, exhaustive" "$tmp/out"
# An epoll instance and an eventfd are named by the program's first
# epoll_ctl or epoll_wait on them ("epoll 101" and "eventfd" before).
check "an epoll loop woken once of twice" 1 "$WEFT" run "$tests/eventfd.c" -- once
expect_grep "the epoll wait in the program's words" \
    ' waits in epoll_wait on "ep" for read "efd"$' "$tmp/out"
expect_grep "the epoll_ctl step names its instance" "eventfd.c:73  *epoll_ctl ep$" "$tmp/out"
# A timerfd counts its expirations by the clock, never late (the
# kernel's timer): each mode asserts what Linux gives in every
# interleaving (a poll whose timeout passes the expiry timed out, before
# expirations were counted by the clock), and DPOR runs plain DFS's
# classes (it ran 2 of gettime's 4 while re-arming the timer counted as
# spawning its daemon again).
modes_pass timerfd poll periodic gettime errors abstime arm
check "timerfd: a read that nothing arms" 1 "$WEFT" run "$tests/timerfd.c" -- disarmed
expect_grep "the read named" \
    'waits to read from "timerfd" (no expiry, and its timer is not armed)' "$tmp/out"
# A signalfd is readable while a signal of its mask is pending for the
# reader or the process; a read takes it (its records say how it was
# sent); it waits, in read, poll or epoll_wait, and nobody sending is a
# deadlock at the read (it was named as unsupported). DPOR runs plain
# DFS's classes.
modes_pass signalfd wait poll epoll nonblock
check "signalfd: the order the reader assumed" 1 "$WEFT" run "$tests/signalfd.c" -- order
expect_grep "signalfd: the read step names its signal" \
    "signalfd.c:[0-9]*  *read signalfd [0-9]* (SIGUSR2)$" "$tmp/out"
replays_identically "signalfd: order replay"
check "signalfd: a read that nobody answers" 1 "$WEFT" run "$tests/signalfd.c" -- lost
expect_grep "signalfd: a deadlock" "^weft: DEADLOCK in signalfd$" "$tmp/out"
expect_grep "signalfd: the wait named" \
    'waits to read from "signalfd [0-9]*" (none of SIGUSR1, SIGUSR2 is pending)' "$tmp/out"
# SO_RCVTIMEO: a read that waits longer fails with EAGAIN, the timeout
# racing the reply (the option was ignored: a deadlock).
check "a receive timeout that the reply may lose to" 1 "$WEFT" run "$tests/receive_timeout.c"
expect_grep "the slow reply found" "^  assert(n == 1) failed in main$" "$tmp/out"
expect_grep "the read timed out" "receive_timeout.c:[0-9]*  *read (wait) s\[1\] to \[0\] (timed out)$" "$tmp/out"
check "a client that reads again after a timeout" 0 \
    "$WEFT" run --cflags=-DFIXED "$tests/receive_timeout.c"
# SO_SNDTIMEO: a write that waits for room longer fails with EAGAIN or
# gives what went in, the timeout racing the reads that make room (the
# option was ignored: a deadlock).
check "a send timeout that the reader may lose to" 1 "$WEFT" run "$tests/send_timeout.c"
expect_grep "the slow reader found" "^  assert(n == 100) failed in main$" "$tmp/out"
expect_grep "the write timed out" "send_timeout.c:[0-9]*  *write (wait) s\[0\] to \[1\] (timed out)$" "$tmp/out"
check "a writer that writes again after a timeout" 0 \
    "$WEFT" run --cflags=-DFIXED "$tests/send_timeout.c"
# A poll or select that waits finds a number closed meanwhile when it
# scans again: POLLNVAL even when a dup keeps the pipe (no bits before), and
# a select reports it ready (it failed with EBADF).
for mode in poll select; do
    for strategy in dpor "dfs --no-sleep-sets"; do
        # shellcheck disable=SC2086 # the strategy and its option
        check "closed while a $mode waits ($strategy)" 0 \
            "$WEFT" run --strategy $strategy "$tests/closed_while_waiting.c" -- $mode
    done
done
# A socket closed with bytes unread resets its peer, as on Linux, and so
# does a listener closed with a connection it never accepted: the read
# fails with ECONNRESET once, then gives 0 (each read 0 before).
for mode in single dgram listener tcp tcpunread queued shut; do
    check "a reset: $mode" 0 "$WEFT" run "$tests/reset.c" -- $mode
done
# Over TCP a pending reset fails the next write (ECONNRESET, once), and a
# close is one step where weft's is two: every order of a close racing
# three writes and a read gives one of Linux's four answers.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a TCP close racing writes ($strategy)" 0 \
        "$WEFT" run --strategy $strategy "$tests/reset.c" -- race
    expect_grep "the race, exhaustive ($strategy)" "^reset: pass (expected pass) .*exhaustive" "$tmp/out"
done
check "a server that closes unread resets its client" 1 "$WEFT" run "$tests/reset.c" -- server
replays_identically "the reset, replayed"
# shellcheck disable=SC2046 # the replay's file and schedule
"$WEFT" explain $(sed -n 's/^  weft replay //p' "$tmp/report") >"$tmp/out" 2>&1
expect_grep "the close resets" "server: close sv\[1\] to \[0\] (write end, resetting) at reset.c:" "$tmp/out"
expect_grep "the client's read is a reset" \
    "main: read (wait) sv\[1\] to \[0\] (connection reset) at reset.c:" "$tmp/out"
check "a server that reads the request first" 0 "$WEFT" run --cflags=-DFIXED "$tests/reset.c" -- server
# shutdown stops a thread blocked on a socket, as on Linux: a read returns
# 0, a write what went in or EPIPE, a poll finds the end (each was a
# deadlock: the shutdown ended the socket for its peer only).
for mode in read write poll; do
    check "shutdown stops a $mode" 0 "$WEFT" run "$tests/shutdown_stops.c" -- $mode
    expect_grep "shutdown stops a $mode: exhaustive" "^shutdown_stops: pass (expected pass) .*exhaustive" "$tmp/out"
done
# A pipe's edges as Linux has them: a 0-byte write with no reader (it was
# a SIGPIPE crash), poll bits of widowed ends, POLLNVAL found when a
# waiting poll wakes after one of its descriptors was closed.
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a pipe's edges ($strategy)" 0 "$WEFT" run --strategy $strategy "$tests/pipe_edges.c"
    expect_grep "a pipe's edges: exhaustive ($strategy)" "^pipe_edges: pass (expected pass) .*exhaustive" "$tmp/out"
done
# A dup, an fcntl and the close of a descriptor a dup keeps open are steps
# on its ends, so their races with another thread's call are run (each
# passed, exhaustive, before).
check "a dup racing a close" 1 "$WEFT" run "$tests/descriptor_steps.c" -- dup
expect_grep "the dup came first" "^  assert(copy == -1) failed in main$" "$tmp/out"
check "an fcntl racing a read" 1 "$WEFT" run "$tests/descriptor_steps.c" -- fcntl
expect_grep "the read waits for ever" "^weft: DEADLOCK in descriptor_steps$" "$tmp/out"
expect_grep "the fcntl's step" "  set flags p$" "$tmp/out"
check "a close of a dup'd descriptor racing a read" 1 "$WEFT" run "$tests/descriptor_steps.c" -- close
expect_grep "the read came first" "^  assert(atomic_load(&state) != NULL) failed in other$" "$tmp/out"
replays_identically "the close of a dup'd descriptor, replayed"
# Linux queues one connection more than the listen backlog.
check "a backlog of 1 holds two connections" 0 "$WEFT" run "$tests/backlog.c"
check "a backlog of 0 holds one" 1 "$WEFT" run --cflags=-DBACKLOG=0 "$tests/backlog.c"
expect_grep "the second connect waits" \
    '(its backlog of 0 is full: 1 connection waits to be accepted)$' "$tmp/out"
# SO_RCVTIMEO on a listening socket ends a waiting accept with EAGAIN, and
# SO_SNDTIMEO or O_NONBLOCK a Unix connect to a full backlog (both were
# ignored: a server polling a stop flag between timed accepts was a
# deadlock, and so was a client giving up on a full backlog).
check "a server's timed accepts" 0 "$WEFT" run "$tests/socket_timeouts.c" -- server
expect_grep "a server's timed accepts: exhaustive" \
    "^socket_timeouts: pass (expected pass) \[dpor\] .* exhaustive" "$tmp/out"
check "a server's timed accepts, never stopped" 1 \
    "$WEFT" run "$tests/socket_timeouts.c" -- unstopped
expect_grep "never stopped: a livelock" "^weft: LIVELOCK (no termination) in socket_timeouts$" \
    "$tmp/out"
expect_grep "never stopped: the accept times out" \
    "socket_timeouts.c:[0-9]*  *accept (wait) 127.0.0.1:47151 (timed o" "$tmp/out"
replays_identically "timed accepts replay"
check "a Unix connect to a full backlog: SO_SNDTIMEO, O_NONBLOCK" 0 \
    "$WEFT" run "$tests/socket_timeouts.c" -- full
# Two threads close one descriptor: one close fails with EBADF in every
# order, plain DFS's too (both succeeded when the second close's step came
# after the first, and weft crashed in some orders).
for strategy in dpor "dfs --no-sleep-sets"; do
    # shellcheck disable=SC2086 # the strategy and its option
    check "a descriptor closed twice ($strategy)" 0 "$WEFT" run --strategy $strategy "$tests/close_twice.c"
    expect_grep "closed twice: exhaustive ($strategy)" "^close_twice: pass (expected pass) .*exhaustive" "$tmp/out"
done
# unlink and rename are steps on the file names, as open is: a starter
# that counts on a cleaner having removed a stale lock file first is
# found (it passed in 1 execution).
check "a lock taken before the stale one is removed" 1 "$WEFT" run "$tests/stale_lock.c"
expect_grep "the early open found" "^In thread 2 \"starter\" at stale_lock.c:27:" "$tmp/out"
expect_grep "rename and unlink named" "stale_lock.c:[0-9]* .*open /tmp/weft-stale-lock.lock" "$tmp/out"
check "the starter after the cleaner" 0 "$WEFT" run --cflags=-DFIXED "$tests/stale_lock.c"
# A loop that polls plain memory (the inner spin of a test-and-test-and-
# set lock) makes a step after 1,024 reads of one address: a load, which
# lets the holder run (the watchdog reported a livelock before) and which
# the searches order with the address's atomic writes, so --spin-order
# exact sees plain DFS's classes: 110, the unlock (__sync_lock_release, a
# release store) waiting in the holder's store buffer while the other
# polls; 12 with every atomic sequentially consistent. A plain
# check-then-set lock is a data race under --memory=all.
check "a spin on plain memory" 0 "$WEFT" run "$tests/plain_spin.c"
for model_classes in tso:110 sc:12; do
    model=${model_classes%%:*} n_classes=${model_classes#*:}
    check "a spin on plain memory, exact order ($model)" 0 "$WEFT" run --memory-model "$model" \
        --spin-order exact --classes "$tmp/exact" "$tests/plain_spin.c"
    "$WEFT" run --memory-model "$model" --strategy dfs --no-sleep-sets --classes "$tmp/every" \
        "$tests/plain_spin.c" >/dev/null
    if [ "$(cut -d' ' -f2 "$tmp/every" | sort -u)" = "$(cut -d' ' -f2 "$tmp/exact" | sort -u)" ] &&
       [ "$(cut -d' ' -f2 "$tmp/every" | sort -u | wc -l)" -eq "$n_classes" ]; then
        pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: plain spin ($model): exact classes differ from plain DFS's $n_classes"; fi
    rm -f "$tmp/exact" "$tmp/every"
done
check "a plain check-then-set lock" 1 "$WEFT" run --memory=all --cflags=-DBROKEN "$tests/plain_spin.c"
expect_grep "the plain lock is a data race" "^weft: DATA RACE in plain_spin" "$tmp/out"
# main's return ends the process while a detached thread may not have
# run: the exit is a step whenever a thread ended unjoined, so DPOR
# reverses it with that thread's steps (it passed in 1 execution).
check "an exit before the detached thread ran" 1 "$WEFT" run "$tests/exit_before_detached.c"
expect_grep "the early exit found" "^  the program's main returned exit status 1" "$tmp/out"
expect_grep "the detached thread never ran" "thread 1 \"set_flag\": runnable" "$tmp/out"
check "main waits for it" 0 "$WEFT" run --cflags=-DFIXED "$tests/exit_before_detached.c"
expect_grep "main waits for it: one class" \
    "^exit_before_detached: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
check "no block reused" 0 "$WEFT" run --cflags=-DFIXED "$tests/treiber_aba.c"
expect_grep "no block reused, every class" \
    "^treiber_aba: pass (expected pass) \[dpor\] 14 executions, exhaustive" "$tmp/out"
check "broadcast instead" 0 "$WEFT" run --cflags=-DFIXED "$tests/signal_wakes_any.c"
# A rwlock that prefers writers (glibc's PREFER_WRITER_NONRECURSIVE_NP)
# makes a nested read lock wait behind a waiting writer; the default does
# not; a robust mutex is named as unsupported at its line.
check "a nested read lock, readers preferred" 0 "$WEFT" run "$tests/lock_kinds.c"
check "a nested read lock, writers preferred" 1 \
    "$WEFT" run --cflags=-DWRITERS_FIRST "$tests/lock_kinds.c"
expect_grep "writers preferred: the deadlock" "^weft: DEADLOCK in lock_kinds" "$tmp/out"
check "a robust mutex" 1 "$WEFT" run --cflags=-DROBUST "$tests/lock_kinds.c"
expect_grep "a robust mutex named" \
    "a robust mutex (pthread_mutexattr_setrobust) is not supported by weft yet" "$tmp/out"
expect_grep "at its line" "^In thread 0 \"main\" at lock_kinds.c:31:" "$tmp/out"

# ---- a timer that fired while another thread could run is said so ----
check "a timeout before the reply's thread ran" 1 "$WEFT" run "$tests/timer_passes.c"
expect_grep "the timer's step and the thread passed" \
    '^Step 5 fired a timer while thread "worker" could still run: weft lets a$' "$tmp/out"
expect_grep "--timers=idle named" \
    '^machine may. With --timers=idle, timers fire only when no thread can run.$' "$tmp/out"
check "the same under --timers=idle" 0 "$WEFT" run --timers=idle "$tests/timer_passes.c"
check "a late reply under --timers=idle" 1 "$WEFT" run --timers=idle "$tests/timer_passes.c" -- late
expect_grep "late: its timeout" "wake replied (timed out)" "$tmp/out"
if grep -q "fired a timer while" "$tmp/out"; then fail=$((fail + 1))
    echo "FAIL: a timer that passed no thread was said to"; else pass=$((pass + 1)); fi
# A deadline already past when the wait began races nothing: not said.
check "a deadline already past" 1 "$WEFT" run "$tests/timer_passes.c" -- past
if grep -q "fired a timer while" "$tmp/out"; then fail=$((fail + 1))
    echo "FAIL: a deadline already past was said to pass a thread"; else pass=$((pass + 1)); fi
# Under --timers=idle a timer fires while a thread could run only when
# fairness holds that thread back as spinning: said so, not "a loaded machine".
check "a timeout beside a spinner, --timers=idle" 1 \
    "$WEFT" run --timers=idle "$tests/timer_passes.c" -- spinner
expect_grep "the spinner named as held back" \
    '^Step 13 fired a timer while thread "poller" could still run: that thread.s$' "$tmp/out"
expect_grep "the fairness rule named" \
    '^loop turns repeat, so weft.s fairness rule held it back as spinning, and$' "$tmp/out"

# ---- a timed wait's absolute deadline, however late its step comes ----
# A mover takes the clock past the waiter's deadline, before or after the
# waiter's step: the wait ends at the deadline or at once (100 or 200 ms,
# never 100 ms after a late step), in every interleaving.
for mode in cond clockwait mutex clocklock sem semclock; do
    check "the deadline holds however late the step: $mode" 0 \
        "$WEFT" run "$tests/late_deadline.c" -- $mode
    expect_grep "the deadline holds: $mode, every interleaving" \
        "^late_deadline: pass (expected pass) \[dpor\] 15 executions, exhaustive" "$tmp/out"
    check "the deadline holds however late the step: $mode (dfs)" 0 \
        "$WEFT" run --strategy dfs "$tests/late_deadline.c" -- $mode
    check "a wait that ends after its deadline: $mode" 1 \
        "$WEFT" run --cflags=-DAT_DEADLINE "$tests/late_deadline.c" -- $mode
    expect_grep "ended after the deadline: $mode" \
        "^In thread 1 \"waiter\" at late_deadline.c:93:" "$tmp/out"
    # The deadline is compared with the clock in the wait's step (whose
    # timer makes the clock one of its objects), not in the call before it.
    same_classes "the deadline looked at in the step: $mode" "$tests/late_deadline.c" -- $mode
done
check "a lock whose deadline passed before its step" 1 \
    "$WEFT" run --cflags=-DAT_DEADLINE "$tests/late_deadline.c" -- mutex
expect_grep "named as such (it read \"trylock mu (busy)\")" \
    "late_deadline.c:72 .* timedlock mu (past deadline)$" "$tmp/out"

# ---- named semaphores: a namespace of each execution's own ----
for s in dpor dfs; do
    check "named semaphores used correctly ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/sem_named.c"
    expect_grep "named semaphores: every interleaving ($s)" \
        "^sem_named: pass (expected pass) \[$s\] .*exhaustive" "$tmp/out"
done
expect_grep "named semaphores: DFS's count (the makers' opens race, nothing else)" \
    "^sem_named: pass (expected pass) \[dfs\] 2 executions + 22 pruned, exhaustive" "$tmp/out"
check "two O_EXCL opens of one name race" 1 \
    "$WEFT" run --cflags=-DFIRST_MAKES "$tests/sem_named.c"
expect_grep "the claim broken at its line" "^In thread 0 \"main\" at sem_named.c:94:" "$tmp/out"
expect_grep "the second maker's open made it" \
    "^     23   sem_named.c:42 *sem_open /job$" "$tmp/out"
replays_identically "named semaphore replay"
check "a post on a misspelt name" 1 "$WEFT" run --cflags=-DTYPO "$tests/sem_named.c"
expect_grep "misspelt name: a deadlock" "^weft: DEADLOCK in sem_named$" "$tmp/out"
expect_grep "main waits on the name it made" \
    "thread 0 \"main\" waits for a permit of semaphore \"/ready\" (0 of 0 left)" "$tmp/out"
check "named semaphores, a process per execution" 0 \
    "$WEFT" run --isolate fork "$tests/sem_named.c"

# ---- spurious wakeups, on request: a barrier whose waiters test with if ----
check "an if around a wait, no spurious wakeups" 0 "$WEFT" run "$tests/barrier_if_not_while.c"
check "an if around a wait, --spurious-wakeups on" 1 \
    "$WEFT" run --spurious-wakeups on "$tests/barrier_if_not_while.c"
expect_grep "the spurious wake shown" "wake cv (spurious)" "$tmp/out"
expect_grep "the thread that passed early" "^  thread 0 passed early$" "$tmp/out"
expect_grep "the replay repeats the option" \
    "weft replay .*barrier_if_not_while.c --spurious-wakeups on --schedule" "$tmp/out"
check "a while around a wait, --spurious-wakeups on" 0 \
    "$WEFT" run --spurious-wakeups on --cflags=-DFIXED "$tests/barrier_if_not_while.c"
expect_grep "the while version proven" \
    "^barrier_if_not_while: pass (expected pass) \[dpor\] 294 executions, exhaustive" "$tmp/out"
check "--spurious-wakeups takes on or off" 2 \
    "$WEFT" run --spurious-wakeups maybe "$tests/barrier_if_not_while.c"
expect_grep "the bad value named" "spurious-wakeups takes off or on, not 'maybe'" "$tmp/err"

# ---- names, scheduling and affinity of threads: kept, checked, no step ----
check "thread names, policies, affinities" 0 "$WEFT" run "$tests/thread_np.c"
expect_grep "thread_np: one execution, exhaustive" \
    "^thread_np: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"

# ---- the joins that give up: tryjoin, timedjoin, clockjoin ----
# A try is placed before and after each of the worker's five steps (its
# start, two locks, two unlocks): six executions, joined only in the last;
# the timed joins' timeout races each of them too.
for s in dpor dfs; do
    check "pthread_tryjoin_np ($s)" 0 "$WEFT" run --strategy $s "$tests/join_np.c" -- try
    expect_grep "tryjoin before and after each step ($s)" \
        "^join_np: pass (expected pass) \[$s\] 6 executions, exhaustive" "$tmp/out"
    for claim in NEVER_BUSY:76 ALWAYS_BUSY:79; do
        check "tryjoin: ${claim%:*} broken ($s)" 1 \
            "$WEFT" run --strategy $s --cflags=-D${claim%:*} "$tests/join_np.c" -- try
        expect_grep "tryjoin: ${claim%:*} at its line ($s)" \
            "^In thread 0 \"main\" at join_np.c:${claim#*:}:" "$tmp/out"
    done
    for mode in timed clock; do
        runs="26 executions, exhaustive"; [ $s = dfs ] && runs="26 executions + 16 pruned, exhaustive"
        check "a join with a deadline: $mode ($s)" 0 \
            "$WEFT" run --strategy $s "$tests/join_np.c" -- $mode
        expect_grep "a join with a deadline: $mode, every interleaving ($s)" \
            "^join_np: pass (expected pass) \[$s\] $runs" "$tmp/out"
        for claim in NEVER_TIMES_OUT:98 ALWAYS_TIMES_OUT:101; do
            check "$mode join: ${claim%:*} broken ($s)" 1 \
                "$WEFT" run --strategy $s --cflags=-D${claim%:*} "$tests/join_np.c" -- $mode
            expect_grep "$mode join: ${claim%:*} at its line ($s)" \
                "^In thread 0 \"main\" at join_np.c:${claim#*:}:" "$tmp/out"
        done
    done
    check "the joins' errors ($s)" 0 "$WEFT" run --strategy $s "$tests/join_np.c" -- errors
done
check "a watchdog that gives up on a half-done worker" 1 "$WEFT" run "$tests/join_np.c" -- watchdog
expect_grep "the watchdog's claim broken" \
    "assert(stage != 1 && \"the worker timed out on was half done\") failed in watchdog" "$tmp/out"
expect_grep "the join that timed out" "join_np.c:118  timedjoin (wait) (timed out)$" "$tmp/out"
expect_grep "the half-done worker" 'thread 1 "worker": wants mutex "mu" at join_np.c:37' "$tmp/out"
replays_identically "watchdog replay"
check "a watchdog that waits after its timeout" 0 \
    "$WEFT" run --cflags=-DFIXED "$tests/join_np.c" -- watchdog
expect_grep "the fixed watchdog proven" \
    "^join_np: pass (expected pass) \[dpor\] 26 executions, exhaustive" "$tmp/out"
check "a watchdog whose deadline passes only when all wait: a pass" 0 \
    "$WEFT" run --timers=idle "$tests/join_np.c" -- watchdog
expect_grep "the idle watchdog's count" "^join_np: pass (expected pass) \[dpor\] 6 executions, \
exhaustive (plain memory not checked, so a bug in its order may be missed: --memory=all \
checks it; timers fire only when every thread waits)" "$tmp/out"
check "a worker that fails while main waits with a deadline" 1 \
    "$WEFT" run --timers=idle "$tests/join_np.c" -- report
expect_grep "main's timed join described" \
    'thread 0 "main": waits for thread "fails" to return (with timeout) at join_np.c:158$' "$tmp/out"
expect_grep "its first step" "join_np.c:158  timedjoin (blocks)$" "$tmp/out"
# The end of the joined thread is a step once a request is made, ordered
# with the join's step: a join before it is interrupted, one after it is
# performed. (DPOR ran 110 executions here, 15 classes short of plain DFS,
# while an interrupted join still ordered the thread's later steps after it.)
for s in dpor dfs; do
    runs="148 executions, exhaustive"; [ $s = dfs ] && runs="148 executions + 161 pruned, exhaustive"
    check "a timed join, a cancellation point ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/join_np.c" -- cancel
    expect_grep "a cancelled timed join, every interleaving ($s)" \
        "^join_np: pass (expected pass) \[$s\] $runs" "$tmp/out"
done
same_classes "a cancelled timed join: DPOR's classes are plain DFS's" "$tests/join_np.c" -- cancel
for mode in main locks joiner; do
    check "a join cancelled while its thread runs ($mode)" 0 "$WEFT" run "$tests/cancel_joins.c" -- $mode
    same_classes "a join cancelled while its thread runs ($mode): DPOR's classes" \
        "$tests/cancel_joins.c" -- $mode
    [ $mode = locks ] && expect_grep "main cancelled, two critical sections: 641 executions" \
        "^cancel_joins: pass (expected pass) \[dpor\] 641 executions, exhaustive" "$tmp/out"
done
expect_grep "a cancelled joiner: 3288 executions" \
    "^cancel_joins: pass (expected pass) \[dpor\] 3288 executions, exhaustive" "$tmp/out"
check "a timed join never cancelled, the claim" 1 \
    "$WEFT" run --cflags=-DNEVER_CANCELLED "$tests/join_np.c" -- cancel
expect_grep "the claim broken at its line" "^In thread 0 \"main\" at join_np.c:191:" "$tmp/out"
expect_grep "the wait the cancel ended" "join_np.c:174  *timedjoin (interrupted)$" "$tmp/out"
check "tryjoin, all memory checked: the join orders the worker's writes" 0 \
    "$WEFT" run --memory=all "$tests/join_np.c" -- try
check "a timed join, all memory checked" 0 "$WEFT" run --memory=all "$tests/join_np.c" -- timed
check "a timed join, a process per execution" 0 \
    "$WEFT" run --isolate fork "$tests/join_np.c" -- timed

# ---- loops whose waits have deadlines; clock_nanosleep ----
for s in dpor dfs; do
    check "a ticker on clock_nanosleep's absolute deadlines ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/periodic.c" -- ticker
    expect_grep "the ticker: every interleaving ($s)" \
        "^periodic: pass (expected pass) \[$s\] .*exhaustive" "$tmp/out"
    # Its deadline, a local, moves each turn (the comparison in its carry
    # shows it): held after 16 turns, and the summary says so.
    expect_grep "the ticker: held after 16 turns, said ($s)" \
        "loops whose values kept changing were held after 16 turns" "$tmp/out"
    check "a fresh deadline each turn, --timers=idle ($s)" 0 \
        "$WEFT" run --timers=idle --strategy $s "$tests/periodic.c" -- condclock
    expect_grep "a fresh deadline each turn: every interleaving ($s)" \
        "^periodic: pass (expected pass) \[$s\] .*exhaustive" "$tmp/out"
done
expect_grep "a fresh deadline each turn: DFS's count" \
    "^periodic: pass (expected pass) \[dfs\] 2 executions + 2 pruned, exhaustive" "$tmp/out"

# ---- dup and dup2 of pipe ends; datagram and seqpacket socket pairs ----
check "dup, dup2, datagrams, seqpackets" 0 "$WEFT" run "$tests/dup_dgram.c"
check "a duplicate write end left open" 1 "$WEFT" run --cflags=-DLEAK "$tests/dup_dgram.c"
expect_grep "the reader waits for the duplicate's close" \
    'thread 0 "main" waits to read from "p" (empty, its write end open)' "$tmp/out"
check "a datagram peer's close ends nothing" 1 "$WEFT" run --cflags=-DDGRAM_EOF "$tests/dup_dgram.c"
expect_grep "the reader waits on after the peer closed" \
    'waits to read from "dg\[1\] to \[0\]" (empty, its peer closed' "$tmp/out"

# ---- readv, writev, sendto, recvfrom, sendmsg, recvmsg ----
for s in dpor dfs; do
    for mode in pipe:12 dgram:20 stream:1 inet:16; do
        check "vectors and addresses: ${mode%:*} ($s)" 0 \
            "$WEFT" run --strategy $s "$tests/vectors.c" -- ${mode%:*}
        expect_grep "vectors and addresses: ${mode%:*}, every interleaving ($s)" \
            "^vectors: pass (expected pass) \[$s\] ${mode#*:} executions*[ ,]" "$tmp/out"
    done
done
check "vectors, all memory checked" 0 "$WEFT" run --memory=all "$tests/vectors.c" -- pipe
check "two writevs, either first" 1 "$WEFT" run --cflags=-DA_FIRST "$tests/vectors.c" -- pipe
expect_grep "the other order found" "^In thread 0 \"main\" at vectors.c:74:" "$tmp/out"
replays_identically "writev replay"
check "writev to standard output" 1 "$WEFT" run "$tests/vectors.c" -- stdout
expect_grep "writev's bytes under the report" "^  gathered for the report$" "$tmp/out"
check "not supported yet: ancillary data" 1 "$WEFT" run "$tests/vectors.c" -- control
expect_grep "ancillary data at its line" "^In thread 0 \"main\" at vectors.c:222:" "$tmp/out"
expect_grep "ancillary data named" \
    "sendmsg with ancillary data (msg_control) on a pipe or socket between threads is not supported by weft yet" \
    "$tmp/out"

# ---- MSG_PEEK: the bytes stay for the next read ----
for s in dpor dfs; do
    for mode in stream:6 dgram:10 unix:1; do
        check "MSG_PEEK: ${mode%:*} ($s)" 0 "$WEFT" run --strategy $s "$tests/peek.c" -- ${mode%:*}
        expect_grep "MSG_PEEK: ${mode%:*}, every interleaving ($s)" \
            "^peek: pass (expected pass) \[$s\] ${mode#*:} executions*[ ,]" "$tmp/out"
    done
done
check "MSG_PEEK, all memory checked" 0 "$WEFT" run --memory=all "$tests/peek.c" -- stream
check "a peek that would take the bytes" 1 "$WEFT" run --cflags=-DPEEK_CONSUMES "$tests/peek.c"
expect_grep "the claim broken at its line" "^In thread 0 \"main\" at peek.c:42:" "$tmp/out"
expect_grep "the peek that waited, a step of its own" \
    "peek.c:39  peek (wait) sv\[1\] to \[0\] (3 bytes)$" "$tmp/out"
replays_identically "peek replay"
check "MSG_PEEK with MSG_WAITALL, not supported" 1 "$WEFT" run "$tests/peek.c" -- waitall
expect_grep "MSG_PEEK with MSG_WAITALL at its line" "^In thread 0 \"main\" at peek.c:95:" "$tmp/out"
expect_grep "MSG_PEEK with MSG_WAITALL named" \
    "recv with MSG_PEEK and MSG_WAITALL together is not supported by weft yet (each alone is)" \
    "$tmp/out"

# ---- Unix datagram and seqpacket sockets made by socket() ----
for s in dpor dfs; do
    for mode in dgram:24 seqpacket:40; do
        check "Unix ${mode%:*} sockets ($s)" 0 \
            "$WEFT" run --strategy $s "$tests/unix_dgram.c" -- ${mode%:*}
        expect_grep "Unix ${mode%:*} sockets, every interleaving ($s)" \
            "^unix_dgram: pass (expected pass) \[$s\] ${mode#*:} executions[ ,]" "$tmp/out"
    done
done
check "Unix datagram sockets, all memory checked" 0 \
    "$WEFT" run --memory=all "$tests/unix_dgram.c" -- dgram
check "Unix datagram sockets, a process per execution" 0 \
    "$WEFT" run --isolate fork "$tests/unix_dgram.c" -- dgram
check "a datagram nobody sends" 1 "$WEFT" run "$tests/unix_dgram.c" -- lost
expect_grep "the queue named by its path" \
    'thread 0 "main" waits to read from "/tmp/weft-log.sock"' "$tmp/out"
replays_identically "datagram replay"

# ---- UDP sockets between the program's threads ----
for s in dpor dfs; do
    for mode in echo:16 connected:4 v6:4 lost:1; do
        check "UDP ${mode%:*} ($s)" 0 "$WEFT" run --strategy $s "$tests/udp.c" -- ${mode%:*}
        expect_grep "UDP ${mode%:*}, every interleaving ($s)" \
            "^udp: pass (expected pass) \[$s\] ${mode#*:} executions*[ ,]" "$tmp/out"
    done
    check "a datagram sent before the bind: lost ($s)" 1 \
        "$WEFT" run --strategy $s "$tests/udp.c" -- race
    expect_grep "the lost datagram's deadlock ($s)" "^weft: DEADLOCK in udp$" "$tmp/out"
    check "a datagram sent after the bind ($s)" 0 \
        "$WEFT" run --strategy $s --cflags=-DFIXED "$tests/udp.c" -- race
    expect_grep "the fixed exchange: the bind before and after the semaphore ($s)" \
        "^udp: pass (expected pass) \[$s\] 2 executions, exhaustive" "$tmp/out"
done
check "a datagram sent before the bind, again" 1 "$WEFT" run "$tests/udp.c" -- race
expect_grep "the send that found nobody" "udp.c:195  sendto udp port 9000 (lost)$" "$tmp/out"
expect_grep "the bind after it" "udp.c:177 .*bind udp port 9000$" "$tmp/out"
expect_grep "the server waits on its queue" \
    'thread 1 "late_server" waits to read from "127.0.0.1:9000"' "$tmp/out"
replays_identically "lost datagram replay"
# A datagram's size in the steps is its data's: each queued message also
# names its sender, whose bytes were counted (8 for 4).
rm -f "$tmp/udp.cl"
"$WEFT" run --classes "$tmp/udp.cl" "$tests/udp.c" -- echo >/dev/null
check "UDP echo, step by step" 0 \
    "$WEFT" explain "$tests/udp.c" --arg echo --schedule "$(head -1 "$tmp/udp.cl" | cut -d' ' -f3)"
expect_grep "a datagram sent: its data's size" \
    "main: write 127.0.0.1:[0-9]* (4 bytes) at udp.c:$(line_of udp.c 'sizeof server_at) == 4')$" \
    "$tmp/out"
expect_grep "a datagram received: its data's size" \
    "echo: read 127.0.0.1:[0-9]* (4 bytes) at udp.c:$(line_of udp.c 'ssize_t n = recvfrom')$" \
    "$tmp/out"
check "UDP, all memory checked" 0 "$WEFT" run --memory=all "$tests/udp.c" -- echo
check "UDP, a process per execution" 0 "$WEFT" run --isolate fork "$tests/udp.c" -- echo
expect_grep "UDP forked: the same executions" \
    "^udp: pass (expected pass) \[dpor\] 16 executions, exhaustive .*a process per execution" \
    "$tmp/out"
check "UDP to another machine, not supported" 1 "$WEFT" run "$tests/udp.c" -- outside
expect_grep "UDP outside at its line" "^In thread 0 \"main\" at udp.c:206:" "$tmp/out"
expect_grep "UDP outside named" "a UDP datagram to 192.0.2.1:53, outside this machine, is not \
supported by weft yet (UDP over loopback and any addresses is)" "$tmp/out"
check "shutdown of a UDP socket, not supported" 1 "$WEFT" run "$tests/udp.c" -- shutdown
expect_grep "UDP shutdown at its line" "^In thread 0 \"main\" at udp.c:212:" "$tmp/out"
expect_grep "UDP shutdown named" "shutdown of a UDP socket is not supported by weft yet (close is)" \
    "$tmp/out"

# ---- epoll on the modelled descriptors ----
for s in dpor dfs; do
    for mode in loop:372 added:6 rotate:1 timeout:1 sockets:1 errors:1 dup:1 add_twice:2 \
                del_waiting:4; do
        check "epoll ${mode%:*} ($s)" 0 "$WEFT" run --strategy $s "$tests/epoll.c" -- ${mode%:*}
        expect_grep "epoll ${mode%:*}, every interleaving ($s)" \
            "^epoll: pass (expected pass) \[$s\] ${mode#*:} executions*[ ,]" "$tmp/out"
    done
    check "an event loop that forgets to re-arm ($s)" 1 \
        "$WEFT" run --strategy $s --cflags=-DNO_REARM "$tests/epoll.c" -- loop
    expect_grep "the loop waits for ever ($s)" "^weft: DEADLOCK in epoll$" "$tmp/out"
done
expect_grep "the wait named with its instance" \
    'thread 0 "main" waits in epoll_wait on "ep" (no descriptor armed)' "$tmp/out"
replays_identically "epoll replay"
# A worker woken for an EPOLLONESHOT event another worker reported first
# waits on, as Linux's epoll_wait without a timeout never returns 0 (it
# returned 0: a false assertion in the usual worker-pool pattern).
for s in dpor dfs; do
    check "epoll workers share one instance ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/epoll.c" -- workers
done
# What an epoll_wait watches is read at its step, not when it made its
# wishes: a report that disables a one-shot entry, or a close that takes
# one off the list, between the two hid a dependence (plain DFS 492
# classes of workers, DPOR 472; of closing, 27 and 20).
same_classes "epoll workers, classes" "$tests/epoll.c" -- workers
# A timed wait's deadline counts from its look at the list, a read of the
# clock ordered with the other waiter's timeout (plain DFS 204 classes,
# DPOR 192, when it counted from the call's start).
check "epoll deadlines" 0 "$WEFT" run "$tests/epoll.c" -- deadlines
expect_grep "epoll deadlines, every class once" \
    "^epoll: pass (expected pass) \[dpor\] 330 executions, exhaustive" "$tmp/out"
same_classes "epoll deadlines, classes" "$tests/epoll.c" -- deadlines
same_classes "epoll closing, classes" "$tests/epoll.c" -- closing
# epoll_ctl looks its entry up after its step (two ADDs both succeeded);
# a wait looks at the list in a step, and again when it changed though
# another wait took the wake-up (it reported an entry deleted meanwhile).
same_classes "epoll add_twice, classes" "$tests/epoll.c" -- add_twice
same_classes "epoll del_waiting, classes" "$tests/epoll.c" -- del_waiting
for mode in workers:24 closing:9; do
    check "epoll ${mode%:*}, one execution a class" 0 "$WEFT" run "$tests/epoll.c" -- ${mode%:*}
    expect_grep "epoll ${mode%:*}, every class once" \
        "^epoll: pass (expected pass) \[dpor\] ${mode#*:} executions, exhaustive" "$tmp/out"
done
check "epoll, all memory checked" 0 "$WEFT" run --memory=all "$tests/epoll.c" -- loop
check "epoll, a process per execution" 0 "$WEFT" run --isolate fork "$tests/epoll.c" -- added
check "EPOLLEXCLUSIVE, not supported" 1 "$WEFT" run "$tests/epoll.c" -- exclusive
expect_grep "EPOLLEXCLUSIVE at its line" "^In thread 0 \"main\" at epoll.c:$(grep -n \
    'assert(epoll_ctl(ep, op, fd, &ev) == 0);' "$tests/epoll.c" | cut -d: -f1):" "$tmp/out"
expect_grep "EPOLLEXCLUSIVE named" "epoll_ctl with EPOLLEXCLUSIVE is not supported by weft \
yet (level-triggered events, EPOLLET and EPOLLONESHOT are)" "$tmp/out"

# ---- edge-triggered epoll (EPOLLET) ----
# An entry is found again only after a wake-up of its file since it last
# reported (bytes came, room was made after the writer found none, an end
# closed, a connection queued, a timerfd's timer fired), as Linux queues
# it; the one-thread modes also pass natively (Linux's answers).
for mode in drain:242 out:24 semantics:1 out_edge:1 timerfd:4 gettime:8; do
    check "EPOLLET ${mode%:*}" 0 "$WEFT" run "$tests/epoll_edge.c" -- ${mode%:*}
    expect_grep "EPOLLET ${mode%:*}, every class once" \
        "^epoll_edge: pass (expected pass) \[dpor\] ${mode#*:} executions*, exhaustive" "$tmp/out"
done
for mode in drain out timerfd gettime; do
    same_classes "EPOLLET $mode, DPOR's classes" "$tests/epoll_edge.c" -- $mode
done
# Reading one byte an event: when both writes come before the reader's
# wait, one edge covers them, and the reader waits beside a byte it never
# reads. Level triggered, the same loop ends.
check "EPOLLET, one read an event" 1 "$WEFT" run "$tests/epoll_edge.c" -- split
expect_grep "EPOLLET, one read an event: a deadlock" "^weft: DEADLOCK in epoll_edge$" "$tmp/out"
expect_grep "EPOLLET, why the wait stays" \
    'waits in epoll_wait on "ep" for read "p" (EPOLLET: ready, but reported already, and nothing came since)$' \
    "$tmp/out"
replays_identically "EPOLLET replay"
same_classes "EPOLLET split, DPOR's classes" "$tests/epoll_edge.c" -- split
check "EPOLLET, one accept an event" 1 "$WEFT" run "$tests/epoll_edge.c" -- accept_one
expect_grep "EPOLLET, one accept an event: a deadlock" "^weft: DEADLOCK in epoll_edge$" \
    "$tmp/out"
for mode in split:16 accept_one:5760; do
    check "level triggered, ${mode%:*}" 0 \
        "$WEFT" run --cflags=-DLEVEL "$tests/epoll_edge.c" -- ${mode%:*}
    expect_grep "level triggered, ${mode%:*}: every class once" \
        "^epoll_edge: pass (expected pass) \[dpor\] ${mode#*:} executions, exhaustive" "$tmp/out"
done

# ---- stdio over a pipe: fdopen of a modelled end ----
check "fprintf and fgets over a pipe" 0 "$WEFT" run "$tests/stdio_pipe.c"
check "fprintf and fgets over a pipe, 3,000 executions, a stream left open" 1 \
    "$WEFT" run --strategy random --executions 3000 "$tests/stdio_pipe.c"
expect_grep "a stream on a pipe left open: no failure in 3,000" \
    "^stdio_pipe: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 3000 executions," \
    "$tmp/out"
check "a stream on a pipe only flushed" 1 "$WEFT" run --cflags=-DLEAK "$tests/stdio_pipe.c"
expect_grep "the reader of the stream waits for the end" \
    'thread 0 "main" waits to read from "p" (empty, its write end open)' "$tmp/out"

# ---- thread-locals pinned to initial-exec and local-exec ----
check "initial-exec and local-exec thread-locals per thread" 0 "$WEFT" run "$tests/tls_models.c"
check "initial-exec and local-exec thread-locals, 2,000 executions" 1 \
    "$WEFT" run --strategy random --executions 2000 "$tests/tls_models.c"
expect_grep "pinned thread-locals: no failure in 2,000" \
    "^tls_models: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 2000 executions," \
    "$tmp/out"
check "initial-exec and local-exec thread-locals, all memory" 0 \
    "$WEFT" run --memory=all "$tests/tls_models.c"

# ---- C11 <threads.h> ----
check "C11 threads" 0 "$WEFT" run "$tests/c11_threads.c"
check "C11 threads: a lock-order inversion" 1 "$WEFT" run --cflags=-DINVERT "$tests/c11_threads.c"
expect_grep "C11 threads: the deadlock" "^weft: DEADLOCK in c11_threads$" "$tmp/out"
expect_grep "C11 threads: named by their start function" 'thread 2 "second" wants mutex "a"' \
    "$tmp/out"
replays_identically "C11 threads replay"

# ---- every header that declares a renamed call may come after weft's ----
check "signal.h, sys/uio.h, sys/epoll.h, threads.h after weft's header" 0 \
    "$WEFT" run "$tests/headers.c"

# ---- the program's own feature-test macros, not weft's ----
# They come as -D options from the lines before its first system #include
# and from a config.h it includes first (weft's header defined
# _GNU_SOURCE for every program: POSIX's strerror_r became GNU's, and a
# gettid of the program's own did not compile).
check "_POSIX_C_SOURCE: POSIX's strerror_r, a gettid of its own" 0 \
    "$WEFT" run "$tests/features_posix.c"
check "_GNU_SOURCE from a config.h beside the source" 0 "$WEFT" run "$tests/features_config.c"
mkdir "$tmp/elsewhere"
cp "$tests/features_config.c" "$tmp/elsewhere/"
check "_GNU_SOURCE from a config.h in an -I folder" 0 \
    "$WEFT" run --cflags="-I$tests" "$tmp/elsewhere/features_config.c"
check "no macro: glibc's default, so a gettid of its own compiles" 0 \
    "$WEFT" run "$tests/features_none.c"

# ---- blocking calls outside the model stop at their line ----
mkfifo "$tmp/stdin"
exec 3<>"$tmp/stdin"                  # open for writing too: never at its end
for call in fgets getchar; do
    check "$call of an empty standard input" 1 \
        "$WEFT" run "$tests/blocking_calls.c" -- "$call" <"$tmp/stdin"
    expect_grep "$call stops at its line" \
        "^In thread 0 \"main\" at blocking_calls.c:$(line_of blocking_calls.c " $call"):" "$tmp/out"
    expect_grep "$call would block" "^  $call would block outside weft" "$tmp/out"
done
exec 3>&-
for call in "sigwait:in sigwait for SIGUSR1" "pause:in pause for a signal to its handler"; do
    check "a ${call%%:*} nobody answers" 1 "$WEFT" run "$tests/blocking_calls.c" -- "${call%%:*}"
    expect_grep "a ${call%%:*} nobody answers: deadlock" "^weft: DEADLOCK in blocking_calls$" \
        "$tmp/out"
    expect_grep "a ${call%%:*} nobody answers: what it waits for" \
        "^  thread 0 \"main\" waits ${call#*:}$" "$tmp/out"
done
for call in "timer_create|timer_create on a CPU-time clock|timer_create(" \
            "itimer_prof|setitimer(ITIMER_PROF)|setitimer(ITIMER_PROF"; do
    mode=${call%%|*} named=${call#*|} named=${named%|*} spelled=${call##*|}
    check "$mode is not supported" 1 "$WEFT" run "$tests/blocking_calls.c" -- "$mode"
    expect_grep "$mode named at its line" \
        "^In thread 0 \"main\" at blocking_calls.c:$(line_of blocking_calls.c " $spelled"):" "$tmp/out"
    expect_grep "$mode named" "^  $named is not supported by weft yet" "$tmp/out"
done

# ---- alarm and setitimer: SIGALRM on the virtual clock ----
# The timer fires while a handler or a sigwait would take SIGALRM; left to
# its default action it is a watchdog that never goes off. Each mode's
# classes are plain DFS's.
for mode in watchdog:4 suspend:1 sigwait:1 timedwait:3 outruns:3 expires:9 periodic:5 left:2; do
    check "alarm ${mode%:*}" 0 "$WEFT" run "$tests/alarm.c" -- ${mode%:*}
    expect_grep "alarm ${mode%:*}, every class" \
        "^alarm: pass (expected pass) \[dpor\] ${mode#*:} executions*[ ,].*exhaustive" "$tmp/out"
    same_classes "alarm ${mode%:*}, DPOR's classes" "$tests/alarm.c" -- ${mode%:*}
done
check "a hang under a watchdog alarm" 1 "$WEFT" run --cflags=-DHANG "$tests/alarm.c" -- watchdog
expect_grep "a hang under a watchdog alarm: a deadlock" "^weft: DEADLOCK in alarm$" "$tmp/out"
expect_grep "a hang under a watchdog alarm: the alarm said" \
    "^The alarm made at alarm.c:$(grep -n 'alarm(10);' "$tests/alarm.c" | cut -d: -f1), due at \
10000ms, is a watchdog here: no handler or sigwait would take its signal, so it does not go \
off (on Linux, it would end the process then).$" "$tmp/out"
same_classes "a hang under a watchdog alarm, DPOR's classes" --cflags=-DHANG \
    "$tests/alarm.c" -- watchdog
# alarm then pause: SIGALRM may come before pause begins (main late by
# the alarm's second), and pause then waits for ever.
check "alarm, then pause" 1 "$WEFT" run "$tests/alarm.c" -- pause
expect_grep "alarm, then pause: the race" \
    '^  thread 0 "main" waits in pause for a signal to its handler$' "$tmp/out"
expect_grep "alarm, then pause: the handler before it" \
    "send SIGALRM (to the handler of thread 0)" "$tmp/out"
same_classes "alarm, then pause, DPOR's classes" "$tests/alarm.c" -- pause
# A handler that takes a lock main holds, when SIGALRM comes inside main's
# critical section.
check "a handler that is not async-signal-safe" 1 "$WEFT" run "$tests/alarm.c" -- unsafe
expect_grep "a handler that is not async-signal-safe: main waits for itself" \
    '^thread "main" locks mutex "a", which it already holds$' "$tmp/out"
replays_identically "alarm replay"
same_classes "a handler that is not async-signal-safe, DPOR's classes" \
    "$tests/alarm.c" -- unsafe
# POSIX timers: a signal with its value (SI_TIMER) under alarm's rule, a
# thread per expiry, or nothing but the expiry; each mode's classes are
# plain DFS's.
for mode in signal:3 sigwait:72 none:1 watchdog:2; do
    check "timer_create ${mode%:*}" 0 "$WEFT" run "$tests/posix_timers.c" -- ${mode%:*}
    expect_grep "timer_create ${mode%:*}, every class" \
        "^posix_timers: pass (expected pass) \[dpor\] ${mode#*:} executions*[ ,].*exhaustive" \
        "$tmp/out"
    same_classes "timer_create ${mode%:*}, DPOR's classes" "$tests/posix_timers.c" -- ${mode%:*}
done
# What gettime and settime's old value say: the arithmetic, with the timer
# firing only when all wait (it may fire before main's look otherwise).
check "timer_gettime and settime's old value" 0 \
    "$WEFT" run --timers=idle "$tests/posix_timers.c" -- gettime
check "SIGEV_THREAD: a thread per expiry, one at a time" 0 \
    "$WEFT" run --timers=idle "$tests/posix_timers.c" -- thread
# Under the racing timers, its expiries may keep coming while main waits
# its turn: executions without end, cut, never called exhaustive.
check "SIGEV_THREAD, racing: not exhaustive" 1 \
    "$WEFT" run --max-steps 300 --time-limit 5 "$tests/posix_timers.c" -- thread
expect_grep "SIGEV_THREAD, racing: cut, said so" \
    "NOT exhaustive: executions cut at the step bound" "$tmp/out"
check "SIGEV_THREAD's lost wake-up" 1 "$WEFT" run "$tests/posix_timers.c" -- lost
expect_grep "the lost wake-up: main waits for ever" \
    '^  thread 0 "main" waits on condition "changed" (released mutex "mu")$' "$tmp/out"
# (its flag is plain memory, which DPOR does not order under --memory
# atomics: plain DFS runs 7 classes, DPOR 5; every access checked, the
# unlocked write is the data race it is)
check "SIGEV_THREAD's lost wake-up, all memory checked" 1 \
    "$WEFT" run --memory=all "$tests/posix_timers.c" -- lost
expect_grep "the flag written without the mutex" "^weft: DATA RACE in posix_timers$" "$tmp/out"
check "standard input with something to read" 0 \
    "$WEFT" run "$tests/blocking_calls.c" -- fgets </dev/null

# ---- sem_getvalue: a step ordered against the acquires ----
for s in dpor dfs; do
    check "sem_getvalue ($s)" 0 "$WEFT" run --strategy $s "$tests/sem_value.c"
    check "sem_getvalue sees both orders ($s)" 1 \
        "$WEFT" run --strategy $s --cflags=-DEXACT "$tests/sem_value.c"
    expect_grep "sem_getvalue: the other order ($s)" "assert(v == 2) failed in main" "$tmp/out"
done

# ---- the C library's state: getopt, argv and the program's streams ----
check "getopt and streams, 10,000 executions" 1 "$WEFT" run --strategy random \
    --executions 10000 "$tests/libc_state.c" -- word -v -n 3 -o "$tmp/libc.log"
expect_grep "getopt and streams: no failure in 10,000" \
    "^libc_state: UNEXPECTED no failure found (expected pass) \[random, seed 1\] 10000 executions," \
    "$tmp/out"
if [ -s "$tmp/libc.log" ]; then fail=$((fail + 1)); echo "FAIL: a stream left open was flushed"
else pass=$((pass + 1)); fi
check "getopt and streams, the output of the failing execution only" 1 \
    "$WEFT" run --strategy random --executions 10000 "$tests/libc_state.c" -- \
    word -v -n 3 -o "$tmp/libc.log" -f
expect_grep "its own output, once" "^  n=3 mainw$" "$tmp/out"

# ---- each thread its own errno and thread-local variables ----
check "errno and __thread per thread" 0 "$WEFT" run "$tests/thread_locals.c"
expect_grep "thread-locals exhaustive" "^thread_locals: pass (expected pass) \[dpor\].*exhaustive" \
    "$tmp/out"
check "errno and __thread per thread, all memory: no race on errno" 0 \
    "$WEFT" run --memory=all "$tests/thread_locals.c"

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
# Which socket is bound where and which real files exist are names the
# threads share: bind, listen, connect, a send to an address and open are
# steps on the name, so a connect before the listen (refused) and either
# thread winning a bind or an O_CREAT|O_EXCL open are explored (DPOR said
# "pass" in 16 and 1 executions before). The fixed versions run exactly
# the classes plain DFS sees, once each.
for prog in connect_before_listen:43:16:connect first_to_claim:68:12:bind; do
    pname=${prog%%:*}
    rest=${prog#*:}
    line=${rest%%:*}
    rest=${rest#*:}
    classes=${rest%%:*}
    verb=${rest#*:}
    check "$pname: the losing order" 1 "$WEFT" run "$tests/$pname.c"
    expect_grep "$pname: found" "^In thread .* at $pname.c:$line:" "$tmp/out"
    expect_grep "$pname: the step names its port" "$pname.c:[0-9]* .*$verb 127.0.0.1:4712" "$tmp/out"
    replays_identically "$pname replay"
    check "$pname: fixed" 0 "$WEFT" run --cflags=-DFIXED "$tests/$pname.c"
    expect_grep "$pname: fixed, every class" \
        "^$pname: pass (expected pass) \[dpor\] $classes executions, exhaustive" "$tmp/out"
    "$WEFT" run --strategy dfs --no-sleep-sets --cflags=-DFIXED --classes "$tmp/every" \
        "$tests/$pname.c" >/dev/null
    got=$(cut -d' ' -f2 "$tmp/every" | sort -u | wc -l)
    if [ "$got" -eq "$classes" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $pname: plain DFS sees $got classes, want $classes"; fi
done
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
# main's return is not seen, so its failure is shown where main begins
# (line 7, its brace), not at the line of the last step before it.
grep -q "^#define HAVE_LIBDW 1" "${top_builddir:-.}/config.h" 2>/dev/null &&
    expect_grep "main's return at main" '^      !   exit_status.c:7  returns 3$' "$tmp/out"
check "exit(5) after --" 1 "$WEFT" run "$tests/exit_status.c" -- 5
expect_grep "exit called, at its line" "exit_status.c:10:" "$tmp/out"
expect_grep "exit's status" "the program called exit(5)" "$tmp/out"
expect_grep "exit's row" '^      !   exit_status.c:10  exit(5)$' "$tmp/out"
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

# ---- the C library's messages: the program's stderr; err's exit its exit ----
check "warn, error, psignal, getopt" 1 "$WEFT" run "$tests/libc_messages.c"
sed -n '/^What the program wrote to standard error/,/^\*\*\*/p' "$tmp/out" >"$tmp/shown"
for said in "libc_messages.c: invalid option -- 'x'" \
    "^  libc_messages.c: worker: cannot open a.conf: No such file or directory$" \
    "^  libc_messages.c: worker: 2 retries left$" "^  libc_messages.c: worker: via vwarnx$" \
    "libc_messages.c: worker: error, status 0: Permission denied$" \
    "libc_messages.c:conf.c:7: worker: error_at_line, status 0$" "^  worker: Broken pipe$"; do
    expect_grep "kept: $said" "$said" "$tmp/shown"
done
if [ -s "$tmp/err" ]; then fail=$((fail + 1)); echo "FAIL: libc messages reached weft's stderr"
    head -5 "$tmp/err"; else pass=$((pass + 1)); fi
replays_identically "libc messages, replayed"
for call in err:3 errx:4 error:5 error_at_line:6; do
    fn=${call%:*} status=${call#*:}
    check "$fn ends the program" 1 "$WEFT" run "$tests/libc_messages.c" -- "$fn"
    expect_grep "$fn: its exit" "^  the program called $fn($status)$" "$tmp/out"
    expect_grep "$fn: its line" \
        "^In thread 1 \"worker\" at libc_messages.c:$(line_of libc_messages.c " $fn($status,"):$" \
        "$tmp/out"
done
expect_grep "error_at_line's message" "libc_messages.c:a.conf:12: unknown key$" "$tmp/out"
check "the program's own error and warn" 0 "$WEFT" run --cflags=-DOWN "$tests/libc_messages.c"

# ---- exit and return from main end the process: a step against every other ----
check "exit(0) while a thread may hold a lock: a pass" 0 \
    "$WEFT" run "$tests/exit_paths.c" -- lock
# (before the start, and after its start, lock, yield and unlock: DFS runs
# the same 5; DPOR ran 4 while it let a local step commute with the end)
expect_grep "exit against each of the thread's steps" \
    "^exit_paths: pass (expected pass) \[dpor\] 5 executions, exhaustive" "$tmp/out"
check "main returns while a thread runs: its failure found" 1 \
    "$WEFT" run "$tests/exit_paths.c" -- return
expect_grep "the thread's assert before main's return" \
    "assert(stage == 0 && \"the thread ran on until main returned\") failed in fails_late" \
    "$tmp/out"
replays_identically "exit replay, main returns"
check "a thread's exit(0) ends main's wait" 0 "$WEFT" run "$tests/exit_paths.c" -- thread
check "main's pthread_exit: the thread goes on" 1 \
    "$WEFT" run "$tests/exit_paths.c" -- main_pthread_exit
expect_grep "the thread's exit(3) after main's pthread_exit" \
    "^In thread 1 \"exits_3\" at exit_paths.c:61:" "$tmp/out"
expect_grep "main finished" "thread 0 \"main\": finished" "$tmp/out"
# The last thread to end after main's pthread_exit calls exit(0), so
# main's atexit handler runs (it never did); on_exit handlers get the
# status and their argument; _exit and quick_exit end the process without
# atexit handlers, quick_exit after at_quick_exit's (both were crashes).
check "the last thread's exit runs atexit handlers" 1 "$WEFT" run "$tests/exit_paths.c" -- last
expect_grep "the handler ran" "^  assert(!\"an atexit handler ran\") failed in never_runs$" "$tmp/out"
expect_grep "in the last thread" "exit_paths.c:[0-9]*  *end (the last thread: exit(0))$" "$tmp/out"
for mode in on_exit _exit quick; do
    check "the process ends: $mode" 0 "$WEFT" run "$tests/exit_paths.c" -- $mode
done

# ---- signal masks per thread; pthread_kill's existence check ----
# A mask change while other threads run is a step (a signal may come
# before or after it) that commutes with every step but a signal's: the
# search runs the complete executions it runs without the mask calls
# (-DNO_MASKS), DPOR's and DFS's alike (DFS's sleep sets prune more).
for s in dpor dfs; do
    for flags in "" "--cflags=-DNO_MASKS"; do
        runs="6 executions, exhaustive"
        [ $s = dfs ] && runs="6 executions + 25 pruned, exhaustive"
        [ $s = dfs ] && [ -z "$flags" ] && runs="6 executions + 42 pruned, exhaustive"
        # shellcheck disable=SC2086
        check "signal masks $flags ($s)" 0 "$WEFT" run --strategy $s $flags "$tests/sigmask.c"
        expect_grep "signal masks $flags: the same executions ($s)" \
            "^sigmask: pass (expected pass) \[$s\] $runs" "$tmp/out"
    done
    check "pthread_kill(t, 0) ($s)" 0 "$WEFT" run --strategy $s "$tests/sigmask.c" -- kill
    expect_grep "pthread_kill(t, 0): before and after the thread's end ($s)" \
        "^sigmask: pass (expected pass) \[$s\] 3 executions, exhaustive" "$tmp/out"
    check "pthread_kill(t, 0) of a detached thread ($s)" 0 \
        "$WEFT" run --strategy $s "$tests/sigmask.c" -- detached
    for claim in SAYS_LIVE:157 SAYS_GONE:160; do
        check "pthread_kill(t, 0): ${claim%:*} broken ($s)" 1 \
            "$WEFT" run --strategy $s --cflags=-D${claim%:*} "$tests/sigmask.c" -- detached
        expect_grep "pthread_kill(t, 0): ${claim%:*} at its line ($s)" \
            "^In thread 0 \"main\" at sigmask.c:${claim#*:}:" "$tmp/out"
    done
done
expect_grep "the check a step of its own" "sigmask.c:154  pthread_kill 0$" "$tmp/out"
replays_identically "pthread_kill replay"
check "signal masks, a process per execution" 0 "$WEFT" run --isolate fork "$tests/sigmask.c"

# ppoll, pselect, epoll_pwait and epoll_pwait2 wait with the mask they
# are given, swapped in as the call begins (posix/io.c, mask_in): a
# reader that unblocks SIGUSR1 only for the call is stopped by it. The
# mask was ignored: a deadlock. Unblocking around a plain poll is the race
# those calls exist to close, a deadlock still.
for mode in ppoll pselect epoll_pwait epoll_pwait2 pending; do
    check "a wait with its own mask: $mode" 0 "$WEFT" run "$tests/masked_wait.c" -- $mode
    expect_grep "a wait with its own mask: $mode, exhaustive" "^masked_wait: pass .*, exhaustive" \
        "$tmp/out"
    same_classes "a wait with its own mask: $mode, classes" "$tests/masked_wait.c" -- $mode
done
check "a wait with its own mask: unmasked around poll" 1 "$WEFT" run "$tests/masked_wait.c" -- unmasked
expect_grep "unmasked around poll: the lost signal" "^masked_wait: UNEXPECTED deadlock" "$tmp/out"
replays_identically "unmasked around poll: replay"

# ---- signals between the program's threads (posix/delivery.c) ----
# A signal thread takes SIGTERM with sigwait: every send depends on every
# step, a thread's start too (its mask may change right after it), so
# DPOR runs 10 executions, one per class, and visits plain DFS's classes.
check "a signal thread takes SIGTERM" 0 "$WEFT" run "$tests/signal_thread.c" -- shutdown
expect_grep "a signal thread takes SIGTERM: 10 executions" \
    "^signal_thread: pass (expected pass) \[dpor\] 10 executions, exhaustive" "$tmp/out"
for mode in shutdown late_mask to_thread pending nobody other interrupted choice suspend pause_race \
        eintr restart no_restart resumed nap in_join timed_restart; do
    same_classes "signal_thread $mode" "$tests/signal_thread.c" -- $mode
done
same_classes_slept "signal_thread timed, exact spins" --spin-order exact "$tests/signal_thread.c" -- timed
same_classes "signal_thread late_handler, exact spins" --spin-order exact \
    "$tests/signal_thread.c" -- late_handler
same_classes "signal_thread unblocked" "$tests/signal_thread.c" -- unblocked
# Objects made while a program runs are named by what names them, not by
# which thread started first: plain DFS counted each class twice (audit 21).
for mode in once named_sem clock; do
    same_classes "keys_by_order $mode" "$tests/keys_by_order.c" -- $mode
done
check "SIG_IGN discards a pending signal" 0 "$WEFT" run "$tests/signal_thread.c" -- ign_drops
check "sigsuspend with a mask that blocks the pending signal" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- wrong_mask
expect_grep "sigsuspend with the wrong mask: why" \
    '^  thread 0 "main" waits in sigsuspend for a signal to its handler (SIGUSR1 is pending, blocked by the mask it waits with)$' \
    "$tmp/out"
check "a handler installed after the thread that signals starts" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- late_handler
expect_grep "a handler installed late: the default action" \
    '^  SIGUSR1 is sent to thread 0 "main", which does not block it: its default action ends the process' \
    "$tmp/out"
check "a sigwait for a signal the thread does not block" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- unblocked
expect_grep "a sigwait for an unblocked SIGTERM: the process ends" \
    '^  SIGTERM is sent to the process, and thread 0 "main" does not block it: its default action ends the process' \
    "$tmp/out"
check "a worker started before the mask dies of SIGTERM" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- late_mask
expect_grep "late mask: a crash" "^weft: CRASH in signal_thread$" "$tmp/out"
expect_grep "late mask: why" \
    '^  SIGTERM is sent to the process, and thread 1 "worker" does not block it: its default action ends the process' \
    "$tmp/out"
line=$(grep -n '^    kill(getpid(), SIGTERM);' "$tests/signal_thread.c" | head -1 | cut -d: -f1)
expect_grep "late mask: the send is the step" \
    "signal_thread.c:$line .*kill SIGTERM (ends the process)$" "$tmp/out"
replays_identically "late mask replay"
check "a signal nobody sends" 1 "$WEFT" run "$tests/signal_thread.c" -- nobody
expect_grep "a signal nobody sends: the wait" \
    '^  thread 2 "waiter" waits in sigwait for SIGINT or SIGTERM$' "$tmp/out"
check "pthread_kill of the signal thread" 0 "$WEFT" run "$tests/signal_thread.c" -- to_thread
check "a sigwait takes the second signal of its set" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- second_of_set
expect_grep "the sigwait step names the signal it took" \
    "signal_thread.c:[0-9]* *sigwait SIGTERM (one of 2 waited for)$" "$tmp/out"
check "sigtimedwait in a loop" 0 "$WEFT" run "$tests/signal_thread.c" -- timed
check "a blocked raise is delivered when unblocked" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- pending
expect_grep "a blocked raise: one execution" \
    "^signal_thread: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
check "SA_RESETHAND: the second raise ends the process" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- reset
expect_grep "SA_RESETHAND: why" \
    '^  SIGUSR2 is raised in thread 0 "main", which does not block it: its default action ends the process (SA_RESETHAND put the default back when its handler last ran)$' \
    "$tmp/out"
check "an ignored signal is dropped" 0 "$WEFT" run "$tests/signal_thread.c" -- ignored
check "a handler runs in the thread a pthread_kill names" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- other
expect_grep "a handler in another thread: before or after each of its steps" \
    "^signal_thread: pass (expected pass) \[dpor\] 4 executions, exhaustive" "$tmp/out"
# A handler for a thread that waits interrupts the wait: sem_wait fails
# with EINTR, a read too unless SA_RESTART, a mutex wait goes on.
check "sem_wait interrupted, retried" 0 "$WEFT" run "$tests/signal_thread.c" -- interrupted
expect_grep "sem_wait interrupted, retried: 5 executions" \
    "^signal_thread: pass (expected pass) \[dpor\] 5 executions, exhaustive" "$tmp/out"
check "sem_wait interrupted, taken for a permit" 1 "$WEFT" run "$tests/signal_thread.c" -- eintr
expect_grep "sem_wait interrupted: the step" \
    "signal_thread.c:[0-9]* .* acquire go (interrupted by a signal)" "$tmp/out"
expect_grep "sem_wait interrupted: the assertion" "assert(sem_wait(&go) == 0) failed" "$tmp/out"
replays_identically "sem_wait interrupted replay"
check "a read goes on after a handler with SA_RESTART" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- restart
check "a read fails with EINTR after a handler without SA_RESTART" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- no_restart
expect_grep "a read without SA_RESTART: the step" \
    "signal_thread.c:[0-9]* .* read (wait) pipe_fds (interrupted by a" "$tmp/out"
check "a recv with SO_RCVTIMEO fails with EINTR after a handler, SA_RESTART or not" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- timed_restart
expect_grep "a recv with a timeout: EINTR" "assert(n == 1 || errno != EINTR) failed" "$tmp/out"
check "a mutex wait goes on after a handler" 0 "$WEFT" run "$tests/signal_thread.c" -- resumed
expect_grep "a mutex wait goes on: 3 executions" \
    "^signal_thread: pass (expected pass) \[dpor\] 3 executions, exhaustive" "$tmp/out"
check "a handler runs in a join, which goes on" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- in_join
expect_grep "a handler in a join: 5 executions" \
    "^signal_thread: pass (expected pass) \[dpor\] 5 executions, exhaustive" "$tmp/out"
check "nanosleep interrupted: EINTR and the time left" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- nap
check "a process signal two threads could take: either runs the handler" 0 \
    "$WEFT" run "$tests/signal_thread.c" -- choice
expect_grep "a process signal two threads could take: 7 executions" \
    "^signal_thread: pass (expected pass) \[dpor\] 7 executions, exhaustive" "$tmp/out"
check "sigsuspend until the handler ran" 0 "$WEFT" run "$tests/signal_thread.c" -- suspend
check "a flag tested before pause: the signal between is lost" 1 \
    "$WEFT" run "$tests/signal_thread.c" -- pause_race
expect_grep "pause race: a deadlock" "^weft: DEADLOCK in signal_thread$" "$tmp/out"
expect_grep "pause race: the wait" \
    '^  thread 0 "main" waits in pause for a signal to its handler$' "$tmp/out"
expect_grep "pause race: the handler ran between" \
    "signal_thread.c:$(grep -n '^        pthread_kill(main_thread' "$tests/signal_thread.c" |
        cut -d: -f1) .*pthread_kill SIGUSR1 (to the handler" "$tmp/out"
expect_grep "pause race: the handler's step says it is the handler's" \
    "signal_thread.c:$(grep -n '^    atomic_store(&flag, 1);' "$tests/signal_thread.c" |
        cut -d: -f1)  SIGUSR1 handler: store flag (1)$" "$tmp/out"
replays_identically "pause race replay"
check "signals, a process per execution" 0 \
    "$WEFT" run --isolate fork "$tests/signal_thread.c" -- shutdown

# Realtime signals queue, standard ones merge (POSIX). weft merged them
# all: the handler ran once for three SIGRTMIN, a sigwait loop for three
# deadlocked; and a signal that came while its handler ran stayed pending
# after the handler returned (a livelock), where Linux delivers it then.
# sigqueue and pthread_sigqueue carry their values to SA_SIGINFO handlers
# and sigwaitinfo, in order, with SI_QUEUE (they were not supported).
for mode in handler sigwait due standard ignored values codes; do
    check "realtime signals: $mode" 0 "$WEFT" run "$tests/rt_signals.c" -- $mode
done
for mode in sigwait due codes; do
    same_classes "realtime signals $mode" "$tests/rt_signals.c" -- $mode
done
# A handler that jumps out (posix/delivery.c): siglongjmp to a sigsetjmp
# that saved the mask unblocks the signal again (before, the mask stayed
# the handler's, the second raise stayed pending and the program failed an
# assertion it passes on Linux); without a saved mask it stays blocked, as
# on Linux. The jump leaves the handler: later steps are no longer labelled
# as its. A jump out of a timed sleep ends the sleep's timer: 40 such
# jumps in one execution overflowed weft's table of timers (AddressSanitizer:
# heap-buffer-overflow in sched_timer_start); so does pthread_exit in a
# handler.
for mode in saved unsaved plain; do
    check "a handler jumps out: $mode" 0 "$WEFT" run "$tests/signal_jump.c" -- $mode
    expect_grep "a handler jumps out: $mode, one execution" \
        "^signal_jump: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
done
check "a handler jumps out of a sleep" 0 "$WEFT" run "$tests/signal_jump.c" -- timed
same_classes "a handler jumps out of a sleep" "$tests/signal_jump.c" -- timed
for mode in again exit; do
    check "a handler leaves a sleep, many times: $mode" 0 "$WEFT" run --strategy random \
        --executions 300 --accept sampled:300 "$tests/signal_jump.c" -- $mode
done
check "after a jump out of a handler" 1 "$WEFT" run "$tests/signal_jump.c" -- after
expect_grep "after a jump: main's own lock" "^      4   signal_jump.c:[0-9]*  lock mu$" "$tmp/out"

# ---- objects spelled alike are told apart in reports ----
check "two mutexes spelled m[i]" 1 "$WEFT" run "$tests/same_spelling.c"
expect_grep "the first m[i] held" '^      holding mutex "m\[i\]", locked at same_spelling.c:20$' \
    "$tmp/out"
expect_grep "the second m[i] held" '^      holding mutex "m\[i\]#2", locked at same_spelling.c:30$' \
    "$tmp/out"
replays_identically "objects spelled alike, replayed"
check "three mutexes spelled m[i], a ring" 1 "$WEFT" run --cflags=-DRING "$tests/same_spelling.c"
for n in '' '#2' '#3'; do
    expect_grep "the ring's m[i]$n" "^  mutex \"m\\[i\\]$n\" by \"grab$n\", locked at same_spelling.c:" \
        "$tmp/out"
done

# ---- thread-specific data ----
check "pthread keys and their destructors" 0 "$WEFT" run "$tests/keys.c"
expect_grep "keys exhaustive" "^keys: pass (expected pass) \[dpor\].*exhaustive" "$tmp/out"

# ---- cancellation ----
for mode in cond testcancel disabled sleep sem join cleanup; do
    check "cancellation: $mode" 0 "$WEFT" run "$tests/cancel.c" -- "$mode"
    expect_grep "cancellation: $mode, every interleaving" \
        "^cancel: pass (expected pass) \[dpor\].*exhaustive" "$tmp/out"
done
check "cancellation, by dfs: cond" 0 "$WEFT" run --strategy dfs "$tests/cancel.c" -- cond
expect_grep "the request before and after each step of the waiter" \
    "^cancel: pass (expected pass) \[dfs\] 4 executions, exhaustive" "$tmp/out"
# From 8 threads the enabled sets are kept by watching: a thread parking
# where its cancellation was already requested is enabled (it was taken
# for a deadlock within 10 DPOR executions). Too many classes to finish.
check "cancellation among 9 threads" 1 \
    "$WEFT" run --strategy dpor --executions 200 "$tests/cancel_many.c"
expect_grep "cancellation among 9 threads: no false deadlock" \
    "^cancel_many: UNEXPECTED no failure found (expected pass) \[dpor\] 200 executions, NOT exhaustive" \
    "$tmp/out"
# POSIX: a thread that ends holding a (non-robust) mutex leaves it locked
# and nothing else happens (PTHREAD_MUTEX_STALLED): main's lock after the
# join waits forever, a deadlock naming the holder that returned.
check "cancelled holding a mutex, without a cleanup handler" 1 \
    "$WEFT" run "$tests/cancel.c" -- nocleanup
expect_grep "nocleanup: a deadlock" "^weft: DEADLOCK in cancel$" "$tmp/out"
expect_grep "the mutex the cancelled thread kept" \
    "held by thread 1 \"fn\", which was cancelled holding it, its cleanup handlers run (locked at cancel.c:53)" \
    "$tmp/out"
expect_grep "main's lock that waits for it" "^      -   cancel.c:129 *lock lock (blocks)$" "$tmp/out"
expect_grep "the holder's end, where it was cancelled" "^      5   cancel.c:55 *end fn (cancelled)$" "$tmp/out"
expect_grep "why nothing wakes main" \
    "^No wait-for cycle: .* (a lock's holder was cancelled without unlocking it).$" "$tmp/out"
replays_identically "cancellation replay"
check "a wait ended by a cancel, the mutex retaken" 1 "$WEFT" run "$tests/cancel_wait.c"
expect_grep "cancel_wait: a deadlock" "^weft: DEADLOCK in cancel_wait$" "$tmp/out"
expect_grep "the interrupted wake" "wake ready (interrupted)" "$tmp/out"
expect_grep "the mutex retaken after it" "^     19   cancel_wait.c:20  *lock m$" "$tmp/out"
expect_grep "the retaken mutex's holder named" \
    "held by thread 1 \"waiter\", which was cancelled holding it, its cleanup handlers run (locked at cancel_wait.c:20)" \
    "$tmp/out"

# ---- the I/O calls are cancellation points ----
# A worker waits in one call; main cancels and joins it: the request comes
# before the call (acted on at once) or while it waits (the wait ends),
# the cleanup handler runs, the join sees PTHREAD_CANCELED. "data": the
# byte main writes first is read or not; "write": a write cut by the
# cancel returns what went in, the next write is cancelled.
for mode_runs in read:3 data:7 write:3 recv:3 poll:3 ppoll:3 select:3 pselect:3 epoll:5 \
                 accept:3 sleep:8; do
    mode=${mode_runs%:*}
    check "cancelled in $mode" 0 "$WEFT" run "$tests/cancel_io.c" -- "$mode"
    expect_grep "cancelled in $mode, every interleaving" \
        "^cancel_io: pass (expected pass) \[dpor\] ${mode_runs#*:} executions, exhaustive" "$tmp/out"
done
check "a blocked read never cancelled" 1 "$WEFT" run --cflags=-DNO_CANCEL "$tests/cancel_io.c"
expect_grep "never cancelled: the read waits" \
    'thread 1 "worker" waits to read from "ends" (empty, its write end open)' "$tmp/out"
check "a cut write's count" 1 "$WEFT" run --cflags=-DCLAIM_NOTHING_WRITTEN "$tests/cancel_io.c" -- write
expect_grep "the write's wait interrupted" "cancel_io.c:[0-9]*  *write (wait) ends (interrupted)$" \
    "$tmp/out"
replays_identically "a cut write's replay"

# ---- a descriptor number closed and taken again ----
# A worker still holds the first pipe's numbers when main closes it and
# makes a second pipe, which takes them again: taking a closed number is a
# step ("reuse fd N"), and a call on a number this execution closed looks
# at it first ("use fd N"), so the stray write lands in the second pipe in
# some order (it was never explored: a false pass), the stray close closes
# the second pipe's read end under main's read, and a poll finds the number
# open, closed (POLLNVAL) or the second pipe.
check "a write through a number taken again" 1 "$WEFT" run "$tests/fd_reuse.c" -- write
expect_grep "fd reuse: the stray byte read" "^  assert(c == 'y') failed in main$" "$tmp/out"
expect_grep "fd reuse: the number taken again" "fd_reuse.c:57  reuse fd 101$" "$tmp/out"
expect_grep "fd reuse: the worker's look" "fd_reuse.c:34  *use fd 101$" "$tmp/out"
expect_grep "fd reuse: found at once" \
    "^fd_reuse: UNEXPECTED assertion (expected pass) \[dpor\] 5 executions, stopped" "$tmp/out"
replays_identically "fd reuse replay"
check "a close through a number taken again" 1 "$WEFT" run "$tests/fd_reuse.c" -- close
expect_grep "fd reuse: main's read finds the read end closed" \
    '^  assert(read(second\[0\], &c, 1) == 1) failed in main$' "$tmp/out"
expect_grep "fd reuse: the worker closed the second pipe" "fd_reuse.c:36 .*close second (read end)$" "$tmp/out"
for mode in write close poll; do
    check "fd reuse: $mode, joined first" 0 "$WEFT" run --cflags=-DFIXED "$tests/fd_reuse.c" -- $mode
    expect_grep "fd reuse: $mode, joined first, exhaustive" \
        "^fd_reuse: pass (expected pass) \[dpor\] 1 execution, exhaustive" "$tmp/out"
done
check "fd reuse: poll, every order" 0 "$WEFT" run "$tests/fd_reuse.c" -- poll
expect_grep "fd reuse: poll, every order, exhaustive" \
    "^fd_reuse: pass (expected pass) \[dpor\] 6 executions, exhaustive" "$tmp/out"
check "fd reuse: the poll that finds the number closed" 1 \
    "$WEFT" run --cflags=-DCLAIM_NEVER_CLOSED "$tests/fd_reuse.c" -- poll
expect_grep "fd reuse: the closed look" "fd_reuse.c:39  *use fd 100 (closed)$" "$tmp/out"

# ---- --isolate fork: a process per execution, the same verdicts ----
count_of() { sed -n 's/.*\] \([0-9]*\) executions*.*/\1/p' "$tmp/out"; }
for prog in lock_order_callback lost_wakeup_flag pool_shutdown; do
    for flags in "" "--cflags=-DFIXED"; do
        want=1; [ -n "$flags" ] && want=0
        # shellcheck disable=SC2086
        check "$prog $flags restored" $want "$WEFT" run $flags "$progs/$prog.c"
        restored=$(count_of)
        # shellcheck disable=SC2086
        check "$prog $flags forked" $want "$WEFT" run --isolate fork $flags "$progs/$prog.c"
        expect_grep "$prog $flags: the mode said" "a process per execution" "$tmp/out"
        if [ "$(count_of)" = "$restored" ]; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL: $prog $flags: $(count_of) forked, $restored restored"; fi
        [ $want = 1 ] && replays_identically "$prog: a failure found with --isolate fork"
    done
done
check "state the restore misses" 1 "$WEFT" run "$tests/defeats_restore.c"
check "state the restore misses, --isolate fork" 0 \
    "$WEFT" run --isolate fork "$tests/defeats_restore.c"
expect_grep "fork passes exhaustively" "^defeats_restore: pass (expected pass) \[dpor\] 2 \
executions, exhaustive (plain memory not checked, so a bug in its order may be missed: \
--memory=all checks it), a process per execution," "$tmp/out"
check "--isolate fork --strategy dfs" 0 \
    "$WEFT" run --isolate fork --strategy dfs "$tests/defeats_restore.c"
check "--isolate fork in JSON" 0 \
    "$WEFT" run --isolate fork --format json "$tests/defeats_restore.c"
expect_grep "isolation in JSON" '"isolation":"fork"' "$tmp/out"
check "--isolate fork --strategy random" 2 \
    "$WEFT" run --isolate fork --strategy random "$tests/defeats_restore.c"
expect_grep "fork's strategies said" "isolate fork takes --strategy dpor or dfs" "$tmp/err"
check "--isolate restore" 1 "$WEFT" run --isolate restore "$tests/defeats_restore.c"
check "--isolate bad" 2 "$WEFT" run --isolate forks "$tests/defeats_restore.c"
expect_grep "bad --isolate said" "isolate takes process (or restore), fork or none, not 'forks'" \
    "$tmp/err"

# ---- what weft does not model yet fails at its line ----
for call in fork vfork; do
    check "unsupported call: $call" 1 "$WEFT" run "$tests/unsupported.c" -- "${call%_create}"
    expect_grep "unsupported call named: $call" "$call is not supported by weft yet" "$tmp/out"
    expect_grep "unsupported, a result of its own: $call" \
        "^unsupported: UNEXPECTED unsupported (expected pass)" "$tmp/out"
    expect_grep "unsupported call's line: $call" "at unsupported.c:$(grep -n \
        " $call(" "$tests/unsupported.c" | cut -d: -f1):" "$tmp/out"
done

# ---- a program of two sources ----
check "two sources" 0 "$WEFT" run "$tests/two_files_lib.c" "$tests/two_files_main.c"
expect_grep "named after main's file" "^two_files_main: pass" "$tmp/out"
check "two sources, all memory: the race" 1 \
    "$WEFT" run --memory=all "$tests/two_files_main.c" "$tests/two_files_lib.c"
expect_grep "the unlocked increment races" "^weft: DATA RACE in two_files_main" "$tmp/out"
replays_identically "two sources replay"

# ---- weft cc: a project's sources, include folder and flags ----
project=$tests/cc_project
check "weft cc builds a project" 0 "$WEFT" cc -I "$project/include" -D COUNTER_THREADS=2 \
    -std=c11 -o "$tmp/counter.weft.so" "$project/src/counter.c" "$project/src/main.c"
check "weft run PROG.weft.so -- args" 0 "$WEFT" run "$tmp/counter.weft.so" -- 3
expect_grep "a built program named without .weft.so" \
    "^counter: pass (expected pass) \[dpor\] 2 executions, exhaustive" "$tmp/out"
check "weft cc, a self-deadlock" 0 "$WEFT" cc "-I$project/include" -DCOUNTER_THREADS=2 -DTWICE \
    -o "$tmp/twice.weft.so" "$project/src/main.c" "$project/src/counter.c"
check "the built program's deadlock" 1 "$WEFT" run "$tmp/twice.weft.so" -- 3
expect_grep "deadlock at the second lock" "^weft: SELF-DEADLOCK in twice\$" "$tmp/out"
expect_grep "its replay names the object and the argument" \
    "weft replay .*twice.weft.so twice --arg 3 --schedule" "$tmp/out"
replays_identically "weft cc replay"
check "weft cc --memory=all" 0 "$WEFT" cc --memory=all "-I$project/include" \
    -DCOUNTER_THREADS=2 -DUNLOCKED -o "$tmp/racy.weft.so" "$project"/src/*.c
check "the built program's race" 1 "$WEFT" run "$tmp/racy.weft.so"
expect_grep "race at the lost update" "thread 2 \"adder#2\" reads it at counter.c:10" "$tmp/out"
# Two threads of one start function are told apart in every list and column.
expect_grep "the second adder's column" "^   step   where  *main  *adder  adder#2$" "$tmp/out"
expect_grep "the second adder's spawn" "main.c:21     spawn adder#2$" "$tmp/out"
check "--memory=off on an instrumented build" 2 "$WEFT" run --memory=off "$tmp/racy.weft.so"
expect_grep "rebuild said" "racy.weft.so was built with --memory=all; to run it with --memory=off, \
build it again with 'weft cc --memory=off'" "$tmp/err"
check "weft cc without the include folder" 2 "$WEFT" cc -DCOUNTER_THREADS=2 \
    -o "$tmp/bad.weft.so" "$project/src/main.c"
expect_grep "compile error said" "could not compile" "$tmp/err"
check "weft cc without -o" 2 "$WEFT" cc "$project/src/main.c"
expect_grep "no output said" "no output named (-o PROG.weft.so)" "$tmp/err"
check "weft cc -c" 2 "$WEFT" cc -c -o "$tmp/x.o" "$project/src/main.c"
expect_grep "-c refused" "builds a whole program; it takes no -c" "$tmp/err"

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

# ---- DPOR runs every class DFS runs, where threads are cancelled and exit ----
# A cancelled waiter's wake needs no mutex: it may come before the unlock
# that DPOR took as what it waits for (was 16 classes of 24); an exit
# against a yield (was 4 of 5). tests/classes.py checks scenarios this way.
for prog_args in "cancel_signalled" "cancel_wait" "cancel" "exit_paths lock" "exit_paths thread" \
                 "join_np try" "join_np timed" "join_np clock" \
                 "peek stream" "peek dgram" "udp echo" "udp connected" \
                 "epoll added" "cancel_io read" "cancel_io data" "cancel_io write" \
                 "cancel_io epoll" "cancel_io accept" "cancel_io sleep" \
                 "fd_reuse write" "fd_reuse close" "fd_reuse poll"; do
    prog=${prog_args%% *}
    [ -f "$tests/$prog.c" ] || { fail=$((fail + 1)); echo "FAIL: no $prog.c"; continue; }
    set -- ${prog_args#"$prog"}
    for strategy in dpor dfs; do
        "$WEFT" run --quiet --strategy $strategy --classes "$tmp/classes.$strategy" \
            "$tests/$prog.c" ${1:+-- "$@"} > /dev/null 2>&1
        awk '{ print $2 }' "$tmp/classes.$strategy" | sort -u > "$tmp/set.$strategy"
    done
    if [ -s "$tmp/set.dfs" ] && cmp -s "$tmp/set.dpor" "$tmp/set.dfs"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $prog_args: DPOR's classes are not DFS's"
        diff "$tmp/set.dpor" "$tmp/set.dfs" | head -5; fi
done

# ---- the command line ----
check "program arguments without a program" 2 "$WEFT" run abba -- 1
expect_grep "arguments without a program said" "no program" "$tmp/err"
check "compile error" 2 "$WEFT" run --cflags="-include $tmp/no_such.h" "$tests/exit_status.c"
expect_grep "compile error said" "could not compile" "$tmp/err"

# ---- error numbers as glibc returns them (audit 7: F1, F2, F7, F10, F18) ----
# error_returns.c asserts each, and exits 0 natively too: EPERM for an
# unlock of a recursive mutex the thread does not hold and for a condition
# wait with an error-checking or recursive one (both failed the execution),
# EDEADLK for rdlock and wrlock by the rwlock's writer (a self-deadlock),
# -1/EOVERFLOW for sem_post at SEM_VALUE_MAX (the count wrapped), 0 for a
# timed lock of a free mutex with an invalid tv_nsec (EINVAL). A wait with
# a normal mutex not held stays misuse, the mutex named as spelled (it was
# "mutex" when the wait was its first use).
for s in dpor dfs; do
    check "error returns ($s)" 0 "$WEFT" run --strategy $s "$tests/error_returns.c"
    expect_grep "error returns, exhaustive ($s)" \
        "^error_returns: pass (expected pass) \[$s\] 1 execution, exhaustive" "$tmp/out"
done
check "a wait with a normal mutex not held" 1 \
    "$WEFT" run --cflags=-DUNOWNED_NORMAL "$tests/error_returns.c"
expect_grep "the misuse, the mutex as spelled" \
    '^  wait on condition "box.ready" without holding mutex "box.mu"$' "$tmp/out"
expect_grep "a post at the maximum keeps the count" \
    "error_returns.c:116  release s (at its maximum)$" "$tmp/out"
expect_grep "a timed lock that would wait, with a bad tv_nsec" \
    "error_returns.c:82   timedlock plain (busy: invalid deadline)$" "$tmp/out"

echo "programs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
