#!/bin/sh
# tests/store/store.sh CASE JITPROOF JITPROOF-MUTANTS SPECS WORKDIR: the proof store
# (validator/store.c, README § The proof store) on `validate --opcode add_64 --opcode sbrk --isa
# 0.7.2 --features cpuid` (2,197 + 169 + 169 template instances, 3 regions), each case in a fresh
# store under WORKDIR. Every count asserted is read from the run's JSON ("store", "solver_queries").
#   cold_warm   an empty store takes every PROVED verdict and every concrete fallback's
#               FALLBACK-AGREE; a second run reuses each of them, gives the same verdicts, calls no
#               solver and runs no fallback
#   fallback    the AGREED entries of load_ind_i8's fault and gas paths: reused by jitproof-mutants
#               without a mutant, never under mutant load_ind_i8_zext (another template: its fault
#               paths are run again and caught), never read as PROVED (a record edited to say
#               PROVED is ignored: the sum covers the word)
#   spec        add_64's entry written differently ((bvadd rb ra)): exactly add_64's instances are
#               proved again, every other one reused
#   identity    another prover identity (JITPROOF_STORE_IDENTITY_SALT, test-only): nothing reused
#   corrupt     a torn record, an edited verdict, an edited item, a record under another key's
#               name: each ignored, proved (or run) again and written; the packs merged into one
#   concurrent  two runs into one empty store at once: both right, a third reuses every entry
#   mutant      jitproof-mutants over a store warmed by jitproof: add_64 reused, add_32 (mutant
#               add_32_no_sext) proved again and caught
#   packs       17 runs of one opcode each: one pack per run until the 17th merges them into one,
#               which holds every record and serves a run of all 17 opcodes
#   options     --no-cache (no store), $JITPROOF_CACHE (the default folder), a folder that cannot
#               be created (one warning line, the run goes on without the store)
#   prove       prove --all bench/sort.pvmasm (blocks and trampolines): cold, warm (no solver query), add_64's entry
#               changed (its blocks proved again, the others reused); a block warmed by jitproof is
#               not reused by jitproof-mutants under a mutant (another code) and the mutant is caught
set -u
case=$1 jp=$2 jpm=$3 specs=$4 w=$5
src=$(dirname "$0")/../..
rm -rf "$w"
mkdir -p "$w"
store=$w/store
ops="--opcode add_64 --opcode sbrk"
common="--isa 0.7.2 --features cpuid --no-progress --fallback-states 20"
fail() { echo "FAIL ($case): $*"; exit 1; }

