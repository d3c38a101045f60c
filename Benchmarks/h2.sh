#!/usr/bin/env bash
# HTTP/2 (cleartext, prior knowledge): eventserver against nginx `listen … http2`, one core
# each, side by side, in service and in maintenance.
#
#   Benchmarks/h2.sh [BINARY]     # ROUNDS (3), REQUESTS (200000), CONNECTIONS (50), STREAMS (10),
#                                 # MODES ("service maintenance")
#
# In service both answer `GET /` with the same 23-byte text; in maintenance eventserver has had
# SIGUSR1 (by its PID) and answers its 503 page, nginx `return 503` with a page of the same
# size. The server is pinned to CPU 0 (nginx: one worker,
# master_process off, access log off), h2load pinned to CPU 1 with -c CONNECTIONS -m STREAMS.
# Servers alternate within each round. Prints each run's requests a second, status codes and
# errors, then the medians and their ratio. Loopback only; each run is bounded by its request count and 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3} REQUESTS=${REQUESTS:-200000} CONNECTIONS=${CONNECTIONS:-50} STREAMS=${STREAMS:-10}
MODES=${MODES:-service maintenance}
command -v h2load >/dev/null || { apt-get update -qq && apt-get install -y -qq nghttp2-client >/dev/null; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
binary=${1:-}
if [ -z "$binary" ]; then
    swift build -c release --static-swift-stdlib --product eventserver >&2
    binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver"
fi
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # name port mode
    case $1 in
        eventserver) taskset -c 0 "$binary" --port "$2" --http2 on --log-level warning 2>/dev/null & ;;
        nginx)
            cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid; error_log $work/error.log warn; worker_processes 1; master_process off;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  http2_max_requests 1000000; keepalive_requests 1000000;
  server { listen 127.0.0.1:$2 http2; location / { default_type "text/plain; charset=utf-8"; $(nginx_reply "$3") } } }
CONF
            taskset -c 0 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' 2>/dev/null & ;;
    esac
    pid=$!
    for _ in $(seq 1 100); do
        if curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$2/"; then
            [ "$1" = eventserver ] && [ "$3" = maintenance ] && { kill -USR1 "$pid"; until [ "$(status "$2")" = 503 ]; do sleep 0.05; done; }
            [ "$(status "$2")" = "$expected" ] && return 0
            echo "$1 answers $(status "$2"), not $expected" >&2; return 1
        fi
        sleep 0.05
    done
    echo "$1 did not start" >&2; return 1
}
status() { curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/"; }
# nginx's reply in each mode: the same text, or a 503 page as long as eventserver's.
nginx_reply() {
    if [ "$1" = maintenance ]; then
        printf 'add_header Retry-After 120 always; add_header Cache-Control no-store always; return 503 "%s";' \
            "$(printf "%$((page_size - 1))s" "" | tr ' ' x)"
    else
        printf 'return 200 "Hello from eventserver\\n";'
    fi
}

median() { tr ' ' '\n' <<< "$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for mode in $MODES; do
    declare -A rates=()
    expected=200; [ "$mode" = maintenance ] && expected=503
    if [ "$mode" = maintenance ]; then  # eventserver's 503 page, to size nginx's
        port=$(free_port); start eventserver "$port" maintenance
        page_size=$(curl -s --http2-prior-knowledge "http://127.0.0.1:$port/" | wc -c)
        kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    fi
    for round in $(seq 1 "$ROUNDS"); do
        for server in eventserver nginx; do
            port=$(free_port)
            start "$server" "$port" "$mode"
            out=$(timeout 120 taskset -c 1 h2load -n "$REQUESTS" -c "$CONNECTIONS" -m "$STREAMS" "http://127.0.0.1:$port/" 2>&1)
            kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
            rate=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<< "$out")
            # h2load counts every non-2xx reply as failed: the status codes tell the 503s apart.
            errored=$(sed -n 's/^requests: .* \([0-9]*\) errored, \([0-9]*\) timeout.*/\1 errored, \2 timeout/p' <<< "$out")
            codes=$(sed -n 's/^status codes: //p' <<< "$out")
            echo "$mode  round $round  $server  ${rate:-?} req/s  ($codes; $errored)"
            rates[$server]+="${rate:-0} "
        done
    done
    es=$(median "${rates[eventserver]}"); ng=$(median "${rates[nginx]}")
    printf '%s median: eventserver %.0f, nginx %.0f requests a second: %.2fx nginx (h2load -c %s -m %s)\n' \
        "$mode" "$es" "$ng" "$(echo "$es / $ng" | bc -l)" "$CONNECTIONS" "$STREAMS"
done
