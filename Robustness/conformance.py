#!/usr/bin/env python3
"""HTTP/1.1 conformance: the RFC 9112 / RFC 9110 rules evhttp 2.1 does not enforce, each sent to
a plain C evhttp server (libevent's own answer) and to eventserver, side by side.

    python3 -m Robustness.conformance            # prints a Markdown table; exit 1 if eventserver
                                                 # does not refuse a shape with 400/431 + close

Each shape goes on its own connection; a reply is read for at most 2 s. "(waits)" means no reply
within that time; "(closed)" means a close without a reply. Loopback only.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Server

ROOT = Path(__file__).resolve().parent.parent
H = b"Host: x\r\n"
SHAPES = [
    # (rule, raw request, eventserver's expected status)
    ("NUL in a field value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("BEL (a CTL) in a field value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x07b\r\n\r\n", 400),
    ("DEL in a field value", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x7fb\r\n\r\n", 400),
    ("obsolete line folding", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", 400),
    ("field name with a separator", b"GET / HTTP/1.1\r\n" + H + b"X(A): v\r\n\r\n", 400),
    ("field name with a space", b"GET / HTTP/1.1\r\n" + H + b"X A: v\r\n\r\n", 400),
    ("whitespace before the colon", b"POST / HTTP/1.1\r\n" + H + b"Content-Length : 5\r\n\r\nhello", 400),
    ("Host with a space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    ("Host with userinfo", b"GET / HTTP/1.1\r\nHost: user@x\r\n\r\n", 400),
    ("Host with a path", b"GET / HTTP/1.1\r\nHost: x/admin\r\n\r\n", 400),
    ("Host with a bad port", b"GET / HTTP/1.1\r\nHost: x:80a\r\n\r\n", 400),
    ("two Host lines", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("HTTP/1.1 without Host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("no Host, body announced, not sent", b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", 400),
    ("Transfer-Encoding in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("Transfer-Encoding other than chunked", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 400),
    ("two Content-Length lines", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 30\r\n\r\nabc", 400),
    ("Content-Length: +5", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +5\r\n\r\nhello", 400),
    ("HTTP/01.1", b"GET / HTTP/01.1\r\n" + H + b"\r\n", 400),
    ("chunk size not hexadecimal", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    ("chunk longer than its size", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n", 400),
    ("last chunk without the final CRLF", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("chunk size line ended by a bare LF", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
    ("chunk data followed by a bare LF", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", 400),
    ("chunk extension (RFC: ignore; evhttp cannot)", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n", 400),
    ("header block over the limit", b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 10000 + b"\r\n\r\n", 431),
]


def answer(port, raw):
    """'400 + close', '200 keep-alive', '(waits)', '(closed)': what the server did."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        connection.sendall(raw)
        data = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
                head, _, _ = data.partition(b"\r\n\r\n")
                if b"\r\n\r\n" in data and b"connection: close" not in head.lower():
                    break  # a keep-alive reply: the server would wait for the next request
        except (socket.timeout, ConnectionResetError):
            if not data:
                return None, "(waits)", False
        if not data:
            return None, "(closed)", True
        status = int(data[9:12])
        head = data.partition(b"\r\n\r\n")[0].lower()
        closes = b"connection: close" in head
        return status, f"{status}{' + close' if closes else ''}", closes


def c_server():
    work = tempfile.mkdtemp()
    binary = os.path.join(work, "c-evhttp")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libevent"], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["gcc", "-O2", "-o", binary, str(ROOT / "Benchmarks/baselines/c-evhttp/server.c"), *flags], check=True)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    process = subprocess.Popen([binary, str(port)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("the C server did not start")


def main():
    process, c_port = c_server()
    failures = 0
    try:
        with Server("--max-header-bytes", "8192") as server:
            print("| rule | libevent 2.1.12 (plain C evhttp) | eventserver |")
            print("| --- | --- | --- |")
            for rule, raw, expected in SHAPES:
                _, libevent, _ = answer(c_port, raw)
                status, ours, closes = answer(server.port, raw)
                ok = status == expected and closes
                failures += not ok
                print(f"| {rule} | {libevent} | {ours}{'' if ok else ' **(expected ' + str(expected) + ' + close)**'} |")
    finally:
        process.kill()
        process.wait(timeout=10)
    print(f"\n{len(SHAPES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
