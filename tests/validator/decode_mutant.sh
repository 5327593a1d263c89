#!/bin/sh
# decode_mutant.sh JPM NAME GENPROG DIR PATTERN: a decoder mutant (class decode: pvm/decode.c, shared
# by the interpreter and the JIT, so their comparison cannot see it) must be caught against the spec's
# own decoding (semantics/decode.c) on generated programs (tests/validator/genprog.c, seed 1, which
# have register fields 13-15): `prove --all` exits 1 with a COUNTEREXAMPLE line matching PATTERN (a
# grep -E pattern), the vector it wrote diverges under `replay --engine-a spec --mutant NAME` and
# agrees without the mutant; and the programs themselves diverge on the spec engine against the
# interpreter under the mutant (the differential on the spec engine) and agree without it.
jpm=$1 name=$2 gen=$3 dir=$4 pat=$5
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"; mkdir -p "$dir/prog"
"$gen" "$dir/prog" 2 1 || fail "genprog"
out=$("$jpm" prove --no-cache --isa 0.7.2 --all "$dir"/prog/*.pvmasm --mutant "$name" --cex-dir "$dir/cex" --no-progress); rc=$?
echo "$out" | grep -v ': PROVED'
[ $rc -eq 1 ] || fail "prove exited $rc, expected 1 (survivor?)"
echo "$out" | grep -Eq -- "$pat" || fail "no line matches '$pat'"
set -- "$dir"/cex/*.json
[ -f "$1" ] || fail "no counterexample vector in $dir/cex"
"$jpm" replay --isa 0.7.2 --engine-a spec --mutant "$name" "$@"; rc=$?
[ $rc -eq 1 ] || fail "replay --engine-a spec --mutant exited $rc, expected 1 (the vector does not diverge)"
"$jpm" replay --isa 0.7.2 --engine-a spec "$@" || fail "the vector diverges without the mutant too"
"$jpm" replay --isa 0.7.2 --engine-a spec --engine-b interp --mutant "$name" "$dir/prog"; rc=$?
[ $rc -eq 1 ] || fail "the generated programs: spec against interp under the mutant exited $rc, expected 1"
"$jpm" replay --isa 0.7.2 --engine-a spec --engine-b interp "$dir/prog" || fail "the generated programs diverge without the mutant"
echo "PASS: $name caught"
