#!/usr/bin/env python3
"""Suite 2, signal storm: FLIPS alternating USR1/USR2 signals (one every ~5 ms) during a wrk load
of 50 keep-alive connections. Passes when wrk saw no socket error, only 200 and 503 replies, and
the final state equals the last signal sent.

    python3 -m Robustness.signal_storm [FLIPS]     # default 1000 (~5 s of signals)
"""
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness import Server, get

flips = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
script = Path(__file__).with_name("status-count.lua")
duration = max(3, int(flips * 0.005) + 3)
with Server() as server:
    load = subprocess.Popen(
        ["wrk", "-t1", "-c50", f"-d{duration}s", "-s", str(script), f"http://127.0.0.1:{server.port}/"],
        stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    last = None
    for index in range(flips):
        last = signal.SIGUSR1 if index % 2 == 0 else signal.SIGUSR2
        server.signal(last)
        time.sleep(0.005)
    output, _ = load.communicate(timeout=duration + 30)
    time.sleep(0.1)
    status, body = get(server.port, "/status")
    expected = "maintenance" if last == signal.SIGUSR1 else "serving"
    counts = {int(line.split()[1]): int(line.split()[2]) for line in output.splitlines() if line.startswith("status ")}
    errors = next(line for line in output.splitlines() if line.startswith("errors"))
    # wrk counts non-2xx replies as "status" errors; socket errors are the other four.
    fields = dict(zip(errors.split()[1::2], map(int, errors.split()[2::2])))
    error_total = sum(count for name, count in fields.items() if name != "status")
    final = f'"state":"{expected}"' in body.decode()
    print(f"signals sent: {flips}; replies by status: {counts}; wrk {errors}")
    print(f"final state {'matches' if final else 'DOES NOT match'} the last signal ({expected})")
    checks = [error_total == 0, set(counts) <= {200, 503}, 200 in counts and 503 in counts, final, server.process.poll() is None]
    passed = sum(checks)
    print(f"{passed} passed, {len(checks) - passed} failed")
sys.exit(0 if all(checks) else 1)
