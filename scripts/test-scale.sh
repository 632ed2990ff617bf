#!/bin/sh
# test-scale.sh -- a split search run through real engines: a single-node
# Slurm (Debian's slurm-wlm: munged, slurmctld and slurmd started here as
# root, without systemd) and GNU parallel each run a 4-shard search of a
# bundled scenario with the files in scripts/scale, merge it, and must
# print the counts one process running every unit prints; GNU parallel
# also runs a 4-shard pct search, whose merge must print what one
# unsharded run prints. Run as root from
# the top of a built tree (CI: after scripts/test.sh). Every wait has a
# timeout; the daemons it started are stopped by their process ids.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
WEFT=${WEFT:-$top/weft}
ARGS="--strategy dpor --param threads=3 --param sections=2 lock_family"
N=4
work=$(mktemp -d /tmp/weft-scale.XXXXXX)
pids=""
fail() { echo "test-scale: FAIL: $*"; finish 1; }
finish() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    sleep 1
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
    exit "$1"
}
trap 'finish 1' INT TERM

install_missing() {
    command -v slurmctld >/dev/null && command -v munged >/dev/null &&
        command -v parallel >/dev/null && return 0
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq &&
        timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge parallel \
            >/dev/null
}

# wait_for SECONDS COMMAND...: until the command succeeds, or fail.
wait_for() {
    t=$1; shift
    while ! "$@" >/dev/null 2>&1; do
        t=$((t - 1))
        [ "$t" -gt 0 ] || return 1
        sleep 1
    done
}

# The numbers one process running every unit of the same split prints.
expected() {
    depth=$(sed -n 's/.*"split":{"depth":\([0-9]*\).*/\1/p' "$1" | head -1)
    # shellcheck disable=SC2086
    "$WEFT" run $ARGS --split-depth "$depth" --format json --quiet |
        sed 's/.*"executions":\([0-9]*\),"pruned":\([0-9]*\).*"exhaustive":\([a-z]*\).*/\1 \2 \3/'
}
counts() {
    sed 's/.*"executions":\([0-9]*\),"pruned":\([0-9]*\).*"exhaustive":\([a-z]*\).*/\1 \2 \3/' "$1"
}

start_slurm() {
    host=$(hostname -s)
    mkdir -p "$work/slurm/state" "$work/slurm/spool" "$work/munge"
    cp /etc/munge/munge.key "$work/munge/key" 2>/dev/null ||
        dd if=/dev/urandom of="$work/munge/key" bs=1024 count=1 2>/dev/null
    chmod 600 "$work/munge/key"
    munged -F --force --key-file="$work/munge/key" --socket="$work/munge/sock" \
        --pid-file="$work/munge/pid" --log-file="$work/munge/log" \
        --seed-file="$work/munge/seed" >"$work/munge/out" 2>&1 &
    pids="$pids $!"
    wait_for 10 test -S "$work/munge/sock" || { cat "$work/munge/out"; return 1; }
    cat >"$work/slurm/slurm.conf" <<CONF
ClusterName=weft
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
CredType=cred/munge
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
SlurmctldPort=${SLURMCTLD_PORT:-16817}
SlurmdPort=${SLURMD_PORT:-16818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$work/slurm/slurm.conf"
    slurmctld -D -f "$SLURM_CONF" >"$work/slurm/ctld.out" 2>&1 &
    pids="$pids $!"
    slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/slurm/d.out" 2>&1 &
    pids="$pids $!"
    wait_for 60 sh -c 'sinfo -h -o %T | grep -q idle'
}

run_slurm() {
    out=$work/slurm-out
    merge=$(timeout 60 sh "$top/scripts/scale/submit-slurm.sh" "$N" "$out" $ARGS) || return 1
    export WEFT   # the batch scripts run this build's weft
    wait_for 300 test -s "$out/merged.rc" || { squeue; cat "$out"/*.log; return 1; }
    [ "$(cat "$out/merged.rc")" -le 1 ] || { cat "$out/merge.log"; return 1; }
    [ "$(counts "$out/merged.json")" = "$(expected "$out/merged.json")" ] ||
        { echo "slurm: $(counts "$out/merged.json") against $(expected "$out/merged.json")"; return 1; }
    echo "test-scale: slurm: $N shards (array and merge job $merge) merge to $(counts "$out/merged.json")"
}

run_parallel() {
    out=$work/parallel-out
    timeout 300 sh "$top/scripts/scale/parallel-shards.sh" "$N" "$out" $ARGS >/dev/null ||
        return 1
    "$WEFT" merge --format json "$out"/shard-*.json >"$out/merged.json" || return 1
    [ "$(counts "$out/merged.json")" = "$(expected "$out/merged.json")" ] ||
        { echo "parallel: $(counts "$out/merged.json") against $(expected "$out/merged.json")"; return 1; }
    echo "test-scale: GNU parallel: $N shards merge to $(counts "$out/merged.json")"
}

# A sampled search, split by execution number: the merge of its shards
# prints what one unsharded run prints (the failure's result, the
# executions up to it, its schedule token).
SAMPLED="--strategy pct --seed 1 --executions 3000 philosophers"
sampled() {
    sed 's/.*"result":"\([a-z]*\)".*"executions":\([0-9]*\),"pruned":\([0-9]*\).*"schedule":"\([^"]*\)".*/\1 \2 \3 \4/' "$1"
}

run_parallel_sampled() {
    out=$work/parallel-pct
    # shellcheck disable=SC2086
    timeout 300 sh "$top/scripts/scale/parallel-shards.sh" "$N" "$out" $SAMPLED >/dev/null ||
        return 1
    "$WEFT" merge --format json "$out"/shard-*.json >"$out/merged.json" || return 1
    # shellcheck disable=SC2086
    "$WEFT" run $SAMPLED --format json >"$out/one.json"
    [ "$(sampled "$out/merged.json")" = "$(sampled "$out/one.json")" ] ||
        { echo "parallel, pct: $(sampled "$out/merged.json") against $(sampled "$out/one.json")"
          return 1; }
    echo "test-scale: GNU parallel: $N pct shards merge to the unsharded run's $(sampled "$out/one.json")"
}

export WEFT
install_missing || fail "could not install slurm-wlm, munge and parallel"
run_parallel || fail "GNU parallel"
run_parallel_sampled || fail "GNU parallel, pct"
start_slurm || { cat "$work"/slurm/*.log "$work"/slurm/*.out 2>/dev/null | tail -30;
                 fail "could not start Slurm"; }
run_slurm || { tail -20 "$work"/slurm/*.log; fail "Slurm"; }
echo "test-scale: 3 passed, 0 failed"
finish 0
