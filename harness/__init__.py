"""Shared helpers for the robustness suites: start the real release binary on a free loopback
port, talk raw HTTP to it, and stop it by PID. Every wait here is bounded."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def binary():
    """The release binary (`make check-robust` builds it), or EVENTSERVER_BINARY."""
    path = os.environ.get("EVENTSERVER_BINARY")
    if path:
        return path
    out = subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--show-bin-path"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "eventserver")


class Server:
    """One eventserver process; `with Server(...) as s:` stops it with SIGTERM by PID."""

    def __init__(self, *arguments):
        self.log = tempfile.NamedTemporaryFile(prefix="robust-", suffix=".log", delete=False)
        self.process = subprocess.Popen([binary(), "--port", "0", *arguments], stderr=self.log, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        self.port = None
        while self.port is None and time.monotonic() < deadline:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", Path(self.log.name).read_text())
            self.port = int(match.group(1)) if match else None
            if self.process.poll() is not None:
                raise RuntimeError("eventserver exited: " + Path(self.log.name).read_text())
            time.sleep(0.01)
        if self.port is None:
            # Never leave a server behind when start-up could not be confirmed.
            self.process.kill()
            self.process.wait(timeout=10)
            raise RuntimeError("eventserver did not announce its port: " + Path(self.log.name).read_text())

    @property
    def pid(self):
        return self.process.pid

    def signal(self, number):
        os.kill(self.process.pid, number)

    def rss_kib(self):
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def log_text(self):
        return Path(self.log.name).read_text()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.stop()
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.unlink(self.log.name)


def get(port, path="/", timeout=1.0):
    """One GET on a fresh connection; returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def read_reply(connection, buffer=b""):
    """Reads one Content-Length reply from a keep-alive connection, starting with the bytes
    already in `buffer`; returns the bytes read past it (a pipelined next reply's)."""
    while b"\r\n\r\n" not in buffer:
        buffer += connection.recv(65536)
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
    while len(buffer) < length:
        buffer += connection.recv(65536)
    return buffer[length:]
