#!/bin/sh
# reports.sh JITPROOF OUTDIR: the JSON, JUnit and HTML reports of a small run hold what they promise.
jp=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
"$jp" validate --opcode add_32 --shard 0/13 --fallback-states 50 --no-progress \
      --json "$out/r.json" --junit "$out/r.xml" --html "$out/r.html" > "$out/r.txt" || { echo "FAIL: exit $?"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
grep -q '"summary": {"proved": [1-9]' "$out/r.json" || fail "json summary"
grep -q '"opcode": "add_32", "code": 190' "$out/r.json" || fail "json result rows"
grep -q '"verdict": "PROVED"' "$out/r.json" || fail "json verdicts"
grep -q '<testcase classname="validate" name="add_32"' "$out/r.xml" || fail "junit testcase per opcode"
grep -q 'failures="0" errors="0"' "$out/r.xml" || fail "junit counts"
grep -q '<td class="op">add_32 (190)</td>' "$out/r.html" || fail "html matrix row"
grep -q '<th>rd=ra</th>' "$out/r.html" || fail "html register-class columns"
grep -q 'class="v0"' "$out/r.html" || fail "html proved cells"
# The summary's template count equals the instances in the JSON.
n=$(grep -c '"what": "imm:any"' "$out/r.json")
grep -q "fallback-agree, $n templates in" "$out/r.txt" || fail "template count $n"
echo "reports: ok"
