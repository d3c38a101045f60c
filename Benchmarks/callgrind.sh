#!/usr/bin/env bash
# Instructions per request, counted by callgrind (repeatable, unlike timings on a shared machine).
#
#   Benchmarks/callgrind.sh [BINARY…]     # default: the release eventserver built from this tree
#   Benchmarks/callgrind.sh c-evhttp-changelist BINARY   # the tuned C baseline next to a binary
#   Benchmarks/callgrind.sh nginx BINARY  # nginx (Benchmarks/baselines/nginx/nginx.conf), service only
#
# Each binary is run twice under `valgrind --tool=callgrind`, serving FEW and then MANY keep-alive
# `GET /` requests (in service, then in maintenance after SIGUSR1 by PID); the difference of the
# two totals divided by MANY - FEW is the cost of one request, with start-up and shutdown cancelled
# out. Prints one line per binary and mode. ACCEPT, when set, is sent as each request's Accept
# header (a browser's is a long one: ACCEPT='text/html,application/xhtml+xml,…'); ACCEPT_VARY=1
# makes each request's value different (a `;v=N` parameter on its last range), defeating caches.
# CLIENTS=N (default 1) spreads the requests over N keep-alive connections, one request in flight
# on each, as a load generator does: the server then handles several connections per loop pass.
# SERVER_ARGS adds flags to eventserver's command line (a feature's cost: `--access-log /dev/null
# --access-log-format json --request-id`); PROXY_HEADER=1 begins each connection with a PROXY v1
# header, for `SERVER_ARGS="--proxy-protocol-from 127.0.0.1"`. TARGET (default `/`) is the path
# requested and MODES ("service maintenance") the modes measured: `TARGET=/async/loop-sleep/1
# MODES=service Benchmarks/callgrind.sh .build/release/AsyncFixture` is an async route's cost.
# CACHE_SIM=1 adds callgrind's cache and branch simulation and prints, per request, every event
# it counts (I1mr/ILmr: instruction-cache misses, D1mr/D1mw/DLmr/DLmw: data-cache misses,
# Bcm/Bim: mispredicted conditional/indirect branches): a model of the CPU, not the CPU, for
# machines that expose no hardware counters.
set -euo pipefail
cd "$(dirname "$0")/.."
FEW=${FEW:-1000}
MANY=${MANY:-6000}
export ACCEPT=${ACCEPT:-} ACCEPT_VARY=${ACCEPT_VARY:-} CLIENTS=${CLIENTS:-1} PROXY_HEADER=${PROXY_HEADER:-} TARGET=${TARGET:-/}
MODES=${MODES:-service maintenance}
read -r -a server_args <<< "${SERVER_ARGS:-}"
simulation=()
[ -n "${CACHE_SIM:-}" ] && simulation=(--cache-sim=yes --branch-sim=yes)
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
if [ $# -eq 0 ]; then
    # DWARF 4 for the C targets (swift-atomics' shims among them): valgrind 3.19 gives up on
    # clang's default DWARF 5. Only debug information differs; the code is the same.
    swift build -c release --static-swift-stdlib --product eventserver -Xcc -gdwarf-4 >&2
    set -- "$(swift build -c release --static-swift-stdlib -Xcc -gdwarf-4 --show-bin-path)/eventserver"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Sends `count` keep-alive GET / requests over CLIENTS connections, reading each reply fully.
client() { # port count
    python3 - "$1" "$2" <<'PY'
import socket, sys
import os
import harness  # the repository's test harness (this script runs from the repository root)
port, count = int(sys.argv[1]), int(sys.argv[2])
accept = os.environ.get("ACCEPT", "")
vary = os.environ.get("ACCEPT_VARY") == "1"
clients = int(os.environ.get("CLIENTS", "1"))
sockets = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(clients)]
buffers = [b""] * clients
if os.environ.get("PROXY_HEADER") == "1":
    for s in sockets:
        s.sendall(b"PROXY TCP4 192.0.2.1 127.0.0.1 40000 8080\r\n")

def request(number):
    value = f"{accept};v={number}" if vary else accept
    return b"GET " + os.environ["TARGET"].encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (f"Accept: {value}\r\n".encode() if value else b"") + b"\r\n"

def read_reply(index):
    buffers[index] = harness.read_reply(sockets[index], buffers[index])

sent = 0
while sent < count:  # a request on every connection, then every reply
    batch = min(clients, count - sent)
    for index in range(batch):
        sockets[index].sendall(request(sent + index))
    for index in range(batch):
        read_reply(index)
    sent += batch
for s in sockets:
    s.close()
PY
}

