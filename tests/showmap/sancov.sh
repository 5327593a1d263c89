#!/bin/sh
# tests/showmap/sancov.sh JP CASES WORK: `showmap --domain sancov` in a JITPROOF_SANCOV build.
set -u
JP=$1 CASES=$2 W=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1
for run in 1 2; do
  "$JP" showmap --isa 0.7.2 "$CASES" -o "$W/$run" --approach interp --domain sancov --engine interp > /dev/null || fail "interp run $run"
done
f=$W/1/interp/trial
[ -s "$f" ] || fail "no sancov ids"
[ "$(grep -cvE '^sancov_[0-9a-f]{8}:[0-9]+$' "$f")" = 0 ] || fail "bad sancov lines"
cmp -s "$f" "$W/2/interp/trial" || fail "two interp runs differ"
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/1" --approach jit --domain sancov --engine jit > /dev/null || fail "jit run"
cmp -s "$f" "$W/1/jit/trial" && fail "interp and jit cover the same engine code"
echo "sancov: ok ($(wc -l < "$f") guards hit by interp, $(wc -l < "$W/1/jit/trial") by jit)"
