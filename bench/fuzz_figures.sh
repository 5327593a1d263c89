#!/bin/sh
# bench/fuzz_figures.sh BUILD [SECONDS] [EXECS]: the fuzzing figures of the note (benchmarks,
# not tests; run at -j1 in the background). BUILD is a normal build (jitproof-mutants).
#  1. the differential target, built with the mutants (build-fuzz-mutants), from an empty corpus
#     for each mutant below (one per bug class and more; the last three act in GP 0.8.0 runs only:
#     half of the target's inputs are GP 0.8.0 programs; the 0.8.0 mutants that act in code both
#     engines share, cost_add_64_cycles and skip_over_24_accepted, cannot make them differ): seconds to the first divergence
#     (at most SECONDS, default 120) and whether the written vector reproduces with
#     `jitproof-mutants replay --mutant`;
#  2. each decoder target under ASan + UBSan (build-fuzz-libfuzzer) for EXECS executions
#     (default 10^7) or DECODER_SECONDS (default 600) whichever comes first, inputs of at most
#     1024 bytes: executions done, crashes.
set -u
B=$1 T=${2:-120} N=${3:-10000000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=$SRC/fuzz-out/figures
mkdir -p "$OUT"
MB=$SRC/build-fuzz-mutants FB=$SRC/build-fuzz-libfuzzer
MUTANTS=${MUTANTS:-"add_32_no_sext shlo_l_32_mask64 div_u_64_zero_result rem_s_32_min_only branch_lt_s_unsigned max_unsigned gas_cost_plus_one load_ind_i8_zext store_u8_width16 and_imm_zext mul_upper_s_u_as_u_u mul_upper_u_u_clobber div_u_32_rcx_clobber jump_ind_bound sbrk_exit_next unlikely_trap branch_skips_charge resume_charges_again"}
if [ "${SKIP_MUTANTS:-0}" = 0 ]; then
  cmake -S "$SRC" -B "$MB" -DCMAKE_C_COMPILER=clang -DJITPROOF_FUZZ_ENGINE=libfuzzer -DJITPROOF_MUTANTS=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null && cmake --build "$MB" --target fuzz_diff -j1 > /dev/null || exit 2
  found=0 total=0
  for m in $MUTANTS; do
    total=$((total + 1))
    d=$OUT/mutant_$m
    rm -rf "$d" && mkdir -p "$d/corpus" "$d/out"
    start=$(date +%s.%N)
    "$MB/fuzz_diff" -jitproof_mutant=$m -jitproof_out="$d/out" -max_total_time="$T" -timeout=10 -use_value_profile=1 \
      -artifact_prefix="$d/out/" "$d/corpus" > "$d/log" 2>&1
    end=$(date +%s.%N)
    v=$(ls "$d"/out/divergence-*.json 2>/dev/null | head -1)
    if [ -n "$v" ]; then
      rep=$("$B/jitproof-mutants" replay "$v" --mutant $m | tail -1)
      case "$rep" in *"1 diverge"*) ok=reproduces; found=$((found + 1)) ;; *) ok="DOES NOT reproduce" ;; esac
      printf "mutant %-28s found in %6.1f s, vector %s\n" $m "$(awk "BEGIN{print $end - $start}")" "$ok"
    else
      printf "mutant %-28s not found in %s s\n" $m "$T"
    fi
  done
  echo "differential target: $found of $total mutants found within $T s each, vectors reproduced"
fi
if [ "${SKIP_DECODERS:-0}" = 0 ]; then
  [ -x "$FB/fuzz_blob" ] || { cmake -S "$SRC" -B "$FB" -DCMAKE_C_COMPILER=clang -DJITPROOF_FUZZ_ENGINE=libfuzzer \
        -DJITPROOF_SANITIZE=ON > /dev/null && cmake --build "$FB" --target fuzz_targets -j1 > /dev/null; } || exit 2
  [ -d "$SRC/fuzz-out/libfuzzer/seeds" ] || sh "$SRC/fuzz/corpus.sh" "$B" "$SRC/fuzz-out/libfuzzer/seeds" > /dev/null
  for t in ${DECODERS:-blob container vector vector08 trace asm spec}; do
    d=$OUT/decoder_$t
    rm -rf "$d" && mkdir -p "$d/corpus" "$d/art"
    dict=""
    case $t in asm) dict=asm ;; spec) dict=spec ;; vector|vector08) dict=json ;; trace) dict=trace ;; esac
    start=$(date +%s)
    "$FB/fuzz_$t" -runs="$N" -max_total_time="${DECODER_SECONDS:-600}" -max_len=1024 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$d/art/" \
      ${dict:+-dict="$SRC/fuzz-out/libfuzzer/seeds/dict/$dict.dict"} "$d/corpus" "$SRC/fuzz-out/libfuzzer/seeds/$t" > "$d/log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
    echo "decoder fuzz_$t: ${execs:-?} executions in $((end - start)) s under ASan+UBSan, exit $rc, $(ls "$d/art" | wc -l) crashes"
  done
fi
