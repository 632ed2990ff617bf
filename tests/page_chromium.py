#!/usr/bin/env python3
"""page_chromium.py -- the --html page, loaded in headless Chromium.

`weft run coder_close_during_create --html` writes the page; Chromium
loads it from a file, driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-separated JSON), with
the standard library only. Checked: one column per thread and one row per
step, as the report says; hovering a step shows its operation and source
line; clicking a step (a real mouse click) shows every thread's state
after it, as `weft explain` prints it; the wait-for graph is drawn with
its cycle; no script error; and no network request at all (the page's
own file is the only request Chromium makes for it).

Skipped (exit 77) when Chromium is not installed, unless CI is set: CI
installs it (scripts/install-deps.sh), so there its absence fails.
Everything runs under a time limit: the test can never hang.

  tests/page_chromium.py --screenshot FILE   also saves a screenshot
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import views  # noqa: E402  (weft, check, explain_states)

SCENARIO = "coder_close_during_create"
CLICKED = 9                           # a step where threads differ in state
TIME_LIMIT = 90                       # seconds for the whole test


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium over --remote-debugging-pipe."""

    def __init__(self, exe, profile, log):
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def fds_3_and_4():            # in the child, before exec
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     close_fds=False, preexec_fn=fds_3_and_4)
        os.close(cmd_r)
        os.close(out_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIME_LIMIT

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.out_r], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer within %d s" % TIME_LIMIT)
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed its DevTools pipe (exit %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        for k, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(k)
        while True:
            m = self._read_message()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def close(self):
        try:
            os.write(self.cmd_w, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.proc.wait(timeout=10)
        except Exception:             # noqa: BLE001 -- it is killed below anyway
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.out_r)


def evaluate(b, session, expr):
    r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)
    if "exceptionDetails" in r:
        raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
    return r["result"].get("value")


def mouse(b, session, kind, x, y):
    params = {"type": kind, "x": x, "y": y}
    if kind != "mouseMoved":
        params.update(button="left", clickCount=1)
    b.send("Input.dispatchMouseEvent", params, session)


def row_centre(b, session, step):
    return evaluate(b, session, """(() => {
        const r = document.querySelector('#swimlane tr.step[data-step="%d"]');
        r.scrollIntoView({block: 'nearest'});
        const c = r.querySelector('td.lane.active').getBoundingClientRect();
        return [c.left + c.width / 2, c.top + c.height / 2]; })()""" % step)


def check_page(b, session, page_url, report, explained):
    check = views.check
    threads, steps = report["threads"], report["steps"]
    heads = evaluate(b, session, "[...document.querySelectorAll('#swimlane thead th.lane')]"
                                 ".map(t => t.firstChild.textContent)")
    check(heads == [t["name"] for t in threads],
          "one column per thread: %s" % heads)
    rows = evaluate(b, session, "document.querySelectorAll('#swimlane tbody tr.step').length")
    check(rows == len(steps), "%s rows for %d steps" % (rows, len(steps)))
    attempts = evaluate(b, session, "document.querySelectorAll('#swimlane tr.attempt').length")
    check(attempts == len(report.get("blocked_attempts", [])),
          "%s rows for the attempts that block" % attempts)
    cells = evaluate(b, session, "[...document.querySelectorAll('#swimlane tbody tr.step')]"
                                 ".map(r => [...r.querySelectorAll('td.lane')]"
                                 ".findIndex(c => c.textContent !== ''))")
    check(cells == [s["thread"] for s in steps], "each step in its thread's column: %s" % cells)

    # hover: the operation and its source line
    x, y = row_centre(b, session, CLICKED)
    mouse(b, session, "mouseMoved", x, y)
    tip = evaluate(b, session, "[getComputedStyle(document.getElementById('tip')).display,"
                               " document.getElementById('tip').textContent]")
    s = steps[CLICKED - 1]
    check(tip[0] == "block" and s["op"] in tip[1] and s["at"] in tip[1],
          "hovering step %d shows %r at %s: %r" % (CLICKED, s["op"], s["at"], tip))

    # click: every thread's state after the step, as weft explain prints it
    mouse(b, session, "mousePressed", x, y)
    mouse(b, session, "mouseReleased", x, y)
    shown = evaluate(b, session, "[...document.querySelectorAll('#states tbody tr')]"
                                 ".map(r => [...r.cells].map(c => c.textContent))")
    want = [[t["name"]] + explained[CLICKED - 1][k] for k, t in enumerate(threads)]
    check(shown == want, "clicking step %d shows the states %s, not %s" % (CLICKED, want, shown))
    title = evaluate(b, session, "document.getElementById('state-title').textContent")
    check(title == "Thread states after step %d" % CLICKED, "the states' title: %r" % title)
    sel = evaluate(b, session, "[...document.querySelectorAll('#swimlane tr.selected')]"
                               ".map(r => r.dataset.step)")
    check(sel == [str(CLICKED)], "the clicked row is selected: %s" % sel)
    check(evaluate(b, session, "location.hash") == "#step=%d" % CLICKED, "the address names it")

    # the wait-for graph, its cycle in red
    graph = evaluate(b, session, """(() => {
        const g = document.querySelector('#graph svg');
        return g && [g.querySelectorAll('.node-thread').length,
                     g.querySelectorAll('.node-thread.cycle').length,
                     g.querySelectorAll('.edge.cycle').length]; })()""")
    ncycle = len(report["cycle"]) - 1
    check(graph and graph[0] == len(threads) and graph[1] == ncycle and graph[2] >= ncycle,
          "the graph: %d threads, %d on the cycle: %s" % (len(threads), ncycle, graph))


