#!/bin/sh
# prove_vectors.sh JITPROOF VECTORS [JOBS [FILES]]: `prove --all` on every vector of a folder (JOBS
# at a time, default 2): every block of every one of the FILES programs (default 307, the w3f set;
# 354 for the GP 0.8 step vectors) must be PROVED (Z3 unsat). A FALLBACK-AGREE, unknown or
# counterexample block fails the test.
jp=$1; dir=$2; jobs=${3:-2}; want=${4:-307}; files=0; blocks=0; bad=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*.json; do echo "$f"; done |
  xargs -P "$jobs" -I{} sh -c 'n=$(basename "$2"); "$1" prove --no-cache "$2" --all --cross-check --fallback-states 200 > "$3/$n.out" 2>&1; echo $? > "$3/$n.rc"' \
    sh "$jp" {} "$tmp"
for f in "$dir"/*.json; do
  files=$((files + 1)); name=$(basename "$f")
  rc=$(cat "$tmp/$name.rc" 2>/dev/null || echo missing)
  line=$(tail -n 1 "$tmp/$name.out" 2>/dev/null)
  n=$(echo "$line" | sed -n 's/^prove: [0-9]* blocks: \([0-9]*\) proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs; .*/\1/p')
  [ "$rc" = 0 ] && [ -n "$n" ] || { bad=$((bad + 1)); echo "FAIL: $name (rc=$rc): $line"
    grep -v ': PROVED' "$tmp/$name.out" | head -n 5; continue; }
  blocks=$((blocks + n))
done
echo "prove_vectors: $files vectors, $blocks blocks proved, $bad problems"
[ "$files" -eq "$want" ] && [ $bad -eq 0 ]
