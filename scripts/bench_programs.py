#!/usr/bin/env python3
"""bench_programs.py -- executions per second of a small pthread program
(make bench): tests/programs/bench_small.c under the random strategy, with
--memory=off, atomics and all, and under dfs with --isolate fork, the best
of three runs each, against the targets of issue 10. Run from the build directory (./weft); prints a
Markdown table."""
import json, subprocess, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "."
PROG = SRC + "/tests/programs/bench_small.c"
RANDOM = ["--strategy", "random", "--executions"]
# --isolate fork needs a search that saves its position: dfs over the
# program with three threads (232 executions).
RUNS = [("--memory=off", RANDOM + ["200000", "--memory=off"], 50000),
        ("--memory=atomics (the default)", RANDOM + ["200000"], 50000),
        ("--memory=all", RANDOM + ["60000", "--memory=all"], 15000),
        ("--isolate fork", ["--strategy", "dfs", "--isolate", "fork", "--cflags=-DTHREADS=3"],
         2000)]


def rate(opts):
    best = 0.0
    for _ in range(3):
        out = subprocess.run(["./weft", "run", "--quiet", "--format", "json"] + opts + [PROG],
                             capture_output=True, text=True).stdout
        r = json.loads(out.splitlines()[-1])
        n = r["executions"] + r["pruned"]
        best = max(best, n / r["elapsed_s"])
    return best


print("| bench_small.c | executions/s | target |")
print("|---|---:|---:|")
for label, opts, target in RUNS:
    print(f"| {label} | {rate(opts):,.0f} | {target:,} |")
