#!/usr/bin/env python3
"""shard.py -- a split search cut into N shards and merged is one search.

For the bundled scenarios and for generated ones (tests/classes.py's
generators), with --strategy dpor:

  * the shards of N = 1, 2, 3, 7 (make check: 2, 7; --shard K/N, the
    depth chosen for N),
    searched past failures (--classes) and joined by `weft merge`, count
    what one process running every unit of the same split counts
    (executions, pruned, cut, exhaustive), and run exactly the set of
    trace classes the unsplit search runs;
  * searched to their first failure at a fixed --split-depth, the merged
    result reports what a single run of the split search reports: the
    failure (result and schedule token), the verdict, and the counts up to
    the failure (from each shard's unit_counts);
  * split at every depth from 1 to 16, DPOR runs exactly the unsplit
    search's classes on its regression scenarios and on the timer and
    polling scenarios (DEPTHS_AGREE, under --spin-order exact);
  * `weft merge` refuses a missing shard, a duplicate, and a shard of
    another scenario or of another search (exit status 2, a message);
  * both shards of lock_family 4x3, each killed with SIGKILL at seeded
    random moments and resumed from its --checkpoint, merge to its 369,600
    executions;
  * --shard K/N --jobs 2 prints what --shard K/N prints (for weft merge);
  * a --jobs 2 --checkpoint run of lock_family 4x3, killed with SIGKILL at
    seeded random moments and resumed, ends with 369,600 executions;
  * --jobs 2 prints what --jobs 1 prints on every bundled scenario and
    every program in scenarios/programs, the elapsed time aside (text and
    JSON), with and without --keep-going.

With --strategy pct and random (split by execution number, not by tree):

  * for several seeds, the merged shards of N = 1, 2, 3, 7 (make check:
    2, 7) report what the unsharded sampled run reports: the same
    executions, the same failure and schedule token, the same verdict;
  * --jobs 2 prints what --jobs 1 prints, and --shard K/N --jobs 2 what
    --shard K/N prints;
  * weft merge refuses shards of another seed, depth, budget or strategy,
    and --split-depth is refused with them.

`make check` runs the bundled scenarios but the slow one (SLOW) and
COUNT=10 generated ones; `make check-shard` runs all of them and 200.
"""
import collections
import glob
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classes import build, scenarios  # noqa: E402

WEFT = os.environ.get("WEFT", "./weft")
FULL = os.environ.get("FULL") == "1"
SHARDS = [1, 2, 3, 7] if FULL else [2, 7]      # make check samples
FAILURE_SHARDS = [2, 3, 7] if FULL else [3]
FAILURE_DEPTH = "3"
# Left out of make check: runs 300,000 executions split (15 times its
# unsplit count). (tinykv_shutdown_spin, whose executions spun to the step
# bound, is in: they end where nothing can change what the loop polls.)
SLOW = {"tinykv_shutdown_spin_fixed"}
# Where the split search's class set is known to differ from DPOR's
# (README, Limits): polling loops under the fairness filter's fast order
# (--spin-order fast merges orders around a held-back spin, and a split
# search, which explores the top of the tree in another order, merges
# others). Their counts and failures are checked, and split_depths_agree
# checks their class sets under --spin-order exact.
CLASSES_DIFFER = {"ticker_starves_stop", "tinykv_shutdown_spin_fixed"}
# Split at every depth, these run exactly the unsplit search's classes
# (split_depths_agree): DPOR's regressions, and the scenarios whose split
# searches lost classes when a wakeup branch led into a thread the static
# top had put to sleep (its tail, other reversals merged into it, was
# dropped: stopped_timer_races_nothing split at depth 5 ran 26 of its 35
# classes, ticker_starves_stop_fixed at depth 3 2,245 of 2,326), or when
# the unit began with a choice of value, which keeps no sleep set, so the
# static top's sleepers were taken for the unit's own
# (split_unit_begins_with_a_value at depth 14: 58 of 60).
DPOR_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dpor")
DEPTHS_AGREE = ([os.path.join(DPOR_TESTS, f"{name}.c") for name in
                 ("stopped_timer_races_nothing", "split_unit_begins_with_a_value",
                  "sleeper_reads_what_the_race_writes", "sleeper_polls_later",
                  "races_again_after_the_prefix", "spin_order")]
                + ["ticker_starves_stop", "ticker_starves_stop_fixed",
                   "tinykv_shutdown_hang_fixed"])
