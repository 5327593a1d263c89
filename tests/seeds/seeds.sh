#!/bin/sh
# tests/seeds/seeds.sh MODE JP WORK [DEF]: generate | generate08 | showmap | mutants | mutants08
# (see CMakeLists.txt; the 08 modes: the GP 0.8.0 seeds, step vectors).
set -u
MODE=$1 JP=$2 W=$3 DEF=${4:-}
fail() { echo "FAIL: $*"; exit 1; }
ISA=0.7.2
case $MODE in generate08) ISA=0.8.0 MODE=generate ;; esac
# replay_two M: the seeds in $W/dir replayed on mutant M on two engine pairs, into $a and $b: a
# decoder mutant ($decode, class decode: it breaks the decoder the interpreter and the JITs share)
# against the spec engine, which reads the bytes through its own decoding; any other with the
# interpreter against jit and jit-portable. Host calls are answered by the perturbing host (every
# register, the gas, a memory word), so a resume that does not take all of the answer shows too.
replay_two() {
  if printf '%s\n' "$decode" | grep -qx "$1"; then
    a=$("$JP" replay "$W/dir" --mutant "$1" --host perturb --engine-a spec 2>&1 | tail -1)
    b=$("$JP" replay "$W/dir" --mutant "$1" --host perturb --engine-a spec --engine-b interp 2>&1 | tail -1)
    echo "$1: spec-jit {$a} spec-interp {$b}"
  else
    a=$("$JP" replay "$W/dir" --mutant "$1" --host perturb 2>&1 | tail -1)
    b=$("$JP" replay "$W/dir" --mutant "$1" --host perturb --engine-b jit-portable 2>&1 | tail -1)
    echo "$1: jit {$a} jit-portable {$b}"
  fi
}
case $MODE in
generate)
  rm -rf "$W" && mkdir -p "$W" || exit 1
  "$JP" seeds "$W/dir" --isa $ISA --list "$W/reach.txt" > "$W/log"; rc=$?
  cat "$W/log"
  [ $rc = 0 ] || fail "seeds exit $rc"
  last=$(tail -1 "$W/log")
  found=$(echo "$last" | sed -n 's/.* \([0-9]*\) found.*/\1/p')
  echo "$last" | grep -q " 0 unknown" || fail "unknown paths: $last"
  [ "$found" -gt 400 ] || fail "only $found paths found"
  [ "$(wc -l < "$W/reach.txt")" = "$found" ] || fail "--list has $(wc -l < "$W/reach.txt") lines, $found found"
  n=$(ls "$W/dir" | wc -l)
  echo "$last" | grep -q "$n vectors written" || fail "$n files but: $last"
  # every unreachable path comes with a reason
  [ "$(grep -c '^unreachable spec_[a-z0-9_]*: .' "$W/log")" = "$(echo "$last" | sed -n 's/.* \([0-9]*\) unreachable.*/\1/p')" ] \
    || fail "unreachable lines without reasons"
  if [ $ISA = 0.8.0 ]; then
    # GP 0.8.0's own: unlikely's paths, no sbrk, step vectors, the prevalidation edges
    grep -qx spec_unlikely_exec "$W/reach.txt" || fail "no unlikely seed"
    ! grep -q '^spec_sbrk_' "$W/reach.txt" || fail "sbrk seeds in GP 0.8.0"
    grep -q '"steps"' "$W/dir/add_64_exec_0.json" || fail "not a step vector"
    for e in skip_24 skip_25 bit0_unset undefined_opcode; do
      [ -f "$W/dir/prevalidation_$e.json" ] || fail "no prevalidation_$e seed"
    done
  fi
  ;;
showmap)
  rm -rf "$W/cov"
  "$JP" showmap "$W/dir" --domain spec -o "$W/cov" --approach seeds > /dev/null || fail "showmap exit $?"
  cut -d: -f1 "$W/cov/seeds/trial" | sort > "$W/covered"
  sort "$W/reach.txt" > "$W/reach.sorted"
  missing=$(comm -23 "$W/reach.sorted" "$W/covered")
  [ -z "$missing" ] || fail "reachable paths not covered: $missing"
  echo "seeds cover all $(wc -l < "$W/reach.txt") reachable spec paths"
  ;;
