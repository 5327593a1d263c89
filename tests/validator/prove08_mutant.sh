#!/bin/sh
# tests/validator/prove08_mutant.sh JPM JP MUTANT VECTOR DIR: on a GP 0.8 program, `prove --all`
# with MUTANT must find a counterexample (exit 1) and write it as a GP 0.8 step vector that
# diverges when replayed with the mutant (exit 1) and passes on the real interpreter.
jpm=$1 jp=$2 name=$3 vec=$4 dir=$5
rm -rf "$dir"
out=$("$jpm" prove --no-cache "$vec" --all --mutant "$name" --cex-dir "$dir")
rc=$?
echo "$out"
[ $rc -eq 1 ] || { echo "FAIL: prove exited $rc, expected 1 (survivor?)"; exit 1; }
echo "$out" | grep -q 'COUNTEREXAMPLE' || { echo "FAIL: no COUNTEREXAMPLE"; exit 1; }
set -- "$dir"/*.json
[ -f "$1" ] || { echo "FAIL: no counterexample vector in $dir"; exit 1; }
grep -q '"steps"' "$1" || { echo "FAIL: $1 is not a GP 0.8 step vector"; exit 1; }
"$jpm" replay --mutant "$name" "$@"; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: replay exited $rc, expected 1 (the vector does not diverge)"; exit 1; }
"$jp" vectors "$@" || { echo "FAIL: the counterexample does not pass on the real interpreter"; exit 1; }
echo "PASS: $name caught on a GP 0.8.0 block proof"
