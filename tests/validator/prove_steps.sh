#!/bin/sh
# prove_steps.sh JITPROOF PROGRAM...: `prove --all` on programs with a byte-reduction loop (jit.h §
# steps), in both revisions and both variants: every block PROVED, and one PROVED step per program
# (the block whose latch links it says so).
jp=$1
shift
n=$#
for isa in 0.7.2 0.8.0; do
	for variant in "" --portable; do
		out=$("$jp" prove --no-cache --isa $isa $variant --all "$@" --no-progress); rc=$?
		sum=$(echo "$out" | tail -n 1)
		echo "GP $isa ${variant:-cpuid}: $sum"
		echo "$out" | grep -v ': PROVED' | grep -v '^prove: ' | head -n 10
		[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; exit 1; }
		echo "$sum" | grep -Eq '^prove: ([0-9]+) blocks: \1 proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs;' \
			|| { echo "FAIL: not every block PROVED"; exit 1; }
		steps=$(echo "$out" | grep -c ': PROVED: .*step of the loop at pc [0-9]* PROVED')
		[ "$steps" -eq "$n" ] || { echo "FAIL: $steps steps PROVED, expected $n"; exit 1; }
	done
done
echo "PASS: every block and $n steps PROVED in both revisions and both variants"
