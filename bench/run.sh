#!/bin/sh
# bench/run.sh BUILD_DIR: runs every bench/*.pvmasm on the interpreter and the JIT (jitproof-bench)
# and its C twin compiled with gcc -O2, checks that all three compute the same result, and prints
# per program: guest instructions/s (interp, JIT), JIT/interp speedup, JIT/native time ratio (and
# against the twin built without gcc's vectoriser) and JIT compile time per guest instruction;
# then replays the JIP-7 traces of real services (../shared/traces/0.7.2 or $JITPROOF_TRACES) on
# both engines: guest instructions, instructions/s
# and the JIT compile time, per trace and in total; then times `jitproof validate`
# (BENCH_VALIDATE=0 skips it) and `jitproof prove --all` on the real services (BENCH_PROVE=0 skips
# it). Times are CPU times (the machine may be shared), best of 3, except validate's and prove's
# wall times; they vary from run to run and nothing here is a test.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
driver="$build/jitproof-bench"
[ -x "$driver" ] || { echo "bench: $driver not built (make first)" >&2; exit 2; }
out="$build/bench-native"
mkdir -p "$out"
printf '%-9s %12s %14s %14s %9s %11s %11s %12s\n' program "guest insts" "interp inst/s" "jit inst/s" \
	"jit/interp" "jit/native" "jit/scalar" "compile ns/i"
