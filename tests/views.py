#!/usr/bin/env python3
"""views.py -- --trace, --dot and --html, checked on every bundled failure.

For each bundled scenario that fails, `weft run NAME --trace --dot --html`
writes three files; this test checks:

  * the trace against the trace-event format (Chrome's "Trace Event
    Format", which Perfetto imports): a JSON object with traceEvents, each
    event with its required fields for its phase; complete slices (X) with
    a duration, and any B/E balanced per thread; one thread_name per
    thread of the report and no track without one; one slice per step, in
    step order on the thread that took it; flow starts and ends (s/f)
    paired by id, each inside a slice of its thread, never backwards; an
    instant marker per preemption and per thread blocked for good;
  * the graph: a digraph whose nodes are the report's threads and the
    objects they wait on, with the wait-for cycle in red; rendered by
    `dot -Tsvg` when Graphviz is installed;
  * the page: self-contained (a Content-Security-Policy that forbids the
    network, no src or href that leaves the file, no external script or
    style), with its data: the report's threads and steps, every thread's
    state after each step, as `weft explain` prints it.

And the errors: an unwritable file (exit 2, naming it), several scenarios
at once (exit 2), and a run without a failure (no file, a note).
"""
import html.parser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

WEFT = os.environ.get("WEFT", "./weft")
failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    if not ok:
        failures += 1
        print("FAIL:", what)
    return ok


def weft(*args):
    return subprocess.run([WEFT, *args], capture_output=True, text=True, errors="replace",
                          timeout=300)


# ---------------------------------------------------------------------------
# The trace-event format
# ---------------------------------------------------------------------------

REQUIRED = {
    "X": ("name", "ph", "ts", "dur", "pid", "tid"),
    "B": ("name", "ph", "ts", "pid", "tid"),
    "E": ("ph", "ts", "pid", "tid"),
    "i": ("name", "ph", "ts", "pid", "tid", "s"),
    "s": ("name", "ph", "ts", "pid", "tid", "id", "cat"),
    "f": ("name", "ph", "ts", "pid", "tid", "id", "cat"),
    "M": ("name", "ph", "pid", "args"),
}


def slices_of(events):
    """Per (pid, tid): the [start, end) of every slice, from X or B/E."""
    spans, open_ = {}, {}
    for e in events:
        key = (e["pid"], e["tid"])
        if e["ph"] == "X":
            spans.setdefault(key, []).append((e["ts"], e["ts"] + e["dur"]))
        elif e["ph"] == "B":
            open_.setdefault(key, []).append(e["ts"])
        elif e["ph"] == "E":
            if check(open_.get(key), "an E without its B on %s" % (key,)):
                spans.setdefault(key, []).append((open_[key].pop(), e["ts"]))
    for key, left in open_.items():
        check(not left, "%d B events without an E on %s" % (len(left), key))
    return spans


def inside(spans, key, ts):
    return any(a <= ts < b for a, b in spans.get(key, []))


