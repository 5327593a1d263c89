#!/bin/sh
# prove_random.sh JITPROOF GENPROG DIR N: N random programs of tests/validator/genprog.c (loads
# and stores through computed addresses, mul/div/rem/shifts, branches, jump tables), every block
# of every one PROVED by `prove --all` (no fallback, unknown, counterexample or validator bug).
jp=$1; gen=$2; dir=$3; n=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"; mkdir -p "$dir"
"$gen" "$dir" "$n" 1 || fail "genprog"
[ "$(ls "$dir"/*.pvmasm | wc -l)" -eq "$n" ] || fail "not $n programs"
"$jp" prove --no-cache --isa 0.7.2 --all "$dir"/*.pvmasm -j 2 --no-progress > "$dir/out.txt"; rc=$?
tail -n 1 "$dir/out.txt"
grep -v ': PROVED' "$dir/out.txt" | grep -v '^prove: ' | head -n 10
[ $rc -eq 0 ] || fail "prove exited $rc"
sum=$(tail -n 1 "$dir/out.txt")
b=$(echo "$sum" | sed -n 's/^prove: \([0-9]*\) blocks: \([0-9]*\) proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs;.*/\1 \2/p')
[ -n "$b" ] || fail "summary: $sum"
set -- $b
[ "$1" = "$2" ] && [ "$1" -ge "$n" ] || fail "$2 of $1 blocks proved"
# every program contributed blocks
[ "$(grep ' pc [0-9]* (.*): PROVED' "$dir/out.txt" | sed 's/ pc .*//' | sort -u | wc -l)" -eq "$n" ] \
	|| fail "a program has no proved block"
# and the generator made what it promises: dynamic jumps, computed loads and stores, divisions
for op in jump_ind load_ind_u64 store_ind_u32 div_s_64 rem_u_64 mul_upper_s_u shlo_l_64 branch_lt_s; do
	grep -q "^	$op " "$dir"/*.pvmasm || fail "no $op generated"
done
echo "prove_random: $n programs, $1 blocks, all PROVED"
