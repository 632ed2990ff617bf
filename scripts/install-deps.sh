#!/bin/sh
# install-deps.sh -- what a fresh Debian machine needs to build and test weft.
# Run as root. Only Debian's package archive is used. valgrind brings its
# header too, so that weft registers its fiber stacks with it. graphviz and
# chromium check what --dot and --html write (tests/views.py,
# tests/page_chromium.py, which fails under CI without chromium).
# tests/ci.sh validates JUnit with xmllint (libxml2-utils), TAP with prove
# (perl), and renders the man pages with man (man-db).
# slurm-wlm, munge and parallel are for scripts/test-scale.sh (a split
# search on a single-node Slurm and on GNU parallel).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    gcc make autoconf automake libtool pkg-config check uthash-dev libdw-dev python3 \
    valgrind graphviz chromium libxml2-utils perl man-db slurm-wlm munge parallel >/dev/null
