#!/bin/sh
# progress.sh JITPROOF TRACES: off a TTY (stdout a pipe) validate prints progress lines every
# --progress-every seconds (done/total, verdict counts, elapsed, estimate); --no-progress, none.
jp=$1 traces=$2
out=$("$jp" validate --no-cache --opcode div_u_64 --opcode add_64 --opcode load_u8 --isa 0.7.2 --features cpuid --fallback-states 200 --progress-every 0.05 </dev/null 2>&1 | cat)
echo "$out" | tail -n 3
n=$(echo "$out" | grep -Ec '^validate: progress: [0-9]+/[0-9]+ items \([0-9.]+%\), [0-9]+ proved, [0-9]+ counterexamples, [0-9]+ unknown, [0-9]+ fallback-agree; [0-9]+ s elapsed')
[ "$n" -ge 2 ] || { echo "FAIL: $n progress lines"; exit 1; }
out=$("$jp" validate --no-cache --opcode add_64 --isa 0.7.2 --progress-every 0.1 --no-progress </dev/null 2>&1 | cat)
echo "$out" | grep -q 'progress:' && { echo "FAIL: --no-progress printed progress"; exit 1; }
p=$("$jp" prove --no-cache --all "$traces/io-trace-output.log" --progress-every 0.2 2>/dev/null | grep -c '^prove: progress: ')
echo "PASS: $n validate progress lines, $p prove --all progress lines"
[ "$p" -ge 1 ]