def main():
    exe = find_chromium()
    ci = os.environ.get("CI", "") not in ("", "0", "false")
    if exe is None:
        if ci:
            print("FAIL: chromium is not installed, and CI is set (scripts/install-deps.sh "
                  "installs it)")
            return 1
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs it)")
        return 77
    screenshot = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--screenshot" else None
    tmp = tempfile.mkdtemp(prefix="weft-page-")
    page = os.path.join(tmp, "page.html")
    r = views.weft("run", SCENARIO, "--format", "json", "--html", page)
    if not views.check(r.returncode == 0 and os.path.exists(page),
                       "weft wrote the page: %s" % r.stderr):
        return 1
    report = json.loads(r.stdout)
    explained = views.explain_states(SCENARIO, report["schedule"], len(report["threads"]))
    url = "file://" + page
    with open(os.path.join(tmp, "chromium.log"), "w") as log:
        b = Browser(exe, os.path.join(tmp, "profile"), log)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = b.send("Target.attachToTarget",
                             {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Network", "Page", "Runtime", "Log"):
                b.send(domain + ".enable", {}, session)
            b.send("Emulation.setDeviceMetricsOverride",
                   {"width": 1500, "height": 940, "deviceScaleFactor": 1, "mobile": False},
                   session)
            b.send("Page.navigate", {"url": url}, session)
            b.wait_event("Page.loadEventFired")
            check_page(b, session, url, report, explained)
            if screenshot:            # step 9 selected, the last step hovered
                evaluate(b, session, "window.scrollTo(0, 0); document.getElementById("
                                     "'lanes-wrap').scrollTo(0, 0); 0")
                mouse(b, session, "mouseMoved", *row_centre(b, session, len(report["steps"])))
                png = b.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
                with open(screenshot, "wb") as f:
                    f.write(base64.b64decode(png))
                print("screenshot:", screenshot)
            b.send("Runtime.evaluate", {"expression": "1"}, session)   # drain events
        except (TimeoutError, EOFError, RuntimeError, OSError) as e:
            views.check(False, "driving Chromium: %s (log: %s)" % (e, log.name))
            b.close()
            return 1
        b.close()
    requests = [e["params"]["request"]["url"] for e in b.events
                if e.get("method") == "Network.requestWillBeSent"]
    views.check(requests and all(u == url for u in requests),
                "the page's file is the only request: %s" % requests)
    errors = [e["params"] for e in b.events
              if e.get("method") in ("Runtime.exceptionThrown", "Log.entryAdded") and
              (e["method"] == "Runtime.exceptionThrown" or
               e["params"]["entry"].get("level") == "error")]
    views.check(not errors, "no script error or blocked load: %s" % errors)
    shutil.rmtree(tmp, ignore_errors=True)
    print("page_chromium: %d checks, %d failed" % (views.checks, views.failures))
    return 1 if views.failures else 0


if __name__ == "__main__":
    sys.exit(main())
