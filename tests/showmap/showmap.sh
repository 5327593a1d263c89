#!/bin/sh
# tests/showmap/showmap.sh JP CASES VECTORS WORK: checks `jitproof showmap` (see CMakeLists.txt).
set -u
JP=$1 CASES=$2 VEC=$3 W=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1

# 1. one trial over two corpora; every line is id:count; only DIR/approach/trial exists
"$JP" showmap --isa 0.7.2 "$CASES" "$VEC" -o "$W/a" --approach mixed --trial t1 > "$W/log" || fail "showmap exit $?"
[ "$(cd "$W/a" && find . | sort | tr '\n' ' ')" = ". ./mixed ./mixed/t1 " ] || fail "layout: $(cd "$W/a" && find .)"
[ -s "$W/a/mixed/t1" ] || fail "empty trial file"
bad=$(grep -cvE '^[a-z0-9_]+:[0-9]+$' "$W/a/mixed/t1")
[ "$bad" = 0 ] || fail "$bad lines not id:count"
grep -q '^pvm_[0-9a-f]\{16\}_[0-9a-f]\{8\}:' "$W/a/mixed/t1" || fail "no pvm ids"
grep -q '^spec_div_u_64_if0_t:' "$W/a/mixed/t1" || fail "no spec id for division by zero"
grep -q '^spec_jump_ind_dj_halt:' "$W/a/mixed/t1" || fail "no spec id for the halt djump"
# ids unique and sorted
[ "$(cut -d: -f1 "$W/a/mixed/t1" | sort -u | wc -l)" = "$(wc -l < "$W/a/mixed/t1")" ] || fail "duplicate ids"
cut -d: -f1 "$W/a/mixed/t1" | LC_ALL=C sort -c 2>/dev/null || fail "ids not sorted"

# blobs and containers are corpus entries too
SRC=$(dirname "$CASES")/..
"$JP" showmap --isa 0.7.2 "$SRC/fuzz/regress/blob" "$SRC/tests/pvm/data/args.container" -o "$W/bc" --approach bin > /dev/null \
  || fail "blob/container corpus"
[ "$(grep -c '^pvm_' "$W/bc/bin/trial")" -ge 3 ] || fail "blob/container: too few blocks: $(cat "$W/bc/bin/trial")"

# 2. identical across two runs
"$JP" showmap --isa 0.7.2 "$CASES" "$VEC" -o "$W/b" --approach mixed --trial t1 > /dev/null || fail "second run"
cmp -s "$W/a/mixed/t1" "$W/b/mixed/t1" || fail "two runs differ"

# 3. --per-input: one file per input, named after it; their union is the trial's id set
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/p" --approach cases --per-input > /dev/null || fail "--per-input exit"
n_in=$(ls "$CASES"/*.pvmasm | wc -l)
[ "$(ls "$W/p/cases" | wc -l)" = "$n_in" ] || fail "--per-input: $(ls "$W/p/cases" | wc -l) files for $n_in inputs"
[ -s "$W/p/cases/loop_sum" ] || fail "--per-input: no file loop_sum"
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/p" --approach all --trial t > /dev/null || fail "trial run"
cat "$W/p/cases"/* | cut -d: -f1 | sort -u > "$W/union"
cut -d: -f1 "$W/p/all/t" | sort > "$W/whole"
cmp -s "$W/union" "$W/whole" || fail "--per-input union differs from the trial"
[ -z "$(find "$W/p" -mindepth 2 -type d)" ] || fail "folders below an approach"

# 4. counts: loop_sum enters its loop block 10 times: raw 10, AFL bucket 8
"$JP" showmap --isa 0.7.2 "$CASES/loop_sum.pvmasm" -o "$W/c" --approach raw --raw --domain pvm > /dev/null || fail "--raw"
"$JP" showmap --isa 0.7.2 "$CASES/loop_sum.pvmasm" -o "$W/c" --approach afl --domain pvm > /dev/null || fail "buckets"
grep -q ':10$' "$W/c/raw/trial" || fail "raw count 10 missing: $(cat "$W/c/raw/trial")"
grep -q ':8$' "$W/c/afl/trial" || fail "bucketed count 8 missing: $(cat "$W/c/afl/trial")"
grep -q ':10$' "$W/c/afl/trial" && fail "bucketed output has a raw count 10"
grep -qv '^pvm_' "$W/c/raw/trial" && fail "--domain pvm wrote other ids"

# 5. a trial that covers nothing: an error naming it, no file written
printf '.gas 0\n\tload_imm r1, 1\n\ttrap\n' > "$W/nogas.pvmasm"
"$JP" showmap --isa 0.7.2 "$W/nogas.pvmasm" -o "$W/e" --approach x --domain pvm 2> "$W/err" > /dev/null
rc=$?
[ $rc = 2 ] || fail "empty trial: exit $rc, want 2"
grep -q "trial 'trial' covers nothing" "$W/err" || fail "empty trial message: $(cat "$W/err")"
[ -e "$W/e/x/trial" ] && fail "empty trial file written"

# 6. bad input and bad usage: one line, exit 2
printf 'garbage' > "$W/bad.json"
"$JP" showmap --isa 0.7.2 "$W/bad.json" -o "$W/f" 2> "$W/err" > /dev/null; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$W/err")" = 1 ] && grep -q "bad.json:" "$W/err" || fail "bad input: rc $rc: $(cat "$W/err")"
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/f" --domain nope 2> /dev/null; [ $? = 2 ] || fail "bad --domain"
"$JP" showmap --isa 0.7.2 "$CASES" 2> /dev/null; [ $? = 2 ] || fail "missing -o"
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/f" --trial a/b 2> /dev/null; [ $? = 2 ] || fail "trial with '/'"
# a build without sancov guards refuses the sancov domain with a clear line
"$JP" showmap --isa 0.7.2 "$CASES" -o "$W/g" --domain sancov 2> "$W/err" > /dev/null; rc=$?
if [ $rc = 2 ]; then grep -q "JITPROOF_SANCOV" "$W/err" || fail "sancov refusal: $(cat "$W/err")"
elif [ $rc != 0 ]; then fail "--domain sancov: exit $rc"; fi
echo "showmap: ok ($(wc -l < "$W/a/mixed/t1") ids over cases and vectors)"
