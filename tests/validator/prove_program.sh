#!/bin/sh
# prove_program.sh JITPROOF PROGRAM OUTDIR: `prove --all -j 2` on a real program: every block PROVED
# (no fallback-agree, unknown, counterexample or validator bug).
jp=$1; prog=$2; out=$3
[ -f "$prog" ] || { echo "FAIL: $prog missing"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
"$jp" prove --no-cache "$prog" --isa 0.7.2 --all -j 2 --no-progress --cex-dir "$out/cex" --json "$out/prove.json" > "$out/prove.txt"; rc=$?
sum=$(tail -n 1 "$out/prove.txt")
echo "$sum"
grep -v ': PROVED' "$out/prove.txt" | grep -v '^prove: ' | head -n 10
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; exit 1; }
echo "$sum" | grep -Eq '^prove: ([0-9]+) blocks: \1 proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs;' \
	|| { echo "FAIL: not every block PROVED"; exit 1; }
