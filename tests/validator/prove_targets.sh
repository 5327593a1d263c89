#!/bin/sh
# prove_targets.sh JITPROOF DIR CASE...: static branch and jump targets that are not block starts
# (tests/cases/target_<op>_<kind>.pvmasm: an instruction inside a block, past the end of the code,
# a byte inside an instruction; every static-target form). In each revision `prove --all` proves
# every block, and the block holding the taken branch says its target is linked to a panic exit
# (what the proof then shows the JIT does). GP 0.8.0 on the spec engine too: panic at the branch
# (the cases' .expect gas is GP 0.7.2's; `vectors --isa 0.7.2` checks the rest on every engine).
jp=$1; dir=$2
shift 2
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"; mkdir -p "$dir"
for isa in 0.7.2 0.8.0; do
	"$jp" prove --no-cache --isa $isa --all "$@" -j 2 --no-progress --cex-dir "$dir/cex$isa" > "$dir/prove$isa.txt"; rc=$?
	sum=$(tail -n 1 "$dir/prove$isa.txt")
	echo "$isa: $sum"
	grep -v ': PROVED' "$dir/prove$isa.txt" | grep -v '^prove: ' | head -n 10
	[ $rc -eq 0 ] || fail "$isa: prove exited $rc"
	echo "$sum" | grep -Eq '^prove: ([0-9]+) blocks: \1 proved, 0 counterexamples, 0 unknown, 0 fallback-agree, 0 validator bugs;' \
		|| fail "$isa: not every block PROVED"
	for f do
		grep -q "^$f pc 0 (load_imm): PROVED: .*; 1 static target not a block start: a panic exit (" "$dir/prove$isa.txt" \
			|| fail "$isa: $f: no PROVED block with its target linked to a panic"
		if [ $isa = 0.8.0 ]; then
			out=$("$jp" run --isa 0.8.0 --engine spec "$f")
			echo "$out" | grep -q '^status: panic$' && echo "$out" | grep -q "^pc: 3$" || fail "0.8.0: $f: not a panic at pc 3 on the spec engine"
		fi
	done
done
echo "prove_targets: $# cases, every block PROVED in both revisions, each invalid target a panic exit"
