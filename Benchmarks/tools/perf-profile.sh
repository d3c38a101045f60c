#!/usr/bin/env bash
# perf-profile.sh NAME CONNS (ES_BINARY, C_SERVER set; NAME es or tuned-c): perf record -g of the server, pinned to CPU 0, for 5 s of a 7 s wrk run on CPU 1
name=$1 conns=$2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$name" = tuned-c ]; then taskset -c 0 "$C_SERVER" $port --changelist 2>/dev/null &
else taskset -c 0 "$ES_BINARY" --port $port --log-level warning 2>/dev/null & fi
pid=$!
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.05; done
taskset -c 1 wrk -t1 -c$conns -d7s --latency http://127.0.0.1:$port/ > /tmp/perf-$name-$conns.wrk &
w=$!
sleep 1
perf record -q -g -p $pid -o /tmp/perf-$name-$conns.data -- sleep 5 2>/dev/null
wait $w
kill $pid; wait $pid 2>/dev/null
grep Requests/sec /tmp/perf-$name-$conns.wrk
