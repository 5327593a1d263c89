#!/bin/sh
# tests/cases08/grow_heap/run.sh: the GP 0.8.0 grow_heap boundary cases. Each case is run as a
# standard container; its container arguments (RO RW Z S ARGS) are on the comment line naming
# "case_driver container08 ENGINE FILE ...".
#   run.sh cases DRIVER ENGINE DIR [ARGS...]  every DIR/*.pvmasm on ENGINE (ARGS go to the driver
#                                       first, e.g. --mutant NAME); ends "grow_heap: N passed, M failed"
#   run.sh write DRIVER DIR OUT         writes OUT/<case>/container.bin (+ args.bin) for each case
#   run.sh replay OUT JITPROOF ARGS...  `JITPROOF replay --isa 0.8.0 ARGS... OUT/*/container.bin`
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
*)
	echo "usage: run.sh cases|write|replay ..." >&2
	exit 2 ;;
esac
