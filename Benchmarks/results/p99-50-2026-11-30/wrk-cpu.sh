#!/usr/bin/env bash
# wrk-cpu.sh ROUNDS CONNS SECONDS (ES_BINARY set): wrk's CPU use and the server's, against eventserver and tuned C
rounds=$1 conns=$2 secs=$3
c_server=$(mktemp) && trap 'rm -f "$c_server"' EXIT
gcc -O2 -o "$c_server" "$(dirname "$0")/../../baselines/c-evhttp/server.c" $(pkg-config --cflags --libs libevent)
for r in $(seq 1 $rounds); do
  for v in eventserver tuned-c; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$v" = tuned-c ]; then taskset -c 0 "$c_server" $port --changelist 2>/dev/null &
    else taskset -c 0 "$ES_BINARY" --port $port --log-level warning 2>/dev/null & fi
    pid=$!
    for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.05; done
    s0=$(awk '{print $14+$15}' /proc/$pid/stat)
    out=$( { /usr/bin/time -f "WRKCPU %U %S %e" taskset -c 1 wrk -t1 -c$conns -d${secs}s --latency http://127.0.0.1:$port/ ; } 2>&1)
    s1=$(awk '{print $14+$15}' /proc/$pid/stat)
    kill $pid; wait $pid 2>/dev/null
    echo "$r $v $conns rps $(echo "$out" | awk '/Requests\/sec/ {print $2}') p50 $(echo "$out" | awk '$1=="50%" {print $2}') p99 $(echo "$out" | awk '$1=="99%" {print $2}') wrk_cpu $(echo "$out" | awk '/WRKCPU/ {printf "%.2f", ($2+$3)/$4}') server_cpu $(echo "$s0 $s1 $secs" | awk '{printf "%.2f", ($2-$1)/100/$3}')"
  done
done
