#!/bin/sh
# validate_all.sh JITPROOF OUTDIR: the whole validation must end with 0 counterexamples and 0 unknown.
jp=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
"$jp" validate --no-cache -j 2 --no-progress --cex-dir "$out/cex" --json "$out/validate.json" \
      --junit "$out/validate.xml" --html "$out/validate.html" > "$out/validate.txt"
rc=$?
tail -n 5 "$out/validate.txt"
[ $rc -eq 0 ] || { echo "FAIL: validate exited $rc"; grep -m 20 -E '^(COUNTEREXAMPLE|UNKNOWN)' "$out/validate.txt"; exit 1; }
grep -Eq '^validate: [0-9]+ proved, 0 counterexamples, 0 unknown, [0-9]+ fallback-agree, [0-9]+ templates in' "$out/validate.txt" \
  || { echo "FAIL: summary line"; exit 1; }
n=$(sed -n 's/^validate: [0-9]* proved, 0 counterexamples, 0 unknown, [0-9]* fallback-agree, \([0-9]*\) templates.*/\1/p' "$out/validate.txt")
# GP 0.7.2: 139 opcodes x 13^k register assignments, 100,771 instances in the class any, and sbrk's
# 169 again under the peers' break reading (its other entry); GP 0.8.0: the same less sbrk's 169
# plus unlikely's 1, 100,603; each in both CPU-feature variants. And the 30 opcodes with a class s8
# form (imm8/disp8), in both revisions: 10 branch_*_imm x 13, 4 set_*_imm x 169, and/or/xor_imm
# 3 x 169, add_imm_32/64 2 x 169, 7 load_ind_* x 169, 4 store_ind_* x 169 = 3,510. Each variant's
# and each revision's line says 0 counterexamples and 0 unknown.
s8=$((10 * 13 + (4 + 3 + 2 + 7 + 4) * 169))
[ "$n" -eq $((2 * (100771 + 169 + 100603 + 2 * s8))) ] || { echo "FAIL: $n templates enumerated"; exit 1; }
for v in cpuid portable; do
	grep -Eq "^  $v: [0-9]+ proved, 0 counterexamples, 0 unknown, [0-9]+ fallback-agree, $((100771 + 169 + 100603 + 2 * s8)) templates\$" "$out/validate.txt" \
	  || { echo "FAIL: variant $v not fully proved"; exit 1; }
done
# the peers' readings: sbrk's 2 x 169 templates and 2 regions proved against its break entry, and
# every fault path (one per memory opcode) and gas path (one per opcode) of both variants agreeing
# under gas per instruction and the break
grep -Eq "^  GP 0.7.2 peers' readings: 340 proved, 0 counterexamples, 0 unknown, [0-9]+ fallback-agree, 338 templates" "$out/validate.txt" \
  || { echo "FAIL: the peers' readings line"; exit 1; }
# the fusion patterns (README § Fusions): shlo_l_imm_64 rX, rA, s then add_64 in both operand
# orders, 13 x 13 x 12 register assignments (rB != rX) x s 1..3 x 2 orders = 12,168 per revision and
# variant, all PROVED
grep -Eq "^  fusions: 48672 proved, 0 counterexamples, 0 unknown of 48672 " "$out/validate.txt" \
  || { echo "FAIL: the fusions line"; exit 1; }
# the host-call boundary: the trampolines (entry, exit, stub, round trip) of both revisions and
# variants proved, and ecalli's resume after the perturbing host agreeing on both engines (the w3f
# and the peers' readings of GP 0.7.2, GP 0.8.0; both variants)
grep -Eq "^  trampolines: 16 proved, 0 counterexamples, 0 unknown of 16 " "$out/validate.txt" \
  || { echo "FAIL: the trampolines line"; exit 1; }
[ "$(grep -c '"what": "host-resume", "verdict": "FALLBACK-AGREE"' "$out/validate.json")" -eq 6 ] \
  || { echo "FAIL: host-resume items"; exit 1; }
for w in fault-path gas-path; do
	a=$(grep '"isa": "0.7.2"' "$out/validate.json" | grep '"reading": "w3f"' | grep -c "\"what\": \"$w\", \"verdict\": \"FALLBACK-AGREE\"")
	b=$(grep '"isa": "0.7.2"' "$out/validate.json" | grep '"reading": "peers"' | grep -c "\"what\": \"$w\", \"verdict\": \"FALLBACK-AGREE\"")
	[ "$a" -gt 0 ] && [ "$a" -eq "$b" ] || { echo "FAIL: $w: $a under w3f, $b under the peers' readings"; exit 1; }
done
for r in "0.7.2 $((201880 + 2 * s8))" "0.8.0 $((201206 + 2 * s8))"; do
	set -- $r
	grep -Eq "^  GP $1: [0-9]+ proved, 0 counterexamples, 0 unknown, [0-9]+ fallback-agree, $2 templates\$" "$out/validate.txt" \
	  || { echo "FAIL: GP $1 not fully proved"; exit 1; }
done
# GP 0.8.0's own instruction is among them, proved (its template, and its block with the cost model's gas)
for w in imm:any region; do
	grep -q "\"opcode\": \"unlikely\", \"isa\": \"0.8.0\", .*\"what\": \"$w\", \"verdict\": \"PROVED\"" "$out/validate.json" \
	  || { echo "FAIL: unlikely's $w not PROVED"; exit 1; }
done
# Every instance is PROVED: the only concrete checks are the paths the proofs leave out
# (memory faults, out-of-gas at region entry, the runtime's resume after a host call).
others=$(grep '"verdict": "FALLBACK-AGREE"' "$out/validate.json" | grep -Evc '"what": "(fault-path|gas-path|host-resume)"')
[ "$others" -eq 0 ] || { echo "FAIL: $others instances reached only the fallback:"
	grep '"verdict": "FALLBACK-AGREE"' "$out/validate.json" | grep -Ev '"what": "(fault-path|gas-path|host-resume)"' | head -5; exit 1; }
p=$(grep -c '"verdict": "PROVED"' "$out/validate.json")
[ "$p" -ge "$n" ] || { echo "FAIL: $p PROVED results for $n instances"; exit 1; }
echo "validate_all: ok"
