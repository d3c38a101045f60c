#!/usr/bin/env python3
"""State-feed latency: how long after `kill -USR1 PID` the `event: maintenance` arrives on
`GET /status/events` (and after USR2, `event: serving`).

One subscriber holds the stream open; the script records the time, signals the server's PID and
stops the clock when the event's chunk is read. Repeated FLIPS times (default 100); prints the
median, p90 and max of each direction.

    python3 -m Benchmarks.sse_latency [FLIPS]     # from the repository root; the release
                                                   # binary, or EVENTSERVER_BINARY

Loopback only; bounded by FLIPS and a 2 s deadline per event.
"""
import signal
import socket
import sys
import time

from Benchmarks.signal_latency import describe
from harness import Server

flips = int(sys.argv[1]) if len(sys.argv) > 1 else 100


class EventFeed:
    def __init__(self, port):
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=2)
        self.connection.sendall(b"GET /status/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        head = self.read_until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head

    def read_until(self, separator):
        while separator not in self.buffer:
            chunk = self.connection.recv(65536)
            if not chunk:
                raise RuntimeError("the event stream closed")
            self.buffer += chunk
        part, self.buffer = self.buffer.split(separator, 1)
        return part

    def next_event(self):
        """The next event's name (one event per chunk: size line, event text, CRLF)."""
        size = int(self.read_until(b"\r\n"), 16)
        while len(self.buffer) < size + 2:
            chunk = self.connection.recv(65536)
            if not chunk:
                raise RuntimeError("the event stream closed")
            self.buffer += chunk
        event, self.buffer = self.buffer[:size], self.buffer[size + 2:]
        name = next(line[7:] for line in event.split(b"\n") if line.startswith(b"event: "))
        return name.decode()


def flip(server, feed, number, wanted):
    started = time.perf_counter_ns()
    server.signal(number)
    name = feed.next_event()
    if name != wanted:
        raise RuntimeError(f"expected {wanted}, got {name}")
    return (time.perf_counter_ns() - started) / 1e6


with Server() as server:
    feed = EventFeed(server.port)
    assert feed.next_event() == "serving"
    enter, leave = [], []
    for _ in range(flips):
        enter.append(flip(server, feed, signal.SIGUSR1, "maintenance"))
        leave.append(flip(server, feed, signal.SIGUSR2, "serving"))
    describe("SIGUSR1 -> event: maintenance", enter)
    describe("SIGUSR2 -> event: serving", leave)
