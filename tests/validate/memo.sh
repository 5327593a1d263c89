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
echo "memo: ok"
