#!/bin/sh
# tests/lockstep/lockstep.sh JPM PROGRAM WORK (see CMakeLists.txt). JPM is jitproof-mutants.
set -u
JPM=$1 P=$2 W=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1
M=add_32_no_sext
out=$("$JPM" replay --isa 0.7.2 "$P" --mutant $M)
echo "$out" | grep -q "replay: 1 agree, 0 diverge" || fail "the bug should be masked for plain replay: $out"
"$JPM" replay --isa 0.7.2 "$P" --lockstep --cex-dir "$W/ok" | grep -q "replay: 1 agree, 0 diverge" || fail "lockstep without mutant"
"$JPM" replay --isa 0.7.2 "$P" --mutant $M --lockstep --cex-dir "$W/cex" > "$W/log"; rc=$?
cat "$W/log"
[ $rc = 1 ] || fail "lockstep exit $rc, want 1"
grep -q ": lockstep: block pc 60 (add_32, step 15): .*r3=" "$W/log" || fail "not the region at pc 60 / r3"
[ "$(grep -c ': lockstep: block pc' "$W/log")" = 1 ] || fail "more than the first difference reported"
grep -q "prove pc 60 (add_32): COUNTEREXAMPLE" "$W/log" || fail "no symbolic counterexample"
entry=$(sed -n 's/.*state at the block.s entry: //p' "$W/log")
cex=$(sed -n 's/.*symbolic counterexample: //p' "$W/log")
for v in "$entry" "$cex"; do
  [ -f "$v" ] || fail "missing $v"
  "$JPM" replay "$v" --mutant $M | grep -q "0 agree, 1 diverge" || fail "$v does not reproduce"
  "$JPM" replay "$v" | grep -q "1 agree, 0 diverge" || fail "$v diverges without the mutant"
done
echo "lockstep: ok"