status=0
for asm in "$here"/*.pvmasm; do
	name=$(basename "$asm" .pvmasm)
	# the twin at -O2 (the target's reference: gcc 12 vectorises at -O2) and, for context, at -O2
	# without the vectoriser (jit/scalar: how the JIT's one-instruction-at-a-time code compares
	# with scalar C)
	gcc -O2 -o "$out/$name" "$here/$name.c"
	gcc -O2 -fno-tree-vectorize -o "$out/$name-scalar" "$here/$name.c"
	best_ns="" best_scalar=""
	for k in 1 2 3; do
		line=$("$out/$name")
		ns=${line##* ns }
		if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then best_ns=$ns; fi
		sline=$("$out/$name-scalar")
		ns=${sline##* ns }
		if [ -z "$best_scalar" ] || [ "$ns" -lt "$best_scalar" ]; then best_scalar=$ns; fi
	done
	native_result=$(echo "$line" | awk '{print $2}')
	if [ "$(echo "$sline" | awk '{print $2}')" != "$native_result" ]; then
		echo "$name: the scalar C twin's result differs from the -O2 twin's"; status=1
	fi
	if ! row=$("$driver" "$asm"); then status=1; continue; fi
	echo "$row" | awk -v name="$name" -v nat="$best_ns" -v scal="$best_scalar" -v natres="$native_result" '{
		insts = $3; ti = $5; tj = $7; comp = $9; n = $11; r7 = $13;
		if (r7 != natres) { printf "%-9s result %s differs from native C %s\n", name, r7, natres; exit 1 }
		printf "%-9s %12d %14.3e %14.3e %8.1fx %10.2fx %10.2fx %12.1f\n", name, insts, insts / (ti / 1e9),
		       insts / (tj / 1e9), ti / tj, tj / nat, tj / scal, comp / n
	}' || status=1
done
"$driver" --compile | awk '{ printf "compile: %.1f ns (thread CPU time) per guest instruction (a %d-instruction program)\n", $5 / $3, $3 }' \
	|| status=1
# GP 0.8.0: deblob with every block's cost (the A.9/A.10 model) and the whole-program JIT compile
# of the two real programs of the pvm-0.8 set (JITPROOF_VECTORS08 overrides their folder): ns per
# guest instruction, minimum / median of many repetitions, per stage (deblob includes the block
# costs; "costs" is the cost model alone, timed again on the decoded program) and whole (deblob + JIT);
# the JIT also as a thread's first compile (jit_thread_forget: no template cache or code mapping kept)
v08=${JITPROOF_VECTORS08:-$here/../../shared/vectors/pvm-0.8}
for f in "$v08/integration/pinky.json" "$v08/integration/prime-sieve.json"; do
	[ -f "$f" ] || { echo "compile 0.8: $f missing"; continue; }
	"$driver" --compile08 "$f" | awk '{ n = $3; printf "compile 0.8 %s: %d instructions, %d blocks, %d runs, ns/instruction min/median: deblob + costs %.1f/%.1f (costs alone %.1f/%.1f), JIT %.1f/%.1f, whole %.1f/%.1f (%.3f ms); a thread'"'"'s first compile (nothing kept): JIT %.1f/%.1f, whole %.1f\n", $1, n, $5, $7, $9 / n, $10 / n, $12 / n, $13 / n, $15 / n, $16 / n, $18 / n, $19 / n, $18 / 1e6, $21 / n, $22 / n, ($9 + $21) / n }' \
		|| status=1
done
# real code: each JIP-7 trace (a JAM service's accumulate run, GP 0.7.2, the peers' readings)
# replayed on the interpreter and the JIT, every host call answered and checked from the trace
# (jitproof-bench --trace); guest instructions from the trace's gas (see bench/driver.c), times best
# of 3 CPU times, the JIT's compile apart from its run time. Each trace is first checked through
# the command line too (`jitproof run TRACE --engine interp|jit`).
traces=${JITPROOF_TRACES:-$here/../../shared/traces/0.7.2}
jp="$build/jitproof"
if ls "$traces"/*.log > /dev/null 2>&1; then
	for f in "$traces"/*.log; do
		[ -x "$jp" ] || break
		for eng in interp jit; do
			if ! "$jp" run "$f" --engine $eng 2>&1 | grep -q '^trace: .*; the end matches the trace$'; then
				echo "trace $(basename "$f" .log): jitproof run --engine $eng does not replay it"; status=1
			fi
		done
	done
	printf '%-15s %11s %6s %14s %14s %10s %11s\n' trace "guest insts" calls "interp inst/s" "jit inst/s" \
		"jit/interp" "compile ms"
	"$driver" --trace "$traces"/*.log > "$build/bench-traces.txt" || status=1
	awk '{
		insts = $3; calls = $5; ti = $7; tj = $9; comp = $11
		printf "%-15s %11d %6d %14.3e %14.3e %9.2fx %11.2f\n", $1, insts, calls, insts / (ti / 1e9), insts / (tj / 1e9),
		       ti / tj, comp / 1e6
		n++; si += insts; sc += calls; sti += ti; stj += tj; scomp += comp
	} END {
		if (n) printf "%-15s %11d %6d %14.3e %14.3e %9.2fx %11.2f\n", sprintf("total (%d)", n), si, sc, si / (sti / 1e9),
		              si / (stj / 1e9), sti / stj, scomp / 1e6
	}' "$build/bench-traces.txt"
else
	echo "traces: no *.log in $traces (JITPROOF_TRACES)"
fi
# the validator: the whole template enumeration, both CPU-feature variants, on 2 workers, for each
# revision alone (GP 0.7.2 against its 90 s target; GP 0.8.0) and then for both in one run (what
# `make validate` does: a 0.8.0 template reuses its 0.7.2 twin's proof when the spec entries are the
# same) into an empty proof store, and again with nothing changed (warm: the store answers every
# PROVED; the concrete fallbacks run again), each with the median and maximum proof time and the
# result count from its JSON report, then the instances and verdicts of each variant and revision;
# then the version before issue 19 built from git and run cold, and the ratio
if [ -x "$jp" ] && [ "${BENCH_VALIDATE:-1}" != 0 ]; then
	store="$build/bench-store"
	rm -rf "$store"
	cold="" warm=""
	for isa in 0.7.2 0.8.0 both warm; do
		flags="--isa $isa --no-cache" label="GP $isa alone" target=0
		[ $isa = 0.7.2 ] && target=90   # issue 10's figure, before GP 0.8.0 was validated
		[ $isa = both ] && flags="--cache $store" label="both revisions, cold (empty proof store)" target=60
		[ $isa = warm ] && flags="--cache $store" label="both revisions, warm (nothing changed)" target=5
		t0=$(date +%s.%N)
		if "$jp" validate -j 2 --no-progress $flags --json "$build/bench-validate.json" > "$build/bench-validate.txt"; then
			t1=$(date +%s.%N)
			[ $isa = both ] && cold=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
			[ $isa = warm ] && warm=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
			grep -o '"ms": [0-9.]*' "$build/bench-validate.json" | awk '{print $2}' | sort -n | awk -v t0="$t0" -v t1="$t1" \
				-v line="$(grep '^validate:' "$build/bench-validate.txt")" -v label="$label" -v target=$target '{ v[NR] = $1 } END {
				tg = target ? sprintf(" (target %d s: %.2fx)", target, (t1 - t0) / target) : ""
				printf "%s\nvalidate %s: %.1f s wall on 2 workers, both variants%s, %d results, median %.2f ms, max %.0f ms\n",
				       line, label, t1 - t0, tg, NR, v[int((NR + 1) / 2)], v[NR] }'
			grep '^  [a-zGP0-9. ]*: \|^store: ' "$build/bench-validate.txt"
		else
			echo "validate $label: failed (see $build/bench-validate.txt)"; status=1
		fi
	done
	# the version before issue 19 (the proof store and the cold-run work), built from git here and
	# run cold the same way right after this version's runs: both revisions, both variants, 2 workers
	# (BENCH_BASELINE=REV picks another commit; BENCH_BASELINE= skips this)
	base=${BENCH_BASELINE-ac92fad}
	src=$(cd "$here/.." && pwd)
	if [ -n "$base" ] && [ -n "$cold" ]; then
		bdir="$build/bench-baseline-$base"
		if [ ! -x "$bdir/build/jitproof" ]; then
			if git -C "$src" cat-file -e "$base^{commit}" 2> /dev/null; then
				rm -rf "$bdir" && mkdir -p "$bdir/src"
				git -C "$src" archive "$base" | tar -x -C "$bdir/src"
				cmake -S "$bdir/src" -B "$bdir/build" -DCMAKE_BUILD_TYPE=Release > "$bdir/cmake.log" 2>&1 &&
					cmake --build "$bdir/build" --target jitproof -j 2 >> "$bdir/cmake.log" 2>&1 ||
					echo "validate baseline $base: build failed (see $bdir/cmake.log)"
			else
				echo "validate baseline $base: not in this clone (git fetch --unshallow)"
			fi
		fi
		if [ -x "$bdir/build/jitproof" ]; then
			t0=$(date +%s.%N)
			"$bdir/build/jitproof" validate -j 2 > "$bdir/validate.txt" 2>&1 || true
			t1=$(date +%s.%N)
			grep '^validate:' "$bdir/validate.txt" | sed 's/^/baseline /'
			awk -v b="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" -v c="$cold" -v w="$warm" -v rev="$base" 'BEGIN {
				printf "validate cold: %.1f s now, %.1f s at %s (before issue 19): %.2fx of the old time (target under 60 s and at most 0.33x)\n", c, b, rev, c / b
				if (w != "") printf "validate warm: %.1f s (target under 5 s), %.2fx of the cold run\n", w, w / c }'
		fi
	fi
fi
# the block prover on real JAM services: bootstrap (target: 60 s of wall time on 2 workers,
# median block <= 5 ms) and test-service (GP 0.7.2 containers), then the GP 0.8.0 integration
# programs pinky and prime-sieve (their step files say their revision); every block PROVED
# (BENCH_PROVE=0 skips it)
programs=${JITPROOF_PROGRAMS:-$here/../../shared/programs/0.7.2}
vectors08=${JITPROOF_VECTORS08:-$here/../../shared/vectors/pvm-0.8}
if [ -x "$jp" ] && [ "${BENCH_PROVE:-1}" != 0 ]; then
	for name in bootstrap test-service pinky prime-sieve; do
		case $name in
		pinky|prime-sieve) f="$vectors08/integration/$name.json"; isa="" ;;
		*) f="$programs/$name.bin"; isa="--isa 0.7.2" ;;
		esac
		[ -f "$f" ] || { echo "prove $name: $f missing"; continue; }
		t0=$(date +%s.%N)
		rc=0
		"$jp" prove --no-cache "$f" $isa --all -j 2 --no-progress > "$build/bench-prove-$name.txt" || rc=$?
		t1=$(date +%s.%N)
		line=$(tail -n 1 "$build/bench-prove-$name.txt")
		echo "$line" | awk -v n="$name" -v t0="$t0" -v t1="$t1" -v rc="$rc" '{
			printf "prove %s: %.1f s wall on 2 workers (bootstrap target 60 s), exit %d\n  %s\n", n, t1 - t0, rc, $0 }'
		[ "$rc" = 0 ] || status=1
	done
fi
exit $status
