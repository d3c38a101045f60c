#!/usr/bin/env python3
"""Prints load.sh's Markdown table from the rows it saved (server, mode, connections, round,
req/s, p50 ms, p99 ms, RSS MiB; one tab-separated line per run).

    python3 Benchmarks/table.py ROWS.tsv [ROUNDS DURATION]

Each cell gives the medians over the rounds, the largest RSS, and the ratio of its median req/s
to the plain C server's (c-evhttp), to the C server tuned with libevent's change list
(c-evhttp-changelist), issue 12's yardstick, and to nginx (one worker), issue 34's. chart.py reads the rows with `read_runs`.
"""
import collections
import statistics
import sys


def read_runs(path):
    """The rows grouped by (mode, connections, server): each run's (req/s, p50, p99, RSS), in round order."""
    runs = collections.defaultdict(list)
    for line in open(path):
        if line.strip():
            server, mode, conns, _round, rps, p50, p99, rss = line.rstrip("\n").split("\t")
            runs[(mode, int(conns), server)].append((float(rps), float(p50), float(p99), float(rss)))
    return runs


def median_rps(runs):
    return statistics.median(run[0] for run in runs)


def print_table(groups):
    def ratio(rps, mode, conns, baseline):
        base = groups.get((mode, conns, baseline))
        return f"{rps / median_rps(base):.2f}x" if base else "–"

    print("| mode | conns | server | req/s (median) | req/s per round | p50 ms | p99 ms | RSS MiB | vs plain C | vs tuned C | vs nginx |")
    print("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (mode, conns, server) in sorted(groups, key=lambda k: (k[0] != "service", k[1], k[2] != "eventserver", k[2])):
        runs = groups[(mode, conns, server)]
        rps = median_rps(runs)
        print(f"| {mode} | {conns} | {server} | {rps:,.0f} | {' / '.join(f'{r[0]:,.0f}' for r in runs)} | "
              f"{statistics.median(r[1] for r in runs):.3f} | {statistics.median(r[2] for r in runs):.3f} | "
              f"{max(r[3] for r in runs):.1f} | {ratio(rps, mode, conns, 'c-evhttp')} | "
              f"{ratio(rps, mode, conns, 'c-evhttp-changelist')} | {ratio(rps, mode, conns, 'nginx')} |")


if __name__ == "__main__":
    if len(sys.argv) > 3:
        print(f"rounds: {sys.argv[2]}, {sys.argv[3]} s per run, wrk -t1, server on one core, wrk on another\n")
    print_table(read_runs(sys.argv[1]))
