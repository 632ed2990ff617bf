#!/usr/bin/env python3
"""Regenerate the real weft output quoted in README.md (make readme).

A fenced block preceded by a marker line is replaced by what the command
prints now (stdout and stderr, in order), run by the shell in the build
directory:

    <!-- output: ./weft run coder_close_during_create -->
    <!-- command: ./weft replay abba --schedule $(TOKEN abba) -->

"output" quotes the output alone; "command" shows "$ COMMAND" first.
$(TOKEN name) in a command is replaced by the schedule token of
`./weft run name`, so replay examples always hold a current token.
Markers are HTML comments, which Markdown viewers do not show.

usage: readme_output.py README.md BUILD_DIR
(Summary lines hold timings, so the output differs from run to run: this
regenerates, it does not check.)
"""
import re
import subprocess
import sys

MARKER = re.compile(r"^<!-- (output|command): (.*) -->$")
TOKEN = re.compile(r"\$\(TOKEN ([A-Za-z0-9_]+)\)")


def run(cmd, cwd):
    proc = subprocess.run(cmd, shell=True, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    return proc.stdout


def token_of(name, cwd):
    out = run("./weft run %s" % name, cwd)
    m = re.search(r"--schedule (w\d+\.[A-Za-z0-9_-]+)", out)
    if not m:
        sys.exit("readme_output: ./weft run %s printed no schedule token" % name)
    return m.group(1)


def expand(cmd, cwd):
    return TOKEN.sub(lambda m: token_of(m.group(1), cwd), cmd)


def regenerate(lines, cwd):
    """The lines with every marked block rewritten, and the changed ones."""
    out, stale, i = [], [], 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = MARKER.match(line.rstrip("\n"))
        i += 1
        if not m:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit("readme_output: line %d: a marker must be followed by a "
                     "fenced block" % i)
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            sys.exit("readme_output: line %d: the block never ends" % (i + 1))
        cmd = expand(m.group(2), cwd)
        body = ("$ %s\n" % cmd if m.group(1) == "command" else "") + run(cmd, cwd)
        block = [lines[i]] + body.splitlines(keepends=True) + [lines[end]]
        if block != lines[i:end + 1]:
            stale.append("line %d: %s" % (i, m.group(2)))
        out.extend(block)
        i = end + 1
    return out, stale


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: readme_output.py README.md BUILD_DIR")
    path, cwd = sys.argv[1], sys.argv[2]
    with open(path) as f:
        lines = f.readlines()
    out, stale = regenerate(lines, cwd)
    with open(path, "w") as f:
        f.writelines(out)
    print("readme_output: %d block(s) changed" % len(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
