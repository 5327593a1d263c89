#!/bin/sh
# prove_vectors.sh JITPROOF VECTORS: `prove --all` on every official vector: every block PROVED.
jp=$1; dir=$2; files=0; blocks=0; bad=0
for f in "$dir"/*.json; do
  out=$("$jp" prove "$f" --all --timeout-ms 60000); rc=$?
  files=$((files + 1))
  line=$(echo "$out" | tail -n 1)
  case "$line" in
    "prove: "*" proved, 0 counterexamples, 0 unknown") n=${line#prove: }; blocks=$((blocks + ${n%% *})) ;;
    *) bad=$((bad + 1)); echo "FAIL: $f (rc=$rc): $line"; echo "$out" | grep -v ': PROVED' | head -n 5 ;;
  esac
done
echo "prove_vectors: $files vectors, $blocks blocks proved, $bad vectors with a block not proved"
[ "$files" -eq 307 ] && [ $bad -eq 0 ]
