#!/usr/bin/env python3
"""Suite 1, hostile input: malformed and hostile requests over raw sockets, one connection each.

Every case must get a well-formed 4xx/5xx (parsed with h11, an independent HTTP parser) or a
close, never a 2xx for a request that should not be accepted, and after each case the server must
answer a normal request within 1 s. Prints one line per case and a closing tally.
"""
import socket
import sys
import time

import h11

from harness import Server, get

HOST = "Host: x\r\n"
CASES = [
    # (name, raw bytes, acceptable statuses; None means a close without reply is also fine)
    ("bad request line", b"GARBAGE\r\n\r\n", {400, 501, None}),
    ("missing version", b"GET /\r\n\r\n", {400, None}),
    ("HTTP/9.9", b"GET / HTTP/9.9\r\n" + HOST.encode() + b"\r\n", {400, 505, None}),
    ("HTTP/01.1 leading zero", b"GET / HTTP/01.1\r\n" + HOST.encode() + b"\r\n", {400}),
    ("lowercase version", b"GET / http/1.1\r\n" + HOST.encode() + b"\r\n", {400, None}),
    ("no Host on 1.1", b"GET / HTTP/1.1\r\n\r\n", {400}),
    ("two Host headers", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400}),
    ("huge header block", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n", {400, 413, 431, None}),
    ("10,000 headers", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"".join(b"X-%d: v\r\n" % i for i in range(10000)) + b"\r\n", {400, 413, 431, None}),
    ("8 KiB URI", b"GET /" + b"a" * 8192 + b" HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404, 413, 414, 431, None}),
    ("64 KiB URI", b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 413, 414, 431, None}),
    ("oversized body", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: 5000000\r\n\r\n" + b"x" * 65536, {413, None}),
    ("CL and TE together", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400, None}),
    ("duplicate Content-Length", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: 3\r\nContent-Length: 30\r\n\r\nabc", {400}),
    ("negative Content-Length", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: -1\r\n\r\n", {400, None}),
    ("hex Content-Length", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: 0x10\r\n\r\n", {400, None}),
    ("plus Content-Length", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: +3\r\n\r\nabc", {400}),
    ("space before colon", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length : 5\r\n\r\nhello", {400}),
    ("TE with space before colon", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", {400}),
    ("TE xchunked", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: xchunked\r\n\r\n", {400, 501, None}),
    ("TE gzip", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: gzip\r\n\r\n", {400, 501, None}),
    ("chunk size not hex", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", {400}),
    ("chunk size overflow", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n", {400}),
    ("chunk extension", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n", {400}),
    ("chunk longer than its size", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n", {400}),
    ("last chunk without final CRLF", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Transfer-Encoding: chunked\r\n\r\n0\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
    ("TE in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}),
    ("no Host, body announced", b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", {400}),
    ("bare LF line endings", b"GET / HTTP/1.1\n" + b"Host: x\n\n", {200, 400, None}),
    ("bare CR", b"GET / HTTP/1.1\rHost: x\r\n\r\n", {400, None}),
    ("NUL in header name", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-\x00A: v\r\n\r\n", {400, None}),
    ("NUL in header value", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-A: v\x00w\r\n\r\n", {400}),
    ("BEL in header value", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-A: v\x07w\r\n\r\n", {400}),
    ("DEL in header value", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-A: v\x7fw\r\n\r\n", {400}),
    ("separator in header name", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X(A): v\r\n\r\n", {400}),
    ("Host with a space", b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", {400}),
    ("Host with userinfo", b"GET / HTTP/1.1\r\nHost: user@x\r\n\r\n", {400}),
    ("Host with a path", b"GET / HTTP/1.1\r\nHost: x/admin\r\n\r\n", {400}),
    ("Host with a bad port", b"GET / HTTP/1.1\r\nHost: x:80a\r\n\r\n", {400}),
    ("control byte in header", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-\x01: v\r\n\r\n", {400, None}),
    ("empty header name", b"GET / HTTP/1.1\r\n" + HOST.encode() + b": v\r\n\r\n", {400, None}),
    ("header without colon", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"NoColonHere\r\n\r\n", {400, None}),
    ("folded header", b"GET / HTTP/1.1\r\n" + HOST.encode() + b"X-A: a\r\n b\r\n\r\n", {400}),
    ("%00 in path", b"GET /%00 HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("traversal", b"GET /../../etc/passwd HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("encoded traversal", b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("double slash", b"GET //etc/passwd HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("unknown method", b"BREW / HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 405, 501, None}),
    ("very long method", b"A" * 10000 + b" / HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 413, 431, 501, None}),
    ("CONNECT", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", {400, 404, 405, 501}),
    ("TRACE", b"TRACE / HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {405, 501}),
    ("absolute-form target", b"GET http://x/livez HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {200, 400, 404}),
    ("asterisk target on GET", b"GET * HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("truncated request line", b"GET / HTT", {None, 408}),
    ("truncated headers", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: ", {None, 408}),
    ("truncated body", b"POST / HTTP/1.1\r\n" + HOST.encode() + b"Content-Length: 100\r\n\r\nabc", {None, 408}),
    ("invalid UTF-8 in path", b"GET /\xff\xfe HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
    ("malformed escape", b"GET /%zz HTTP/1.1\r\n" + HOST.encode() + b"\r\n", {400, 404}),
]


def exchange(port, raw, wait):
    """Sends raw bytes, half-closes when `wait` says so, returns the bytes received."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        connection.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = b""
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    connection.close()
    return data


def responder(data):
    """Who answered: evhttp's own error page is HTML; every eventserver reply is not."""
    if not data:
        return "closed"
    return "libevent" if b"<HTML>" in data else "eventserver"


def first_status(data):
    """The first response's status, parsed by h11; None for no bytes; raises if malformed."""
    if not data:
        return None
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    client.send(h11.EndOfMessage())
    client.receive_data(data)
    event = client.next_event()
    if not isinstance(event, h11.Response):
        raise ValueError(f"not a response: {event!r} from {data[:80]!r}")
    return event.status_code


def main():
    failures = 0
    with Server("--timeout", "2", "--root", str(__import__("pathlib").Path(__file__).parent)) as server:
        for name, raw, allowed in CASES:
            wait = 3.0 if name.startswith("truncated") else 1.0
            data = b""
            try:
                data = exchange(server.port, raw, wait)
                status = first_status(data)
                problem = None if status in allowed else f"got {status}, allowed {sorted(map(str, allowed))}"
            except Exception as error:  # a malformed reply is a failure too
                status, problem = "malformed", str(error)
            started = time.monotonic()
            try:
                healthy, _ = get(server.port, "/livez", timeout=1.0)
            except OSError as error:
                healthy = f"error {error}"
            elapsed = time.monotonic() - started
            if healthy != 200 or elapsed > 1.0:
                problem = (problem + "; " if problem else "") + f"server unhealthy afterwards ({healthy}, {elapsed:.2f}s)"
            failures += problem is not None
            print(f"{'FAIL' if problem else 'ok  '} {name:32} -> {str(status):4} by {responder(data):11}" + (f"  ({problem})" if problem else ""))
        if server.process.poll() is not None:
            print("FAIL server exited")
            failures += 1
    print(f"hostile input: {len(CASES)} cases")
    print(f"{len(CASES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
