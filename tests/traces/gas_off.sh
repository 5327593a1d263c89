#!/bin/sh
# tests/traces/gas_off.sh JITPROOF TRACE OUT: the trace with the gas of its third host call (the
# third ecalli line) raised by one is a divergence on every engine: exit 1, naming host call 3
# and its field; the trace as it is replays (exit 0).
jp=$1 t=$2 out=$3
"$jp" run "$t" > /dev/null || { echo "FAIL: the trace itself does not replay"; exit 1; }
awk '/ecalli=[0-9]/ && ++n == 3 { match($0, /gas=[0-9]+/); g = substr($0, RSTART + 4, RLENGTH - 4);
     $0 = substr($0, 1, RSTART - 1) "gas=" (g + 1) substr($0, RSTART + RLENGTH) } { print }' "$t" > "$out"
for e in interp jit jit-portable spec; do
	o=$("$jp" run "$out" --engine $e 2>&1)
	rc=$?
	[ $rc -eq 1 ] || { echo "$o"; echo "FAIL [$e]: exit $rc, expected 1"; exit 1; }
	echo "$o" | grep -q "ecalli #3 (pc [0-9]*, line [0-9]*): gas: want [0-9]* got [0-9]*" ||
		{ echo "$o"; echo "FAIL [$e]: no line names host call 3's gas"; exit 1; }
	echo "[$e] $(echo "$o" | head -1)"
done
o=$("$jp" vectors "$out" --engine both 2>&1)
[ $? -eq 1 ] && echo "$o" | grep -q "ecalli #3" || { echo "$o"; echo "FAIL: vectors does not name host call 3"; exit 1; }
# a memread whose bytes are not what the run has in memory is a divergence (exit 1), not
# malformed input: the first memread's last byte changed
awk '/memread 0x/ && !done { n = length($0); c = substr($0, n, 1); $0 = substr($0, 1, n - 1) (c == "0" ? "1" : "0"); done = 1 } { print }' \
	"$t" > "$out.memread.log"
o=$("$jp" run "$out.memread.log" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$o" | grep -q "ecalli #[0-9]* (pc [0-9]*, line [0-9]*): memread (line [0-9]*) mem\[0x[0-9a-f]*\]: want 0x[0-9a-f]* got 0x[0-9a-f]*" ||
	{ echo "$o"; echo "FAIL: a wrong memread: exit $rc"; exit 1; }
echo "$o" | head -1
echo "PASS: host call 3's gas off by one is caught on every engine; a wrong memread is a divergence"
