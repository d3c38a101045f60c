#!/usr/bin/env bash
# Side-by-side load benchmark: eventserver against a plain C evhttp server, the same C server
# with libevent's epoll change list, and the seed's Go design (net/http + atomic flag +
# middleware, GOMAXPROCS=1), in service and in maintenance, under wrk on loopback.
#
#   Benchmarks/load.sh                  # 3 rounds x 8 s per run, 50 and 256 connections
#   ROUNDS=5 DURATION=10 Benchmarks/load.sh
#
# Each run starts a fresh server pinned to CPU 0 and wrk pinned to CPU 1; servers alternate
# within each round so drift affects all alike, and each round starts the list one server later
# (round 2 runs the second server first) so that no server always runs first in a cell: four
# copies of one server measured the first at 0.97x the others at 50 connections, 1.00x at 256
# (Benchmarks/results/2026-12-01-order/). Prints a Markdown table of medians with the ratios to
# the plain and the tuned C server (Benchmarks/table.py); the raw wrk outputs land in
# Benchmarks/results/.
# nginx (Benchmarks/baselines/nginx/nginx.conf: one worker, access log off, `return 200` with
# the same text, `return 503` with the same page in maintenance) is the fastest server users
# already run: the table gives eventserver's ratio to it.
# SERVERS may also name eventserver-accesslog (eventserver writing a Combined Log Format log)
# and hummingbird (Hummingbird 2 on one NIO thread, Benchmarks/baselines/hummingbird-server; its first
# build takes a few minutes, so it is not in the default list), and eventserver-baseline (another
# eventserver binary, given as BASELINE_BINARY: a before/after comparison of a change in one run).
# EVENTSERVER_BINARY names the eventserver binary to run instead of building this tree's;
# EVENTSERVER_ARGS adds flags to its command line (a feature's cost against the baseline binary).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-"50 256"}
MODES=${MODES:-"service maintenance"}
SERVERS=${SERVERS:-"eventserver c-evhttp c-evhttp-changelist go-nethttp nginx"}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

need() { command -v "$1" >/dev/null || { echo "installing $2"; apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl
need taskset util-linux
need pkg-config pkg-config
need python3 python3
case " $SERVERS " in *" go-nethttp "*) need go golang-go ;; esac
case " $SERVERS " in *" nginx "*) need nginx nginx-light ;; esac
dpkg-query -W -f='${Status}' libevent-dev 2>/dev/null | grep -q "ok installed" || apt-get install -y -qq libevent-dev >/dev/null

work=$(mktemp -d)
results=Benchmarks/results
mkdir -p "$results"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

if [ -n "${EVENTSERVER_BINARY:-}" ]; then  # a binary built elsewhere (another commit, other flags)
    eventserver_bin=$EVENTSERVER_BINARY
else
    echo "building release binaries…" >&2
    swift build -c release --static-swift-stdlib --product eventserver >&2
    eventserver_bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver
fi
gcc -O2 -o "$work/c-evhttp" Benchmarks/baselines/c-evhttp/server.c $(pkg-config --cflags --libs libevent)
case " $SERVERS " in *" hummingbird "*)
    swift build -c release --package-path Benchmarks/baselines/hummingbird-server >&2
    hummingbird_bin=$(swift build -c release --package-path Benchmarks/baselines/hummingbird-server --show-bin-path)/HummingbirdBaseline ;;
esac
if command -v go >/dev/null; then
    (cd Benchmarks/baselines/go-nethttp && GOCACHE="$work/gocache" GO111MODULE=off go build -o "$work/go-nethttp" main.go)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_ready() { # port
    for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.02; done
    echo "server on port $1 did not answer" >&2; return 1
}

# The same maintenance page bytes for every server: eventserver's built-in page.
page_port=$(free_port)
"$eventserver_bin" --port "$page_port" --maintenance 2>/dev/null & pids+=($!)
wait_ready "$page_port"
curl -s "http://127.0.0.1:$page_port/" > "$work/page.html"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# nginx's config for a port and a mode: the same bytes from memory as eventserver answers.
nginx_config() { # port mode -> path
    python3 - "$work" "$1" "$2" <<'PY'
import sys
work, port, mode = sys.argv[1:]
def quoted(text):  # an nginx string: backslashes and quotes escaped (a "$" would start a variable)
    if "$" in text:
        sys.exit("the maintenance page has a $, which nginx's return would read as a variable")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
if mode == "maintenance":
    page = open(f"{work}/page.html").read()
    reply = ('default_type "text/html; charset=utf-8"; add_header Retry-After 300 always; '
             f'add_header Cache-Control no-store always; return 503 {quoted(page)};')
else:
    reply = 'default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\\n";'
template = "".join(line for line in open("Benchmarks/baselines/nginx/nginx.conf") if not line.startswith("#"))
config = template.replace("@WORK@", work).replace("@PORT@", port).replace("@REPLY@", reply)
path = f"{work}/nginx-{mode}.conf"
open(path, "w").write(config)
print(path)
PY
}

