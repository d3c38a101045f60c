#!/usr/bin/env bash
# Builds the libFuzzer target (route matcher, path decoding, Accept negotiation, query, HTTP
# dates, CIDR) with AddressSanitizer and runs it for SECONDS (default 60), starting from the
# seeds and every past crash in Robustness/Fuzz/regressions. A new crash is written to
# Robustness/Fuzz/regressions/ so it becomes a regression input, and the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
# Swift's own fuzzer coverage (trace-pc-guard) is no longer read by libFuzzer; ask for counters.
EVENTSERVER_FUZZ=1 swift build --product EventServerFuzz --sanitize fuzzer --sanitize address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --scratch-path .build-fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp Robustness/Fuzz/seeds/* Robustness/Fuzz/regressions/* "$corpus/"
.build-fuzz/debug/EventServerFuzz -max_total_time="$seconds" -artifact_prefix=Robustness/Fuzz/regressions/ \
    -print_final_stats=1 "$corpus" 2>&1 | grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|ERROR|SUMMARY" || true
# libFuzzer exits non-zero on a crash; grep above hides the status, so check for new artifacts.
if ls Robustness/Fuzz/regressions/crash-* >/dev/null 2>&1; then
    echo "fuzzing found a crash: see Robustness/Fuzz/regressions/crash-*"
    exit 1
fi
echo "fuzzing: no crash in $seconds s"
