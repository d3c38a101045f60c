#!/usr/bin/env bash
# Resident memory of eventserver under load, and where it lies (/proc/PID/smaps by mapping).
#
#   Benchmarks/rss.sh [BINARY…]     # default: the release eventserver built from this tree
#
# For each binary, ROUNDS times (default 3), alternating binaries within a round: starts it on a
# free loopback port, drives it with wrk (256 keep-alive connections, 2 s) in service and again
# in maintenance (SIGUSR1 by PID, 503 checked), then reads VmRSS/RssAnon/RssFile from
# /proc/PID/status. Prints one line per run, then the last run's mappings over 60 kB (Rss and
# its anonymous part, kB). Files are read through the page cache: a binary just built or copied
# is fully cached, as on a server after its first start.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ $# -eq 0 ]; then
    swift build -c release --static-swift-stdlib --product eventserver >&2
    set -- "$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver"
fi
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo '<!doctype html><title>Maintenance</title><p>Back soon.</p>' > "$work/page.html"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
status_of() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" || true; }

measure() { # binary round
    local port; port=$(free_port)
    "$1" --port "$port" --maintenance-page "$work/page.html" --log-level warning 2>/dev/null &
    server_pid=$!
    for _ in $(seq 1 200); do [ "$(status_of "$port")" = 200 ] && break; sleep 0.05; done
    [ "$(status_of "$port")" = 200 ] || { echo "$1 did not answer on port $port" >&2; exit 1; }
    wrk -t1 -c256 -d2s "http://127.0.0.1:$port/" >/dev/null
    kill -USR1 "$server_pid"
    for _ in $(seq 1 200); do [ "$(status_of "$port")" = 503 ] && break; sleep 0.05; done
    [ "$(status_of "$port")" = 503 ] || { echo "$1 did not enter maintenance" >&2; exit 1; }
    wrk -t1 -c256 -d2s "http://127.0.0.1:$port/" >/dev/null
    printf '%s  round %s  ' "$1" "$2"
    awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s %.1f MiB  ", $1, $2 / 1024} END {print ""}' "/proc/$server_pid/status"
    awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6 == "" ? "(anonymous)" : $6; sub(/.*\//, "", name); key = name " " $2}
         /^Rss:/ {rss[key] += $2} /^Anonymous:/ {anon[key] += $2}
         END {for (k in rss) if (rss[k] >= 60) printf "%7d %7d  %s\n", rss[k], anon[k], k}' \
        "/proc/$server_pid/smaps" | sort -rn > "$work/mappings"
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
    server_pid=
}

for round in $(seq 1 "$ROUNDS"); do
    for binary in "$@"; do
        measure "$binary" "$round"
        cp "$work/mappings" "$work/mappings-$(echo "$binary" | tr / _)"
    done
done
for binary in "$@"; do
    echo
    echo "$binary, last round:  Rss kB  anonymous kB  mapping"
    cat "$work/mappings-$(echo "$binary" | tr / _)"
done