total_instructions() { # binary mode count
    local log="$work/log" out="$work/callgrind.out"
    rm -f "$out" "$log.port"
    case $1 in
        c-evhttp|c-evhttp-changelist)  # the C baseline takes its port as an argument
            [ -x "$work/c-evhttp" ] || gcc -O2 -o "$work/c-evhttp" Benchmarks/baselines/c-evhttp/server.c $(pkg-config --cflags --libs libevent)
            local chosen; chosen=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
            valgrind --tool=callgrind "${simulation[@]}" --callgrind-out-file="$out" "$work/c-evhttp" "$chosen" \
                $([ "$1" = c-evhttp-changelist ] && echo --changelist) 2> "$log" & ;;
        nginx)  # the yardstick (one process, `master_process off`), answering `GET /` from memory
            local chosen; chosen=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
            mkdir -p "$work/nginx"
            grep -v '^#' Benchmarks/baselines/nginx/nginx.conf | sed -e "s|@WORK@|$work/nginx|g" -e "s|@PORT@|$chosen|" \
                -e 's|@REPLY@|default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\\n";|' > "$work/nginx.conf"
            valgrind --tool=callgrind "${simulation[@]}" --callgrind-out-file="$out" nginx -p "$work/nginx" -c "$work/nginx.conf" \
                -g 'daemon off;' 2> "$log" &
            echo "listening on http://127.0.0.1:$chosen/" >> "$log.port" ;;
        *)
            # Unseeded hashing: with Swift's per-process seed, the FEW and MANY runs build their
            # start-up dictionaries differently, and the heap layout that follows moved the
            # per-request figure by up to 570 (malloc's slow path taken or not on every request).
            SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind "${simulation[@]}" --callgrind-out-file="$out" "$1" --port 0 --log-level info "${server_args[@]}" 2> "$log" & ;;
    esac
    local pid=$!
    local port=""
    for _ in $(seq 1 600); do
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" "$log.port" 2>/dev/null | head -1)
        # nginx says nothing when it listens: wait until it answers.
        if [ -n "$port" ] && [ "$1" = nginx ] && ! curl -s -o /dev/null "http://127.0.0.1:$port/"; then port=""; fi
        [ -n "$port" ] && break; sleep 0.1
    done
    [ -n "$port" ] || { echo "server did not start: $(cat "$log")" >&2; kill -KILL $pid; return 1; }
    if [ "$2" = maintenance ]; then
        kill -USR1 $pid
        # Wait until a request sees the 503 (the C baseline logs nothing on the flip).
        for _ in $(seq 1 300); do
            [ "$(curl -s $([ "$PROXY_HEADER" = 1 ] && echo --haproxy-protocol) -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 503 ] && break; sleep 0.1
        done
    fi
    client "$port" "$3"
    kill -TERM $pid; wait $pid || true
    # The event names, then their totals (Ir alone without CACHE_SIM).
    awk '/^events:/ {$1 = ""; names = $0} /^summary:/ {$1 = ""; print names "|" $0}' "$out"
}

for binary in "$@"; do
    for mode in $MODES; do
        if [ "$binary" = nginx ] && [ "$mode" != service ]; then echo "nginx $mode: not measured (service only)"; continue; fi
        few=$(total_instructions "$binary" "$mode" "$FEW")
        many=$(total_instructions "$binary" "$mode" "$MANY")
        if [ -z "${CACHE_SIM:-}" ]; then
            echo "$binary $mode $(( (${many#*|} - ${few#*|}) / (MANY - FEW) )) instructions/request"
        else
            awk -v few="$few" -v many="$many" -v requests=$((MANY - FEW)) -v label="$binary $mode" 'BEGIN {
                split(few, f, "|"); split(many, m, "|"); n = split(f[1], names, " ")
                split(f[2], a, " "); split(m[2], b, " ")
                line = label " per request:"
                for (i = 1; i <= n; i++) line = line sprintf(" %s=%.1f", names[i], (b[i] - a[i]) / requests)
                print line
            }'
        fi
    done
done