failures = 0


def fail(msg):
    global failures
    failures += 1
    print(f"FAIL: {msg}")


def weft(args, ok=(0, 1)):
    p = subprocess.run([WEFT] + args, capture_output=True, text=True)
    if p.returncode not in ok:
        raise SystemExit(f"shard: weft {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def results(text):
    return {r["scenario"]: r for r in map(json.loads, text.splitlines())}


def classes(path):
    """Per scenario, the multiset of classes of its complete executions."""
    out = collections.defaultdict(collections.Counter)
    for line in open(path):
        words = line.split()
        out[words[0]][(words[1], len(words) > 3)] += 1
    return out


def run_shards(tmp, targets, n, extra, tag):
    """Each shard's JSON result file and classes file (when extra asks)."""
    files = []
    for k in range(n):
        out = os.path.join(tmp, f"{tag}-{n}-{k}.json")
        args = ["run", "--strategy", "dpor", "--format", "json", "--shard", f"{k}/{n}"] + extra(k)
        with open(out, "w") as f:
            f.write(weft(args + targets).stdout)
        files.append(out)
    return files


def same_classes(tmp, targets, tag):
    """Merged shards against one process running every unit of the same
    split (executions), and against the unsplit search (the class set)."""
    base_cls = os.path.join(tmp, f"{tag}-base.cls")
    weft(["run", "--strategy", "dpor", "--format", "json", "--classes", base_cls] + targets)
    want = classes(base_cls)
    for n in SHARDS:
        cls = [os.path.join(tmp, f"{tag}-{n}-{k}.cls") for k in range(n)]
        files = run_shards(tmp, targets, n, lambda k: ["--classes", cls[k]], tag)
        merged = results(weft(["merge", "--format", "json"] + files).stdout)
        one = {}
        for depth in sorted({m["split"]["depth"] for m in merged.values()}):
            got = results(weft(["run", "--strategy", "dpor", "--format", "json", "--classes",
                                os.devnull, "--split-depth", str(depth)] + targets).stdout)
            one.update({k: v for k, v in got.items() if merged[k]["split"]["depth"] == depth})
        got = collections.defaultdict(set)
        for c in cls:
            for name, counter in classes(c).items():
                got[name].update(counter)
        for name, b in one.items():
            m = merged[name]
            keys = ["executions", "pruned", "cut", "exhaustive"]
            if [m[k] for k in keys] != [b[k] for k in keys]:
                fail(f"{name}: N={n}: merged {[m[k] for k in keys]}, one process "
                     f"{[b[k] for k in keys]}")
            if got[name] != set(want[name]) and not known_to_differ(name):
                fail(f"{name}: N={n}: classes differ from the unsplit search's: "
                     f"{len(got[name] - set(want[name]))} extra, "
                     f"{len(set(want[name]) - got[name])} missing")


def known_to_differ(name):
    return name in CLASSES_DIFFER


def class_set(args):
    """The set of classes (with whether a failure stopped the execution)
    that `weft run --strategy dpor --classes` runs for one target."""
    with tempfile.NamedTemporaryFile("r", suffix=".cls") as f:
        weft(["run", "--strategy", "dpor", "--format", "json", "--classes", f.name] + args)
        return {(w[1], len(w) > 3) for w in map(str.split, f)}


def split_depths_agree():
    """Split at depths 1 to 16, DPOR runs the unsplit search's classes,
    under the exact spin order (which keeps every order fairness depends
    on)."""
    for target in DEPTHS_AGREE:
        exact = ["--spin-order", "exact"]
        want = class_set(exact + [target])
        for depth in range(1, 17):
            got = class_set(exact + ["--split-depth", str(depth), target])
            if got != want:
                fail(f"{os.path.basename(target)}: split at depth {depth}: "
                     f"{len(want - got)} classes missing, {len(got - want)} extra "
                     f"of {len(want)}")


def same_failure(tmp, targets, tag):
    """Merged shards against one run of the split search, to its first failure."""
    depth = ["--split-depth", FAILURE_DEPTH]
    one = results(weft(["run", "--strategy", "dpor", "--format", "json"] + depth
                       + targets).stdout)
    for n in FAILURE_SHARDS:
        files = run_shards(tmp, targets, n, lambda k: depth, f"{tag}-fail")
        merged = results(weft(["merge", "--format", "json"] + files).stdout)
        for name, b in one.items():
            m = merged[name]
            keys = ["result", "as_expected", "schedule", "executions", "pruned", "cut"]
            if [m.get(k) for k in keys] != [b.get(k) for k in keys]:
                fail(f"{name}: N={n}: merged {[m.get(k) for k in keys]}, one run "
                     f"{[b.get(k) for k in keys]}")


def refusals(tmp):
    """What weft merge must not join."""
    def shard(k, n, name="philosophers", more=()):
        out = os.path.join(tmp, f"refuse-{name}-{k}-{n}-{len(more)}.json")
        with open(out, "w") as f:
            f.write(weft(["run", "--strategy", "dpor", "--format", "json", "--shard",
                          f"{k}/{n}", "--split-depth", "4", name] + list(more)).stdout)
        return out
    a, b, c = shard(0, 3), shard(1, 3), shard(2, 3)
    cases = [
        ([a, c], "philosophers: 1 of its 3 shards missing: 1/3"),
        ([a, b, b, c], "philosophers: shard 1/3 is given twice"),
        ([a, shard(1, 3, "abba"), c], "is shard 1/3 of another scenario, abba"),
        ([a, shard(1, 3, more=["--max-steps", "500"]), c], "are shards of different searches"),
    ]
    for files, message in cases:
        p = weft(["merge"] + files, ok=(2,))
        if message not in p.stderr or p.stdout:
            fail(f"merge {files}: wanted '{message}' and no output, got {p.stderr!r}")
    if weft(["merge", a, b, c]).returncode != 0:
        fail("merge of all three shards did not exit 0")
    # A shard run elsewhere, where the bundled scenario's source is not
    # found (its source hash is "-"), still belongs to the search.
    elsewhere = os.path.join(tmp, "refuse-elsewhere.json")
    with open(elsewhere, "w") as f:
        subprocess.run([os.path.abspath(WEFT), "run", "--strategy", "dpor", "--format", "json",
                        "--shard", "1/3", "--split-depth", "4", "philosophers"], stdout=f,
                       cwd=tmp)
    p = weft(["merge", a, elsewhere, c])
    if p.returncode != 0:
        fail(f"merge with a shard run in another folder: {p.stderr.strip()}")


def kill_resume(tmp):
    """Each shard of lock_family 4x3, killed (SIGKILL to its process group)
    at seeded random moments and resumed from its checkpoint until it ends,
    counts what it counts uninterrupted; the merge counts 369,600."""
    rng = random.Random(12)
    args = ["run", "--strategy", "dpor", "--param", "threads=4", "--param", "sections=3",
            "--time-limit", "0", "--format", "json", "lock_family"]
    files = []
    for k in range(2):
        ck = os.path.join(tmp, f"kill-{k}.ck")
        out = os.path.join(tmp, f"kill-{k}.json")
        shard = ["--shard", f"{k}/2", "--checkpoint", ck, "--checkpoint-every", "0.1"]
        kills = 0
        while True:
            resume = ["--resume", ck] if os.path.exists(ck) else []
            with open(out, "w") as f:
                p = subprocess.Popen([WEFT] + args + shard + resume, stdout=f,
                                     start_new_session=True)
                try:
                    rc = p.wait(timeout=rng.uniform(0.3, 1.5) if kills < 5 else 600)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    kills += 1
                    continue
            if rc != 0:
                fail(f"kill test: shard {k}/2 exited {rc}")
            break
        files.append(out)
    merged = results(weft(["merge", "--format", "json"] + files).stdout)["lock_family"]
    if (merged["executions"], merged["exhaustive"]) != (369600, True):
        fail(f"kill test: {merged['executions']} executions, exhaustive {merged['exhaustive']}")


def jobs_kill_resume(tmp):
    """--jobs 2 --checkpoint DIR on lock_family 4x3, killed (SIGKILL to the
    whole process group: the supervisor, its workers and their searching
    children) at seeded random moments and resumed with --resume DIR until
    it ends: 369,600 executions, exhaustive, and the pruned count of an
    uninterrupted run. Then a failing search, resumed after it ended,
    reports the same failure."""
    rng = random.Random(21)
    args = ["run", "--strategy", "dpor", "--param", "threads=4", "--param", "sections=3",
            "--time-limit", "0", "--format", "json", "--jobs", "2", "lock_family"]
    whole = results(weft(args).stdout)["lock_family"]
    ck = os.path.join(tmp, "jobs-kill")
    out = os.path.join(tmp, "jobs-kill.json")
    kills = 0
    while True:
        more = ["--resume", ck] if kills else ["--checkpoint", ck]
        with open(out, "w") as f:
            p = subprocess.Popen([WEFT] + args + more + ["--checkpoint-every", "0.1"], stdout=f,
                                 start_new_session=True)
            try:
                rc = p.wait(timeout=rng.uniform(0.3, 1.2) if kills < 6 else 600)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                kills += 1
                continue
        break
    got = results(open(out).read())["lock_family"] if rc == 0 else {}
    keys = ["executions", "pruned", "exhaustive"]
    if rc != 0 or [got[k] for k in keys] != [369600, whole["pruned"], True]:
        fail(f"--jobs kill test: exit {rc} after {kills} kills, "
             f"{[got.get(k) for k in keys]}, wanted {[369600, whole['pruned'], True]}")
    ck = os.path.join(tmp, "jobs-fail")
    fails = [results(weft(["run", "--strategy", "dpor", "--format", "json", "--jobs", "2",
                           option, ck, "philosophers"]).stdout)["philosophers"]
             for option in ["--checkpoint", "--resume"]]
    if [f["schedule"] for f in fails] != [fails[0]["schedule"]] * 2:
        fail(f"--jobs --resume of a failing search: {[f['schedule'] for f in fails]}")


def jobs_in_shards(names):
    """--shard K/N --jobs 2 prints what --shard K/N prints (every field of
    the JSON result but elapsed_s: counts, unit marks, the failure, the
    search's name), so weft merge takes either; at the automatic depth and
    at FAILURE_DEPTH, where most searches fail."""
    def out(more):
        p = weft(["run", "--strategy", "dpor", "--format", "json"] + more + names)
        return [{k: v for k, v in r.items() if k != "elapsed_s"}
                for r in map(json.loads, p.stdout.splitlines())]
    for depth in [[], ["--split-depth", FAILURE_DEPTH]]:
        for k in range(2):
            plain, jobs = out(depth + ["--shard", f"{k}/2"]), out(depth + ["--shard", f"{k}/2",
                                                                          "--jobs", "2"])
            for a, b in zip(plain, jobs):
                if a != b:
                    diff = [x for x in set(a) | set(b) if a.get(x) != b.get(x)]
                    fail(f"{a['scenario']}: --shard {k}/2 {depth} --jobs 2 differs in {diff}")


def jobs_refusals(tmp):
    """What --jobs refuses, with a message and exit status 2."""
    other = os.path.join(tmp, "refuse-jobs-ck")
    weft(["run", "--strategy", "dpor", "--jobs", "2", "--checkpoint", other, "abba"])
    cases = [
        (["--keep-going", "abba"], "--keep-going goes with --jobs N"),
        (["--jobs", "2", "--isolate", "fork", "abba"], "does not combine with --isolate fork"),
        (["--jobs", "2", "--checkpoint", other, "--resume", other + "x", "abba"],
         "--checkpoint and --resume name one folder"),
        (["--jobs", "2", "--resume", other, "philosophers"], "made for another search"),
    ]
    for args, message in cases:
        p = weft(["run", "--strategy", "dpor"] + args, ok=(2,))
        if message not in p.stderr:
            fail(f"run {args}: wanted '{message}', got {p.stderr!r}")


def jobs_same(names, strategy="dpor"):
    """--jobs 2 prints what --jobs 1 prints, timing aside, in text and in
    JSON (every field but elapsed_s), on every scenario named; so does
    --jobs 2 --keep-going on stdout, its stderr listing the failing units
    (the lowest of them the failure reported)."""
    def out(jobs, fmt, more=()):        # no time limit: the results must not hang on it
        p = weft(["run", "--strategy", strategy, "--format", fmt, "--jobs", str(jobs),
                  "--time-limit", "0"] + list(more) + names)
        if fmt == "text":
            return re.sub(r", [0-9.]+ s \([0-9]+/s\)", ", TIME", p.stdout), p.stderr
        return [{k: v for k, v in r.items() if k != "elapsed_s"}
                for r in map(json.loads, p.stdout.splitlines())], p.stderr
    for fmt in ["text", "json"]:
        one, two = out(1, fmt)[0], out(2, fmt)[0]
        if one != two:
            if fmt == "text":
                one, two = one.splitlines(), two.splitlines()
            diff = [(a, b) for a, b in zip(one, two) if a != b]
            fail(f"{strategy}: --jobs 2 differs from --jobs 1 ({fmt}): {diff[:1]}")
    # one: --jobs 1's JSON result, from the loop's last turn
    kept, listed = out(2, "json", ["--keep-going"])
    if kept != one:
        fail(f"{strategy}: --jobs 2 --keep-going prints another result than --jobs 1")
    # Each unit is searched to its first failure, whoever searches it: the
    # list and the counts searched in all are one worker's.
    alone, listed_alone = out(1, "json", ["--keep-going"])
    if alone != one or listed_alone != listed:
        fail(f"{strategy}: --jobs 1 and --jobs 2 --keep-going differ: "
             f"{listed_alone.splitlines()[:2]} against {listed.splitlines()[:2]}")
    lowest, name = {}, None
    for line in listed.splitlines():
        head = re.match(r"weft: (\S+), --keep-going: [0-9]+ of [0-9]+ units fail", line)
        name = head.group(1) if head else name
        units = re.match(r"  \S+ in unit ([0-9, ]+)", line)
        if units and name:
            low = min(int(u) for u in units.group(1).replace(",", " ").split())
            lowest[name] = str(min(low, int(lowest.get(name, low))))
    for r in one:
        got = lowest.get(r["scenario"])
        want = str(r["split"]["failed_unit"]) if "failed_unit" in r["split"] else None
        if got != want:
            fail(f"{r['scenario']}: {strategy}: --keep-going lists unit {got} first, "
                 f"the report {want}")


SAMPLED = ["pct", "random"]
SAMPLE_SEEDS = ["1", "7", "12345"] if FULL else ["1", "7"]
SAMPLE_KEYS = ["result", "as_expected", "schedule", "executions", "pruned", "cut",
               "exhaustive"]


def sampled_same(tmp, targets, tag):
    """Merged shards of a sampled search against the unsharded run."""
    for strategy in SAMPLED:
        for seed in SAMPLE_SEEDS:
            for budget in [[], ["--executions", "5000"]] if seed == "1" else [[]]:
                common = ["run", "--strategy", strategy, "--seed", seed, "--format", "json"]
                one = results(weft(common + budget + targets).stdout)
                for n in SHARDS:
                    files = []
                    for k in range(n):
                        out = os.path.join(tmp, f"{tag}-{strategy}-{seed}-{n}-{k}.json")
                        with open(out, "w") as f:
                            f.write(weft(common + budget + ["--shard", f"{k}/{n}"]
                                         + targets).stdout)
                        files.append(out)
                    merged = results(weft(["merge", "--format", "json"] + files).stdout)
                    for name, b in one.items():
                        got = [merged[name].get(k) for k in SAMPLE_KEYS]
                        if got != [b.get(k) for k in SAMPLE_KEYS]:
                            fail(f"{name}: {strategy} seed {seed} {budget} N={n}: merged "
                                 f"{got}, unsharded {[b.get(k) for k in SAMPLE_KEYS]}")


def sampled_jobs(names):
    """--jobs 2 prints what --jobs 1 prints (sampled), and the merged
    result of --jobs is the unsharded run's; --shard K/2 --jobs 2 prints
    what --shard K/2 prints."""
    for strategy in SAMPLED:
        jobs_same(names, strategy)
        base = ["run", "--strategy", strategy, "--format", "json"]
        one = results(weft(base + names).stdout)
        two = results(weft(base + ["--jobs", "2"] + names).stdout)
        for name, b in one.items():
            if [two[name].get(k) for k in SAMPLE_KEYS] != [b.get(k) for k in SAMPLE_KEYS]:
                fail(f"{name}: {strategy} --jobs 2 differs from the unsharded run")
        for k in range(2):
            plain = weft(base + ["--shard", f"{k}/2"] + names).stdout.splitlines()
            jobs = weft(base + ["--shard", f"{k}/2", "--jobs", "2"] + names).stdout.splitlines()
            for a, b in zip(map(json.loads, plain), map(json.loads, jobs)):
                a.pop("elapsed_s", None)
                b.pop("elapsed_s", None)
                if a != b:
                    diff = [x for x in set(a) | set(b) if a.get(x) != b.get(x)]
                    fail(f"{a['scenario']}: {strategy} --shard {k}/2 --jobs 2 differs in {diff}")


def sampled_refusals(tmp):
    """Shards of different sampled searches are not merged."""
    def shard(k, strategy="pct", more=()):
        out = os.path.join(tmp, f"refuse-{strategy}-{k}-{'-'.join(more)}.json")
        with open(out, "w") as f:
            f.write(weft(["run", "--strategy", strategy, "--format", "json", "--shard",
                          f"{k}/2", "philosophers_fixed"] + list(more)).stdout)
        return out
    a = shard(0)
    cases = [
        ([a, shard(1, more=["--seed", "2"])], [" seed=1 ", " seed=2 "]),
        ([a, shard(1, more=["--depth", "2"])], [" depth=3 ", " depth=2 "]),
        ([a, shard(1, more=["--executions", "999"])], [" executions=1000", " executions=999"]),
        ([a, shard(1, "random")], ["'options pct ", "'options random "]),
        ([a, shard(1, "dpor")], ["'options pct ", "'options dpor "]),
    ]
    for files, words in cases:
        p = weft(["merge"] + files, ok=(2,))
        if ("are shards of different searches" not in p.stderr or p.stdout or
                any(w not in p.stderr for w in words)):
            fail(f"merge {files}: wanted a refusal naming {words} and no output, "
                 f"got {p.stderr!r}")
    if weft(["merge", a, shard(1)]).returncode != 1:   # a sample is never a proof
        fail("merge of both pct shards did not exit 1")
    for strategy in SAMPLED:
        p = weft(["run", "--strategy", strategy, "--split-depth", "3", "abba"], ok=(2,))
        if "is split by execution number" not in p.stderr:
            fail(f"--split-depth with {strategy}: {p.stderr!r}")
    p = weft(["run", "--strategy", "bounded", "--shard", "0/2", "abba"], ok=(2,))
    if "work with --strategy dpor, dfs, pct or random, not bounded" not in p.stderr:
        fail(f"--shard with bounded: {p.stderr!r}")


def main():
    count = int(os.environ.get("COUNT", "10"))
    names = [line.split()[0] for line in weft(["list"]).stdout.splitlines()]
    bundled = [n for n in names if FULL or n not in SLOW]
    with tempfile.TemporaryDirectory() as tmp:
        refusals(tmp)
        kill_resume(tmp)
        jobs_kill_resume(tmp)
        jobs_refusals(tmp)
        jobs_same(bundled)
        jobs_in_shards(bundled)
        programs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios",
                                "programs")
        for program in sorted(glob.glob(os.path.join(programs, "*.c"))):
            jobs_same([program])          # one program a file (a main each)
        sampled_refusals(tmp)
        sampled_jobs(bundled)
        sampled_same(tmp, bundled, "bundled")
        same_classes(tmp, bundled, "bundled")
        split_depths_agree()
        same_failure(tmp, bundled, "bundled")
        so = build(tmp, scenarios(count))
        same_classes(tmp, ["--time-limit", "20", so], "generated")
        same_failure(tmp, ["--time-limit", "20", so], "generated")
        sampled_same(tmp, [so], "generated")
    print(f"shard: {len(bundled)} bundled and {count} generated scenarios, "
          f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
