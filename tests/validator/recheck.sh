#!/bin/sh
# recheck.sh MODE JITPROOF JITPROOF-MUTANTS OUTDIR [CASE]: the second solver (--recheck cvc5,
# --smt2-dir; README § A second solver). Exit 77 (skipped) when cvc5 is not installed
# (`make deps` installs it).
#   validate   a sample of validate's queries re-proved: templates, regions, dispatchers, each
#              kind counted > 0, every answer unsat; --smt2-dir writes scripts cvc5 proves alone
#   prove      prove --all on CASE with the cross-check: template, region, piece, dispatch and
#              link (exit-stub) queries each re-proved > 0 times, all unsat
#   wrong      --debug recheck-wrong (cvc5 gets the negated formula): every item VALIDATOR-BUG,
#              none PROVED, exit 1
#   unsound    --debug unsound-rewrite (the rewriter says false to everything) over a wrong
#              template: without --recheck its templates are PROVED; with it, VALIDATOR-BUG
#   error      a "cvc5" that answers with an error ($JITPROOF_CVC5): VALIDATOR-BUG, not PROVED
#   unknown    a 1 ms limit: cvc5 gives up, the items stay PROVED with the unknowns counted
mode=$1 jp=$(realpath "$2") jpm=$(realpath "$3") out=$4 case=$5
fail() { echo "FAIL ($mode): $*"; exit 1; }
command -v cvc5 > /dev/null || [ -n "$JITPROOF_CVC5" ] ||
	{ echo "SKIP: no cvc5 (apt-get install cvc5; make deps installs it)"; exit 77; }
rm -rf "$out"; mkdir -p "$out"; cd "$out" || exit 1
# count KIND: the queries of that kind the summary line says were re-proved
count() { sed -n 's/^recheck cvc5: [^(]*(\([^)]*\)).*/\1/p' r.txt | tr ',' '\n' | sed -n "s/^ *$1 //p"; }
# answers: "cvc5 ran on C: U unsat, K unknown, S sat, E errors; A alpha-equivalent ..., G to one it gave up on"
answers() { sed -n 's/^recheck cvc5: [0-9]* queries ([^)]*): \(.*\); [0-9.]* s in cvc5$/\1/p' r.txt; }
all_unsat() {
	answers | grep -Eq '^cvc5 ran on [1-9][0-9]*: [0-9]+ unsat, 0 unknown, 0 sat, 0 errors; [0-9]+ alpha-equivalent as built to one it proved, 0 to one it gave up on$' ||
		fail "not all unsat: $(answers)"
}
V="validate --no-cache --no-progress"
case $mode in
validate)
	"$jp" $V --isa 0.8.0 --features cpuid --opcode load_u8 --opcode add_imm_32 --opcode jump_ind --recheck cvc5 \
		-j 2 > r.txt || fail "exit $? ($(tail -2 r.txt))"
	for k in template region dispatch; do [ "$(count $k)" -gt 0 ] || fail "no $k query re-proved: $(grep recheck r.txt)"; done
	all_unsat
	# every template instance's query is accounted for: re-proved, or alpha-equivalent as built to one
	t=$(sed -n 's/^validate: .* \([0-9]*\) templates in .*/\1/p' r.txt)
	[ "$(count template)" -eq "$t" ] || fail "$(count template) template queries for $t templates"
	"$jp" $V --isa 0.7.2 --features cpuid --reading peers --opcode sbrk --recheck cvc5 > r.txt || fail "sbrk: exit $?"
	[ "$(count template)" -gt 0 ] && [ "$(count region)" -gt 0 ] || fail "sbrk (brk, brk_fails): $(grep recheck r.txt)"
	all_unsat
	# --smt2-dir: one script per query, each proved unsat by cvc5 on its own
	"$jp" $V --isa 0.8.0 --features cpuid --opcode add_imm_32 --smt2-dir smt2 > s.txt || fail "--smt2-dir: exit $?"
	n=$(ls smt2 | wc -l)
	[ "$n" -gt 100 ] || fail "--smt2-dir wrote $n scripts"
	for f in $(ls smt2 | grep -m 3 template) $(ls smt2 | grep -m 1 region); do
		grep -q '^(set-logic QF_AUFBV)' "smt2/$f" && grep -q '^(check-sat)' "smt2/$f" || fail "$f: not a QF_AUFBV script"
		[ "$(cvc5 --lang smt2 --tlimit=60000 "smt2/$f")" = unsat ] || fail "$f: cvc5 does not say unsat"
	done
	# the trampolines' four queries: re-proved (their detail says cvc5's answer), and a negated one
	# given to cvc5 makes each a VALIDATOR-BUG
	"$jp" $V --isa 0.8.0 --features cpuid --opcode ecalli --recheck cvc5 --json t.json > t.txt || fail "ecalli: exit $?"
	[ "$(grep -o '"what": "trampoline-[a-z-]*", "verdict": "PROVED", [^}]*cvc5: unsat' t.json | wc -l)" -eq 4 ] ||
		fail "the 4 trampoline queries not all re-proved: $(grep -o '"what": "trampoline[^}]*' t.json)"
	"$jp" $V --isa 0.8.0 --features cpuid --opcode ecalli --recheck cvc5 --debug recheck-wrong > t.txt
	[ "$(grep -c '^VALIDATOR-BUG ecalli \[trampoline-[a-z-]*, cpuid, GP 0.8.0\]: VALIDATOR BUG: Z3 said unsat, cvc5 says sat: trampoline query' t.txt)" -eq 4 ] ||
		fail "a negated trampoline query not caught: $(grep trampoline t.txt | head -4)"
	echo "trampolines: 4 queries re-proved by cvc5; negated, 4 VALIDATOR-BUGs"
	;;
