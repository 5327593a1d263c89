#!/bin/sh
# report_browser.sh JITPROOF-MUTANTS OUTDIR: the HTML report of a mutant run, rendered by headless
# Chromium. Opened at #open=add_32, the page shows the counterexample panel: the differing
# register marked, the replay command, the template's code and the spec entry; load_u8's by-design
# fault and gas paths have their own colour; a screenshot of it is not blank. Exit 77 (skipped)
# without a Chromium.
out=$2
fail() { echo "FAIL: $*"; exit 1; }
browser=""
for b in chromium chromium-browser google-chrome; do command -v "$b" > /dev/null && browser=$b && break; done
[ -n "$browser" ] || { echo "SKIP: no chromium (apt-get install chromium; make test installs it)"; exit 77; }
jpm=$(realpath "$1")
rm -rf "$out"; mkdir -p "$out"; cd "$out" || exit 1
# Shard 16/50 keeps the run to 45 items, among them add_32's gas path (a fallback counterexample)
# and load_u8's fault path under the peers' readings (by design, agreeing).
"$jpm" validate --no-cache --mutant add_32_no_sext --opcode add_32 --opcode load_u8 --isa 0.7.2 --features cpuid \
	--shard 16/50 --fallback-states 100 --no-progress --html r.html --json r.json --cex-dir cex > r.txt
[ $? -eq 1 ] || fail "validate: expected exit 1 (counterexamples)"
grep -q '"what": "gas-path", "verdict": "COUNTEREXAMPLE"' r.json || fail "the shard lost add_32's gas path: pick another"
grep -q '"what": "fault-path", "verdict": "FALLBACK-AGREE"' r.json || fail "the shard lost load_u8's fault path: pick another"
grep -q '<td class="vd" data-c="0.7.2/cpuid/load_u8/distinct"' r.html || fail "by-design fallback cell not in its own colour"
grep -q '<span class="vd">' r.html || fail "no legend entry for by-design fallbacks"
grep -q '<td class="v3" data-c="0.7.2/cpuid/add_32/distinct"' r.html || fail "counterexample cell"
url="file://$(pwd)/r.html#open=add_32"
run() { timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$(pwd)/profile" "$@" 2> browser.log; }
run --dump-dom "$url" > dom.html || fail "$browser --dump-dom: exit $? ($(tail -1 browser.log))"
grep -q '<div id="panel">' dom.html || fail "the panel did not open"
grep -q '<h2 id="ptitle">add_32 (190) · GP 0.7.2 · cpuid · distinct</h2>' dom.html || fail "panel title"
grep -q 'Counterexample: cex/add_32_' dom.html || fail "no counterexample in the panel"
grep -Eq '<tr class="d"><td>r[0-9]+</td><td>0x[0-9a-f]+</td><td>0xffffffff[0-9a-f]{8}</td><td>0x[0-9a-f]{1,8}</td></tr>' dom.html ||
	fail "no differing register marked (interp sign-extended, jit not)"
grep -q 'jitproof-mutants replay --mutant add_32_no_sext cex/add_32_' dom.html || fail "no replay command"
grep -q 'Template code' dom.html && grep -q 'lea ' dom.html || fail "no template code"
grep -q '(set rd (sign_extend 32 (bvadd (extract 31 0 ra) (extract 31 0 rb))))' dom.html || fail "no spec entry"
run --screenshot="$(pwd)/shot.png" --window-size=1400,1000 "$url" || fail "$browser --screenshot: exit $?"
size=$(wc -c < shot.png 2>/dev/null || echo 0)
[ "$size" -gt 50000 ] || fail "screenshot blank or missing ($size bytes)"
echo "report_browser: ok ($browser; shot.png $size bytes)"
