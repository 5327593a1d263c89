#!/bin/sh
# tests/validator/list_mutants.sh JP N [DEF]: `JP validate --list-mutants` prints exactly N
# lines "name opcode" (N >= 25 for the mutant binary; N = 0 for the normal one), each opcode
# real; with DEF (pvm/mutants.def) also at least 10 bug classes, the twelve and
# the four GP 0.8.0 ones (issue 11) among them.
jp=$1 want=$2 def=$3
out=$("$jp" validate --list-mutants) || { echo "FAIL: --list-mutants exited $?"; exit 1; }
echo "$out"
n=$(printf '%s\n' "$out" | grep -cE '^[a-z0-9_]+ [a-z0-9_]+$')
total=$(printf '%s' "$out" | grep -c '')
[ "$n" -eq "$want" ] && [ "$total" -eq "$want" ] || { echo "FAIL: $n name/opcode lines of $total, expected $want"; exit 1; }
[ "$want" -eq 0 ] || [ "$want" -ge 25 ] || { echo "FAIL: fewer than 25 mutants"; exit 1; }
printf '%s\n' "$out" | while read -r name op; do
	[ -z "$op" ] && continue
	# an instruction of GP 0.7.2 (validate knows it) or of GP 0.8.0 only (asm --isa 0.8.0 knows it)
	if ! "$jp" validate --opcode "$op" --help >/dev/null 2>&1; then
		f="${TMPDIR:-/tmp}/list_mutants.$$.pvmasm"
		printf '\t%s\n' "$op" > "$f"
		"$jp" asm --isa 0.8.0 "$f" -o /dev/null >/dev/null 2>&1; rc=$?
		rm -f "$f"
		[ $rc -eq 0 ] || { echo "FAIL: $name: unknown opcode $op"; exit 1; }
	fi
done || exit 1
if [ -n "$def" ]; then
	classes=$(sed -n 's/^MUTANT([^,]*,[^,]*, *\([a-z-]*\),.*/\1/p' "$def" | sort -u)
	nc=$(printf '%s\n' "$classes" | grep -c .)
	[ "$nc" -ge 10 ] || { echo "FAIL: $nc bug classes, expected at least 10"; exit 1; }
	for c in sign-extension shift-mask shift-rcx division signedness gas load-extension store-width \
	         immediate scratch-clobber jump-table mul-upper gas-flag gas-model prevalidation host; do
		printf '%s\n' "$classes" | grep -qx "$c" || { echo "FAIL: no mutant of class $c"; exit 1; }
	done
	echo "$nc bug classes"
fi
echo "PASS: $n mutants listed"
