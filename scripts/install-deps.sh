#!/bin/sh
# install-deps.sh -- what a fresh Debian machine needs to build and test weft.
# Run as root. Only Debian's package archive is used. valgrind brings its
# header too, so that weft registers its fiber stacks with it. graphviz and
# chromium check what --dot and --html write (tests/views.py,
# tests/page_chromium.py, which fails under CI without chromium).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    gcc make autoconf automake libtool pkg-config check uthash-dev libdw-dev python3 \
    valgrind graphviz chromium >/dev/null
