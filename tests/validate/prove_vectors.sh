#!/bin/sh
# prove_vectors.sh JITPROOF VECTORS: `prove --all` on every official vector: every block of every
# one of the 307 programs must be PROVED (Z3 unsat). A FALLBACK-AGREE, unknown or counterexample
# block fails the test.
jp=$1; dir=$2; files=0; blocks=0; bad=0
for f in "$dir"/*.json; do
  out=$("$jp" prove "$f" --all --fallback-states 200); rc=$?
  files=$((files + 1)); name=$(basename "$f")
  line=$(echo "$out" | tail -n 1)
  n=$(echo "$line" | sed -n 's/^prove: \([0-9]*\) proved, 0 counterexamples, 0 unknown, 0 fallback-agree$/\1/p')
  [ $rc -eq 0 ] && [ -n "$n" ] || { bad=$((bad + 1)); echo "FAIL: $name (rc=$rc): $line"
    echo "$out" | grep -v ': PROVED' | head -n 5; continue; }
  blocks=$((blocks + n))
done
echo "prove_vectors: $files vectors, $blocks blocks proved, $bad problems"
[ "$files" -eq 307 ] && [ $bad -eq 0 ]
