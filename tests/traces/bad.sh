#!/bin/sh
# tests/traces/bad.sh JITPROOF FOLDER: every malformed trace in FOLDER/bad (listed in bad/EXPECTED
# with its one error line) makes `run` and `vectors` exit 2 with exactly that one line on stderr,
# naming the file, line and column, and nothing on stdout from run.
jp=$1
cd "$2" || exit 1
n=0
while IFS= read -r want; do
	name=${want%%:*}
	err=$("$jp" run "bad/$name" 2>&1 >/tmp/jp_bad_out.$$)
	rc=$?
	[ $rc -eq 2 ] || { echo "FAIL bad/$name: run exit $rc, expected 2"; exit 1; }
	[ "$err" = "bad/$want" ] || { echo "FAIL bad/$name: run said '$err', expected 'bad/$want'"; exit 1; }
	[ -s /tmp/jp_bad_out.$$ ] && { echo "FAIL bad/$name: run wrote to stdout"; exit 1; }
	err=$("$jp" vectors "bad/$name" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] || { echo "FAIL bad/$name: vectors exit $rc, expected 2"; exit 1; }
	[ "$err" = "bad/$want" ] || { echo "FAIL bad/$name: vectors said '$err'"; exit 1; }
	n=$((n + 1))
done < bad/EXPECTED
rm -f /tmp/jp_bad_out.$$
[ "$n" -eq "$(ls bad/*.log | wc -l)" ] || { echo "FAIL: bad/EXPECTED lists $n of $(ls bad/*.log | wc -l) files"; exit 1; }
echo "PASS: $n malformed traces, one line each, exit 2"
