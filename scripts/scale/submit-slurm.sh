#!/bin/sh
# submit-slurm.sh N OUT WEFT_ARGS... -- a split weft search on Slurm: an
# array of N shards, then a merge job that depends on all of them.
# Prints the merge job's id. Example:
#   sh scripts/scale/submit-slurm.sh 16 /shared/weft-out --strategy dpor \
#      --param threads=4 --param sections=4 lock_family
set -eu
[ $# -ge 3 ] || { echo "usage: submit-slurm.sh N OUT WEFT_ARGS..." >&2; exit 2; }
N=$1 OUT=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
rm -f "$OUT"/shard-*.json "$OUT"/merged.*
export OUT WEFT_ARGS="$*"
array=$(sbatch --parsable --array=0-$((N - 1)) --output="$OUT/shard-%a.log" \
        --export=ALL "$here/slurm-shards.sbatch")
sbatch --parsable --dependency="afterany:${array%%;*}" --output="$OUT/merge.log" \
       --export=ALL "$here/slurm-merge.sbatch"