def validate_trace(name, path, report):
    with open(path) as f:
        doc = json.load(f)
    events = doc.get("traceEvents")
    if not check(isinstance(events, list) and events, name + ": traceEvents is a list"):
        return
    for e in events:
        req = REQUIRED.get(e.get("ph"))
        if not check(req is not None, "%s: unknown phase in %r" % (name, e)):
            continue
        missing = [k for k in req if k not in e]
        check(not missing, "%s: %r lacks %s" % (name, e, missing))
        for k in ("ts", "dur"):
            if k in e:
                check(isinstance(e[k], (int, float)) and e[k] >= 0,
                      "%s: %s of %r is a number >= 0" % (name, k, e))
        if e["ph"] == "i":
            check(e["s"] in ("t", "p", "g"), "%s: instant scope of %r" % (name, e))
    # One track per thread: a thread_name for each, and no slice elsewhere.
    names = {e["tid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    check(len(names) == sum(1 for e in events if e["ph"] == "M" and e["name"] == "thread_name"),
          name + ": one thread_name per track")
    check(sorted(names.values()) == sorted(t["name"] for t in report["threads"]),
          "%s: the tracks are the threads (%s)" % (name, sorted(names.values())))
    used = {e["tid"] for e in events if e["ph"] in "XBEisf"}
    check(used <= set(names), "%s: every event is on a named thread's track" % name)
    spans = slices_of(events)
    # One slice per step, in order, on the thread that took it.
    xs = sorted((e for e in events if e["ph"] == "X"), key=lambda e: e["ts"])
    steps = report["steps"]
    check(len(xs) == len(steps), "%s: %d slices for %d steps" % (name, len(xs), len(steps)))
    for k, (e, s) in enumerate(zip(xs, steps)):
        check(names.get(e["tid"]) == report["threads"][s["thread"]]["name"] and
              e["args"]["step"] == k + 1,
              "%s: slice %d is step %d of %s" % (name, k, k + 1, s))
    for a, b in zip(xs, xs[1:]):
        check(a["ts"] + a["dur"] <= b["ts"], "%s: slices do not overlap" % name)
    # Flows: one s and one f per id, each bound to a slice of its thread.
    flows = {}
    for e in events:
        if e["ph"] in "sf":
            flows.setdefault(e["id"], []).append(e)
    for fid, pair in flows.items():
        phs = sorted(e["ph"] for e in pair)
        if not check(phs == ["f", "s"], "%s: flow %s has one start and one end" % (name, fid)):
            continue
        s = next(e for e in pair if e["ph"] == "s")
        f = next(e for e in pair if e["ph"] == "f")
        check(s["name"] == f["name"] and s["cat"] == f["cat"],
              "%s: flow %s's ends agree" % (name, fid))
        check(s["ts"] < f["ts"] and s["tid"] != f["tid"],
              "%s: flow %s goes forward to another thread" % (name, fid))
        check(inside(spans, (s["pid"], s["tid"]), s["ts"]) and
              inside(spans, (f["pid"], f["tid"]), f["ts"]),
              "%s: flow %s starts and ends inside slices" % (name, fid))
    # Markers: each preemption, each thread blocked for good.
    pre = sum(1 for s in steps if s.get("preempts"))
    check(sum(1 for e in events if e["ph"] == "i" and e["name"] == "preemption") == pre,
          "%s: %d preemption markers" % (name, pre))
    blocked = sorted(t["name"] for t in report["threads"] if t["state"] == "blocked")
    marked = sorted(names[e["tid"]] for e in events
                    if e["ph"] == "i" and e["name"] == "blocks forever")
    check(marked == blocked, "%s: blocked-forever markers %s for %s" % (name, marked, blocked))
    return flows


# ---------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------

def validate_dot(name, path, report):
    with open(path) as f:
        text = f.read()
    check(re.search(r"^digraph wait_for \{$", text, re.M) and text.rstrip().endswith("}"),
          name + ": a digraph")
    nodes = dict(re.findall(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"', text, re.M))
    edges = re.findall(r"^  (n\d+) -> (n\d+) \[(.*)\];$", text, re.M)
    for t in report["threads"]:
        check(any(v.startswith(t["name"].replace('"', '\\"') + "\\n") for v in nodes.values()),
              "%s: a node for thread %s" % (name, t["name"]))
    check(all(a in nodes and b in nodes for a, b, _ in edges), name + ": edges join nodes")
    cycle = report.get("cycle", [])
    red = [(a, b) for a, b, attrs in edges if "color=red" in attrs]
    if cycle:
        # the cycle goes thread -> (object ->) thread and closes: every red
        # node has one red edge out
        outs = {}
        for a, b in red:
            outs.setdefault(a, []).append(b)
        check(red and all(b in outs for _, b in red),
              "%s: the red edges make a closed cycle (%s)" % (name, red))
    else:
        check(not red, name + ": no cycle, nothing red")
    if shutil.which("dot"):
        r = subprocess.run(["dot", "-Tsvg", path], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0 and "<svg" in r.stdout and not r.stderr.strip(),
              "%s: dot -Tsvg draws it: %s" % (name, r.stderr.strip()))


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.external, self.csp, self.scripts = [], None, []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "action", "data", "poster"):
            if k in a and not (a[k] or "").startswith(("#", "data:")):
                self.external.append((tag, k, a[k]))
        if tag == "link":
            self.external.append((tag, "link", a.get("href")))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = a.get("content")
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def validate_html(name, path, report, explain_states):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = PageParser()
    p.feed(text)
    check(not p.external, "%s: nothing loaded from outside: %s" % (name, p.external))
    check(p.csp and "default-src 'none'" in p.csp and "http" not in p.csp,
          "%s: a CSP that forbids the network: %s" % (name, p.csp))
    check(not re.search(r"@import|url\((?!#|data:)|https?://(?!www\.w3\.org/2000/svg)", text),
          name + ": no URL in the page but the SVG namespace")
    m = re.search(r"const WEFT = (.*?);\n\nfunction el", "".join(p.scripts), re.S)
    if not check(m, name + ": the page carries its data"):
        return
    data = json.loads(m.group(1))
    check([t["name"] for t in data["threads"]] == [t["name"] for t in report["threads"]],
          name + ": the page's threads are the report's")
    check(data["nsteps"] == len(report["steps"]), name + ": the page's steps are the report's")
    check([s["op"] for s in data["steps"][:data["nsteps"]]] ==
          [s["op"] for s in report["steps"]], name + ": the same operations")
    check(data["states"] is not None and len(data["states"]) == data["nsteps"],
          name + ": a state per step")
    if explain_states is not None and data["states"]:
        check(data["states"] == explain_states,
              "%s: the states are weft explain's (first difference at step %s)" %
              (name, next((k + 1 for k, (a, b) in enumerate(zip(data["states"], explain_states))
                           if a != b), "?")))
    check("*** " in data["report"] or "weft:" in data["report"], name + ": the report's text")


def explain_states(name, schedule, nthreads):
    """Every thread's [state, detail] after each step, from weft explain's
    output: the last block of thread lines printed after step i is row i;
    threads not spawned yet are "not started"."""
    r = weft("explain", name, "--schedule", schedule)
    lines = r.stdout.split("\n\n")[1].splitlines()   # the steps, before the report
    snaps, count, prev_state = {}, 0, False
    for line in lines:
        m = re.match(r"^\s*(\d+)[* ] \S", line)
        if m:
            count, prev_state = int(m.group(1)), False
            continue
        m = re.match(r"^        \S.{15,}? (finished |running  |runnable |blocked  |failed   |"
                     r"spinning |idle     )(.*)$", line)
        if not check(m, "%s: explain prints a step or a state: %r" % (name, line)):
            continue
        if not prev_state:
            snaps[count] = []
        snaps[count].append([m.group(1).strip(), m.group(2)])
        prev_state = True
    rows = []
    for i in range(1, max(snaps) + 1 if snaps else 1):
        row = snaps.get(i, rows[-1] if rows else [])
        rows.append(row + [["not started", ""]] * (nthreads - len(row)))
    return rows


def main():
    tmp = tempfile.mkdtemp(prefix="weft-views-")
    names = [l.split()[0] for l in weft("list").stdout.splitlines() if l.split()[1] != "pass"]
    check(len(names) >= 10, "the bundled failures are listed")
    total_flows = 0
    for name in names:
        t, d, h = (os.path.join(tmp, name + ext) for ext in (".json", ".dot", ".html"))
        r = weft("run", name, "--format", "json", "--trace", t, "--dot", d, "--html", h)
        if not check(r.returncode in (0, 1) and all(os.path.exists(x) for x in (t, d, h)),
                     "%s: run wrote the three files (exit %d): %s" % (name, r.returncode,
                                                                    r.stderr)):
            continue
        report = json.loads(r.stdout)
        total_flows += len(validate_trace(name, t, report) or {})
        validate_dot(name, d, report)
        states = None
        if len(report["steps"]) <= 200:
            states = explain_states(name, report["schedule"], len(report["threads"]))
        validate_html(name, h, report, states)
        # replay and explain write the same files
        t2 = os.path.join(tmp, name + ".replay.json")
        r2 = weft("replay", name, "--schedule", report["schedule"], "--trace", t2)
        with open(t) as a, open(t2) as b:
            check(r2.returncode == r.returncode and json.load(a) == json.load(b),
                  name + ": replay --trace writes the run's trace")
    check(total_flows >= 10, "flow arrows found (%d)" % total_flows)
    odd_names(tmp)
    errors(tmp)
    shutil.rmtree(tmp)
    print("views: %d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


ODD = r"""
#include <weft.h>
static weft_mutex_t a, b;
static void one(void *arg)
{
    (void)arg;
    weft_mutex_lock(&a);
    weft_mutex_lock(&b);
    weft_mutex_unlock(&b);
    weft_mutex_unlock(&a);
}
static void two(void *arg)
{
    (void)arg;
    weft_mutex_lock(&b);
    weft_mutex_lock(&a);
    weft_mutex_unlock(&a);
    weft_mutex_unlock(&b);
}
WEFT_SCENARIO(odd, .expect = WEFT_DEADLOCK)
{
    weft_mutex_init(&a, "</script><script>alert(1)</script>", WEFT_MUTEX_NORMAL);
    weft_mutex_init(&b, "q\"uote\\back\tslash\xff\xfe", WEFT_MUTEX_NORMAL);
    weft_thread_t x = weft_spawn("<!-- \"t1\"", one, 0);
    weft_thread_t y = weft_spawn("t2 \xc3\xa9t\xc3\xa9 & </b>", two, 0);
    weft_join(x);
    weft_join(y);
}
"""


def odd_names(tmp):
    """Names with quotes, backslashes, tabs, bytes that are not UTF-8 and
    markup, in a file whose path has a space, a quote and $(...): every
    file stays valid, and the page's script cannot be ended early."""
    folder = os.path.join(tmp, "it's $(echo odd) dir")
    os.makedirs(folder)
    src = os.path.join(folder, "odd.c")
    with open(src, "w") as f:
        f.write(ODD)
    t, d, h = (os.path.join(folder, "o" + ext) for ext in (".json", ".dot", ".html"))
    r = weft("run", src, "--format", "json", "--trace", t, "--dot", d, "--html", h)
    if not check(r.returncode == 0 and all(os.path.exists(x) for x in (t, d, h)),
                 "odd names: run wrote the files (exit %d): %s" % (r.returncode, r.stderr)):
        return
    report = json.loads(r.stdout)
    validate_trace("odd", t, report)
    with open(t, encoding="utf-8") as f:
        text = f.read()
    check("\ufffd" not in text and "\\ufffd" in text, "odd: bytes that are not UTF-8 are U+FFFD")
    validate_dot("odd", d, report)
    validate_html("odd", h, report, None)
    with open(h, encoding="utf-8") as f:
        page = f.read()
    check(page.count("</script>") == 1 and page.count("<script>") == 1,
          "odd: the names cannot end or open a <script>")
    replay = json.loads(re.search(r"const WEFT = (.*?);\n\nfunction el", page, re.S).group(1))["replay"]
    check(any("it's $(echo odd) dir" in word for word in shlex.split(replay)),
          "odd: the replay command names the file as given (shell-quoted): %r" % replay)


def errors(tmp):
    r = weft("run", "abba", "--trace", os.path.join(tmp, "no/such/dir/t.json"))
    check(r.returncode == 2 and "--trace " in r.stderr and "no/such/dir/t.json" in r.stderr,
          "an unwritable --trace is an error naming it: %r" % r.stderr)
    r = weft("run", "abba", "lost_wakeup", "--html", os.path.join(tmp, "two.html"))
    check(r.returncode == 2 and "exactly one scenario" in r.stderr and
          not os.path.exists(os.path.join(tmp, "two.html")),
          "--html with two scenarios is refused: %r" % r.stderr)
    out = os.path.join(tmp, "pass.json")
    r = weft("run", "abba_fixed", "--trace", out)
    check(r.returncode == 0 and not os.path.exists(out) and "no failure found" in r.stderr,
          "a run without a failure writes no trace and says so: %r" % r.stderr)


if __name__ == "__main__":
    sys.exit(main())
