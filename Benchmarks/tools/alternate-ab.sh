#!/usr/bin/env bash
# ab2.sh ROUNDS CONNS SECONDS SERVERS...: req/s, server CPU µs per request, server CPU utilisation
R=$1; C=$2; D=$3; shift 3
for r in $(seq 1 $R); do
  for s in "$@"; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ $s = tuned-c ]; then taskset -c 0 /tmp/c-evhttp $port --changelist 2>/dev/null & else taskset -c 0 /tmp/bin/$s --port $port --log-level warning 2>/dev/null & fi
    pid=$!
    for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.05; done
    read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
    out=$(taskset -c 1 wrk -t1 -c$C -d${D}s http://127.0.0.1:$port/)
    read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
    req=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    kill -TERM $pid; wait $pid 2>/dev/null
    python3 -c "u=$u1-$u0; s=$s1-$s0; r=$req; print('$r $s $C', '$rps', 'cpu_us/req=%.2f (user %.2f sys %.2f) util=%.0f%%' % ((u+s)*1e4/r, u*1e4/r, s*1e4/r, (u+s)/($D*100)*100))"
  done
done
