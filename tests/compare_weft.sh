#!/bin/sh
# compare_weft.sh OLD NEW SRCDIR -- run two builds of weft on every bundled
# and regression scenario, under every strategy, in text and JSON, plus
# replays and explain, and compare their outputs byte for byte apart from
# timings. Used to show that a restructuring changed no behaviour (help
# texts are left out: new options are not a change of behaviour).
set -u
old=$1 new=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
same=0 differ=0

# Timings and rates are the only parts allowed to differ.
untime() { sed -e 's/, [0-9.]* s ([0-9]*\/s)//' -e 's/,"elapsed_s":[0-9.]*//'; }

compare() {   # compare LABEL ARGS...: both weft, same stdout, stderr and status
    label=$1
    shift
    "$old" "$@" >"$tmp/o.out" 2>"$tmp/o.err"; os=$?
    "$new" "$@" >"$tmp/n.out" 2>"$tmp/n.err"; ns=$?
    untime <"$tmp/o.out" >"$tmp/o"; untime <"$tmp/n.out" >"$tmp/n"
    if [ $os -eq $ns ] && cmp -s "$tmp/o" "$tmp/n" && cmp -s "$tmp/o.err" "$tmp/n.err"; then
        same=$((same + 1))
    else
        differ=$((differ + 1))
        echo "DIFFERS: $label (exit $os vs $ns)"
        diff "$tmp/o" "$tmp/n" | head -10
        diff "$tmp/o.err" "$tmp/n.err" | head -6
    fi
}

names=$("$new" list | awk '{ print $1 }')
for s in $names; do
    for strategy in auto dpor dfs bounded pct random; do
        # A budget of executions, not of time: both must stop at the same one.
        compare "$s $strategy text" run --strategy "$strategy" --executions 3000 "$s"
        compare "$s $strategy json" run --strategy "$strategy" --executions 3000 --format json "$s"
    done
    compare "$s dfs no sleep sets" run --strategy dfs --no-sleep-sets --executions 3000 --quiet "$s"
    compare "$s unshrunk" run --no-shrink "$s"
    token=$("$new" run "$s" | sed -n 's/.*--schedule \(w1\.[A-Za-z0-9_-]*\).*/\1/p' | head -1)
    if [ -n "$token" ]; then
        compare "$s replay" replay "$s" --schedule "$token"
        compare "$s replay json" replay --format json "$s" --schedule "$token"
        compare "$s explain" explain "$s" --schedule "$token"
    fi
done
for f in "$src"/tests/regress/*.c; do
    for strategy in dpor dfs auto; do
        compare "$(basename "$f") $strategy" run --strategy "$strategy" --format json "$f"
        compare "$(basename "$f") $strategy text" run --strategy "$strategy" "$f"
    done
done
compare "params" run --quiet lock_family --param threads=3 --param sections=2
compare "unread param" run --quiet abba --param nosuch=1
compare "usage" frobnicate
compare "bad strategy" run --strategy nope abba
compare "bad token" replay abba --schedule w1.AAAA
compare "wrong scenario token" replay philosophers --schedule w1.BAMAAQEBAgGEuA
echo "compare: $same same, $differ differ"
[ "$differ" -eq 0 ]
