#!/usr/bin/env bash
# Instructions an HTTPS request costs, counted by callgrind: eventserver against nginx with the
# same certificate (a fresh ECDSA P-256 one, made by openssl here).
#
#   Benchmarks/callgrind_tls.sh [BINARY]    # MODES ("keep-alive handshake")
#
# Each server runs under `valgrind --tool=callgrind` twice, serving FEW and then MANY requests
# from Python's `ssl` (TLS 1.3): over one keep-alive connection (`keep-alive`: 500 and 2,500), or
# a full handshake and `Connection: close` per request (`handshake`: 20 and 120); the difference
# of the totals over MANY - FEW is one request's cost, start-up cancelled out. nginx (one process,
# `master_process off`) answers `GET /` from memory with the same text. Loopback only; bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
MODES=${MODES:-keep-alive handshake}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
if [ $# -eq 0 ]; then
    # DWARF 4 for valgrind 3.19 (Benchmarks/callgrind.sh says why).
    swift build -c release --static-swift-stdlib --product eventserver -Xcc -gdwarf-4 >&2
    set -- "$(swift build -c release --static-swift-stdlib -Xcc -gdwarf-4 --show-bin-path)/eventserver"
fi
binary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null

total_instructions() { # server mode count
    local out="$work/callgrind.out" port
    rm -f "$out"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$1" = nginx ]; then
        mkdir -p "$work/nginx"
        cat > "$work/nginx.conf" <<CONF
worker_processes 1; master_process off; daemon off;
pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off; keepalive_requests 1000000;
    client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p; fastcgi_temp_path $work/nginx/f;
    uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.2 TLSv1.3;
        location / { default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\n"; }
    }
}
CONF
        valgrind --tool=callgrind --callgrind-out-file="$out" nginx -p "$work/nginx" -c "$work/nginx.conf" 2> "$work/log" &
    else
        SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$out" "$1" --port "$port" \
            --log-level warning --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" 2> "$work/log" &
    fi
    local pid=$!
    for _ in $(seq 1 600); do curl -sk -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done
    python3 - "$port" "$3" "$2" <<'PY'
import socket, ssl, sys
import harness  # the repository's test harness (this script runs from the repository root)
port, count, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
if mode == "handshake":
    for _ in range(count):
        s = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:40]
        s.close()
else:
    s = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60))
    buffered = b""
    for _ in range(count):
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        buffered = harness.read_reply(s, buffered)
    s.close()
PY
    kill -TERM $pid; wait $pid || true
    awk '/^summary:/ {print $2}' "$out"
}

for mode in $MODES; do
    if [ "$mode" = handshake ]; then few=20 many=120; else few=500 many=2500; fi
    for server in nginx "$binary"; do
        first=$(total_instructions "$server" "$mode" $few)
        second=$(total_instructions "$server" "$mode" $many)
        echo "$(basename "$server") $mode $(( (second - first) / (many - few) )) instructions/request"
    done
done
