#!/bin/sh
# tests/lockstep/lockstep.sh JPM PROGRAM WORK [ISA] (see CMakeLists.txt). JPM is jitproof-mutants;
# ISA the revision PROGRAM is assembled as (default 0.7.2). Both written vectors must replay as
# that revision (`replay --isa ISA` refuses a vector of the other format): GP 0.8.0 step vectors.
set -u
JPM=$1 P=$2 W=$3 ISA=${4:-0.7.2}
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1
M=add_32_no_sext
out=$("$JPM" replay --isa "$ISA" "$P" --mutant $M)
echo "$out" | grep -q "replay: 1 agree, 0 diverge" || fail "the bug should be masked for plain replay: $out"
"$JPM" replay --isa "$ISA" "$P" --lockstep --cex-dir "$W/ok" | grep -q "replay: 1 agree, 0 diverge" || fail "lockstep without mutant"
"$JPM" replay --isa "$ISA" "$P" --mutant $M --lockstep --cex-dir "$W/cex" > "$W/log"; rc=$?
cat "$W/log"
[ $rc = 1 ] || fail "lockstep exit $rc, want 1"
grep -q ": lockstep: block pc 60 (add_32, step 15): .*r3=" "$W/log" || fail "not the region at pc 60 / r3"
[ "$(grep -c ': lockstep: block pc' "$W/log")" = 1 ] || fail "more than the first difference reported"
grep -q "prove pc 60 (add_32): COUNTEREXAMPLE" "$W/log" || fail "no symbolic counterexample"
entry=$(sed -n 's/.*state at the block.s entry: //p' "$W/log")
cex=$(sed -n 's/.*symbolic counterexample: //p' "$W/log")
for v in "$entry" "$cex"; do
  [ -f "$v" ] || fail "missing $v"
  if [ "$ISA" = 0.8.0 ]; then grep -q '"steps"' "$v" || fail "$v is not a GP 0.8 step vector"; fi
  "$JPM" replay --isa "$ISA" "$v" --mutant $M | grep -q "0 agree, 1 diverge" || fail "$v does not reproduce as $ISA"
  "$JPM" replay --isa "$ISA" "$v" | grep -q "1 agree, 0 diverge" || fail "$v diverges without the mutant"
done
echo "lockstep ($ISA): ok"
