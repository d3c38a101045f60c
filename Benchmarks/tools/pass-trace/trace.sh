#!/usr/bin/env bash
# trace.sh OUT_DIR VARIANT...: each variant's loop passes (epoll_wait), reads (readv) and writes
# (writev) under wrk -t1 -c50 for 4 s, recorded by pass_trace.c through LD_PRELOAD, then
# summarised by analyse.py. VARIANT is `tuned-c` (Benchmarks/baselines/c-evhttp with the change
# list) or NAME:BINARY[:ENV=VALUE], an eventserver binary run with that environment setting.
#   summary.txt:  trace.sh OUT within-pass:ES remainder-next:ES:ES_REMAINDER_NEXT=1 tuned-c
#                 (ES: 5de3ad1 with the ES_REMAINDER_NEXT experiment switch)
#   ../../pass-split-2026-12-01/trace-summary.txt:  trace.sh OUT before:ES_BEFORE after:ES_AFTER tuned-c
set -e
out=$1 here=$(cd "$(dirname "$0")" && pwd) repo=$(cd "$(dirname "$0")/../../.." && pwd)
shift
mkdir -p "$out"
gcc -O2 -shared -fPIC -o "$out/pass_trace.so" "$here/pass_trace.c" -ldl
gcc -O2 -o "$out/c-evhttp" "$repo/Benchmarks/baselines/c-evhttp/server.c" $(pkg-config --cflags --libs libevent)
names=()
for variant in "$@"; do
  IFS=: read -r name binary setting <<< "$variant"
  names+=("$name")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PASS_OUT=$out/$name.txt
  if [ "$name" = tuned-c ]; then
    LD_PRELOAD=$out/pass_trace.so taskset -c 0 "$out/c-evhttp" "$port" --changelist 2>/dev/null &
  else
    env ${setting:+"$setting"} LD_PRELOAD="$out/pass_trace.so" taskset -c 0 "$binary" --port "$port" --log-level warning 2>/dev/null &
  fi
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  echo "== $name: wrk -t1 -c50 -d4s --latency"
  taskset -c 1 wrk -t1 -c50 -d4s --latency "http://127.0.0.1:$port/" | grep -E "50%|90%|99%|Requests/sec"
  kill "$pid"; wait "$pid" || true  # the records are written at exit
done
cd "$out" && python3 "$here/analyse.py" "${names[@]}"
