#!/usr/bin/env python3
"""Signal-to-effect latency: how long after `kill -USR1 PID` the first 503 is served.

A client sends keep-alive requests back to back on one connection; the script records the time,
sends SIGUSR1 to the server's PID, and stops the clock at the first 503. Then SIGUSR2, waiting for
200 again (timed too). Repeated FLIPS times (default 100); prints median, p90 and max.

    python3 -m Benchmarks.signal_latency [FLIPS]     # from the repository root; the release
                                                      # binary, or EVENTSERVER_BINARY

The figure includes one request round trip (the request in flight when the signal lands), so it
is an upper bound on the time the flag itself takes to flip. Loopback only; bounded by FLIPS and
a 2 s deadline per flip.
"""
import re
import signal
import socket
import statistics
import sys
import time

from harness import Server

flips = int(sys.argv[1]) if len(sys.argv) > 1 else 100
request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class KeepAliveClient:
    def __init__(self, port):
        self.connection = socket.create_connection(("127.0.0.1", port))
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def status_of_next_reply(self):
        self.connection.sendall(request)
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buffer[:end]
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                if len(self.buffer) >= end + 4 + length:
                    self.buffer = self.buffer[end + 4 + length:]
                    return int(head[9:12])
            chunk = self.connection.recv(65536)
            if not chunk:
                raise RuntimeError("server closed the connection")
            self.buffer += chunk


def flip(server, client, number, wanted):
    started = time.perf_counter_ns()
    server.signal(number)
    limit = started + 2_000_000_000
    while client.status_of_next_reply() != wanted:
        if time.perf_counter_ns() > limit:
            raise RuntimeError(f"no {wanted} within 2 s")
    return (time.perf_counter_ns() - started) / 1e6


def describe(name, values):
    values = sorted(values)
    p90 = values[int(len(values) * 0.9) - 1]
    print(f"{name}: median {statistics.median(values):.3f} ms, p90 {p90:.3f} ms, max {values[-1]:.3f} ms over {len(values)} flips")


def main():
    with Server() as server:
        client = KeepAliveClient(server.port)
        assert client.status_of_next_reply() == 200
        enter, leave = [], []
        for _ in range(flips):
            enter.append(flip(server, client, signal.SIGUSR1, 503))
            leave.append(flip(server, client, signal.SIGUSR2, 200))
        describe("SIGUSR1 -> first 503", enter)
        describe("SIGUSR2 -> first 200", leave)


if __name__ == "__main__":
    main()
