#!/usr/bin/env python3
"""bench_memory.py -- what --memory=all costs (make bench): the bundled fixed
scenarios compiled as files with --memory=off and --memory=all, the best of
five searches each, in microseconds per execution. Run from the build
directory (./weft); prints a Markdown table."""
import json, os, subprocess, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "."
rows = [("agentops_queue_full_fixed", SRC + "/scenarios/agentops_queue_full.c"),
        ("bounded_buffer_one_cond_fixed", SRC + "/scenarios/bounded_buffer_one_cond.c"),
        ("coder_close_during_create_fixed", SRC + "/scenarios/coder_close_during_create.c"),
        ("nng_recv_close_fixed", SRC + "/scenarios/nng_recv_close.c"),
        ("philosophers_fixed", SRC + "/scenarios/philosophers.c"),
        ("tinykv_shutdown_hang_fixed", SRC + "/scenarios/tinykv_shutdown.c"),
        ("tinykv_shutdown_spin_fixed", SRC + "/scenarios/tinykv_shutdown.c")]
print("| scenario | executions | off: µs per execution | all: µs per execution | all / off |")
print("|---|---:|---:|---:|---:|")
for name, f in rows:
    per = {}
    for m in ("off", "all"):
        best = None
        for _ in range(5):
            out = subprocess.run(["./weft", "run", "--quiet", "--format", "json", "--memory=" + m, f],
                                 capture_output=True, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                if r["scenario"] == name:
                    n = r["executions"] + r["pruned"]
                    t = r["elapsed_s"] / n * 1e6
                    best = t if best is None else min(best, t)
        per[m] = (best, n)
    print(f"| {name} | {per['off'][1]} | {per['off'][0]:.2f} | {per['all'][0]:.2f} | {per['all'][0] / per['off'][0]:.2f} |")
