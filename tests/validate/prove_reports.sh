#!/bin/sh
# prove_reports.sh JITPROOF CASE OUTDIR: `prove --all -j 2` prints one line per block in pc order
# and the summary with counts and times; the JSON, JUnit and HTML reports hold every block.
jp=$1; case=$2; out=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
"$jp" prove --no-cache "$case" --isa 0.7.2 --all -j 2 --no-progress --json "$out/r.json" --junit "$out/r.xml" --html "$out/r.html" \
	> "$out/r.txt" || fail "exit $?"
cat "$out/r.txt"
sum=$(tail -n 1 "$out/r.txt")
n=$(echo "$sum" | sed -n 's/^prove: \([0-9]*\) blocks: \([0-9]*\) proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs; block ms: median [0-9.]*, p99 [0-9.]*, max [0-9.]*; [0-9.]* s wall, 2 workers$/\1 \2/p')
[ -n "$n" ] || fail "summary line: $sum"
set -- $n
[ "$1" -ge 2 ] && [ "$1" = "$2" ] || fail "blocks $1, proved $2"
[ "$(grep -c ': PROVED' "$out/r.txt")" = "$1" ] || fail "one line per block"
# lines in increasing pc order
grep ': PROVED' "$out/r.txt" | sed 's/.* pc \([0-9]*\) .*/\1/' > "$out/pcs"
sort -n -c "$out/pcs" || fail "lines not in pc order"
grep -q "\"summary\": {\"blocks\": $1, \"proved\": $1, \"counterexamples\": 0" "$out/r.json" || fail "json summary"
[ "$(grep -c '"pc": ' "$out/r.json")" = "$1" ] || fail "json rows"
grep -q "tests=\"$1\" failures=\"0\" errors=\"0\"" "$out/r.xml" || fail "junit counts"
[ "$(grep -c '<testcase classname="prove" name="block@' "$out/r.xml")" = "$1" ] || fail "junit testcase per block"
[ "$(grep -c '<tr class="v0">' "$out/r.html")" = "$1" ] || fail "html row per block"
echo "prove_reports: ok"
