#!/usr/bin/env python3
"""bench_shard.py -- what splitting a search costs, and --jobs (make bench).

lock_family 4x3 (369,600 executions) with --strategy dpor: unsplit, then
cut into 2, 4 and 8 shards run one after the other. For each: executions,
CPU seconds (user + system of the weft process and its children), and for
the shards the largest shard's CPU over the mean, and its executions over
the mean (each run three times, keeping the least CPU: a shard takes a
few tenths of a second, so its CPU moves with the load; the executions do
not). Then --jobs 1 and
--jobs 2, taking turns three times: the median wall and CPU seconds, and
the CPU of the busiest searching process (read from /proc while it
runs). The wall speed-up needs two idle cores: on a shared machine the
process tree gets what the kernel gives its session (with autogroup, one
group's share however many workers it has), so the CPU share (CPU/wall)
is printed beside, and the speed-up two idle cores would give, the CPU
of --jobs 1 over the busiest --jobs 2 worker's.
"""
import itertools
import json
import os
import resource
import subprocess
import sys
import time

ARGS = ["--strategy", "dpor", "--param", "threads=4", "--param", "sections=3",
        "--format", "json", "--time-limit", "0", "lock_family"]
ROUNDS = 3


def run(weft, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([weft, "run"] + extra + ARGS, capture_output=True, text=True).stdout
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out), wall, cpu


def run_least(weft, extra):
    """run() ROUNDS times, keeping the run that took the least CPU: a shard
    takes a few tenths of a second, which other processes' bursts easily
    stretch, and the least is the best estimate of what it costs."""
    return min((run(weft, extra) for _ in range(ROUNDS)), key=lambda r: r[2])


def proc_stat(pid):
    """(parent, CPU ticks) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def run_watched(weft, extra):
    """run(), and the CPU seconds of the busiest process below weft's
    workers (each worker's searching child), sampled every 50 ms (the
    processes found by a scan of /proc every half second, so that the
    watching takes little of the CPU it measures)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.Popen([weft, "run"] + extra + ARGS, stdout=subprocess.PIPE, text=True)
    ticks, parents = {}, {}
    for n in itertools.count():
        if p.poll() is not None:
            break
        pids = os.listdir("/proc") if n % 10 == 0 else list(map(str, parents))
        for name in pids:
            st = proc_stat(int(name)) if name.isdigit() else None
            if st and (st[0] == p.pid or parents.get(st[0]) == p.pid):
                parents[int(name)], ticks[int(name)] = st
        time.sleep(0.05)
    out = p.stdout.read()
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    hz = os.sysconf("SC_CLK_TCK")
    busiest = max([t for pid, t in ticks.items() if parents[pid] != p.pid] or [0]) / hz
    return json.loads(out), wall, cpu, busiest


def main():
    weft = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "weft")
    r, wall, cpu = run_least(weft, [])
    print(f"| lock_family 4x3, dpor | executions | CPU s | largest shard / mean, CPU | "
          f"largest shard / mean, executions |")
    print(f"|---|---|---|---|---|")
    print(f"| unsplit | {r['executions']:,} | {cpu:.2f} | | |")
    for n in (2, 4, 8):
        shards = [run_least(weft, ["--shard", f"{k}/{n}"]) for k in range(n)]
        execs = sum(s[0]["executions"] for s in shards)
        cpus = [s[2] for s in shards]
        counts = [s[0]["executions"] for s in shards]
        depth = shards[0][0]["split"]["depth"]
        print(f"| {n} shards (depth {depth}) | {execs:,} | {sum(cpus):.2f} | "
              f"{max(cpus) / (sum(cpus) / n):.2f} | {max(counts) / (execs / n):.2f} |")
    print()
    # --jobs 1 and --jobs 2 take turns, ROUNDS times: on a shared machine
    # the load moves, and the median of each is less at its mercy.
    runs = {1: [], 2: []}
    load = os.getloadavg()[0]
    for _ in range(ROUNDS):
        for jobs in (1, 2):
            runs[jobs].append(run_watched(weft, ["--jobs", str(jobs)]))
    print(f"| lock_family 4x3, dpor (median of {ROUNDS}; load average {load:.1f} on "
          f"{os.cpu_count()} cores) | executions | wall s | CPU s | CPU / wall | "
          f"busiest worker's CPU s |")
    print("|---|---|---|---|---|---|")
    med = {}
    for jobs in (1, 2):
        r = runs[jobs][0][0]
        med[jobs] = [sorted(x[k] for x in runs[jobs])[ROUNDS // 2] for k in (1, 2, 3)]
        wall, cpu, busiest = med[jobs]
        what = (f" (depth {r['split']['depth']}, {r['split']['units']:,} units)"
                if jobs == 1 else "")
        print(f"| --jobs {jobs}{what} | {r['executions']:,} | {wall:.2f} | {cpu:.2f} | "
              f"{cpu / wall:.2f} | {busiest:.2f} |")
    print(f"\n--jobs 2 is {med[1][0] / med[2][0]:.2f}x as fast as --jobs 1 (wall); on two "
          f"idle cores {med[1][2] / med[2][2]:.2f}x (--jobs 1's searching CPU over the "
          f"busiest --jobs 2 worker's)")


if __name__ == "__main__":
    main()
