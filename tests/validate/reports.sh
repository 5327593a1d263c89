#!/bin/sh
# reports.sh JITPROOF OUTDIR: the JSON, JUnit and HTML reports of a small run hold what they promise.
jp=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
"$jp" validate --no-cache --opcode add_32 --shard 0/13 --fallback-states 50 --no-progress \
      --json "$out/r.json" --junit "$out/r.xml" --html "$out/r.html" > "$out/r.txt" || { echo "FAIL: exit $?"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
grep -q '"summary": {"proved": [1-9]' "$out/r.json" || fail "json summary"
grep -q '"opcode": "add_32", "isa": "0.7.2", "code": 190, "variant": "cpuid"' "$out/r.json" || fail "json result rows (cpuid)"
grep -q '"opcode": "add_32", "isa": "0.7.2", "code": 190, "variant": "portable"' "$out/r.json" || fail "json result rows (portable)"
grep -q '"opcode": "add_32", "isa": "0.8.0", "code": 190, "variant": "cpuid"' "$out/r.json" || fail "json result rows (GP 0.8.0)"
grep -q '"variants": {' "$out/r.json" || fail "json per-variant summary"
grep -q '"portable": {"proved": [1-9]' "$out/r.json" || fail "json portable summary"
grep -q '"isas": {' "$out/r.json" || fail "json per-revision summary"
grep -q '"0.7.2": {"proved": [1-9]' "$out/r.json" || fail "json GP 0.7.2 summary"
grep -q '"0.8.0": {"proved": [1-9]' "$out/r.json" || fail "json GP 0.8.0 summary"
grep -q '"verdict": "PROVED"' "$out/r.json" || fail "json verdicts"
grep -q '<testcase classname="validate.cpuid" name="add_32"' "$out/r.xml" || fail "junit testcase per opcode (cpuid)"
grep -q '<testcase classname="validate.portable" name="add_32"' "$out/r.xml" || fail "junit testcase per opcode (portable)"
grep -q '<testcase classname="validate.gp080.cpuid" name="add_32"' "$out/r.xml" || fail "junit testcase per opcode (GP 0.8.0)"
grep -q 'failures="0" errors="0"' "$out/r.xml" || fail "junit counts"
grep -q '<td class="op">add_32 (190)</td>' "$out/r.html" || fail "html matrix row"
grep -q '<h2>Templates: GP 0.7.2, cpuid</h2>' "$out/r.html" || fail "html cpuid matrix"
grep -q '<h2>Templates: GP 0.7.2, portable</h2>' "$out/r.html" || fail "html portable matrix"
grep -q '<h2>Templates: GP 0.8.0, cpuid</h2>' "$out/r.html" || fail "html GP 0.8.0 matrix"
grep -q '<th>rd=ra</th>' "$out/r.html" || fail "html register-class columns"
grep -q 'class="v0"' "$out/r.html" || fail "html proved cells"
# The summary's template count equals the instances in the JSON.
n=$(grep -c '"what": "imm:any"' "$out/r.json")
grep -q "fallback-agree, $n templates in" "$out/r.txt" || fail "template count $n"
# ... and one line per variant, which add up to it
c=$(sed -n 's/^  cpuid: .* \([0-9]*\) templates$/\1/p' "$out/r.txt")
p=$(sed -n 's/^  portable: .* \([0-9]*\) templates$/\1/p' "$out/r.txt")
[ -n "$c" ] && [ -n "$p" ] && [ $((c + p)) -eq "$n" ] && [ "$c" -gt 0 ] || fail "per-variant summary lines ($c + $p != $n)"
# ... and one line per revision, which add up to it too
a=$(sed -n 's/^  GP 0.7.2: .* \([0-9]*\) templates$/\1/p' "$out/r.txt")
b=$(sed -n 's/^  GP 0.8.0: .* \([0-9]*\) templates$/\1/p' "$out/r.txt")
[ -n "$a" ] && [ -n "$b" ] && [ $((a + b)) -eq "$n" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "per-revision summary lines ($a + $b != $n)"
# --isa selects one revision
"$jp" validate --no-cache --opcode add_32 --shard 0/13 --fallback-states 10 --no-progress --isa 0.8.0 \
      --json "$out/i.json" > "$out/i.txt" || fail "exit (--isa 0.8.0)"
grep -q '"isa": "0.7.2"' "$out/i.json" && fail "--isa 0.8.0 proved GP 0.7.2 templates"
grep -q '"isa": "0.8.0"' "$out/i.json" || fail "--isa 0.8.0: no GP 0.8.0 rows"
# --features selects one variant
"$jp" validate --no-cache --opcode add_32 --shard 0/13 --fallback-states 10 --no-progress --features portable \
      --json "$out/p.json" > "$out/p.txt" || fail "exit (--features portable)"
grep -q '"variant": "cpuid"' "$out/p.json" && fail "--features portable proved cpuid templates"
grep -q '"variant": "portable"' "$out/p.json" || fail "--features portable: no portable rows"
echo "reports: ok"
