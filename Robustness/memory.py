#!/usr/bin/env python3
"""Suite 5, memory: keep-alive load until at least 1,000,000 requests; RSS growth between the
100,000th and the 1,000,000th request must stay under 2 MiB (no per-request leak).

    python3 -m Robustness.memory [TOTAL]      # default 1000000
"""
import re
import subprocess
import sys

from harness import Server, get

total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def requests_served(port):
    _, body = get(port, "/status")
    return int(re.search(rb'"requests":(\d+)', body).group(1))


def load(port, seconds):
    subprocess.run(["wrk", "-t1", "-c50", f"-d{seconds}s", f"http://127.0.0.1:{port}/"], check=True,
                   stdout=subprocess.DEVNULL)


with Server() as server:
    while requests_served(server.port) < total // 10:
        load(server.port, 1)
    early_count, early_rss = requests_served(server.port), server.rss_kib()
    rounds = 0
    while requests_served(server.port) < total and rounds < 120:
        load(server.port, 2)
        rounds += 1
    late_count, late_rss = requests_served(server.port), server.rss_kib()
growth = (late_rss - early_rss) / 1024
print(f"RSS {early_rss / 1024:.1f} MiB at {early_count:,} requests, {late_rss / 1024:.1f} MiB at {late_count:,}: growth {growth:+.2f} MiB")
checks = [late_count >= total, growth < 2]
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