# v NAME BIN [VAR=VALUE...] -- [ARGS...]: BIN validate into $store; $w/NAME.txt, $w/NAME.json; $rc
v() {
	name=$1 bin=$2
	shift 2
	vars=""
	while [ "$1" != "--" ]; do vars="$vars $1"; shift; done
	shift
	# shellcheck disable=SC2086
	env $vars "$bin" validate $common --cache "$store" --json "$w/$name.json" "$@" > "$w/$name.txt" 2>&1
	rc=$?
	echo "$name: $(grep -E '^(validate|store):' "$w/$name.txt" | tr '\n' ' ')"
}
# reused/stored/ignored/queries/proved/cex NAME: a count of run NAME
reused() { sed -n 's/.*"store": {"reused": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
freused() { sed -n 's/.*"store": {.*"fallback_reused": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
fstored() { sed -n 's/.*"store": {.*"fallback_stored": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
fallbacks() { grep -c '"verdict": "FALLBACK-AGREE"' "$w/$1.json"; }
stored() { sed -n 's/.*"store": {.*"stored": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
ignored() { sed -n 's/.*"store": {.*"ignored": \([0-9]*\)}.*/\1/p' "$w/$1.json"; }
queries() { sed -n 's/.*"solver_queries": \([0-9]*\).*/\1/p' "$w/$1.json"; }
proved() { sed -n 's/.*"summary": {[^}]*"proved": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
cex() { sed -n 's/.*"summary": {.*"counterexamples": \([0-9]*\),.*/\1/p' "$w/$1.json"; }
# verdicts NAME: one line per result (instance and verdict), in report order
verdicts() {
	sed -n 's/.*\("opcode": "[^"]*"\).*\("regs": \[[^]]*\]\).*\("reading": "[^"]*"\).*\("what": "[^"]*", "verdict": "[^"]*"\).*/\1 \2 \3 \4/p' \
		"$w/$1.json"
}
# of OP NAME: the PROVED results of opcode OP in run NAME; from_store OP NAME: those from the store
of() { grep -c "\"opcode\": \"$1\".*\"verdict\": \"PROVED\"" "$w/$2.json"; }
from_store() { grep -c "\"opcode\": \"$1\".*from the proof store" "$w/$2.json"; }
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }
# records DIR: the records in the packs of the store DIR (PROVED and AGREED); packs DIR: its packs
records() { cat "$1"/v2/pack-* 2> /dev/null | grep -c ' PROVED \| AGREED '; }
packs() { find "$1/v2" -name 'pack-*' | wc -l; }

# the cold run every case but `options` starts from: K PROVED items, all stored
cold() {
	v cold "$jp" -- $ops
	[ $rc -eq 0 ] || fail "cold run exited $rc"
	K=$(proved cold)
	[ "$K" -gt 2000 ] || fail "cold run: only '$K' proved"
	eq "$(cex cold)" 0 "cold counterexamples"
	eq "$(stored cold)" "$K" "cold stored"
	eq "$(reused cold)" 0 "cold reused"
	eq "$(ignored cold)" 0 "cold ignored"
	F=$(fallbacks cold)
	[ "$F" -gt 0 ] || fail "cold run: no concrete fallback"
	eq "$(fstored cold)" "$F" "cold fallbacks stored"
	eq "$(freused cold)" 0 "cold fallbacks reused"
	eq "$(records "$store")" $((K + F)) "records"
}

case $case in
cold_warm)
	cold
	v warm "$jp" -- $ops
	[ $rc -eq 0 ] || fail "warm run exited $rc"
	eq "$(reused warm)" "$K" "warm reused (every PROVED item)"
	eq "$(stored warm)" 0 "warm stored"
	eq "$(ignored warm)" 0 "warm ignored"
	eq "$(queries warm)" 0 "warm solver queries"
	eq "$(freused warm)" "$F" "warm fallbacks reused (every FALLBACK-AGREE item)"
	eq "$(fstored warm)" 0 "warm fallbacks stored"
	eq "$(grep -c '"verdict": "FALLBACK-AGREE".*states agree (from the proof store)' "$w/warm.json")" "$F" \
		"warm FALLBACK-AGREE verdicts from the store"
	[ "$(queries cold)" -gt 0 ] || fail "the cold run called no solver"
	verdicts cold > "$w/cold.v"
	verdicts warm > "$w/warm.v"
	eq "$(wc -l < "$w/cold.v")" "$(grep -c '"opcode"' "$w/cold.json")" "verdict lines"
	diff "$w/cold.v" "$w/warm.v" > /dev/null || fail "the warm run's verdicts differ"
	eq "$(grep '^validate:' "$w/cold.txt" | sed 's/ in .*//')" "$(grep '^validate:' "$w/warm.txt" | sed 's/ in .*//')" \
		"summary line"
	;;
spec)
	cold
	# add_64 states the same function with its operands swapped: another entry, the same verdicts
	awk '/^  - name: add_64$/ { n = 1 } n && /\(set rd \(bvadd ra rb\)\)/ { sub(/bvadd ra rb/, "bvadd rb ra"); n = 0 }
	     { print }' "$specs" > "$w/spec.yaml"
	eq "$(diff "$specs" "$w/spec.yaml" | grep -c '^>')" 1 "changed spec lines"
	n_add=$(of add_64 cold)
	[ "$n_add" -gt 2000 ] || fail "add_64: '$n_add' PROVED"
	v changed "$jp" JITPROOF_SPECS="$w/spec.yaml" -- $ops
	[ $rc -eq 0 ] || fail "changed-spec run exited $rc"
	eq "$(reused changed)" $((K - n_add)) "reused with add_64's entry changed"
	eq "$(stored changed)" "$n_add" "stored with add_64's entry changed"
	eq "$(from_store add_64 changed)" 0 "add_64 items from the store"
	eq "$(of add_64 changed)" "$n_add" "add_64 PROVED again"
	eq "$(from_store sbrk changed)" "$(of sbrk cold)" "sbrk items from the store"
	;;
identity)
	cold
	v salted "$jp" JITPROOF_STORE_IDENTITY_SALT=another-lifter -- $ops
	[ $rc -eq 0 ] || fail "salted run exited $rc"
	eq "$(reused salted)" 0 "reused under another identity"
	eq "$(stored salted)" "$K" "stored under another identity"
	eq "$(proved salted)" "$K" "proved under another identity"
	[ "$(queries salted)" -gt 0 ] || fail "no solver query under another identity"
	eq "$(records "$store")" $((2 * (K + F))) "records of both identities"
	;;
corrupt)
	cold
	eq "$(packs "$store")" 1 "packs after the cold run"
	pack=$(find "$store/v2" -name 'pack-*')
	# line 1 is the header; records 2-4 and the last one damaged
	awk -v other="$(sed -n 6p "$pack" | cut -c1-64)" '
		NR == 2 { $0 = other substr($0, 65) }              # another key'"'"'s name on a record
		NR == 3 { sub(/ PROVED | AGREED /, " PROVEN ") }   # the verdict edited
		NR == 4 { sub(/ PROVED | AGREED /, "&(edited) ") } # the item edited: the sum no longer checks
		{ print }' "$pack" > "$w/t"
	head -c -30 "$w/t" > "$pack"                           # torn: the last record cut short
	v damaged "$jp" -- $ops
	[ $rc -eq 0 ] || fail "run over the damaged store exited $rc"
	eq "$(ignored damaged)" 4 "ignored records"
	eq $(( $(stored damaged) + $(fstored damaged) )) 4 "rewritten records"
	eq $(( $(reused damaged) + $(freused damaged) )) $((K + F - 4)) "reused records"
	eq "$(proved damaged)" "$K" "proved"
	[ "$(queries damaged)" -gt 0 ] || fail "the damaged records were not proved again"
	# the damaged pack and the new records merged into one pack of K records that all check
	eq "$(packs "$store")" 1 "packs after the repair"
	eq "$(records "$store")" $((K + F)) "records after the repair"
	v repaired "$jp" -- $ops
	eq "$(reused repaired)" "$K" "reused after the rewrite"
	eq "$(freused repaired)" "$F" "fallbacks reused after the rewrite"
	eq "$(ignored repaired)" 0 "ignored after the rewrite"
	;;
