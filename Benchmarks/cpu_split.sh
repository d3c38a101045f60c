#!/usr/bin/env bash
# Requests a second and the server's CPU time per request, split into user and system, for
# servers run alternately (drift on a shared machine then affects all alike).
#
#   Benchmarks/cpu_split.sh ROUNDS CONNECTIONS SECONDS SERVER…
#
# SERVER is an eventserver binary's path, `tuned-c` (Benchmarks/baselines/c-evhttp with
# libevent's change list) or `nginx` (Benchmarks/baselines/nginx/nginx.conf, `GET /` from memory). Each run: the server pinned to CPU 0 on a free loopback port, wrk -t1
# pinned to CPU 1 for SECONDS, GET / keep-alive; CPU time from /proc/PID/stat (utime, stime)
# before and after; wrk's own CPU time from the shell's `times` (its only child there). Prints:
# round, server, connections, req/s, µs per request (user, system), and the share of its core
# that wrk kept busy (near 100 % the client, not the server, would set the pace).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { echo "usage: $0 ROUNDS CONNECTIONS SECONDS SERVER..." >&2; exit 2; }
rounds=$1 connections=$2 seconds=$3
shift 3
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
gcc -O2 -o "$work/c-evhttp" Benchmarks/baselines/c-evhttp/server.c $(pkg-config --cflags --libs libevent)
ticks=$(getconf CLK_TCK)

for round in $(seq 1 "$rounds"); do
    for server in "$@"; do
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        if [ "$server" = tuned-c ]; then
            taskset -c 0 "$work/c-evhttp" "$port" --changelist 2>/dev/null &
        elif [ "$server" = nginx ]; then  # one worker, `master_process off`: its PID is the worker's
            mkdir -p "$work/nginx"
            grep -v '^#' Benchmarks/baselines/nginx/nginx.conf | sed -e "s|@WORK@|$work/nginx|g" -e "s|@PORT@|$port|" \
                -e 's|@REPLY@|default_type "text/plain; charset=utf-8"; return 200 "Hello from eventserver\\n";|' > "$work/nginx.conf"
            taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx.conf" -g 'daemon off;' 2>/dev/null &
        else
            taskset -c 0 "$server" --port "$port" --log-level warning 2>/dev/null &
        fi
        server_pid=$!
        for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
        read -r user0 system0 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
        output=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$port/"; times)
        read -r user1 system1 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
        kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
        server_pid=
        requests=$(echo "$output" | awk '/requests in/ {print $1}')
        rate=$(echo "$output" | awk '/Requests\/sec/ {print $2}')
        # The last line of `times`: the children's user and system time, as "0m1.234s 0m2.345s".
        client=$(echo "$output" | tail -1 | awk '{split($1, u, /[ms]/); split($2, k, /[ms]/); print u[1] * 60 + u[2] + k[1] * 60 + k[2]}')
        awk -v r="$round" -v s="$server" -v c="$connections" -v rate="$rate" -v n="$requests" -v t="$ticks" \
            -v u=$((user1 - user0)) -v k=$((system1 - system0)) -v w="$client" -v d="$seconds" \
            'BEGIN {printf "%s %s %s %s user %.2f µs system %.2f µs a request, wrk busy %.0f %%\n", r, s, c, rate, u * 1e6 / t / n, k * 1e6 / t / n, w * 100 / d}'
    done
done
