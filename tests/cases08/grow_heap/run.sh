#!/bin/sh
# tests/cases08/grow_heap/run.sh: the GP 0.8.0 grow_heap boundary cases. Each case is run as a
# standard container; its container arguments (RO RW Z S ARGS) are on the comment line naming
# "case_driver container08 ENGINE FILE ...".
#   run.sh cases DRIVER ENGINE DIR [ARGS...]  every DIR/*.pvmasm on ENGINE (ARGS go to the driver
#                                       first, e.g. --mutant NAME); ends "grow_heap: N passed, M failed"
#   run.sh write DRIVER DIR OUT         writes OUT/<case>/container.bin (+ args.bin) for each case
#   run.sh replay OUT JITPROOF ARGS...  `JITPROOF replay --isa 0.8.0 ARGS... OUT/*/container.bin`
#   run.sh no_vector OUT JITPROOF CASE  `JITPROOF run -o` on OUT/CASE refuses (exit 2, the reason on
#                                       stderr) and writes no vector: a step vector cannot state
#                                       grow_heap's price
mode=$1
shift
args_of() { grep -o "container08 ENGINE FILE [^,)]*" "$1" | head -1 | cut -d' ' -f4-; }
case $mode in
cases)
	driver=$1 engine=$2 dir=$3 pass=0 fail=0
	shift 3
	for f in "$dir"/*.pvmasm; do
		a=$(args_of "$f")
		[ -n "$a" ] || { echo "FAIL $f: no container08 arguments line"; fail=$((fail + 1)); continue; }
		# shellcheck disable=SC2086
		if "$driver" "$@" container08 "$engine" "$f" $a; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
	echo "grow_heap: $pass passed, $fail failed"
	[ $fail -eq 0 ] && [ $pass -gt 0 ] ;;
write)
	driver=$1 dir=$2 out=$3
	for f in "$dir"/*.pvmasm; do
		n=$(basename "$f" .pvmasm)
		mkdir -p "$out/$n"
		# shellcheck disable=SC2086
		"$driver" container08 interp "$f" $(args_of "$f") "$out/$n" || exit 1
	done ;;
replay)
	out=$1 jp=$2
	shift 2
	exec "$jp" replay --isa 0.8.0 "$@" "$out"/*/container.bin ;;
no_vector)
	out=$1 jp=$2 n=$3 v="$1/$3/run.json"
	rm -f "$v"
	msg=$("$jp" run --isa 0.8.0 "$out/$n/container.bin" --args "$out/$n/args.bin" -o "$v" 2>&1 >/dev/null)
	rc=$?
	echo "$msg"
	[ $rc -eq 2 ] || { echo "FAIL: run -o exited $rc, expected 2"; exit 1; }
	[ ! -e "$v" ] || { echo "FAIL: $v was written"; exit 1; }
	echo "$msg" | grep -q "^$v: not written: the run answered grow_heap" || { echo "FAIL: not the grow_heap reason"; exit 1; }
	echo "ok: run -o after grow_heap wrote nothing" ;;
*)
	echo "usage: run.sh cases|write|replay|no_vector ..." >&2
	exit 2 ;;
esac
