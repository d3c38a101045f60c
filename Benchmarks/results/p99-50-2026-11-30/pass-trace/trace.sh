#!/usr/bin/env bash
# trace.sh ES_BINARY OUT_DIR: each server's loop passes (epoll_wait), reads (readv) and writes
# (writev) under wrk -t1 -c50 for 4 s, recorded by pass_trace.c through LD_PRELOAD, then
# summarised by analyse.py. ES_BINARY: 5de3ad1 with the ES_REMAINDER_NEXT experiment switch.
set -e
es=$1 out=$2 here=$(cd "$(dirname "$0")" && pwd) repo=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$out"
gcc -O2 -shared -fPIC -o "$out/pass_trace.so" "$here/pass_trace.c" -ldl
gcc -O2 -o "$out/c-evhttp" "$repo/Benchmarks/baselines/c-evhttp/server.c" $(pkg-config --cflags --libs libevent)
for v in within-pass remainder-next tuned-c; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PASS_OUT=$out/$v.txt
  case $v in
    tuned-c) LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$out/c-evhttp" "$port" --changelist 2>/dev/null & ;;
    within-pass) LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$es" --port "$port" --log-level warning 2>/dev/null & ;;
    remainder-next) ES_REMAINDER_NEXT=1 LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$es" --port "$port" --log-level warning 2>/dev/null & ;;
  esac
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  echo "== $v: wrk -t1 -c50 -d4s --latency"
  taskset -c 1 wrk -t1 -c50 -d4s --latency "http://127.0.0.1:$port/" | grep -E "50%|90%|99%|Requests/sec"
  kill "$pid"; wait "$pid" || true  # the records are written at exit
done
cd "$out" && python3 "$here/analyse.py" within-pass remainder-next tuned-c