concurrent)
	"$jp" validate $common $ops --cache "$store" --json "$w/a.json" > "$w/a.txt" 2>&1 &
	pa=$!
	"$jp" validate $common $ops --cache "$store" --json "$w/b.json" -j 2 > "$w/b.txt" 2>&1 &
	pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	[ $ra -eq 0 ] && [ $rb -eq 0 ] || fail "the concurrent runs exited $ra and $rb"
	K=$(proved a)
	[ "$K" -gt 2000 ] || fail "first run: only '$K' proved"
	eq "$(proved b)" "$K" "second run proved"
	eq "$(cex a)$(cex b)" 00 "counterexamples"
	verdicts a > "$w/a.v"
	verdicts b > "$w/b.v"
	diff "$w/a.v" "$w/b.v" > /dev/null || fail "the concurrent runs' verdicts differ"
	echo "a: $(grep '^store:' "$w/a.txt"); b: $(grep '^store:' "$w/b.txt")"
	[ $(( $(stored a) + $(stored b) + $(reused a) + $(reused b) )) -ge "$K" ] || fail "entries lost"
	eq "$(find "$store" -name '.tmp-*' | wc -l)" 0 "temporary files left"
	v third "$jp" -- $ops
	eq "$(reused third)" "$K" "third run reused"
	eq "$(ignored third)" 0 "third run ignored"
	eq "$(stored third)" 0 "third run stored"
	eq "$(queries third)" 0 "third run solver queries"
	;;
mutant)
	# a thirteenth of the instances (--shard keeps the keys: an instance's key is its own)
	ops="--opcode add_32 --opcode add_64 --shard 0/13"
	v warm "$jp" -- $ops
	[ $rc -eq 0 ] || fail "warming run exited $rc"
	n64=$(of add_64 warm)
	[ "$n64" -gt 100 ] && [ "$(of add_32 warm)" -gt 100 ] || fail "warming run: too few instances"
	v mutant "$jpm" -- $ops --mutant add_32_no_sext
	eq "$rc" 1 "exit code with the mutant"
	[ "$(cex mutant)" -gt 0 ] || fail "the mutant was not caught"
	eq "$(reused mutant)" "$n64" "reused (add_64's instances)"
	eq "$(from_store add_64 mutant)" "$n64" "add_64 from the store"
	eq "$(from_store add_32 mutant)" 0 "add_32 from the store"
	# every add_32 instance fails: the first --max-cex (3) with a symbolic, replayed model, the
	# others counted (validate --max-cex), each as a COUNTEREXAMPLE
	eq "$(grep -c '"opcode": "add_32".*"verdict": "COUNTEREXAMPLE"' "$w/mutant.json")" \
		"$(of add_32 warm)" "add_32's counterexamples"
	eq "$(grep '"opcode": "add_32".*"what": "imm:.*"verdict": "COUNTEREXAMPLE", "symbolic": true' "$w/mutant.json" | grep -vc 'counted only')" \
		3 "add_32's minimized and replayed counterexamples"
	;;
