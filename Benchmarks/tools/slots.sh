#!/usr/bin/env bash
# Does a run's place in a round change its figures? Runs the given servers one after another,
# each freshly started on CPU 0 under wrk on CPU 1, ROUNDS times, in the same order every round.
#   C_EVHTTP=path/to/c-evhttp slots.sh ROUNDS CONNS SECONDS SERVER...   SERVER: es | tuned | plain
# Prints: round, place in the round, server, requests a second, p99.
set -euo pipefail
R=$1 C=$2 S=$3; shift 3
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for r in $(seq 1 $R); do
  i=0
  for spec in "$@"; do
    i=$((i+1)); port=$(free_port)
    case $spec in
      es) taskset -c 0 "${EVENTSERVER:-.build/release/eventserver}" --port $port --log-level warning 2>/dev/null & ;;
      tuned) taskset -c 0 "${C_EVHTTP:?build Benchmarks/baselines/c-evhttp/server.c and set C_EVHTTP}" $port /dev/null --changelist 2>/dev/null & ;;
      plain) taskset -c 0 "${C_EVHTTP:?build Benchmarks/baselines/c-evhttp/server.c and set C_EVHTTP}" $port /dev/null 2>/dev/null & ;;
    esac
    pid=$!
    for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.02; done
    out=$(taskset -c 1 wrk -t1 -c$C -d${S}s --latency "http://127.0.0.1:$port/")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    kill -TERM $pid; wait $pid 2>/dev/null || true
    echo "$r $i $spec $rps $p99"
  done
done
