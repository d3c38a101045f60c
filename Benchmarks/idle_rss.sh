#!/usr/bin/env bash
# Resident memory an idle keep-alive connection costs, side by side: eventserver, the plain C
# evhttp server and nginx (one worker, Benchmarks/baselines/nginx/nginx.conf).
#
#   Benchmarks/idle_rss.sh [BINARY]     # COUNT (9000), SERVERS ("eventserver c-evhttp nginx")
#
# Each server runs pinned to CPU 0; a client warms it with 2,000 keep-alive requests on one
# connection, reads its VmRSS, then opens COUNT connections, sends one `GET /` on each and reads
# the reply, keeps them all open and idle, and reads VmRSS again once it stays still: (after -
# before) / COUNT is the memory one idle connection holds. Then it closes them all and reads
# VmRSS a last time (what the server gives back). Loopback only; bounded by COUNT and a 120 s
# limit per server.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-9000}
SERVERS=${SERVERS:-"eventserver c-evhttp nginx"}
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
binary=${1:-}
if [ -z "$binary" ]; then
    swift build -c release --static-swift-stdlib --product eventserver >&2
    binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver"
fi
ulimit -n $((COUNT * 2 + 1000))
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -o "$work/c-evhttp" Benchmarks/baselines/c-evhttp/server.c $(pkg-config --cflags --libs libevent)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # name port
    case $1 in
        eventserver) taskset -c 0 "$binary" --port "$2" --max-connections $((COUNT + 100)) --timeout 600 \
            --header-timeout 600 --log-level warning 2>/dev/null & ;;
        c-evhttp) taskset -c 0 "$work/c-evhttp" "$2" 2>/dev/null & ;;
        nginx)
            grep -v '^#' Benchmarks/baselines/nginx/nginx.conf | sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$2|" \
                -e 's|@REPLY@|default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\\n";|' > "$work/nginx.conf"
            taskset -c 0 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' 2>/dev/null & ;;
    esac
    pid=$!
    for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0; sleep 0.05; done
    echo "$1 did not start" >&2; return 1
}

for server in $SERVERS; do
    port=$(free_port)
    start "$server" "$port"
    timeout 120 python3 - "$port" "$pid" "$COUNT" "$server" <<'PY'
import socket, sys, time
from harness import read_reply as reply  # the repository's test harness (run from its root)
port, pid, count, name = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def settled_rss():  # the same reading twice, 200 ms apart: the server has finished its work
    last = rss_kib()
    for _ in range(50):
        time.sleep(0.2)
        now = rss_kib()
        if now == last:
            return now
        last = now
    return last

warm = socket.create_connection(("127.0.0.1", port))
for _ in range(2000):
    warm.sendall(REQUEST)
    reply(warm)
warm.close()
before = settled_rss()
connections = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(REQUEST)
    reply(s)
    connections.append(s)
held = settled_rss()
for s in connections:
    s.close()
after = settled_rss()
print(f"{name}: {count} idle connections: RSS {before} -> {held} KiB, "
      f"{(held - before) * 1024 / count:,.0f} bytes each; after closing them {after} KiB")
PY
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
