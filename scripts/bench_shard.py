#!/usr/bin/env python3
"""bench_shard.py -- what splitting a search costs, and --jobs (make bench).

lock_family 4x3 (369,600 executions) with --strategy dpor: unsplit, then
cut into 2 and 4 shards run one after the other. For each: executions,
CPU seconds (user + system of the weft process and its children), and for
the shards the largest shard's CPU over the mean. Then --jobs 1 and
--jobs 2: wall and CPU seconds (the speed-up needs two idle cores).
"""
import json
import os
import resource
import subprocess
import sys
import time

ARGS = ["--strategy", "dpor", "--param", "threads=4", "--param", "sections=3",
        "--format", "json", "--time-limit", "0", "lock_family"]


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
    print("| lock_family 4x3, dpor | executions | wall s | CPU s |")
    print("|---|---|---|---|")
    for jobs in (1, 2):
        r, wall, cpu = run(weft, ["--jobs", str(jobs)])
        print(f"| --jobs {jobs} | {r['executions']:,} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