fallback)
	ops="--opcode load_ind_i8"
	v cold "$jp" -- $ops
	[ $rc -eq 0 ] || fail "cold run exited $rc"
	F=$(fallbacks cold)
	eq "$(grep -c '"what": "fault-path", "verdict": "FALLBACK-AGREE"' "$w/cold.json")" 2 "cold fault paths agree"
	eq "$(fstored cold)" "$F" "cold fallbacks stored"
	# an AGREED entry is never a PROVED one: the records of the fallbacks say AGREED
	eq "$(cat "$store"/v2/pack-* | grep -c ' AGREED load_ind_i8 .*\[fault-path, ')" 2 "fault-path records"
	v plain "$jpm" -- $ops
	[ $rc -eq 0 ] || fail "jitproof-mutants without a mutant exited $rc"
	eq "$(freused plain)" "$F" "jitproof-mutants without a mutant reused the fallbacks"
	eq "$(fallbacks plain)" "$F" "FALLBACK-AGREE without a mutant"
	grep -q '"verdict": "PROVED".*states agree' "$w/plain.json" && fail "a fallback reused as PROVED"
	# the mutant's template loads zero-extended: its fault paths' states that load diverge
	v mutant "$jpm" -- $ops --mutant load_ind_i8_zext
	eq "$rc" 1 "exit code with the mutant"
	eq "$(freused mutant)" 0 "fallbacks reused under the mutant"
	eq "$(grep -c '"what": "fault-path", "verdict": "COUNTEREXAMPLE"' "$w/mutant.json")" 2 "fault paths caught"
	# an AGREED record whose word is edited to PROVED no longer checks (the sum covers the word):
	# ignored, its fallback run again and written again, nothing PROVED from it
	pack=$(grep -l ' AGREED load_ind_i8 .*\[fault-path, ' "$store"/v2/pack-* | head -1)
	awk '!done && / AGREED load_ind_i8 .*\[fault-path, / { sub(/ AGREED /, " PROVED "); done = 1 } { print }' "$pack" > "$w/t"
	cat "$w/t" > "$pack"
	v edited "$jp" -- $ops
	[ $rc -eq 0 ] || fail "run over the edited record exited $rc"
	eq "$(ignored edited)" 1 "the edited record ignored"
	eq "$(fstored edited)" 1 "its fallback written again"
	eq "$(freused edited)" $((F - 1)) "the other fallbacks reused"
	eq "$(grep -c '"what": "fault-path", "verdict": "FALLBACK-AGREE"' "$w/edited.json")" 2 "fault paths agree"
	;;
