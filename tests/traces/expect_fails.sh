#!/bin/sh
# tests/traces/expect_fails.sh "NAME..." CMD...: `vectors` CMD exits 1 and its FAIL lines name
# exactly the vectors NAME... (in any order), no others.
want=$(echo $1 | tr ' ' '\n' | sort)
shift
out=$("$@" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
got=$(echo "$out" | sed -n 's/^FAIL \([^:]*\):.*/\1/p' | sort)
[ "$got" = "$want" ] || { echo "FAIL: failing vectors differ; want:"; echo "$want"; echo "got:"; echo "$got"; exit 1; }
echo "PASS: exactly $(echo "$want" | wc -l) fail"
