#!/bin/sh
# prove_replay.sh JITPROOF PROGRAMS OUTDIR: the five test-service blocks that once got false
# counterexamples (assumptions past the 64th were silently dropped) are PROVED; and with that old
# bug put back (--debug weaken, on the whole-block query) the model is caught by the replay check: reported as
# VALIDATOR-BUG (exit 1), never as COUNTEREXAMPLE, and its vector indeed does not diverge.
jp=$1; prog=$2/test-service.bin; out=$3
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$prog" ] || fail "$prog missing"
rm -rf "$out"; mkdir -p "$out"
for pc in 3123 3845 4443; do
	line=$("$jp" prove --no-cache "$prog" --isa 0.7.2 --pc $pc --cex-dir "$out") || fail "pc $pc: exit $? ($line)"
	echo "$line"
	echo "$line" | grep -q "pc $pc (.*): PROVED" || fail "pc $pc not PROVED"
done
line=$("$jp" prove --no-cache "$prog" --isa 0.7.2 --pc 4443 --cex-dir "$out" --whole-block --debug weaken); rc=$?
echo "$line"
[ $rc -eq 1 ] || fail "weakened proof: exit $rc, expected 1"
echo "$line" | grep -q ': VALIDATOR-BUG: .*does not diverge on replay' || fail "no VALIDATOR-BUG verdict"
echo "$line" | grep -q 'COUNTEREXAMPLE' && fail "a non-diverging model reported as COUNTEREXAMPLE"
[ -f "$out/block_pc4443.json" ] || fail "the model's vector was not written"
"$jp" replay "$out/block_pc4443.json" || fail "the model's vector diverges after all (exit $?)"
echo "prove_replay: ok"
