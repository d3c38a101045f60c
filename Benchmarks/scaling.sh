#!/usr/bin/env bash
# Multi-core scaling: `eventserver --workers N` against the C evhttp server with libevent's change
# list run as N SO_REUSEPORT processes (the same kernel spreading of connections), in one run.
#
#   Benchmarks/scaling.sh bundle DIR   # here (Swift, gcc): binaries and their libraries into DIR
#   DIR/scaling.sh run                 # on the many-core machine, which needs neither
#   Benchmarks/scaling.sh run          # builds here and runs (on 2 cores: N = 1 only)
#
# Benchmarks/bin/ is ignored by git, so `scaling.sh bundle Benchmarks/bin/scaling` makes a folder
# the device tool can carry (carry: ["Benchmarks/bin"]); RESULTS=$OUT keeps the outputs there.
#
# For each N in WORKERS (default "1 2 4 8") and each of ROUNDS rounds (default 3), servers
# alternating: the servers get cores 0..N-1 (eventserver's group confined to them, the kernel
# placing the workers; C process i pinned to core i) and wrk gets the cores left, one thread per
# core up to N, with CONNECTIONS (default 256) keep-alive connections for DURATION s (default 8),
# GET /; p99 and errors are in the raw outputs and rows.tsv. An N needing more cores than the
# machine has (N + 1) is skipped, and says so.
# Efficiency at N = median req/s at N / (N x median req/s at 1). Raw wrk outputs and the table go
# to RESULTS (default Benchmarks/results/scaling-DATE, or DIR/results in a bundle).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command=${1:-}

if [ "$command" = bundle ]; then
    target=${2:?usage: $0 bundle DIR}
    cd "$here/.."
    mkdir -p "$target/lib"
    swift build -c release --static-swift-stdlib --product eventserver >&2
    cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/eventserver" "$target/"
    strip --strip-debug "$target/eventserver"  # 29 MB -> 14 MB to carry; symbols stay for perf
    gcc -O2 -o "$target/c-evhttp" Benchmarks/baselines/c-evhttp/server.c $(pkg-config --cflags --libs libevent)
    command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
    cp "$(command -v wrk)" "$target/"
    # The shared libraries the three programs load beyond glibc's own.
    for program in "$target/eventserver" "$target/c-evhttp" "$target/wrk"; do
        ldd "$program" | awk '$3 ~ /^\// {print $3}'
    done | sort -u | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' | while read -r library; do
        cp -L "$library" "$target/lib/"
    done
    cp "$0" "$target/scaling.sh"
    echo "bundle in $target: $(cd "$target" && ls | tr '\n' ' ')lib: $(ls "$target/lib" | tr '\n' ' ')" >&2
    exit 0
fi
[ "$command" = run ] || { echo "usage: $0 bundle DIR | $0 run" >&2; exit 2; }

WORKERS=${WORKERS:-"1 2 4 8"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-256}
PORT=${PORT:-18480}
cores=$(nproc)

if [ -x "$here/eventserver" ]; then  # a bundle
    eventserver_bin=$here/eventserver c_bin=$here/c-evhttp wrk_bin=$here/wrk
    export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    RESULTS=${RESULTS:-$here/results}
else
    cd "$here/.."
    bundle=$(mktemp -d)
    trap 'rm -rf "$bundle"' EXIT
    "$0" bundle "$bundle"
    eventserver_bin=$bundle/eventserver c_bin=$bundle/c-evhttp wrk_bin=$bundle/wrk
    RESULTS=${RESULTS:-$here/results/scaling-$(date +%F)}
fi
command -v taskset >/dev/null || { echo "scaling.sh needs taskset (util-linux) to pin servers and load" >&2; exit 1; }
mkdir -p "$RESULTS"
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$work" "${bundle:-}"
}
trap cleanup EXIT

# Waits (bounded) until `log` holds `count` lines matching `pattern`.
wait_for_lines() { # log pattern count
    for _ in $(seq 1 300); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
        sleep 0.05
    done
    echo "no '$2' x$3 in $1:" >&2; cat "$1" >&2; exit 1
}

start_servers() { # server n -> pids in server_pids
    server_pids=()
    : > "$work/server.log"
    case $1 in
        eventserver)
            taskset -c "0-$(($2 - 1))" "$eventserver_bin" --port "$PORT" --workers "$2" --log-level info \
                2>>"$work/server.log" &
            server_pids+=($!)
            pids+=($!)
            # One worker is one process, no master.
            if [ "$2" -eq 1 ]; then wait_for_lines "$work/server.log" "listening on http" 1
            else wait_for_lines "$work/server.log" "all $2 workers listening" 1; fi ;;
        c-evhttp)
            for core in $(seq 0 $(($2 - 1))); do
                taskset -c "$core" "$c_bin" "$PORT" --changelist --reuseport 2>>"$work/server.log" &
                server_pids+=($!)
                pids+=($!)
            done
            wait_for_lines "$work/server.log" "listening on" "$2" ;;
    esac
}

stop_servers() {
    for p in "${server_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${server_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

rows=$work/rows.tsv
for n in $WORKERS; do
    if [ $((n + 1)) -gt "$cores" ]; then
        echo "N=$n skipped: it needs $((n + 1)) cores (servers and load), this machine has $cores" | tee -a "$RESULTS/skipped.txt" >&2
        continue
    fi
    threads=$(( cores - n < n ? cores - n : n ))
    for round in $(seq 1 "$ROUNDS"); do
        for server in eventserver c-evhttp; do
            start_servers "$server" "$n"
            raw=$RESULTS/$server-n$n-round$round.txt
            taskset -c "$n-$((cores - 1))" "$wrk_bin" -t"$threads" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
                "http://127.0.0.1:$PORT/" > "$raw"
            stop_servers
            rps=$(awk '/^Requests\/sec:/ {print $2}' "$raw")
            p99=$(awk '$1 == "99%" {print $2}' "$raw")
            errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$raw")
            printf '%s\t%s\t%s\t%s\t%s\n' "$server" "$n" "$round" "$rps" "$p99" >> "$rows"
            echo "N=$n round $round  $server  $rps req/s  p99 $p99  $errors" >&2
        done
    done
done
[ -s "$rows" ] || { echo "no N fitted on $cores cores" >&2; exit 1; }

{
    echo "cores: $cores; wrk: up to N threads on the cores left, $CONNECTIONS connections, ${DURATION} s, $ROUNDS rounds"
    echo
    echo "| N | eventserver req/s (median) | efficiency | C evhttp x N req/s (median) | efficiency | eventserver / C |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' '
        { key = $1 SUBSEP $2; n[$2] = 1; count[key]++; rps[key, count[key]] = $4 }
        function median(key,   i, j, t, v, c) {
            c = count[key]; for (i = 1; i <= c; i++) v[i] = rps[key, i]
            for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
        }
        END {
            e1 = median("eventserver" SUBSEP 1); c1 = median("c-evhttp" SUBSEP 1)
            for (k in n) order[++m] = k + 0
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (order[j] < order[i]) { t = order[i]; order[i] = order[j]; order[j] = t }
            for (i = 1; i <= m; i++) {
                k = order[i]; e = median("eventserver" SUBSEP k); c = median("c-evhttp" SUBSEP k)
                printf "| %d | %.0f | %s | %.0f | %s | %.2fx |\n", k, e,
                    e1 ? sprintf("%.2f", e / (k * e1)) : "-", c, c1 ? sprintf("%.2f", c / (k * c1)) : "-", e / c
            }
        }' "$rows"
} | tee "$RESULTS/scaling.md"
cp "$rows" "$RESULTS/rows.tsv"
