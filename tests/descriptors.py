#!/usr/bin/env python3
"""descriptors.py -- DPOR against plain DFS on pthread programs that race
calls on pipe descriptors, outcome by outcome.

Each generated program makes a pipe p and d = dup(p[0]); two or three
threads each make one call (a read of p[0] or of d, a poll of p[0] that
waits, a poll of p[0] and d with a 10 ms timeout, a write, a close of d),
while main makes two to four of: close p[0], close d, write one or two
bytes, yield; then it closes p[1], joins, and appends what every call
returned (values, errno, the byte read, revents) to the file $OUT.
Which orders of those calls are distinct is the dependence relation's
business, and a step it takes to commute when it does not is missed by
DPOR alone: plain DFS (--no-sleep-sets) runs every interleaving, so the
set of outcomes DPOR writes must equal plain DFS's. (Class hashes are not
compared: a call's look-up of its number is no step, so plain DFS tells
apart orders whose outcomes are the same: README, Limits.) An audit found
such programs where DPOR missed a read that failed with EBADF after a close
that a dup survived (8 of 21, seeds of a generator like this one).

A program that plain DFS cannot finish in TIME_LIMIT is skipped and
counted. `make check` runs the COUNT programs of SEEDS; `descriptors.py N`
runs seeds 0 to N - 1.
"""
import os
import random
import subprocess
import sys
import tempfile

COUNT = 16
TIME_LIMIT = 10
# The first 16 seeds from 0 up whose programs plain DFS finishes (seed 9's
# 190,579 executions are the most; 23,000 a second on the 2-core machine).
# Seeds 0, 5, 7, 11, 12, 16 and 17 run past 150,000 executions without
# finishing: in their place, each spent TIME_LIMIT to be skipped, on every
# machine (5 of the 16 programs make check ran, 50 of its 71 s).
SEEDS = [1, 2, 3, 4, 6, 8, 9, 10, 13, 14, 15, 18, 19, 20, 21, 22]

HEADER = r'''#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static int p[2], d = -1, r[3], e[3];
static short v[3][2];
static char c[3];
'''

THREAD_CALLS = {
    "read p": "r[%d] = read(p[0], &c[%d], 1);",
    "read d": "r[%d] = read(d, &c[%d], 1);",
    "poll p": "{ struct pollfd f[1] = { { p[0], POLLIN, 0 } }; r[%d] = poll(f, 1, -1);"
              " v[%d][0] = f[0].revents; }",
    "poll both": "{ struct pollfd f[2] = { { p[0], POLLIN, 0 }, { d, POLLIN, 0 } };"
                 " r[%d] = poll(f, 2, 10); v[%d][0] = f[0].revents; v[%d][1] = f[1].revents; }",
    "write": "r[%d] = write(p[1], \"w\", 1);",
    "close d": "r[%d] = close(d);",
}

MAIN_CALLS = ["close(p[0]);", "close(d);", "w[k++] = write(p[1], \"x\", 1);", "sched_yield();",
              "w[k++] = write(p[1], \"yz\", 2);"]


def program(seed):
    """The source of program `seed`."""
    rng = random.Random(seed)
    threads = rng.choice([2, 3])
    out = [HEADER]
    for i in range(threads):
        call = THREAD_CALLS[rng.choice(sorted(THREAD_CALLS))].replace("%d", str(i))
        out.append(f"static void *t{i}(void *a) {{ (void)a; {call} "
                   f"e[{i}] = r[{i}] < 0 ? errno : 0; return NULL; }}\n")
    out.append("int main(void)\n{\n    signal(SIGPIPE, SIG_IGN);\n"
               "    pipe(p);\n    d = dup(p[0]);\n    ssize_t w[4] = {0};\n    int k = 0;\n"
               "    pthread_t t[3];\n")
    out += [f"    pthread_create(&t[{i}], NULL, t{i}, NULL);\n" for i in range(threads)]
    out += [f"    {call}\n" for call in rng.sample(MAIN_CALLS, rng.choice([2, 3, 4]))]
    out.append("    close(p[1]);\n")
    out += [f"    pthread_join(t[{i}], NULL);\n" for i in range(threads)]
    fields = " ".join(f"t{i}=%d/%d/%c/%#x/%#x" for i in range(threads))
    values = "".join(f", r[{i}], e[{i}], c[{i}] ? c[{i}] : '-', v[{i}][0], v[{i}][1]"
                     for i in range(threads))
    out.append(f'    FILE *f = fopen(getenv("OUT"), "a");\n'
               f'    fprintf(f, "w=%zd,%zd,%zd {fields}\\n", w[0], w[1], w[2]{values});\n'
               f"    fclose(f);\n    return 0;\n}}\n")
    return "".join(out)


def outcomes(weft, source, folder, *strategy):
    """The set of outcomes of a search, or None when it was not exhaustive."""
    out = os.path.join(folder, "outcomes")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([weft, "run", "--quiet", "--time-limit", str(TIME_LIMIT), "--strategy",
                        *strategy, source], env=dict(os.environ, OUT=out),
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    with open(out) as f:
        return set(f.read().splitlines())


def main():
    weft = os.environ.get("WEFT", "./weft")
    seeds = range(int(sys.argv[1])) if len(sys.argv) > 1 else SEEDS
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            source = os.path.join(folder, f"fd{seed:03d}.c")
            with open(source, "w") as f:
                f.write(program(seed))
            every = outcomes(weft, source, folder, "dfs", "--no-sleep-sets")
            if every is None:
                skipped += 1
                continue
            got = outcomes(weft, source, folder, "dpor")
            if got == every:
                passed += 1
                continue
            failed += 1
            missing = sorted(every - (got or set()))
            print(f"FAIL: seed {seed}: DPOR " +
                  ("was not exhaustive" if got is None else
                   f"misses {len(missing)} of plain DFS's {len(every)} outcomes, e.g. "
                   f"{missing[:1]}; has {len(got - every)} of its own"))
    print(f"descriptors: {passed} passed, {failed} failed, {skipped} skipped "
          f"(plain DFS not done in {TIME_LIMIT} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
