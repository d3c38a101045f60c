#!/usr/bin/env python3
"""Prints load.sh's Markdown table from the rows it saved (server, mode, connections, round,
req/s, p50 ms, p99 ms, RSS MiB; one tab-separated line per run).

    python3 Benchmarks/table.py ROWS.tsv [ROUNDS DURATION]

Each cell gives the medians over the rounds, the largest RSS, and the ratio of its median req/s
to the plain C server's (c-evhttp) and to the C server tuned with libevent's change list
(c-evhttp-changelist), issue 12's yardstick.
"""
import collections
import statistics
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
groups = collections.defaultdict(list)
for server, mode, conns, _round, rps, p50, p99, rss in rows:
    groups[(mode, int(conns), server)].append((float(rps), float(p50), float(p99), float(rss)))


def ratio(rps, mode, conns, baseline):
    runs = groups.get((mode, conns, baseline))
    return f"{rps / statistics.median(r[0] for r in runs):.2f}x" if runs else "–"


if len(sys.argv) > 3:
    print(f"rounds: {sys.argv[2]}, {sys.argv[3]} s per run, wrk -t1, server on one core, wrk on another\n")
print("| mode | conns | server | req/s (median) | req/s per round | p50 ms | p99 ms | RSS MiB | vs plain C | vs tuned C |")
print("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for (mode, conns, server) in sorted(groups, key=lambda k: (k[0] != "service", k[1], k[2] != "eventserver", k[2])):
    runs = groups[(mode, conns, server)]
    rps = statistics.median(r[0] for r in runs)
    print(f"| {mode} | {conns} | {server} | {rps:,.0f} | {' / '.join(f'{r[0]:,.0f}' for r in runs)} | "
          f"{statistics.median(r[1] for r in runs):.3f} | {statistics.median(r[2] for r in runs):.3f} | "
          f"{max(r[3] for r in runs):.1f} | {ratio(rps, mode, conns, 'c-evhttp')} | "
          f"{ratio(rps, mode, conns, 'c-evhttp-changelist')} |")
