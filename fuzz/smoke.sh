#!/bin/sh
# fuzz/smoke.sh FUZZER REGRESS WORK RUNS [TOOL KIND]: a short libFuzzer run from a copy of the
# regression inputs (the source folder is never written), with the dictionary `TOOL dict KIND`
# when given, and with every file of the folder $SMOKE_SEEDS (if set) as more seeds (copied too).
# Fails on any crash, leak, timeout, divergence or a dictionary libFuzzer rejects.
set -u
BIN=$1 REG=$2 W=$3 RUNS=$4 TOOL=${5:-} KIND=${6:-}
rm -rf "$W" && mkdir -p "$W/corpus" "$W/art" || exit 1
cp "$REG"/* "$W/corpus/" 2>/dev/null
if [ -n "${SMOKE_SEEDS:-}" ]; then
  [ -d "$SMOKE_SEEDS" ] || { echo "FAIL: SMOKE_SEEDS=$SMOKE_SEEDS is not a folder"; exit 1; }
  for f in "$SMOKE_SEEDS"/*; do
    [ -f "$f" ] || continue
    cp "$f" "$W/corpus/seed-$(basename "$f")"
  done
fi
seeds=$(ls "$W/corpus" | wc -l)
cd "$W" || exit 1
DICT=""
if [ -n "$KIND" ]; then "$TOOL" dict "$KIND" > "$W/dict" || exit 1; DICT=-dict=$W/dict; fi
"$BIN" $DICT -runs="$RUNS" -seed=1 -max_total_time=30 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$W/art/" \
       -jitproof_out="$W/art" "$W/corpus" > "$W/log" 2>&1
rc=$?
tail -3 "$W/log"
if [ $rc != 0 ] || [ -n "$(ls "$W/art")" ]; then
  echo "FAIL: $BIN exit $rc; artifacts: $(ls "$W/art")"
  grep -E "ERROR|SUMMARY|divergence" "$W/log" | head -5
  exit 1
fi
echo "smoke: $(basename "$BIN"): $RUNS runs from $seeds seed inputs, no crash"
