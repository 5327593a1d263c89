#!/bin/sh
# tests/validator/expect_rc.sh RC PATTERN CMD...: CMD exits with RC and its output (stdout and
# stderr) matches the grep pattern PATTERN.
want=$1 pat=$2
shift 2
out=$("$@" 2>&1)
rc=$?
echo "$out"
[ $rc -eq "$want" ] || { echo "FAIL: exit $rc, expected $want"; exit 1; }
echo "$out" | grep -q -- "$pat" || { echo "FAIL: output does not match '$pat'"; exit 1; }
