#!/bin/sh
# tests/traces/roundtrip.sh JITPROOF TRACES OUT [ENGINE]: each trace in TRACES replayed by
# `run --trace-out` gives back the trace's known lines exactly (unknown lines and the prefixes of
# known ones dropped, trailing blanks ignored; the format's keywords as README § Traces lists them).
jp=$1 dir=$2 out=$3 engine=${4:-interp}
mkdir -p "$out" || exit 1
known() {
	sed -nE 's/^(.*[ \t])?((program 0x|memwrite 0x|memread 0x|start pc=|ecalli=[0-9]|setreg r|setgas <-|HALT pc=|OOG pc=|PANIC=[0-9]).*)$/\2/p' "$1" |
		sed -E 's/[ \t]+$//'
}
n=0
for t in "$dir"/*.log; do
	name=$(basename "$t")
	"$jp" run "$t" --engine "$engine" --trace-out "$out/$name" > "$out/$name.txt" 2>&1 ||
		{ cat "$out/$name.txt"; echo "FAIL $name: run exit $?"; exit 1; }
	known "$t" > "$out/$name.want"
	known "$out/$name" > "$out/$name.got"
	[ -s "$out/$name.want" ] || { echo "FAIL $name: no known lines"; exit 1; }
	cmp -s "$out/$name.want" "$out/$name.got" ||
		{ diff "$out/$name.want" "$out/$name.got" | head -5 | cut -c1-200; echo "FAIL $name: lines differ"; exit 1; }
	n=$((n + 1))
done
echo "PASS: $n traces written back line for line ($engine)"
