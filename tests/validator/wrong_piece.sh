#!/bin/sh
# wrong_piece.sh JP JPM DIR: the piece-by-piece block proof catches one wrong piece in the middle
# of a 31-instruction block (mutant add_32_no_sext, the 16th instruction), names that piece, and
# writes a vector that `replay --mutant` reproduces; the correct JIT's block is PROVED.
jp=$1; jpm=$2; dir=$3; here=$(dirname "$0"); f=$here/wrong_piece.pvmasm
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"
line=$("$jp" prove --no-cache "$f" --isa 0.7.2 --pc 0) || fail "correct JIT: exit $? ($line)"
echo "$line"
echo "$line" | grep -q ': PROVED: 32 pieces' || fail "correct JIT not PROVED piece by piece"
out=$("$jpm" prove --no-cache "$f" --isa 0.7.2 --pc 0 --mutant add_32_no_sext --cex-dir "$dir"); rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "mutant: exit $rc, expected 1"
echo "$out" | grep -q 'COUNTEREXAMPLE: piece of add_32 at pc 46 (in the block at pc 0)' || fail "wrong piece not named"
"$jpm" replay --mutant add_32_no_sext "$dir/block_pc0.json"; rc=$?
[ $rc -eq 1 ] || fail "replay exited $rc, expected 1 (the vector does not diverge)"
echo "wrong_piece: ok"
