#!/usr/bin/env python3
"""Signal-to-effect latency: how long after `kill -USR1 PID` the first 503 is served.

A client sends keep-alive requests back to back on one connection; the script records the time,
sends SIGUSR1 to the server's PID, and stops the clock at the first 503. Then SIGUSR2, waiting for
200 again (timed too). Repeated FLIPS times (default 100); prints median, p90 and max.

    python3 Benchmarks/signal-latency.py BINARY [FLIPS]     # starts BINARY --port 0 itself

The figure includes one request round trip (the request in flight when the signal lands), so it
is an upper bound on the time the flag itself takes to flip. Loopback only; bounded by FLIPS and
a 2 s deadline per flip.
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
flips = int(sys.argv[2]) if len(sys.argv) > 2 else 100
log = tempfile.NamedTemporaryFile(prefix="latency-", suffix=".log", delete=False)
server = subprocess.Popen([binary, "--port", "0", "--log-level", "warning"], stderr=log)
try:
    deadline = time.monotonic() + 10
    port = None
    while port is None and time.monotonic() < deadline:
        with open(log.name) as text:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text.read())
        port = int(match.group(1)) if match else None
        time.sleep(0.02)
    if port is None:
        # --log-level warning hides the start-up line; find the port from the socket instead.
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        match = re.search(rf"127\.0\.0\.1:(\d+).*pid={server.pid},", out)
        port = int(match.group(1))
    connection = socket.create_connection(("127.0.0.1", port))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    buffer = b""

    def status_of_next_reply():
        global buffer
        connection.sendall(request)
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = buffer[:end]
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                if len(buffer) >= end + 4 + length:
                    buffer = buffer[end + 4 + length:]
                    return int(head[9:12])
            chunk = connection.recv(65536)
            if not chunk:
                raise RuntimeError("server closed the connection")
            buffer += chunk

    def flip(sig, wanted):
        started = time.perf_counter_ns()
        os.kill(server.pid, sig)
        limit = started + 2_000_000_000
        while status_of_next_reply() != wanted:
            if time.perf_counter_ns() > limit:
                raise RuntimeError(f"no {wanted} within 2 s")
        return (time.perf_counter_ns() - started) / 1e6

    assert status_of_next_reply() == 200
    enter, leave = [], []
    for _ in range(flips):
        enter.append(flip(signal.SIGUSR1, 503))
        leave.append(flip(signal.SIGUSR2, 200))

    def describe(name, values):
        values = sorted(values)
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"{name}: median {statistics.median(values):.3f} ms, p90 {p90:.3f} ms, max {values[-1]:.3f} ms over {len(values)} flips")

    describe("SIGUSR1 -> first 503", enter)
    describe("SIGUSR2 -> first 200", leave)
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=15)
    os.unlink(log.name)
