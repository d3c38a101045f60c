#!/usr/bin/env bash
# trace.sh BEFORE_BINARY AFTER_BINARY OUT_DIR: the loop passes (epoll_wait), reads (readv) and
# writes (writev) of eventserver before and after the pass split, and of tuned C, each under
# wrk -t1 -c50 for 4 s, recorded and summarised by the tools in ../p99-50-2026-11-30/pass-trace/.
set -e
before=$1 after=$2 out=$3 here=$(cd "$(dirname "$0")" && pwd) repo=$(cd "$(dirname "$0")/../../.." && pwd)
tools=$here/../p99-50-2026-11-30/pass-trace
mkdir -p "$out"
gcc -O2 -shared -fPIC -o "$out/pass_trace.so" "$tools/pass_trace.c" -ldl
gcc -O2 -o "$out/c-evhttp" "$repo/Benchmarks/baselines/c-evhttp/server.c" $(pkg-config --cflags --libs libevent)
for v in before after tuned-c; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PASS_OUT=$out/$v.txt
  case $v in
    tuned-c) LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$out/c-evhttp" "$port" --changelist 2>/dev/null & ;;
    before) LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$before" --port "$port" --log-level warning 2>/dev/null & ;;
    after) LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$after" --port "$port" --log-level warning 2>/dev/null & ;;
  esac
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  echo "== $v: wrk -t1 -c50 -d4s --latency"
  taskset -c 1 wrk -t1 -c50 -d4s --latency "http://127.0.0.1:$port/" | grep -E "50%|90%|99%|Requests/sec"
  kill "$pid"; wait "$pid" || true  # the records are written at exit
done
cd "$out" && python3 "$tools/analyse.py" before after tuned-c
