#!/bin/sh
# merge.sh JITPROOF OUTDIR: `validate --shard I/4` for I = 0..3, merged by `merge-reports`, is the
# run one machine makes: the same summary lines (times aside), the same results in the same order
# (verdict, instance, what; the details aside: sharded runs lose the twin memo's "memo:" notes), and
# JUnit and HTML reports of the whole. A missing, repeated or foreign shard and a malformed report
# are refused with one line and exit 2.
jp=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }
set -- --no-cache --opcode add_32 --opcode load_u8 --opcode branch_eq --fallback-states 20 --no-progress
"$jp" validate "$@" --json "$out/one.json" > "$out/one.txt" || fail "unsharded run: exit $?"
for i in 0 1 2 3; do
	"$jp" validate "$@" --shard $i/4 --json "$out/s$i.json" > "$out/s$i.txt" || fail "shard $i/4: exit $?"
done
# any order of the files
"$jp" merge-reports --json "$out/m.json" --junit "$out/m.xml" --html "$out/m.html" \
	"$out/s2.json" "$out/s0.json" "$out/s3.json" "$out/s1.json" > "$out/m.txt" || fail "merge: exit $?"
sed 's/ in [0-9.]* s$//' "$out/one.txt" > "$out/one.sum"
sed 's/ in [0-9.]* s$//' "$out/m.txt" > "$out/m.sum"
cmp -s "$out/one.sum" "$out/m.sum" || { diff "$out/one.sum" "$out/m.sum"; fail "summary lines differ"; }
grep -q '^validate: [1-9][0-9]* proved, 0 counterexamples' "$out/m.txt" || fail "merged summary line"
grep -q '^  GP 0.8.0: ' "$out/m.txt" || fail "merged per-revision line"
rows() { grep '"index": ' "$1" | sed 's/, "ms": [0-9.]*, "detail": ".*", "cex_file": "[^"]*"//'; }
rows "$out/one.json" > "$out/one.rows"
rows "$out/m.json" > "$out/m.rows"
[ "$(wc -l < "$out/one.rows")" -gt 400 ] || fail "too few result rows"
cmp -s "$out/one.rows" "$out/m.rows" || { diff "$out/one.rows" "$out/m.rows" | head; fail "result rows differ"; }
grep -q '"shard": \[0, 1\], "enumerated": [0-9]*, "items": [0-9]*, "merged": 4' "$out/m.json" || fail "merged run info"
grep -q '<testcase classname="validate.gp080.portable" name="branch_eq"' "$out/m.xml" || fail "merged junit"
grep -q 'failures="0" errors="0"' "$out/m.xml" || fail "merged junit counts"
grep -q 'Merged from 4 shard reports' "$out/m.html" || fail "merged html"
grep -q 'data-c="0.8.0/portable/load_u8/distinct"' "$out/m.html" || fail "merged html cell"
# the merged report is a report: merged again alone (shard 0/1), the same rows
"$jp" merge-reports --json "$out/mm.json" "$out/m.json" > /dev/null || fail "re-merge: exit $?"
rows "$out/mm.json" | cmp -s - "$out/m.rows" || fail "re-merged rows differ"

refused() { # expected-substring args...
	want=$1; shift
	msg=$("$jp" merge-reports "$@" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 2 ] && echo "$msg" | grep -qF -- "$want" || fail "merge-reports $* -> rc=$rc msg=$msg (want '$want')"
	[ "$(echo "$msg" | wc -l)" -eq 1 ] || fail "more than one line: $msg"
}
refused "shard 2/4 missing (given: 0/4, 1/4, 3/4)" "$out/s0.json" "$out/s1.json" "$out/s3.json"
refused "s1.json: shard 1/4 again" "$out/s0.json" "$out/s1.json" "$out/s1.json" "$out/s2.json" "$out/s3.json"
"$jp" validate "$@" --shard 0/2 --json "$out/h0.json" > /dev/null || fail "shard 0/2: exit $?"
refused "h0.json: shard 0/2, but" "$out/s0.json" "$out/s1.json" "$out/s2.json" "$out/s3.json" "$out/h0.json"
"$jp" validate "$@" --shard 3/4 --seed 5 --json "$out/x3.json" > /dev/null || fail "shard 3/4 --seed 5: exit $?"
refused "x3.json: its run differs from" "$out/s0.json" "$out/s1.json" "$out/s2.json" "$out/x3.json"
head -c 2000 "$out/s1.json" > "$out/cut.json"
refused "cut.json:" "$out/s0.json" "$out/cut.json" "$out/s2.json" "$out/s3.json"
"$jp" merge-reports "$out/cut.json" 2>&1 | grep -q "cut.json:[0-9]*:[0-9]*: malformed JSON" || fail "malformed: no FILE:LINE:COL"
sed 's/"verdict": "PROVED"/"verdict": "MAYBE"/' "$out/s2.json" > "$out/odd.json"
refused "odd.json:" "$out/odd.json"
"$jp" merge-reports "$out/odd.json" 2>&1 | grep -q "odd.json:[0-9]*:[0-9]*: verdict: unknown verdict 'MAYBE'" ||
	fail "bad verdict: no FILE:LINE:COL"
refused "no-such.json: cannot open" "$out/no-such.json"
refused "needs the shard reports"
echo "merge: ok"
