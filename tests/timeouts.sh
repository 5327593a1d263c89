#!/bin/sh
# tests/timeouts.sh CTEST MIN: run in the build folder; every test ctest knows (at least MIN of
# them) has a TIMEOUT property (tests/CMakeLists.txt jp_test_timeouts), so a hang fails with its name.
ctest=$1 min=$2
n=$("$ctest" -N | sed -n 's/^Total Tests: *//p')
json=$("$ctest" --show-only=json-v1) || { echo "FAIL: ctest --show-only failed"; exit 1; }
t=$(printf '%s\n' "$json" | grep -c '"name" : "TIMEOUT"')
echo "$t of $n tests have a TIMEOUT"
[ -n "$n" ] && [ "$n" -ge "$min" ] || { echo "FAIL: expected at least $min tests, ctest lists '$n'"; exit 1; }
[ "$t" -eq "$n" ] || { echo "FAIL: $((n - t)) tests without a TIMEOUT"; exit 1; }
