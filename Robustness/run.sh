#!/usr/bin/env bash
# Runs the robustness suites against the release binary, each bounded in time and count, on
# loopback only. `Robustness/run.sh quick` is CI's subset (about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl
need python3 python3
need ss iproute2
python3 -c 'import h11' 2>/dev/null || python3 -m pip install -q h11 2>/dev/null || apt-get install -y -qq python3-h11 >/dev/null

swift build -c release --static-swift-stdlib --product eventserver
export EVENTSERVER_BINARY="$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver"
failed=0
failures=""
# Each suite is a module of the Robustness package, run from the repository root so that all of
# them (and Fleet, and Benchmarks) share the `harness` package.
suite() { echo "== $*"; timeout 600 python3 -m "Robustness.$1" "${@:2}" || { failed=$((failed + 1)); failures="$failures $1"; }; }

suite hostile_input
suite conformance
if [ "$mode" = quick ]; then
    suite signal_storm 200
    suite drain
else
    need slowhttptest slowhttptest
    suite signal_storm 1000
    suite slow_clients 500
    suite drain
    suite memory 1000000
    echo "== fuzzing (60 s) and the test suite under AddressSanitizer"
    Robustness/fuzz.sh 60 || { failed=$((failed + 1)); failures="$failures fuzzing"; }
    # The test process's own leaks are Foundation's (file reading in test helpers), so leak
    # checking is off for `swift test`; asan_server checks the server's leaks on its own. The
    # failing tests' names and issues are printed, not only the closing line. The quarantine is
    # kept small so the streaming test's memory bound measures the server, not ASan holding
    # every freed chunk (256 MiB by default). The async and streaming suites run here too.
    # libevent allocates from malloc here (EVENTSERVER_SYSTEM_ALLOCATOR): its free lists would
    # hide from ASan a block of libevent's used after libevent freed it.
    export EVENTSERVER_SYSTEM_ALLOCATOR=1
    asan_log=$(mktemp)
    if ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16 swift test --sanitize address --scratch-path .build-asan > "$asan_log" 2>&1; then
        tail -1 "$asan_log"
    else
        grep -E "✘|recorded an issue|ERROR: AddressSanitizer|SUMMARY:" "$asan_log" | head -40
        tail -1 "$asan_log"
        failed=$((failed + 1)); failures="$failures swift-test-under-asan"
    fi
    rm -f "$asan_log"
    EVENTSERVER_BINARY="$(swift build --sanitize address --scratch-path .build-asan --show-bin-path)/eventserver" \
        suite asan_server
fi
echo "robustness: $failed suite(s) failed${failures:+:$failures}"
exit $((failed > 0))
