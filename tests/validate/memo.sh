#!/bin/sh
# memo.sh JITPROOF: reusing unsat answers for alpha-equivalent queries changes no verdict:
# the same slice with and without the memo (and the division abstraction, which --no-memo turns off
# too) gives the same counts, and both are really used.
jp=$1
a=$("$jp" validate --no-cache --isa 0.7.2 --opcode div_u_32 --shard 0/20 --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | tail -n 1)
b=$("$jp" validate --no-cache --isa 0.7.2 --opcode div_u_32 --shard 0/20 --fallback-states 0 --no-progress --no-memo | tail -n 1)
hits=$(grep -c 'memo: an alpha-equivalent' /tmp/jp_memo_$$.json)
abstracted=$(grep -c 'its divisions abstracted' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
echo "memo:    $a"; echo "no memo: $b"; echo "memo hits: $hits; proved with the divisions abstracted: $abstracted"
strip() { echo "$1" | sed 's/ in [0-9.]* s$//'; }
[ "$(strip "$a")" = "$(strip "$b")" ] || { echo "FAIL: verdicts differ"; exit 1; }
[ "$hits" -gt 0 ] || { echo "FAIL: memo never used"; exit 1; }
# the division abstraction (off with --no-memo as well): used, and the same verdicts
[ "$abstracted" -gt 0 ] || { echo "FAIL: the division abstraction never used"; exit 1; }
# the same for a portable template whose code is its cpuid twin's (reused only for the same bytes,
# fields and exits, and only when the twin PROVED): whole opcodes, both variants
for op in add_imm_64 count_set_bits_32; do
	a=$("$jp" validate --no-cache --isa 0.7.2 --opcode $op --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | head -n 3)
	b=$("$jp" validate --no-cache --isa 0.7.2 --opcode $op --fallback-states 0 --no-progress --no-memo | head -n 3)
	twins=$(grep -c 'the same code as the cpuid variant' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
	echo "$op memo: $a"; echo "$op no memo: $b"; echo "$op twin reuses: $twins"
	[ "$(strip "$a")" = "$(strip "$b")" ] || { echo "FAIL: $op: verdicts differ"; exit 1; }
	# add_imm_64's code is the same in both variants (169 register assignments x the classes any
	# and s8); count_set_bits_32's is not (popcnt)
	if [ $op = add_imm_64 ]; then [ "$twins" -eq 338 ] || { echo "FAIL: $op: $twins twin reuses, expected 338"; exit 1; }
	else [ "$twins" -eq 0 ] || { echo "FAIL: $op: reused a proof of different code"; exit 1; }; fi
done
# the same for a GP 0.8.0 template whose code and spec entry are its GP 0.7.2 twin's: reused only
# when the two revisions' entries are the same, node for node (sem_insn_same)
a=$("$jp" validate --no-cache --opcode add_imm_64 --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | head -n 1)
b=$("$jp" validate --no-cache --opcode add_imm_64 --fallback-states 0 --no-progress --no-memo | head -n 1)
isa_twins=$(grep -c 'the same code and spec entry as the GP 0.7.2' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
echo "GP 0.8.0 memo: $a"; echo "GP 0.8.0 no memo: $b"; echo "GP 0.8.0 twin reuses: $isa_twins"
[ "$(strip "$a")" = "$(strip "$b")" ] || { echo "FAIL: GP 0.8.0: verdicts differ"; exit 1; }
# add_imm_64 has 169 register assignments x 2 classes in each variant; the portable ones reuse their
# cpuid twin's proof first, so the GP 0.7.2 twin is reused for the 338 cpuid ones
[ "$isa_twins" -eq 338 ] || { echo "FAIL: $isa_twins GP 0.7.2 twin reuses, expected 338"; exit 1; }
# a spec whose GP 0.8.0 entry states the same function differently ((bvadd imm rb)): not the same
# entry, so nothing is reused, and every instance is proved on its own
spec=/tmp/jp_memo_spec_$$.yaml
awk '/^  - name: add_imm_64$/ { print; print "    isa: 0.7.2"; skip = 1; next }
     skip && /^$/ { print; print "  - name: add_imm_64"; print "    isa: 0.8.0"; print "    form: reg2_imm";
                    print "    semantics: |"; print "      (set ra (bvadd imm rb))"; print ""; skip = 0; next }
     { print }' "$(dirname "$0")/../../specs/pvm.yaml" > $spec
c=$(JITPROOF_SPECS=$spec "$jp" validate --no-cache --opcode add_imm_64 --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | head -n 1)
rc=$?
isa_twins=$(grep -c 'the same code and spec entry as the GP 0.7.2' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json $spec
echo "GP 0.8.0 entry rewritten: $c; twin reuses: $isa_twins"
[ "$isa_twins" -eq 0 ] || { echo "FAIL: reused a GP 0.7.2 proof for a different spec entry"; exit 1; }
[ "$(strip "$c")" = "$(strip "$b")" ] || { echo "FAIL: the rewritten entry is not proved alike"; exit 1; }
# the fusion items (README § Fusions): a portable item reuses its cpuid twin's proof when the fused
# code is the same bytes, a GP 0.8.0 item its GP 0.7.2 twin's when both spec entries are the same:
# 2 x 12,168 and 12,168 reuses of the 48,672; and a slice of those items proved without any memo
# (every 24th portable one of each revision) is PROVED too, with the same counts
a=$("$jp" validate --no-cache --opcode shlo_l_imm_64 --fallback-states 0 --no-progress --json /tmp/jp_memo_$$.json | grep '^  fusions:')
tw=$(grep -c '"what": "fusion:.*the same code as the cpuid variant' /tmp/jp_memo_$$.json)
iw=$(grep -c '"what": "fusion:.*the same code and spec entries as the GP 0.7.2' /tmp/jp_memo_$$.json); rm -f /tmp/jp_memo_$$.json
echo "fusions memo: $a; twin reuses: $tw variant, $iw revision"
echo "$a" | grep -q '^  fusions: 48672 proved, 0 counterexamples, 0 unknown of 48672 ' || { echo "FAIL: fusions"; exit 1; }
[ "$tw" -eq 24336 ] && [ "$iw" -eq 12168 ] || { echo "FAIL: fusion twin reuses $tw, $iw (expected 24336, 12168)"; exit 1; }
b=$("$jp" validate --no-cache --opcode shlo_l_imm_64 --features portable --fallback-states 0 --no-progress --no-memo --shard 5/24 | grep '^  fusions:')
echo "fusions, a slice without the memo: $b"
echo "$b" | grep -Eq '^  fusions: ([0-9]+) proved, 0 counterexamples, 0 unknown of \1 ' || { echo "FAIL: fusions without the memo"; exit 1; }
echo "memo: ok"
