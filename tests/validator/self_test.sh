#!/bin/sh
# self_test.sh JITPROOF [MUTANT]: validate --self-test (README § The validator's self-test).
# Without MUTANT: a sample of template queries of every shape (ALU, load, store, branch, division,
# both revisions) passes it: each compared part of the spec's result changed makes the query sat.
# With MUTANT (class validator: a query that leaves out a comparison): validate alone proves
# every instance (both solvers accept a wrong question), and --self-test reports VALIDATOR-BUG
# with the part the query does not compare, exit 1.
jp=$1 m=$2
fail() { echo "FAIL: $*"; exit 1; }
V="validate --no-cache --no-progress --fallback-states 0 --features cpuid"
if [ -z "$m" ]; then
	out=$("$jp" $V --self-test --shard 0/25 --opcode add_64 --opcode load_u8 --opcode store_u16 \
		--opcode branch_eq --opcode div_s_32 --opcode sbrk --opcode jump_ind 2>&1) || fail "exit $?: $(echo "$out" | tail -3)"
	line=$(echo "$out" | grep '^validate:')
	echo "$line"
	echo "$line" | grep -Eq '^validate: [1-9][0-9]* proved, 0 counterexamples, 0 unknown' || fail "$line"
	echo "$out" | grep -q VALIDATOR-BUG && fail "$(echo "$out" | grep VALIDATOR-BUG | head -3)"
	echo "self-test: ok"
	exit 0
fi
out=$("$jp" $V --isa 0.8.0 --opcode add_64 --shard 0/10 --mutant "$m" 2>&1) || fail "without --self-test: exit $?"
echo "$out" | grep -Eq '^validate: [1-9][0-9]* proved, 0 counterexamples, 0 unknown' ||
	fail "without --self-test the weakened queries should all be proved: $(echo "$out" | grep '^validate:')"
echo "without --self-test: $(echo "$out" | grep '^validate:')"
out=$("$jp" $V --isa 0.8.0 --opcode add_64 --shard 0/10 --mutant "$m" --self-test 2>&1); rc=$?
[ $rc -eq 1 ] || fail "with --self-test: exit $rc, want 1"
echo "$out" | grep -v '^  ' | grep 'VALIDATOR-BUG' | head -1
echo "$out" | grep -q 'VALIDATOR-BUG add_64 .*: self-test: the query does not tell a changed r7 from the spec.s (unsat with it changed)' ||
	fail "no VALIDATOR-BUG naming r7"
echo "$out" | grep -q '^validate: 0 proved' || fail "something PROVED under the weakened query: $(echo "$out" | grep '^validate:')"
echo "PASS: $m caught by validate --self-test"
