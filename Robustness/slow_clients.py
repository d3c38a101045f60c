#!/usr/bin/env python3
"""Suite 3, slow clients: slowhttptest opens 500 slow connections at a time while a normal client
keeps requesting, in three phases:

1. slowloris that stalls (one header line per 10 s, longer than the 5 s --timeout): the server
   must close them by its timeout;
2. slowloris that trickles (one header line per 2 s) and 3. slow body (a body chunk per 2 s):
   evhttp 2.1's timeout is an idle timeout that every received byte restarts, so these stay open
   until the client gives up; what must hold is that normal requests keep answering.

Passes when every normal request answers within 1 s throughout, and phase 1's connections are
closed by the server.

    python3 -m Robustness.slow_clients [CONNECTIONS]     # default 500
"""
import subprocess
import sys
import threading
import time

from harness import Server, get

connections = int(sys.argv[1]) if len(sys.argv) > 1 else 500
TIMEOUT = 5
worst = 0.0
failures = 0
stop = threading.Event()


def normal_client(port):
    global worst, failures
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, _ = get(port, "/", timeout=1.0)
            ok = status == 200
        except OSError:
            ok = False
        elapsed = time.monotonic() - started
        worst = max(worst, elapsed)
        failures += not ok or elapsed > 1.0
        time.sleep(0.05)


def established(port):
    out = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return len(out.splitlines())


results = []
with Server("--timeout", str(TIMEOUT)) as server:
    watcher = threading.Thread(target=normal_client, args=(server.port,))
    watcher.start()
    for mode, flag, interval in [("stalled slowloris", "-H", 10), ("trickling slowloris", "-H", 2), ("slow body", "-B", 2)]:
        length = TIMEOUT + 8
        attack = subprocess.Popen(
            ["slowhttptest", flag, "-c", str(connections), "-i", str(interval), "-r", "500", "-s", "8192",
             "-l", str(length), "-t", "POST" if flag == "-B" else "GET",
             "-u", f"http://127.0.0.1:{server.port}/", "-x", "10", "-p", "3"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        peak = established(server.port)
        time.sleep(TIMEOUT + 2)
        later = established(server.port)
        attack.wait(timeout=length + 30)
        results.append((mode, peak, later))
    stop.set()
    watcher.join()
    alive = server.process.poll() is None
for mode, peak, later in results:
    print(f"{mode}: {peak} connections open after 2 s, {later} still open {TIMEOUT + 2} s later")
print(f"normal requests: worst {worst * 1000:.0f} ms, {failures} slower than 1 s or failed")
stalled = results[0]
checks = [failures == 0, stalled[1] >= connections * 0.9, stalled[2] <= connections * 0.05,
          all(peak > 0 for _, peak, _ in results), alive]
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
