#!/usr/bin/env bash
# HTTPS: eventserver against nginx with the same certificate, one core each, side by side.
#
#   Benchmarks/tls.sh        # ROUNDS (3), DURATION (8), CONNECTIONS (50), RESULTS (folder)
#
# Both servers answer `GET /` with the same 23-byte text, pinned to CPU 0 (nginx: one worker,
# access log off); wrk runs pinned to CPU 1. Two loads per round: keep-alive HTTPS requests,
# and one TLS handshake per request (`Connection: close`). The certificate is a fresh ECDSA
# P-256 one, made by openssl here. Prints medians and the ratio to nginx; raw wrk outputs go
# to Benchmarks/results/2026-11-30-tls/, where the recorded run's are committed (a new run replaces them).
# Loopback only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-50}
for tool in wrk nginx openssl; do
    command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light openssl >/dev/null; break; }
done
swift build -c release --static-swift-stdlib --product eventserver >&2
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver"
work=$(mktemp -d)
results=${RESULTS:-Benchmarks/results/2026-11-30-tls}
mkdir -p "$results"
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

server_pid=""
port=""
start_eventserver() {
    port=$(free_port)
    taskset -c 0 "$binary" --port "$port" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" > /dev/null 2> "$work/es.log" &
    server_pid=$!
    for _ in $(seq 1 100); do grep -q "listening on https" "$work/es.log" && break; sleep 0.05; done
}
start_nginx() {
    port=$(free_port)
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / { default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\n"; }
    }
}
CONF
    taskset -c 0 nginx -c "$work/nginx.conf" -e "$work/nginx-error.log" > /dev/null 2>&1
    for _ in $(seq 1 100); do curl -sk "https://127.0.0.1:$port/" > /dev/null && break; sleep 0.05; done
    server_pid=$(cat "$work/nginx.pid")
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
}
measure() { # server load round: sets `rate`
    local out=$results/$1-$2-r$3.txt
    start_"$1"
    if [ "$2" = handshakes ]; then
        taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Connection: close" "https://127.0.0.1:$port/" > "$out"
    else
        taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "https://127.0.0.1:$port/" > "$out"
    fi
    stop_server
    rate=$(awk '/Requests\/sec/ {print $2}' "$out")
}
declare -A figures
for round in $(seq 1 "$ROUNDS"); do
    for load in keep-alive handshakes; do
        for server in eventserver nginx; do
            measure $server $load $round
            figures[$server-$load]+="$rate "
            echo "round $round $server $load: ${figures[$server-$load]##* }" >&2
        done
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| load | eventserver req/s | nginx req/s | eventserver / nginx |"
echo "| --- | ---: | ---: | ---: |"
for load in keep-alive handshakes; do
    es=$(echo "${figures[eventserver-$load]}" | median)
    ng=$(echo "${figures[nginx-$load]}" | median)
    echo "| $load ($CONNECTIONS connections, rounds: ${figures[eventserver-$load]}/ ${figures[nginx-$load]}) | $es | $ng | $(python3 -c "print(f'{$es/$ng:.2f}x')") |"
done
