#!/bin/sh
# tests/traces/meta.sh JITPROOF TRACE OUT: on-chain blobs. The trace's program (metadata, then the
# standard container) written as a binary runs as a container (metadata found by its lengths),
# prints its metadata in disasm, and equals what --metadata forces; the same with a broken
# metadata length is one clear line, exit 2; a blob that reads both ways is ambiguous (exit 2)
# unless --metadata or --no-metadata chooses.
jp=$1 t=$2 out=$3
mkdir -p "$out" || exit 1
perl -ne 'print pack("H*", $1) if /(?:^|\s)program 0x([0-9a-f]+)/' "$t" > "$out/onchain.bin"
[ -s "$out/onchain.bin" ] || { echo "FAIL: no program in $t"; exit 1; }
o=$("$jp" run "$out/onchain.bin" --isa 0.7.2 --entry accumulate --host default --max-host-calls 3 2>&1) ||
	{ echo "$o"; echo "FAIL: the on-chain blob does not run"; exit 1; }
echo "$o" | grep -q '^status: ' || { echo "$o"; echo "FAIL: no status"; exit 1; }
d=$("$jp" disasm "$out/onchain.bin" --isa 0.7.2 2>&1) || { echo "$d"; echo "FAIL: disasm"; exit 1; }
echo "$d" | grep -q '^; metadata ([0-9]* bytes): name "' || { echo "$d" | head -3; echo "FAIL: disasm prints no metadata"; exit 1; }
echo "$d" | grep '^; metadata'
o2=$("$jp" run "$out/onchain.bin" --metadata --isa 0.7.2 --entry accumulate --host default --max-host-calls 3 2>&1)
[ "$o" = "$o2" ] || { echo "FAIL: --metadata reads it otherwise"; exit 1; }
# the metadata length byte raised past the blob
perl -e 'open F, "<", $ARGV[0]; binmode F; local $/; $b = <F>; substr($b, 0, 1) = chr(0x7f); print $b' "$out/onchain.bin" > "$out/broken.bin"
e=$("$jp" run "$out/broken.bin" --isa 0.7.2 --metadata 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(echo "$e" | wc -l)" -eq 1 ] && echo "$e" | grep -q "broken.bin: offset [0-9]*: after 127 bytes of metadata, not a standard container" ||
	{ echo "$e"; echo "FAIL: broken metadata: exit $rc"; exit 1; }
echo "$e"
# 40 bytes that are a container (ro 16, rw 5, code 4 bytes) and also 16 bytes of metadata then a
# container (code 8 bytes): README § On-chain blobs
perl -e 'print chr(16), "\0\0", chr(5), "\0" x 13, "\0" x 11, pack("V", 8), pack("V", 4), "\0" x 4' > "$out/ambiguous.bin"
e=$("$jp" disasm "$out/ambiguous.bin" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && echo "$e" | grep -q "ambiguous.bin: offset 0: ambiguous blob" || { echo "$e"; echo "FAIL: ambiguous: exit $rc"; exit 1; }
echo "$e"
for m in --metadata --no-metadata; do
	e=$("$jp" disasm "$out/ambiguous.bin" $m 2>&1); rc=$?
	echo "$e" | grep -q "ambiguous blob" && { echo "$e"; echo "FAIL: $m still ambiguous"; exit 1; }
done
echo "PASS: on-chain blobs with metadata"
