#!/usr/bin/env python3
"""bench_instructions.py -- instructions per execution on small scenarios (make bench).

Wall time on a shared machine moves by 10 to 25% from run to run; the
instructions the search executes do not. Each row runs one exhaustive
search under valgrind's callgrind, counting only inside explore_run (not
the start of the process), and divides by the executions (complete plus
pruned for dfs, as the search counts them). Without valgrind it says so
and prints nothing else.
"""
import os
import re
import shutil
import subprocess
import sys

CASES = [
    ("lock_family 2x10, first 5,000", ["--param", "threads=2", "--param", "sections=10",
                                      "--executions", "5000", "lock_family"]),
    ("lock_family 2x6", ["--param", "threads=2", "--param", "sections=6", "lock_family"]),
    ("lock_family 3x2", ["--param", "threads=3", "--param", "sections=2", "lock_family"]),
    ("lock_family 4x1", ["--param", "threads=4", "--param", "sections=1", "lock_family"]),
    ("philosophers_fixed", ["philosophers_fixed"]),
    ("bounded_buffer_one_cond_fixed", ["bounded_buffer_one_cond_fixed"]),
]


def count(weft, strategy, args):
    """(executions complete, pruned, instructions) of one search."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           "--toggle-collect=explore_run", weft, "run", "--isolate", "none",
           "--time-limit", "0", "--strategy", strategy] + args
    out = subprocess.run(cmd, capture_output=True, text=True)
    text = out.stdout + out.stderr
    ir = re.search(r"Collected : (\d+)", text)
    ex = re.search(r"\] (\d+) executions(?: \+ (\d+) pruned)?", text)
    if ir is None or ex is None:
        sys.exit(f"bench_instructions: no count from {' '.join(cmd)}:\n{text}")
    return int(ex.group(1)), int(ex.group(2) or 0), int(ir.group(1))


def main():
    weft = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "weft")
    if shutil.which("valgrind") is None:
        print("(valgrind is not installed: no instruction counts)")
        return
    print("| scenario | strategy | executions | instructions per execution |")
    print("|---|---|---:|---:|")
    for strategy in ("dfs", "dpor"):
        for name, args in CASES:
            done, pruned, ir = count(weft, strategy, args)
            runs = f"{done:,}" + (f" + {pruned:,}" if pruned else "")
            print(f"| {name} | {strategy} | {runs} | {round(ir / (done + pruned)):,} |")


if __name__ == "__main__":
    main()
