#!/bin/bash -eu
# fuzz/oss-fuzz/build.sh: OSS-Fuzz / ClusterFuzz build script. Builds every fuzz target with the
# environment's $CC/$CFLAGS and $LIB_FUZZING_ENGINE, and ships each with its seed corpus and
# dictionary (fuzz/corpus.sh, from a normal build) to $OUT.
cd "$SRC/jitproof"
cmake -S . -B build-normal -DCMAKE_BUILD_TYPE=Release -DJITPROOF_FUZZ_SMOKE=OFF
cmake --build build-normal -j"$(nproc)" --target jitproof jitproof-fuzz-tool
cmake -S . -B build-oss -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_BUILD_TYPE=Release \
      -DJITPROOF_FUZZ_ENGINE=external -DJITPROOF_FUZZ_LIB="$LIB_FUZZING_ENGINE"
cmake --build build-oss -j"$(nproc)" --target fuzz_targets
JITPROOF_VECTORS=${JITPROOF_VECTORS:-$SRC/jitproof/fuzz/regress/vector} sh fuzz/corpus.sh build-normal corpora
for t in diff blob container vector vector08 trace asm spec; do
  cp "build-oss/fuzz_$t" "$OUT/"
  (cd "corpora/$t" && zip -q -r "$OUT/fuzz_${t}_seed_corpus.zip" .)
done
cp corpora/dict/asm.dict "$OUT/fuzz_asm.dict"
cp corpora/dict/spec.dict "$OUT/fuzz_spec.dict"
cp corpora/dict/json.dict "$OUT/fuzz_vector.dict"
cp corpora/dict/json.dict "$OUT/fuzz_vector08.dict"
cp corpora/dict/trace.dict "$OUT/fuzz_trace.dict"
# the spec engine and the spec target read the spec file at run time
cp specs/pvm.yaml "$OUT/"
