#!/bin/sh
# tests/seeds/seeds.sh MODE JP WORK [DEF]: generate | showmap | mutants (see CMakeLists.txt; DEF =
# jit/mutants.def for mutants: its GP 0.8.0 rows are skipped).
set -u
MODE=$1 JP=$2 W=$3
fail() { echo "FAIL: $*"; exit 1; }
case $MODE in
generate)
  rm -rf "$W" && mkdir -p "$W" || exit 1
  "$JP" seeds "$W/dir" --list "$W/reach.txt" > "$W/log"; rc=$?
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
  missed=""
  # the seeds are GP 0.7.2 programs: the GP 0.8.0 mutants (class gas-flag, DEF = jit/mutants.def)
  # are caught by named 0.8 cases instead (tests/validator, vector_mutants)
  skip=$([ -n "${4:-}" ] && sed -n 's/^MUTANT(\([a-z0-9_]*\), *[a-z0-9_]*, *gas-flag,.*/\1/p' "$4")
  while read -r m op; do
    case " $(echo $skip) " in *" $m "*) echo "$m: GP 0.8.0 mutant, not a seed's business"; continue ;; esac
    a=$("$JP" replay "$W/dir" --mutant "$m" 2>&1 | tail -1)
    b=$("$JP" replay "$W/dir" --mutant "$m" --engine-b jit-portable 2>&1 | tail -1)
    echo "$m: jit {$a} jit-portable {$b}"
    case "$a$b" in *" 0 diverge"*" 0 diverge"*) missed="$missed $m" ;; *diverge*) ;; *) fail "$m: replay failed: $a $b" ;; esac
  done < "$W/mutants"
  [ -z "$missed" ] || fail "mutants the seeds do not catch:$missed"
  echo "seeds catch all $(wc -l < "$W/mutants") mutants"
  ;;
esac
