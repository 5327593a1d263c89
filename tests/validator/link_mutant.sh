#!/bin/sh
# link_mutant.sh JPM NAME DIR PROGRAM...: the link mutant NAME (a wrong rel32 target or jump-table
# slot in the compiled program; the templates are right) must be caught by `prove --all`, which
# reads the linking from the program's bytes: exit 1 with a COUNTEREXAMPLE line, and the vector it
# wrote diverges under `replay --mutant NAME` (and agrees without the mutant).
jpm=$1 name=$2 dir=$3
shift 3
rm -rf "$dir"
out=$("$jpm" prove --no-cache --isa 0.7.2 --all "$@" --mutant "$name" --cex-dir "$dir" --no-progress); rc=$?
echo "$out" | grep -v ': PROVED'
[ $rc -eq 1 ] || { echo "FAIL: prove exited $rc, expected 1 (survivor?)"; exit 1; }
echo "$out" | grep -q ': COUNTEREXAMPLE: ' || { echo "FAIL: no COUNTEREXAMPLE line"; exit 1; }
set -- "$dir"/*.json
[ -f "$1" ] || { echo "FAIL: no counterexample vector in $dir"; exit 1; }
"$jpm" replay --isa 0.7.2 --mutant "$name" "$@"; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: replay --mutant exited $rc, expected 1 (the vector does not diverge)"; exit 1; }
"$jpm" replay --isa 0.7.2 "$@" || { echo "FAIL: the vector diverges without the mutant too"; exit 1; }
echo "PASS: $name caught"
