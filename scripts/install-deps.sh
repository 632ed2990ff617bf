#!/bin/sh
# install-deps.sh -- what a fresh Debian machine needs to build and test weft.
# Run as root. Only Debian's package archive is used. valgrind brings its
# header too, so that weft registers its fiber stacks with it. slurm-wlm,
# munge and parallel are for scripts/test-scale.sh (a split search on a
# single-node Slurm and on GNU parallel).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    gcc make autoconf automake libtool pkg-config check uthash-dev libdw-dev python3 \
    valgrind slurm-wlm munge parallel >/dev/null
