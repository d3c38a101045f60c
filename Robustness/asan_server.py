#!/usr/bin/env python3
"""AddressSanitizer and LeakSanitizer on the server itself: drives the ASan build of eventserver
through every stock route, static files, errors, a maintenance flip, a reload and a short wrk
load, stops it with SIGTERM, and fails if its stderr holds any sanitizer report.

    EVENTSERVER_BINARY=.build-asan/debug/eventserver python3 -m Robustness.asan_server
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

from harness import Server, get

with tempfile.TemporaryDirectory() as root:
    with open(os.path.join(root, "a.txt"), "w") as file:
        file.write("hello\n")
    with Server("--root", root, "--access-log", os.path.join(root, "access.log"), "--state-file",
                os.path.join(root, "state")) as server:
        statuses = [get(server.port, path)[0] for path in ["/", "/nope", "/static/a.txt", "/static/../x", "/status", "/metrics", "/livez", "/readyz"]]
        server.signal(signal.SIGUSR1)
        time.sleep(0.2)
        statuses.append(get(server.port, "/")[0])
        server.signal(signal.SIGHUP)
        server.signal(signal.SIGUSR2)
        time.sleep(0.2)
        subprocess.run(["wrk", "-t1", "-c10", "-d2s", f"http://127.0.0.1:{server.port}/"], stdout=subprocess.DEVNULL, check=True)
        code = server.stop()
        time.sleep(0.5)
        log = server.log_text()
reports = [line for line in log.splitlines() if "Sanitizer" in line]
print(f"statuses {statuses}; exit {code}; sanitizer reports: {len(reports)}")
for line in reports[:5]:
    print("  " + line)
checks = [statuses == [200, 404, 200, 404, 200, 200, 200, 200, 503], code == 0, not reports]
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
