#!/bin/sh
# tests/asm/expect_exit.sh CASE CMD [ARGS...]: CASE's first line is "; exit N: REGEX"; passes when
# CMD exits with N and its output (stdout and stderr) matches the extended regex REGEX.
head=$(head -n 1 "$1")
code=$(printf '%s\n' "$head" | sed -n 's/^; exit \([0-9]*\): .*/\1/p')
re=$(printf '%s\n' "$head" | sed -n 's/^; exit [0-9]*: //p')
[ -n "$code" ] && [ -n "$re" ] || { echo "FAIL: $1 does not start with '; exit N: REGEX'"; exit 1; }
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq "$code" ] || { echo "FAIL: exit $rc, want $code"; exit 1; }
printf '%s\n' "$out" | grep -Eq -- "$re" || { echo "FAIL: output does not match: $re"; exit 1; }
echo "ok: exit $rc, output matches"
