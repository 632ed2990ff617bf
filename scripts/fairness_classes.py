#!/usr/bin/env python3
"""fairness_classes.py -- how many classes sleep sets and DPOR lose to fairness.

The fairness rule (sched.c) holds a spinning thread back by what the
execution did so far, so the set of fair executions is not closed under
reordering independent steps, which sleep sets and DPOR assume. This
measures the gap: it generates small programs of 2 or 3 threads that poll
flags in `while (...) weft_yield();` loops, set flags, take a lock and
yield, and counts the classes (`weft run --classes`) that DFS without sleep
sets finds, against DFS with sleep sets and DPOR, with --spin-order fast
(the default: they may merge orders around a held-back spin, and say so)
and exact (they order each spin with every step). A program whose DFS
without sleep sets does not finish within its time limit is skipped.

    python3 scripts/fairness_classes.py [COUNT [FIRST]]   (default 80 from 1;
                                  from 1000 on, threads may spin without yielding)
    python3 scripts/fairness_classes.py --check SEED...   (a test: exact only)

It prints each program that differs and a summary; exit status 0 (this is
a measurement: the fast order's gap is a known limit, README "Limits";
tests/cli.sh checks the exact order on programs that showed the gap).
"""
import os
import random
import subprocess
import sys
import tempfile

WEFT = os.environ.get("WEFT", "./weft")
# Seeds from here on make programs whose threads may also spin without
# yielding (`while (...) ;`), ended by the poll that comes again.
SPIN_SEEDS = 1000


def program(seed):
    """A polling program: 2 or 3 threads of 1 to 3 actions each."""
    rng = random.Random(seed)
    nthreads = rng.randint(2, 3)
    out = ["#include <weft.h>",
           "struct st { weft_atomic_t flag[2]; weft_mutex_t m; int c; };"]
    actions = {
        "poll": "while (weft_atomic_load(&s->flag[{f}]) == 0) weft_yield();",
        "set": "weft_atomic_store(&s->flag[{f}], 1);",
        "lock": "weft_mutex_lock(&s->m); s->c++; weft_mutex_unlock(&s->m);",
        "yield": "weft_yield();",
    }
    if seed >= SPIN_SEEDS:            # the second family: loops that do not yield
        actions["spin"] = "while (weft_atomic_load(&s->flag[{f}]) == 0) ;"
    for t in range(nthreads):
        body = [actions[rng.choice(list(actions))].format(f=rng.randint(0, 1))
                for _ in range(rng.randint(1, 3))]
        out.append(f"static void th{t}(void *p) {{ struct st *s = p; {' '.join(body)} }}")
    out += ['WEFT_SCENARIO(fair, .summary = "polling", .expect = WEFT_PASS) {',
            "    struct st *s = weft_calloc(1, sizeof *s);",
            '    weft_atomic_init(&s->flag[0], "f0", 0); weft_atomic_init(&s->flag[1], "f1", 0);',
            '    weft_mutex_init(&s->m, "m", WEFT_MUTEX_NORMAL);',
            "    weft_atomic_store(&s->flag[1], 1);"]
    out += [f'    weft_thread_t t{t} = weft_spawn("th{t}", th{t}, s);' for t in range(nthreads)]
    out.append("    weft_atomic_store(&s->flag[0], 1);")
    out += [f"    weft_join(t{t});" for t in range(nthreads)]
    out.append("}")
    return "\n".join(out) + "\n"


def classes(path, tmp, *strategy):
    """The set of classes one search finds, or None if it did not finish."""
    out = os.path.join(tmp, "classes")
    p = subprocess.run([WEFT, "run", "--quiet", "--time-limit", "20", "--strategy", *strategy,
                        "--classes", out, path], capture_output=True, text=True)
    if p.returncode == 2 or "NOT exhaustive" in p.stdout:
        return None
    with open(out) as f:
        return {line.split()[1] for line in f}


def check(seeds):
    """The test (tests/cli.sh): on each seed's program, DFS with sleep sets
    and DPOR under --spin-order exact find exactly the classes of plain DFS.
    Exit status 1 if one differs or a search does not finish."""
    wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            path = os.path.join(tmp, f"fair{seed}.c")
            with open(path, "w") as f:
                f.write(program(seed))
            every = classes(path, tmp, "dfs", "--no-sleep-sets")
            for strategy in ("dfs", "dpor"):
                found = classes(path, tmp, strategy, "--spin-order", "exact")
                if every is None or found != every:
                    wrong += 1
                    print(f"seed {seed}: {strategy} --spin-order exact found "
                          f"{len(found or ())} classes, plain DFS {len(every or ())}")
    print(f"fairness classes, --spin-order exact: {len(seeds)} programs, {wrong} differ")
    return 1 if wrong else 0


def main():
    if sys.argv[1:2] == ["--check"]:
        return check([int(a) for a in sys.argv[2:]])
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    orders = ("fast", "exact")
    same = {o: 0 for o in orders}
    differ = {o: 0 for o in orders}
    skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(first, first + count):
            path = os.path.join(tmp, f"fair{seed}.c")
            with open(path, "w") as f:
                f.write(program(seed))
            every = classes(path, tmp, "dfs", "--no-sleep-sets")
            if every is None:
                skipped += 1
                continue
            for order in orders:
                found = [classes(path, tmp, strategy, "--spin-order", order)
                         for strategy in ("dfs", "dpor")]
                if all(f == every for f in found):
                    same[order] += 1
                    continue
                differ[order] += 1
                print(f"seed {seed} (--spin-order {order}): {len(every)} fair classes, "
                      f"DFS with sleep sets {len(found[0] or ())}, DPOR {len(found[1] or ())}")
    for order in orders:
        print(f"fairness classes, --spin-order {order}: {same[order]} agree, "
              f"{differ[order]} lose classes, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