start_server() { # name port [mode] -> pid in $server_pid
    case $1 in
        eventserver) taskset -c "$SERVER_CPU" "$eventserver_bin" --port "$2" --maintenance-page "$work/page.html" --log-level warning ${EVENTSERVER_ARGS:-} 2>/dev/null & ;;
        eventserver-baseline) taskset -c "$SERVER_CPU" "${BASELINE_BINARY:?set BASELINE_BINARY}" --port "$2" --maintenance-page "$work/page.html" --log-level warning 2>/dev/null & ;;
        eventserver-accesslog) taskset -c "$SERVER_CPU" "$eventserver_bin" --port "$2" --maintenance-page "$work/page.html" --log-level warning --access-log "$work/access.log" 2>/dev/null & ;;
        c-evhttp) taskset -c "$SERVER_CPU" "$work/c-evhttp" "$2" "$work/page.html" 2>/dev/null & ;;
        c-evhttp-changelist) taskset -c "$SERVER_CPU" "$work/c-evhttp" "$2" "$work/page.html" --changelist 2>/dev/null & ;;
        hummingbird) taskset -c "$SERVER_CPU" "$hummingbird_bin" "$2" "$work/page.html" >/dev/null 2>&1 & ;;
        go-nethttp) GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/go-nethttp" "$2" "$work/page.html" 2>/dev/null & ;;
        nginx) taskset -c "$SERVER_CPU" nginx -p "$work" -c "$(nginx_config "$2" "${3:-service}")" -g 'daemon off;' 2>/dev/null & ;;
    esac
    server_pid=$!
    pids+=("$server_pid")
    wait_ready "$2"
}

to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }'; }

rows="$work/rows.tsv"
: > "$rows"
read -r -a server_list <<< "$SERVERS"
rotated() { # round -> the server list rotated left by round-1
    local shift=$(( ($1 - 1) % ${#server_list[@]} ))
    echo "${server_list[@]:shift}" "${server_list[@]:0:shift}"
}
for round in $(seq 1 "$ROUNDS"); do
    for conns in $CONNECTIONS; do
        for mode in $MODES; do
            for server in $(rotated "$round"); do
                port=$(free_port)
                start_server "$server" "$port" "$mode"
                if [ "$mode" = maintenance ] && [ "$server" != nginx ]; then  # nginx starts in its mode
                    kill -USR1 "$server_pid"
                    for _ in $(seq 1 100); do
                        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 503 ] && break; sleep 0.01
                    done
                fi
                expected=$([ "$mode" = maintenance ] && echo 503 || echo 200)
                [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = "$expected" ] \
                    || { echo "$server not answering $expected in $mode" >&2; exit 1; }
                raw="$results/$server-$mode-c$conns-r$round.raw"
                taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "http://127.0.0.1:$port/" > "$raw"
                rps=$(awk '/^Requests\/sec:/ {print $2}' "$raw")
                p50=$(awk '$1=="50%" {print $2}' "$raw" | to_ms)
                p99=$(awk '$1=="99%" {print $2}' "$raw" | to_ms)
                errors=$(awk '/Socket errors|Non-2xx/ {print}' "$raw" | grep -v Non-2xx | tr -s ' ' || true)
                rss=$(awk '/^VmRSS:/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status")
                kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$mode" "$conns" "$round" "$rps" "$p50" "$p99" "$rss" >> "$rows"
                echo "round $round  $server  $mode  c=$conns  ${rps} req/s  p50 ${p50} ms  p99 ${p99} ms  RSS ${rss} MiB ${errors}" >&2
            done
        done
    done
done

cp "$rows" "$results/latest.tsv"
python3 Benchmarks/table.py "$rows" "$ROUNDS" "$DURATION"
echo "rows saved to $results/latest.tsv; chart: python3 Benchmarks/chart.py" >&2