mutants)
  "$JP" validate --list-mutants > "$W/mutants" || fail "--list-mutants"
  [ "$(wc -l < "$W/mutants")" -ge 25 ] || fail "too few mutants"
  missed="" skipped=0
  # the seeds are GP 0.7.2 vectors: the GP 0.8.0 mutants (classes gas-flag, gas-model,
  # prevalidation, host; pvm/mutants.def) break what only a 0.8.0 program runs (unlikely, the
  # gas-charged flag, the 0.8.0 cost table, prevalidation, grow_heap), so none of them can show
  # here (the GP 0.8.0 seeds catch them: mode mutants08)
  gasflag=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *(gas-flag|gas-model|prevalidation|host),.*/\1/p' "$DEF")
  # class decode breaks the decoder the interpreter and the JITs share: the spec engine, which
  # reads the bytes through its own decoding, is the one to compare them with
  decode=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *decode,.*/\1/p' "$DEF")
  # class validator weakens the validator's own queries, not an engine: nothing runs differently
  validator=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *validator,.*/\1/p' "$DEF")
  # classes a seed program (one instruction, then traps) cannot reach, with the reason: layout (the
  # code between blocks a loop falls into, its head's padding: prove --all catches it on loop_sum),
  # chain-walk (which blocks the gas chains join, from a host call and a branch back in one block:
  # on host_sbrk), latch (a loop's latch, the refund on the loop's exit: on gas_latch) and step (a
  # byte-reduction loop's step: on byte_step and byte_step_fault)
  loopless=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *(layout|chain-walk|latch|step),.*/\1 \2/p' "$DEF")
  lskipped=0
  vskipped=0
  while read -r m op; do
    if printf '%s\n' "$validator" | grep -qx "$m"; then
      echo "$m: not applicable (a validator mutant: every engine runs as before; validate --self-test catches it)"
      vskipped=$((vskipped + 1))
      continue
    fi
    cls=$(printf '%s\n' "$loopless" | awk -v m="$m" '$1 == m { print $2 }')
    if [ -n "$cls" ]; then
      case $cls in
      chain-walk) why="a seed program has no host call before a branch in one block" ;;
      *) why="a seed program has no loop" ;;
      esac
      echo "$m: not applicable (a $cls mutant: $why)"
      lskipped=$((lskipped + 1))
      continue
    fi
    if printf '%s\n' "$gasflag" | grep -qx "$m"; then
      echo "$m: not applicable (a GP 0.8.0 mutant; the seeds are GP 0.7.2 vectors)"
      skipped=$((skipped + 1))
      continue
    fi
    replay_two "$m"
    case "$a$b" in *" 0 diverge"*" 0 diverge"*) missed="$missed $m" ;; *diverge*) ;; *) fail "$m: replay failed: $a $b" ;; esac
  done < "$W/mutants"
  [ -z "$missed" ] || fail "mutants the seeds do not catch:$missed"
  [ "$skipped" -le 6 ] || fail "$skipped mutants skipped as GP 0.8.0 ones"
  [ "$vskipped" -le 1 ] || fail "$vskipped mutants skipped as validator ones"
  [ "$lskipped" -le 6 ] || fail "$lskipped mutants skipped as layout, chain-walk, latch and step ones"
  echo "seeds catch all $(($(wc -l < "$W/mutants") - skipped - vskipped - lskipped)) GP 0.7.2 mutants ($skipped GP 0.8.0 ones, $vskipped validator one and $lskipped layout, chain-walk, latch and step ones not applicable)"
  ;;
mutants08)
  # the GP 0.8.0 seeds against every mutant: an engine mutant must make the engines diverge on
  # them (replay_two); one in the code all engines share (pvm/: deblob's prevalidation, the block
  # cost model: classes prevalidation, gas-model) must make a seed's recorded outcome fail (`vectors`)
  "$JP" validate --list-mutants > "$W/mutants" || fail "--list-mutants"
  shared=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *(prevalidation|gas-model),.*/\1/p' "$DEF")
  decode=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *decode,.*/\1/p' "$DEF")
  # not applicable: the validator's own (nothing runs differently), layout, chain-walk, latch and
  # step (a seed has no loop, no host call before a branch: as for GP 0.7.2), sbrk's (GP 0.8.0 has no sbrk,
  # ISA-NOTES-0.8 §1) and host (grow_heap is answered by the host after a run stops at its
  # ecalli; a step vector ends there)
  na=$(sed -n -E 's/^MUTANT\(([a-z0-9_]*), *[a-z0-9_]*, *(validator|layout|chain-walk|latch|step|host),.*/\1/p; s/^MUTANT\(([a-z0-9_]*), *sbrk,.*/\1/p' "$DEF")
  missed="" skipped=0 caught=0
  while read -r m op; do
    if printf '%s\n' "$na" | grep -qx "$m"; then
      echo "$m: not applicable"
      skipped=$((skipped + 1))
      continue
    fi
    if printf '%s\n' "$shared" | grep -qx "$m"; then
      a=$("$JP" vectors "$W/dir" --mutant "$m" --engine interp 2>&1 | tail -1)
      echo "$m: vectors {$a}"
      case "$a" in *" 0 failed"*) missed="$missed $m" ;; *failed*) caught=$((caught + 1)) ;; *) fail "$m: vectors: $a" ;; esac
      continue
    fi
    replay_two "$m"
    case "$a$b" in *" 0 diverge"*" 0 diverge"*) missed="$missed $m" ;; *diverge*) caught=$((caught + 1)) ;; *) fail "$m: replay failed: $a $b" ;; esac
  done < "$W/mutants"
  [ -z "$missed" ] || fail "mutants the GP 0.8.0 seeds do not catch:$missed"
  [ "$skipped" -le 11 ] || fail "$skipped mutants not applicable"
  echo "the GP 0.8.0 seeds catch all $caught applicable mutants ($skipped not applicable)"
  ;;
esac
