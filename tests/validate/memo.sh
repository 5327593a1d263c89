#!/bin/sh
# memo.sh JITPROOF: reusing unsat answers for alpha-equivalent queries changes no verdict:
# the same slice with and without the memo gives the same counts, and the memo is really used.
jp=$1
a=$("$jp" validate --opcode div_u_32 --shard 0/20 --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | tail -n 1)
b=$("$jp" validate --opcode div_u_32 --shard 0/20 --fallback-states 0 --no-progress --no-memo | tail -n 1)
hits=$(grep -c 'memo: an alpha-equivalent' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
echo "memo:    $a"; echo "no memo: $b"; echo "memo hits: $hits"
strip() { echo "$1" | sed 's/ in [0-9.]* s$//'; }
[ "$(strip "$a")" = "$(strip "$b")" ] || { echo "FAIL: verdicts differ"; exit 1; }
[ "$hits" -gt 0 ] || { echo "FAIL: memo never used"; exit 1; }
# the same for a portable template whose code is its cpuid twin's (reused only for the same bytes,
# fields and exits, and only when the twin PROVED): whole opcodes, both variants
for op in add_imm_64 count_set_bits_32; do
	a=$("$jp" validate --opcode $op --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | head -n 3)
	b=$("$jp" validate --opcode $op --fallback-states 0 --no-progress --no-memo | head -n 3)
	twins=$(grep -c 'the same code as the cpuid variant' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
	echo "$op memo: $a"; echo "$op no memo: $b"; echo "$op twin reuses: $twins"
	[ "$(strip "$a")" = "$(strip "$b")" ] || { echo "FAIL: $op: verdicts differ"; exit 1; }
	# add_imm_64's code is the same in both variants; count_set_bits_32's is not (popcnt)
	if [ $op = add_imm_64 ]; then [ "$twins" -eq 169 ] || { echo "FAIL: $op: $twins twin reuses, expected 169"; exit 1; }
	else [ "$twins" -eq 0 ] || { echo "FAIL: $op: reused a proof of different code"; exit 1; }; fi
done
echo "memo: ok"
