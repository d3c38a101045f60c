#!/usr/bin/env bash
# Loop responsiveness with async handlers: does a route that awaits hold up the others?
#
#   Benchmarks/async_responsiveness.sh      # DURATION, SLOW_CONNECTIONS, FAST_CONNECTIONS, SLEEP_MS,
#                                           # SLOW_ROUTES ("sleep loop-sleep"), RESULTS
#
# The release AsyncFixture server (Tests/AsyncFixture) runs pinned to CPU 0. First `wrk` loads
# `GET /` (a sync route) alone; then, for each of SLOW_ROUTES, the same load runs while a second
# `wrk` keeps SLOW_CONNECTIONS connections busy on `GET /async/ROUTE/SLEEP_MS`, an async route
# standing in for a database: `sleep` awaits Task.sleep (the global executor's timer thread, then
# the loop's wake pipe), `loop-sleep` awaits LoopClock (a timer on the loop). Both wrk processes
# are pinned to CPU 1 (a 2-core machine has no other). Prints `/`'s throughput and latency alone
# and beside each slow route, and each slow route's throughput against its ideal
# (SLOW_CONNECTIONS / SLEEP_MS); raw outputs land in RESULTS. Loopback only, bounded by DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8}
SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-500}
FAST_CONNECTIONS=${FAST_CONNECTIONS:-50}
SLEEP_MS=${SLEEP_MS:-50}
SLOW_ROUTES=${SLOW_ROUTES:-sleep loop-sleep}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --static-swift-stdlib --product AsyncFixture >&2
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/AsyncFixture"
results=${RESULTS:-Benchmarks/results/2026-12-06-loop-clock}
mkdir -p "$results"
ulimit -n 65536 2>/dev/null || ulimit -n 4096
log=$(mktemp)
taskset -c 0 "$binary" --port 0 2> "$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { echo "server did not start: $(cat "$log")" >&2; exit 1; }

fast() { taskset -c 1 wrk -t1 -c"$FAST_CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$port/" > "$1"; }
# Requests per second and the 99th percentile from a wrk output.
summary() { awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "%s req/s, p99 %s", rps, p99}' "$1"; }

fast "$results/fast-alone.txt"
echo "GET / alone (c=$FAST_CONNECTIONS): $(summary "$results/fast-alone.txt")"
alone=$(awk '/Requests\/sec/ {print $2}' "$results/fast-alone.txt")
ideal=$((SLOW_CONNECTIONS * 1000 / SLEEP_MS))
for route in $SLOW_ROUTES; do
    taskset -c 1 wrk -t1 -c"$SLOW_CONNECTIONS" -d"$((DURATION + 4))s" --latency \
        "http://127.0.0.1:$port/async/$route/$SLEEP_MS" > "$results/slow-$route.txt" &
    slow=$!
    # Start measuring once the slow route holds at least half its connections in flight.
    for _ in $(seq 1 100); do
        inflight=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^eventserver_replies_in_flight / {print $2}')
        [ "${inflight:-0}" -ge $((SLOW_CONNECTIONS / 2)) ] && break; sleep 0.05
    done
    fast "$results/fast-with-$route.txt"
    wait $slow
    beside=$(awk '/Requests\/sec/ {print $2}' "$results/fast-with-$route.txt")
    rate=$(awk '/Requests\/sec/ {print $2}' "$results/slow-$route.txt")
    printf 'GET / beside /async/%s: %s (%.2fx alone)\n' "$route" "$(summary "$results/fast-with-$route.txt")" "$(echo "$beside / $alone" | bc -l)"
    printf 'GET /async/%s/%s (c=%s): %s (%.2fx the ideal %s req/s)\n' "$route" "$SLEEP_MS" "$SLOW_CONNECTIONS" \
        "$(summary "$results/slow-$route.txt")" "$(echo "$rate / $ideal" | bc -l)" "$ideal"
done
