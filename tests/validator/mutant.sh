#!/bin/sh
# tests/validator/mutant.sh JPM NAME OPCODE NEED DIR [VALIDATE-FLAGS...] -- [REPLAY-FLAGS...]
# The mutant NAME must be caught: `validate --mutant NAME --opcode OPCODE` exits 1 with a
# COUNTEREXAMPLE line (NEED=symbolic: one from a proof; NEED=any: also the fallback's), and replaying the
# vectors it wrote on the same mutant reports a divergence (exit 1).
jpm=$1 name=$2 op=$3 need=$4 dir=$5
shift 5
vflags=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do vflags="$vflags $1"; shift; done
[ $# -gt 0 ] && shift
rflags="$*"
rm -rf "$dir"
out=$("$jpm" validate --no-cache --mutant "$name" --opcode "$op" --fail-fast --no-progress --cex-dir "$dir" $vflags)
rc=$?
echo "$out"
[ $rc -eq 1 ] || { echo "FAIL: validate exited $rc, expected 1 (survivor?)"; exit 1; }
echo "$out" | grep -q '^COUNTEREXAMPLE' || { echo "FAIL: no COUNTEREXAMPLE line"; exit 1; }
if [ "$need" = symbolic ]; then
	echo "$out" | grep -q '^COUNTEREXAMPLE.*(symbolic)' || { echo "FAIL: no symbolic counterexample"; exit 1; }
fi
set -- "$dir"/*.json
[ -f "$1" ] || { echo "FAIL: no counterexample vector in $dir"; exit 1; }
"$jpm" replay --mutant "$name" $rflags "$@"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: replay exited $rc, expected 1 (the vector does not diverge)"; exit 1; }
echo "PASS: $name caught"
