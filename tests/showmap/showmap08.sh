#!/bin/sh
# tests/showmap/showmap08.sh JP PROGRAMS08 OUT: showmap over the GP 0.8.0 step vectors covers
# blocks (pvm_*) and spec paths (spec_*), among them GP 0.8.0's own `unlikely` and an out-of-gas
# block entry (the id format and determinism are showmap_format's, on GP 0.7.2).
set -u
JP=$1 V=$2 W=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W"
"$JP" showmap "$V" --domain pvm,spec -o "$W" --approach a --trial t > "$W.log" 2>&1 || { cat "$W.log"; fail "showmap exit $?"; }
f="$W/a/t"
[ -s "$f" ] || fail "no coverage file"
pvm=$(grep -c '^pvm_[0-9a-f]\{16\}_[0-9a-f]\{8\}:[0-9]*$' "$f")
spec=$(grep -c '^spec_[a-z0-9_]*:[0-9]*$' "$f")
[ "$pvm" -gt 1000 ] || fail "only $pvm block ids"
[ "$spec" -gt 200 ] || fail "only $spec spec-path ids"
[ "$((pvm + spec))" = "$(wc -l < "$f")" ] || fail "lines that are neither: $(grep -v '^pvm_\|^spec_' "$f" | head -3)"
grep -q '^spec_unlikely_exec:' "$f" || fail "no spec_unlikely_exec (GP 0.8.0's own opcode)"
grep -q '^spec_[a-z0-9_]*_oog:' "$f" || fail "no out-of-gas path (the block charge)"
echo "showmap GP 0.8.0: $pvm block ids, $spec spec-path ids"
