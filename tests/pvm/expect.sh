#!/bin/sh
# tests/pvm/expect.sh RC REGEX CMD...: runs CMD; passes when it exits with RC and its combined
# stdout+stderr matches the extended regular expression REGEX.
rc_want=$1 re=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" != "$rc_want" ]; then echo "expect.sh: exit status $rc, want $rc_want"; exit 1; fi
if ! printf '%s\n' "$out" | grep -Eq -- "$re"; then echo "expect.sh: output lacks /$re/"; exit 1; fi
exit 0