prove)
	"$jp" prove "$case" --all --cross-check --no-cache --recheck cvc5 > r.txt || fail "exit $? ($(tail -3 r.txt))"
	for k in template region piece dispatch link; do
		[ "$(count $k)" -gt 0 ] || fail "no $k query re-proved: $(grep recheck r.txt)"
	done
	all_unsat
	;;
wrong)
	"$jp" $V --isa 0.8.0 --features cpuid --opcode load_u8 --recheck cvc5 --debug recheck-wrong -j 2 > r.txt
	[ $? -eq 1 ] || fail "expected exit 1"
	grep -q '^validate: 0 proved, .* VALIDATOR BUGS' r.txt || fail "$(grep '^validate:' r.txt)"
	grep -q '^VALIDATOR-BUG load_u8 .*: VALIDATOR BUG: Z3 said unsat, cvc5 says sat: template query load_u8_' r.txt ||
		fail "no VALIDATOR-BUG line for a template"
	"$jp" prove "$case" --all --cross-check --no-cache --recheck cvc5 --debug recheck-wrong > p.txt
	[ $? -eq 1 ] || fail "prove: expected exit 1"
	grep -q ' [1-9][0-9]* validator bugs' p.txt || fail "prove: $(grep '^prove:' p.txt)"
	grep -q ' pc [0-9]* (.*): PROVED' p.txt && fail "prove: a block PROVED: $(grep ': PROVED' p.txt)"
	;;
unsound)
	m="--isa 0.8.0 --features cpuid --opcode add_imm_32 --mutant add_imm_32_no_sext --debug unsound-rewrite"
	"$jpm" $V $m > u.txt # the concrete gas and fault paths may still catch it: only the templates matter
	grep -q '^validate: .* 0 unknown' u.txt || fail "without --recheck: $(grep '^validate:' u.txt)"
	grep -q '^VALIDATOR-BUG\|^COUNTEREXAMPLE add_imm_32 .*imm:' u.txt && fail "without --recheck a template was not PROVED"
	"$jpm" $V $m --recheck cvc5 -j 2 > r.txt
	[ $? -eq 1 ] || fail "with --recheck: expected exit 1"
	grep -q '^VALIDATOR-BUG add_imm_32 .*imm:.*cvc5 says sat: template query' r.txt || fail "no template VALIDATOR-BUG"
	answers | grep -Eq ' [1-9][0-9]* sat, ' || fail "no sat answer: $(answers)"
	;;
error)
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "This is cvc5 (a stand-in that fails)"; exit 0; }\necho "(error \\"stand-in\\")"\nexit 1\n' > fake
	chmod +x fake
	JITPROOF_CVC5=$(pwd)/fake "$jp" $V --isa 0.8.0 --features cpuid --opcode jump_ind --recheck cvc5 > r.txt
	[ $? -eq 1 ] || fail "expected exit 1"
	grep -q '^validate: 0 proved' r.txt || fail "$(grep '^validate:' r.txt)"
	grep -q 'cvc5 says error: .*stand-in' r.txt || fail "no error line"
	;;
unknown)
	"$jp" $V --isa 0.8.0 --features cpuid --opcode mul_upper_s_u --recheck cvc5 --recheck-timeout-ms 1 --json r.json \
		> r.txt || fail "exit $?"
	grep -q '^validate: [1-9][0-9]* proved, 0 counterexamples, 0 unknown' r.txt || fail "$(grep '^validate:' r.txt)"
	# what is alpha-equivalent to a query it gave up on is not counted as proved
	answers | grep -Eq '^cvc5 ran on [0-9]+: 0 unsat, [1-9][0-9]* unknown, 0 sat, 0 errors; 0 alpha-equivalent as built to one it proved, [1-9][0-9]* to one it gave up on$' ||
		fail "$(answers)"
	grep -q '"verdict": "PROVED", .*cvc5 gave up on 1 of its queries' r.json || fail "no PROVED item notes the unknown"
	;;
*) fail "unknown mode" ;;
esac
echo "ok ($mode)"
