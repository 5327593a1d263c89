#!/bin/sh
# fail_fast.sh JITPROOF_MUTANTS OUT: a template broken for every register assignment. The first
# line of the run announces its first counterexample with a vector that exists and replays
# (diverges) under the mutant; only --max-cex (3) vectors of the opcode are written; the summary
# still counts every failing instance (all 2,197 templates of add_32 in one variant).
jpm=$1 out=$2
rm -rf "$out"; mkdir -p "$out"
"$jpm" validate --no-cache --mutant add_32_no_sext --opcode add_32 --isa 0.7.2 --features cpuid -j 2 --progress-every 1000 \
       --cex-dir "$out/cex" > "$out/run.txt" 2>&1
rc=$?
head -n 2 "$out/run.txt"; tail -n 3 "$out/run.txt"
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
first=$(head -n 1 "$out/run.txt")
case "$first" in "validate: first counterexample: add_32 "*" -> "*.json) ;; *) echo "FAIL: the first line is not the first counterexample"; exit 1;; esac
vec=${first##* -> }
[ -f "$vec" ] || { echo "FAIL: $vec not written"; exit 1; }
"$jpm" replay "$vec" --mutant add_32_no_sext > "$out/replay.txt" 2>&1
[ $? -eq 1 ] || { cat "$out/replay.txt"; echo "FAIL: the first vector does not diverge under the mutant"; exit 1; }
grep -Eq '^validate: 0 proved, 2200 counterexamples, 0 unknown, 0 fallback-agree, 2197 templates' "$out/run.txt" ||
	{ echo "FAIL: not every failing instance counted"; exit 1; }
n=$(ls "$out/cex" | grep -c '_template')
[ "$n" -eq 3 ] || { echo "FAIL: $n template vectors written, --max-cex 3 expected"; exit 1; }
c=$(grep -c 'counted only: --max-cex 3' "$out/run.txt")
[ "$c" -eq 2194 ] || { echo "FAIL: $c instances counted only, 2194 expected"; exit 1; }
echo "PASS: first counterexample first, 3 vectors, 2197 failing templates counted"
