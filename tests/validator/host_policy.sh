#!/bin/sh
# host_policy.sh JITPROOF PROGRAMS CASE DIR: run/replay drive programs through their host calls.
# (1) An answers file is applied: in CASE (tests/asm/host_resume.pvmasm) host call 42 gets r7 = 100,
# so at the next call r7 is 101; the default policy then gives WHAT. Its memory writes too: the
# byte the program reads back at the end, and a write to an unmapped page is a panic at the call.
# (2) A bad answers file is one FILE:LINE:COL line and exit 2. (3) test-service and bootstrap from
# the JAM entry points refine and accumulate with the default policy: both engines agree at every
# host call, for at least 50 calls or to completion (an exit other than the host-call limit); and
# with the perturbing host (every register, the gas and a memory word changed): both agree.
jp=$1; progs=$2; case=$3; dir=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$dir"; mkdir -p "$dir"
printf '# answers\n42 r7=100 gas=3\n' > "$dir/answers"
out=$("$jp" run --isa 0.7.2 "$case" --host "$dir/answers") || fail "run --host exit $?"
echo "$out"
echo "$out" | grep -q '^host call 0: id 42 at pc 3, gas 98, r7 0x5$' || fail "first call"
echo "$out" | grep -q '^host call 1: id 7 at pc 11, gas 92, r7 0x65$' || fail "the answer r7 = 100 was not applied (or gas 3 not charged)"
echo "$out" | grep -q '^r7  = 0xfffffffffffffffe' || fail "the default answer is not WHAT"
printf '42 r7=100 gas=3 mem:0x20000=99\n' > "$dir/mem"
out=$("$jp" run --isa 0.7.2 "$case" --host "$dir/mem") || fail "run --host (mem) exit $?"
echo "$out" | grep -q '^r10 = 0x0000000000000099' || fail "the answer's write at 0x20000 was not read back"
printf '42 mem:0x50000=99\n' > "$dir/unmapped"
out=$("$jp" run --isa 0.7.2 "$case" --host "$dir/unmapped") || fail "run --host (unmapped) exit $?"
echo "$out" | grep -q '^status: panic$' && echo "$out" | grep -q '^pc: 3$' || fail "a write to an unmapped page is not a panic at the call"
printf '42 r7=1\n7 r99=1\n' > "$dir/bad"
err=$("$jp" run --isa 0.7.2 "$case" --host "$dir/bad" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "bad answers file: exit $rc"
echo "$err" | grep -q "^$dir/bad:2:3: expected rN=VALUE, gas=N or mem:ADDR=HEX$" || fail "bad answers file message: $err"
for f in test-service bootstrap; do
	for e in refine accumulate; do
		out=$("$jp" replay --isa 0.7.2 "$progs/$f.bin" --host default --entry $e) || fail "$f $e: replay exit $? ($out)"
		echo "$out"
		echo "$out" | grep -q '^replay: 1 agree, 0 diverge$' || fail "$f $e: engines differ"
		n=$(echo "$out" | sed -n 's/.*: \([0-9]*\) host calls compared, then \(.*\) at pc .*/\1 \2/p')
		[ -n "$n" ] || fail "$f $e: no host-call summary"
		set -- $n
		[ "$1" -ge 50 ] || [ "$2" != "the" ] || fail "$f $e: stopped at the limit after $1 calls"
		[ "$1" -ge 1 ] || fail "$f $e: no host call reached"
		out=$("$jp" replay --isa 0.7.2 "$progs/$f.bin" --host perturb --entry $e) || fail "$f $e: replay --host perturb exit $? ($out)"
		echo "$out"
		echo "$out" | grep -q '^replay: 1 agree, 0 diverge$' || fail "$f $e: engines differ under the perturbing host"
	done
done
echo "host_policy: ok"
