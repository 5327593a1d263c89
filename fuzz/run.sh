#!/bin/sh
# fuzz/run.sh BUILD ENGINE SECONDS: builds the fuzz targets for ENGINE (libfuzzer or afl) with
# ASan + UBSan in build-fuzz-ENGINE, makes seed corpora (fuzz/corpus.sh, from the normal build
# BUILD), runs each target (FUZZ_TARGETS, default all) for SECONDS, and lists what crashed.
# Crashing inputs land in fuzz-out/ENGINE/TARGET/; copy them to fuzz/regress/TARGET/ to keep them
# as tests. Exit 1 if anything crashed or diverged.
set -u
B=$1 ENGINE=$2 T=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
FB=$SRC/build-fuzz-$ENGINE OUT=$SRC/fuzz-out/$ENGINE
TARGETS=${FUZZ_TARGETS:-diff blob container vector vector08 trace asm spec}
case $ENGINE in
  libfuzzer) CC=clang ;;
  afl) CC=afl-clang-fast ;;
  *) echo "fuzz/run.sh: ENGINE is libfuzzer or afl"; exit 2 ;;
esac
cmake -S "$SRC" -B "$FB" -DCMAKE_C_COMPILER=$CC -DJITPROOF_FUZZ_ENGINE=$ENGINE -DJITPROOF_SANITIZE=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null || exit 2
cmake --build "$FB" --target fuzz_targets -j"${JOBS:-2}" || exit 2
sh "$SRC/fuzz/corpus.sh" "$B" "$OUT/seeds" || exit 2
dict_of() { case $1 in asm) echo asm ;; spec) echo spec ;; vector|vector08) echo json ;; trace) echo trace ;; *) echo "" ;; esac; }
bad=0
for t in $TARGETS; do
  mkdir -p "$OUT/$t/crashes" "$OUT/$t/corpus"
  d=$(dict_of $t)
  echo "== fuzz_$t: $T s ($ENGINE)"
  if [ $ENGINE = libfuzzer ]; then
    "$FB/fuzz_$t" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      ${d:+-dict="$OUT/seeds/dict/$d.dict"} -artifact_prefix="$OUT/$t/crashes/" -jitproof_out="$OUT/$t/crashes" \
      "$OUT/$t/corpus" "$OUT/seeds/$t" > "$OUT/$t/log" 2>&1
    rc=$?
    [ $rc = 0 ] || [ -n "$(ls "$OUT/$t/crashes")" ] || { echo "fuzz_$t: exit $rc, see $OUT/$t/log"; tail -3 "$OUT/$t/log"; bad=1; }
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec)|SUMMARY|divergence" "$OUT/$t/log"
  else
    AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
      afl-fuzz -V "$T" -m none -t 10000 ${d:+-x "$OUT/seeds/dict/$d.dict"} -i "$OUT/seeds/$t" -o "$OUT/$t/afl" \
      -- "$FB/fuzz_$t" > "$OUT/$t/log" 2>&1
    cp "$OUT/$t/afl/default/crashes/"id* "$OUT/$t/crashes/" 2>/dev/null || true
    grep -E "execs_done|execs_per_sec|saved_crashes" "$OUT/$t/afl/default/fuzzer_stats" 2>/dev/null
  fi
  n=$(ls "$OUT/$t/crashes" | wc -l)
  if [ "$n" != 0 ]; then
    bad=1
    echo "fuzz_$t: $n crashing inputs in $OUT/$t/crashes (keep them: cp $OUT/$t/crashes/* fuzz/regress/$t/)"
  fi
done
exit $bad
