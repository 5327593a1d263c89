#!/bin/sh
# prove_vectors.sh JITPROOF VECTORS: `prove --all` on every official vector: every block PROVED,
# except the blocks listed here, which Z3 does not decide within the default resource limit
# (--rlimit, deterministic: independent of machine load) (a store through a
# loaded address between loads: array aliasing) and which must then agree on the concrete
# fallback. Any other block that is not PROVED fails the test.
jp=$1; dir=$2; files=0; blocks=0; bad=0
known="riscv_rv64ui_sd.json:721 riscv_rv64ui_sh.json:383 riscv_rv64ui_sw.json:429"
for f in "$dir"/*.json; do
  out=$("$jp" prove "$f" --all --fallback-states 200); rc=$?
  files=$((files + 1)); name=$(basename "$f")
  line=$(echo "$out" | tail -n 1)
  n=$(echo "$line" | sed -n 's/^prove: \([0-9]*\) proved, 0 counterexamples, 0 unknown, [0-9]* fallback-agree$/\1/p')
  [ $rc -eq 0 ] && [ -n "$n" ] || { bad=$((bad + 1)); echo "FAIL: $name (rc=$rc): $line"; continue; }
  blocks=$((blocks + n))
  for pc in $(echo "$out" | sed -n 's/.* pc \([0-9]*\) ([a-z0-9_]*): FALLBACK-AGREE.*/\1/p'); do
    case " $known " in *" $name:$pc "*) echo "known: $name pc $pc: fallback agrees" ;;
      *) bad=$((bad + 1)); echo "FAIL: $name pc $pc not proved" ;; esac
  done
done
echo "prove_vectors: $files vectors, $blocks blocks proved, $bad problems"
[ "$files" -eq 307 ] && [ $bad -eq 0 ]
