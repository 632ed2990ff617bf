#!/bin/sh
# parallel-shards.sh N OUT WEFT_ARGS... -- a split weft search with GNU
# parallel: N shards over the hosts in $HOSTS (a comma-separated ssh login
# list for parallel's -S; ':' is this machine), each writing OUT/shard-K.json
# (OUT must be the same path on every host, or shared), then weft merge.
# The one-liner at its heart:
#   parallel -S host1,host2 "weft run --shard {}/$N $ARGS --format json > $OUT/shard-{}.json" \
#     ::: $(seq 0 $((N-1))); weft merge $OUT/shard-*.json
set -u
[ $# -ge 3 ] || { echo "usage: parallel-shards.sh N OUT WEFT_ARGS..." >&2; exit 2; }
N=$1 OUT=$2
shift 2
WEFT=${WEFT:-weft}
mkdir -p "$OUT"
rm -f "$OUT"/shard-*.json
# weft exits 1 for a result not as expected: still a shard; merge decides.
parallel --will-cite -S "${HOSTS:-:}" --halt never \
    "$WEFT run $* --shard {}/$N --format json > $OUT/shard-{}.json; [ \$? -le 1 ]" \
    ::: $(seq 0 $((N - 1)))
"$WEFT" merge "$OUT"/shard-*.json
