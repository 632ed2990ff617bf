#!/usr/bin/env python3
"""bench_shard.py -- what splitting a search costs, and --jobs (make bench).

lock_family 4x3 (369,600 executions) with --strategy dpor: unsplit, then
cut into 2 and 4 shards run one after the other. For each: executions,
CPU seconds (user + system of the weft process and its children), and for
the shards the largest shard's CPU over the mean. Then --jobs 1 and
--jobs 2, taking turns three times: the median wall and CPU seconds (the
speed-up needs two idle cores; the load average is printed beside).
"""
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


def main():
    weft = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "weft")
    r, wall, cpu = run(weft, [])
    print(f"| lock_family 4x3, dpor | executions | CPU s | largest shard / mean |")
    print(f"|---|---|---|---|")
    print(f"| unsplit | {r['executions']:,} | {cpu:.2f} | |")
    for n in (2, 4):
        shards = [run(weft, ["--shard", f"{k}/{n}"]) for k in range(n)]
        execs = sum(s[0]["executions"] for s in shards)
        cpus = [s[2] for s in shards]
        depth = shards[0][0]["split"]["depth"]
        print(f"| {n} shards (depth {depth}) | {execs:,} | {sum(cpus):.2f} | "
              f"{max(cpus) / (sum(cpus) / n):.2f} |")
    print()
    # --jobs 1 and --jobs 2 take turns, ROUNDS times: on a shared machine
    # the load moves, and the median of each is less at its mercy.
    runs = {1: [], 2: []}
    load = os.getloadavg()[0]
    for _ in range(ROUNDS):
        for jobs in (1, 2):
            runs[jobs].append(run(weft, ["--jobs", str(jobs)]))
    print(f"| lock_family 4x3, dpor (median of {ROUNDS}; load average {load:.1f} on "
          f"{os.cpu_count()} cores) | executions | wall s | CPU s |")
    print("|---|---|---|---|")
    walls = {}
    for jobs in (1, 2):
        r = runs[jobs][0][0]
        wall = sorted(x[1] for x in runs[jobs])[ROUNDS // 2]
        cpu = sorted(x[2] for x in runs[jobs])[ROUNDS // 2]
        walls[jobs] = wall
        what = (f" (depth {r['split']['depth']}, {r['split']['units']:,} units)"
                if jobs == 1 else "")
        print(f"| --jobs {jobs}{what} | {r['executions']:,} | {wall:.2f} | {cpu:.2f} |")
    print(f"\n--jobs 2 is {walls[1] / walls[2]:.2f}x as fast as --jobs 1 (wall)")


if __name__ == "__main__":
    main()
