#!/bin/sh
# tests/validator/named_case.sh MUTANT PATTERN CMD...: a mutant caught by a named vector or case.
# CMD runs twice: with the word @MUTANT@ dropped it must pass (exit 0), so the vector itself is
# right; with @MUTANT@ replaced by `--mutant MUTANT` it must fail (exit 1) with a line matching
# the grep pattern PATTERN (which names the vector).
m=$1 pat=$2
shift 2
run() { # run with|without CMD...
	mode=$1
	shift
	for a do
		shift
		if [ "$a" = @MUTANT@ ]; then
			[ "$mode" = with ] && set -- "$@" --mutant "$m"
		else
			set -- "$@" "$a"
		fi
	done
	"$@" 2>&1
}
out=$(run without "$@")
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: without the mutant: exit $rc, expected 0"; exit 1; }
out=$(run with "$@")
rc=$?
echo "$out"
[ $rc -eq 1 ] || { echo "FAIL: with --mutant $m: exit $rc, expected 1"; exit 1; }
echo "$out" | grep -q -- "$pat" || { echo "FAIL: with --mutant $m: no line matches '$pat'"; exit 1; }
echo "PASS: $m caught by the named case ($pat)"
