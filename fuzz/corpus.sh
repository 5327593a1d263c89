#!/bin/sh
# fuzz/corpus.sh BUILD OUT: seed corpora OUT/TARGET/ and dictionaries OUT/dict/*.dict for the fuzz
# targets, from the official vectors (../shared/vectors/pvm or $JITPROOF_VECTORS; the GP 0.8 step
# vectors from ../shared/vectors/pvm-0.8 or $JITPROOF_VECTORS08; the JIP-7 traces from
# ../shared/traces/0.7.2 or $JITPROOF_TRACES), the test cases, every counterexample a ctest run
# left in BUILD, the spec-path seeds of both revisions (jitproof seeds) and fuzz/regress/. BUILD
# holds jitproof and jitproof-fuzz-tool (a normal build).
set -eu
B=$1 OUT=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
VEC=${JITPROOF_VECTORS:-$SRC/../shared/vectors/pvm}
VEC08=${JITPROOF_VECTORS08:-$SRC/../shared/vectors/pvm-0.8}
TRACES=${JITPROOF_TRACES:-$SRC/../shared/traces/0.7.2}
JP=$B/jitproof TOOL=$B/jitproof-fuzz-tool
rm -rf "$OUT" && mkdir -p "$OUT/dict" "$OUT/seeds"
for t in diff blob container vector vector08 trace asm spec; do mkdir -p "$OUT/$t"; cp "$SRC/fuzz/regress/$t/"* "$OUT/$t/" 2>/dev/null || true; done
"$JP" seeds "$OUT/seeds" > "$OUT/seeds.log" || true
"$JP" seeds "$OUT/seeds08" --isa 0.8.0 > "$OUT/seeds08.log" || true
n=0
for v in "$VEC"/*.json "$OUT"/seeds/*.json $(find "$SRC/tests" "$B/tests" -name '*.json' 2>/dev/null); do
  [ -f "$v" ] || continue
  n=$((n + 1))
  "$TOOL" diff "$v" "$OUT/diff/v$n" 2>/dev/null || continue
  "$TOOL" blob "$v" "$OUT/blob/v$n" 2>/dev/null || true
  cp "$v" "$OUT/vector/v$n.json"
  "$JP" disasm "$v" > "$OUT/asm/v$n.pvmasm" 2>/dev/null || rm -f "$OUT/asm/v$n.pvmasm"
done
for f in $(find "$SRC/tests" "$SRC/bench" -name '*.pvmasm'); do n=$((n + 1)); cp "$f" "$OUT/asm/c$n.pvmasm"; done
cp "$SRC"/tests/pvm/data/*.container "$OUT/container/" 2>/dev/null || true
# GP 0.8 step vectors: the 354 programs, the integration programs, the GP 0.8.0 seeds, the
# project's own 0.8 files
n=0
for v in "$VEC08"/programs/*.json "$VEC08"/integration/*.json "$OUT"/seeds08/*.json "$SRC"/tests/cases08/*.json \
         "$SRC"/tests/cases08/*/*.json "$SRC"/tests/pvm/*08/*.json; do
  [ -f "$v" ] || continue
  n=$((n + 1))
  cp "$v" "$OUT/vector08/s$n.json"
  "$TOOL" diff08 "$v" "$OUT/diff/s$n" 2>/dev/null || true
done
# JIP-7 traces of real runs (the whole on-chain blob on one program line, then the host calls)
for f in "$TRACES"/*.log; do
  [ -f "$f" ] || continue
  cp "$f" "$OUT/trace/"
done
cp "$SRC/specs/pvm.yaml" "$OUT/spec/"
cp "$SRC"/tests/semantics/bad/*.yaml "$OUT/spec/" 2>/dev/null || true
for d in asm spec json trace; do "$TOOL" dict $d > "$OUT/dict/$d.dict"; done
for t in diff blob container vector vector08 trace asm spec; do echo "corpus $t: $(ls "$OUT/$t" | wc -l) inputs"; done
