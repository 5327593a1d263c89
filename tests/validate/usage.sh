#!/bin/sh
# usage.sh JITPROOF: bad flags and inputs of validate/prove give one line and exit 2.
jp=$1; bad=0
check() { # expected-substring command...
  want=$1; shift
  msg=$("$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -ne 2 ] || ! echo "$msg" | grep -qF -- "$want"; then echo "FAIL: $* -> rc=$rc msg=$msg"; bad=1; fi
}
check "unknown opcode 'nope'" "$jp" validate --opcode nope
check "--shard needs I/N" "$jp" validate --shard 3/2
check "-j needs a number" "$jp" validate -j zero
check "-j needs a number" "$jp" validate -j0
check "-j needs a number" "$jp" prove -jx x.json --all
# -j2 glued, as make takes it: accepted (the bad --opcode after it is what fails)
check "unknown opcode 'nope'" "$jp" validate -j2 --opcode nope
check "unknown or incomplete option" "$jp" validate --frobnicate
check "--cache needs a folder" "$jp" validate --cache
check "--cache needs a folder" "$jp" prove --all x.json --cache
check "needs FILE and exactly one of" "$jp" prove
check "prove them separately" "$jp" prove --all "$(dirname "$0")/../interp/wrong_expectation.json" "$(dirname "$0")/../cases08/unlikely.pvmasm"
check "no instruction starts there" "$jp" prove "$(dirname "$0")/../cases/loop_sum.pvmasm" --pc 1 --isa 0.7.2
check "no-such-file" "$jp" prove no-such-file.json --all
[ $bad -eq 0 ] && echo "usage: ok"
exit $bad
