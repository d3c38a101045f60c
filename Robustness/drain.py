#!/usr/bin/env python3
"""Suite 4, drain: four rate-limited downloads of a 64 MiB static file; SIGTERM after 1 s. Passes
when all four complete with the exact size, new connections are refused once the stop began,
and the server exits 0 within its shutdown timeout."""
import os
import socket
import subprocess
import sys
import tempfile
import time

from harness import Server

SIZE = 64 * 1024 * 1024
with tempfile.TemporaryDirectory() as root:
    with open(os.path.join(root, "big.bin"), "wb") as file:
        file.write(os.urandom(1024 * 1024) * 64)
    with Server("--root", root, "--shutdown-timeout", "15") as server:
        url = f"http://127.0.0.1:{server.port}/static/big.bin"
        downloads = [subprocess.Popen(["curl", "-s", "-o", os.path.join(root, f"copy{i}"), "--limit-rate", "20M",
                                       "-w", "%{size_download} %{http_code}", url], stdout=subprocess.PIPE, text=True)
                     for i in range(4)]
        time.sleep(1)
        stopped_at = time.monotonic()
        server.signal(15)
        time.sleep(0.2)
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            refused = False
        except ConnectionRefusedError:
            refused = True
        results = [d.communicate(timeout=30)[0].split() for d in downloads]
        code = server.process.wait(timeout=30)
        elapsed = time.monotonic() - stopped_at
    sizes = [int(size) for size, _ in results]
    print(f"downloads: {results}; new connection refused after TERM: {refused}; exit {code} after {elapsed:.1f} s")
    checks = [all(size == SIZE for size in sizes), all(status == "200" for _, status in results), refused, code == 0, elapsed < 15]
    passed = sum(checks)
    print(f"{passed} passed, {len(checks) - passed} failed")
    sys.exit(0 if all(checks) else 1)