prove)
	sort=$src/bench/sort.pvmasm
	# p NAME BIN [VAR=VALUE...] -- ARGS...: BIN prove into $store; $w/NAME.txt, $w/NAME.json; $rc
	p() {
		name=$1 bin=$2
		shift 2
		vars=""
		while [ "$1" != "--" ]; do vars="$vars $1"; shift; done
		shift
		# shellcheck disable=SC2086
		env $vars "$bin" prove --no-progress --cache "$store" --json "$w/$name.json" "$@" > "$w/$name.txt" 2>&1
		rc=$?
		echo "$name: $(grep -E '^(prove|store):' "$w/$name.txt" | tr '\n' ' ')"
	}
	blocks() { grep -c '"pc": ' "$w/$1.json"; }
	p cold "$jp" -- "$sort" --all -j 2
	[ $rc -eq 0 ] || fail "cold prove exited $rc"
	B=$(blocks cold)
	[ "$B" -ge 5 ] || fail "sort: '$B' blocks"
	eq "$(proved cold)" "$B" "cold proved"
	# --all proves the trampolines too: four parts, stored beside the blocks
	grep -q "trampolines (entry, exit, stub, round trip) all PROVED" "$w/cold.txt" || fail "trampolines not proved"
	eq "$(stored cold)" $((B + 4)) "cold stored (blocks and trampolines)"
	eq "$(reused cold)" 0 "cold reused"
	p warm "$jp" -- "$sort" --all -j 2
	grep -q "trampolines (entry, exit, stub, round trip) all PROVED" "$w/warm.txt" || fail "trampolines not proved (warm)"
	eq "$(reused warm)" $((B + 4)) "warm reused (blocks and trampolines)"
	eq "$(queries warm)" 0 "warm solver queries"
	eq "$(proved warm)" "$B" "warm proved"
	awk '/^  - name: add_64$/ { n = 1 } n && /\(set rd \(bvadd ra rb\)\)/ { sub(/bvadd ra rb/, "bvadd rb ra"); n = 0 }
	     { print }' "$specs" > "$w/spec.yaml"
	p changed "$jp" JITPROOF_SPECS="$w/spec.yaml" -- "$sort" --all -j 2
	eq "$(proved changed)" "$B" "proved with add_64's entry changed"
	eq $(( $(reused changed) + $(stored changed) )) $((B + 4)) "reused + stored with add_64's entry changed"
	[ "$(stored changed)" -gt 0 ] && [ "$(reused changed)" -gt 0 ] || fail "add_64's entry changed: all or none proved again"
	# a 31-instruction block with add_32 in the middle (tests/validator/wrong_piece.pvmasm)
	piece=$src/tests/validator/wrong_piece.pvmasm
	p piece "$jp" -- "$piece" --isa 0.7.2 --pc 0
	eq "$(stored piece)" 1 "block stored"
	p plain "$jpm" -- "$piece" --isa 0.7.2 --pc 0
	eq "$(reused plain)" 1 "jitproof-mutants without a mutant reused"
	p mutant "$jpm" -- "$piece" --isa 0.7.2 --pc 0 --mutant add_32_no_sext --cex-dir "$w/cex"
	eq "$rc" 1 "exit code with the mutant"
	eq "$(reused mutant)" 0 "reused under the mutant"
	grep -q '"verdict": "COUNTEREXAMPLE"' "$w/mutant.json" || fail "the mutant was not caught"
	;;
packs)
	# one pack per run; the run that would leave more than 16 merges them all into one
	ops17="add_64 sub_64 and or xor mul_64 add_32 sub_32 mul_32 shlo_l_64 shlo_r_64 shar_r_64 rot_l_64 rot_r_64 and_inv or_inv xnor"
	total=0 i=0 all=""
	for op in $ops17; do
		i=$((i + 1))
		v "run$i" "$jp" -- --opcode "$op"
		[ $rc -eq 0 ] || fail "run $i ($op) exited $rc"
		total=$((total + $(stored "run$i") + $(fstored "run$i")))
		all="$all --opcode $op"
		if [ $i -le 16 ]; then eq "$(packs "$store")" $i "packs after run $i"; fi
	done
	eq "$(packs "$store")" 1 "packs after run 17 (merged)"
	eq "$(records "$store")" "$total" "records after the merge"
	# shellcheck disable=SC2086
	v every "$jp" -- $all
	eq $(( $(reused every) + $(freused every) )) "$total" "reused over the merged pack"
	eq "$(stored every)" 0 "stored over the merged pack"
	;;
options)
	v none "$jp" -- $ops --no-cache
	[ $rc -eq 0 ] || fail "--no-cache exited $rc"
	grep -q '"store": null' "$w/none.json" || fail "--no-cache: a store in the JSON"
	grep -q '^store:' "$w/none.txt" && fail "--no-cache: a store line"
	[ -e "$store" ] && fail "--no-cache created the store"
	# no --cache: $JITPROOF_CACHE
	JITPROOF_CACHE=$w/env "$jp" validate $common $ops --json "$w/env.json" > "$w/env.txt" 2>&1 || fail "env run"
	[ "$(stored env)" -gt 2000 ] || fail "\$JITPROOF_CACHE: '$(stored env)' stored"
	eq "$(records "$w/env")" $(( $(stored env) + $(fstored env) )) "records under \$JITPROOF_CACHE"
	# a folder that cannot be created: one warning line, the same verdicts, no store
	: > "$w/file"
	v bad "$jp" -- $ops --cache "$w/file/store"
	[ $rc -eq 0 ] || fail "unusable folder: exited $rc"
	eq "$(grep -c 'warning: proof store' "$w/bad.txt")" 1 "warning lines"
	grep -q "warning: proof store $w/file/store: cannot create or write it" "$w/bad.txt" || fail "warning text"
	grep -q '"store": null' "$w/bad.json" || fail "unusable folder: a store in the JSON"
	eq "$(proved bad)" "$(proved none)" "proved without a usable store"
	;;
*)
	fail "unknown case"
	;;
esac
echo "PASS $case"
