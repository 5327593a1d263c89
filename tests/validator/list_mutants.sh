#!/bin/sh
# tests/validator/list_mutants.sh JP N: `JP validate --list-mutants` prints exactly N lines
# "name opcode" (N >= 25 for the mutant binary; N = 0 for the normal one), each opcode real.
jp=$1 want=$2
out=$("$jp" validate --list-mutants) || { echo "FAIL: --list-mutants exited $?"; exit 1; }
echo "$out"
n=$(printf '%s\n' "$out" | grep -cE '^[a-z0-9_]+ [a-z0-9_]+$')
total=$(printf '%s' "$out" | grep -c '')
[ "$n" -eq "$want" ] && [ "$total" -eq "$want" ] || { echo "FAIL: $n name/opcode lines of $total, expected $want"; exit 1; }
[ "$want" -eq 0 ] || [ "$want" -ge 25 ] || { echo "FAIL: fewer than 25 mutants"; exit 1; }
printf '%s\n' "$out" | while read -r name op; do
	[ -z "$op" ] && continue
	"$jp" validate --opcode "$op" --help >/dev/null 2>&1 || { echo "FAIL: $name: unknown opcode $op"; exit 1; }
done || exit 1
echo "PASS: $n mutants listed"
