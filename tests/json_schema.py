#!/usr/bin/env python3
"""json_schema.py -- README's "JSON output" table against real output.

Reads the table (field, type, present, meaning) from README.md, runs weft
on scenarios that produce every field, parses every line with a strict
parser (UTF-8 and JSON both strict), and checks that each field is
documented, has its documented type, is present when the table says it
always is, and that the keys of nested objects are named in the meaning.
Run by `make check` with WEFT and top_srcdir set.
"""
import json
import os
import re
import signal
import subprocess
import sys

WEFT = os.environ.get("WEFT", "./weft")
SRC = os.environ.get("top_srcdir", ".")
TYPES = {"string": str, "integer": int, "boolean": bool, "number": (int, float),
         "object": dict, "array": list}
# Fields no run here can produce: a replay that goes otherwise is refused
# before any report (exit 2), so divergence is written only by searches
# whose re-run of a failing schedule diverged.
UNPRODUCED = {"divergence"}


def schema(readme):
    """{field: (type, present, meaning)} from the table under "JSON output"."""
    text = open(readme, encoding="utf-8").read()
    section = text.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `([a-z0-9_]+)` \| (\w+) \| (\w+) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    if len(rows) < 20:
        sys.exit("json_schema: found only %d rows in README's table" % len(rows))
    return rows


def weft(args, interrupt_after=None):
    """The JSON lines weft prints for args."""
    proc = subprocess.Popen([WEFT] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if interrupt_after is not None:
        try:
            proc.wait(interrupt_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    lines = out.decode("utf-8", errors="strict").splitlines()
    if not lines:
        sys.exit("json_schema: weft %s printed nothing" % " ".join(args))
    return [(args, json.loads(line)) for line in lines]


def corpus():
    token_of = weft(["run", "--format", "json", "abba"])[0][1]["schedule"]
    objs = []
    objs += weft(["run", "--format", "json", SRC + "/scenarios/"])
    objs += weft(["run", "--format", "json", "--memory=all", SRC + "/tests/memory/plain_store_race.c"])
    objs += weft(["run", "--format", "json", SRC + "/tests/survive/exit_in_thread.c"])
    objs += weft(["run", "--format", "json", SRC + "/tests/regress/failure_shrink_cannot_repeat.c"])
    objs += weft(["run", "--format", "json", SRC + "/scenarios/programs/timed_wait_lost_wakeup.c"])
    objs += weft(["run", "--format", "json", "--isolate", "fork", "--cflags=-DFIXED",
                  SRC + "/scenarios/programs/check_then_act.c"])
    objs += weft(["run", "--format", "json", "--strategy", "bounded", "abba"])
    objs += weft(["run", "--format", "json", "--classes", os.devnull, "abba"])
    objs += weft(["run", "--format", "json", "--strategy", "dpor", "--shard", "1/2", "abba", "abba_fixed"])
    objs += weft(["replay", "--format", "json", "abba", "--schedule", token_of])
    objs += weft(["run", "--format", "json", "--strategy", "pct", "--executions", "20",
                  "--accept", "sampled:10", "abba_fixed", "lost_wakeup_fixed"])
    objs += weft(["run", "--format", "json", "--time-limit", "0", "--strategy", "dfs",
                  "lock_family", "--param", "threads=4", "--param", "sections=4"],
                 interrupt_after=1.5)
    return objs


def keys_of(value):
    """Every key of the objects in value (an object, or an array of them)."""
    items = value if isinstance(value, list) else [value]
    return {k for item in items if isinstance(item, dict) for k in item}


def check(rows, objs):
    errors, seen = [], set()
    for args, obj in objs:
        where = "%s (weft %s)" % (obj.get("scenario"), " ".join(args[:3]))
        replay = args[0] == "replay"
        failed = obj.get("result") != "pass" and "failing" not in obj   # --classes reports none
        for field, value in obj.items():
            seen.add(field)
            if field not in rows:
                errors.append("%s: field %s is not in README's table" % (where, field))
                continue
            kind, _, meaning = rows[field]
            if not isinstance(value, TYPES[kind]) or (kind != "boolean" and isinstance(value, bool)):
                errors.append("%s: %s is %r, not a %s" % (where, field, value, kind))
            for key in keys_of(value) - {field}:
                if "`%s`" % key not in meaning and key not in rows:
                    errors.append("%s: %s has key %s, not named in README" % (where, field, key))
            nested = [v for v in (value if isinstance(value, list) else [value])
                      if isinstance(v, dict)]
            for item in nested:
                for key, inner in item.items():
                    if key == "chain" and isinstance(inner, list):
                        for frame in inner:
                            for k in frame:
                                if "`%s`" % k not in rows["chain"][2]:
                                    errors.append("%s: chain has key %s, not named" % (where, k))
        for field, (_, present, _) in rows.items():
            need = (present == "always" or (present == "runs" and not replay)
                    or (present == "failure" and failed))
            if need and field not in obj:
                errors.append("%s: %s (present: %s) is missing" % (where, field, present))
    for field in sorted(set(rows) - seen - UNPRODUCED):
        if field != "chain":          # a key inside threads and steps, checked there
            errors.append("README documents %s, which no output here has" % field)
    return errors


def main():
    rows = schema(os.path.join(SRC, "README.md"))
    objs = corpus()
    errors = check(rows, objs)
    for e in errors[:40]:
        print("FAIL: " + e)
    print("json_schema: %d objects, %d fields documented, %d errors" %
          (len(objs), len(rows), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
