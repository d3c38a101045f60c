#!/usr/bin/env python3
"""Suite 3, slow clients: slowhttptest opens 500 slow connections at a time while a normal client
keeps requesting and a slow-but-steady client uploads, in three phases:

1. slowloris that stalls (one header line per 10 s, longer than the 5 s --timeout);
2. slowloris that trickles (one header line per 2 s): each byte restarts the --timeout clock,
   so only the header deadline (--header-timeout 3) ends it;
3. slow body (a body chunk per 2 s): only the request deadline (--request-timeout 6) ends it.

Passes when every normal request answers within 1 s throughout, every steady upload (a 6-byte
body sent over 1.5 s, inside the deadlines) is answered, and each phase's connections are closed
by the server before the attack ends.

    python3 -m Robustness.slow_clients [CONNECTIONS]     # default 500
"""
import subprocess
import sys
import threading
import time

from harness import Server, get

connections = int(sys.argv[1]) if len(sys.argv) > 1 else 500
TIMEOUT = 5
HEADER_TIMEOUT = 3
REQUEST_TIMEOUT = 6
# Past the request deadline, its one-second clock and the two-second linger of a refused socket.
CHECK_AFTER = REQUEST_TIMEOUT + 4
worst = 0.0
failures = 0
uploads = [0, 0]  # answered, tried
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


def steady_uploader(port):
    """Slow but steady: the body in three pieces 0.5 s apart, well inside the deadlines."""
    import socket
    while not stop.is_set():
        uploads[1] += 1
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(b"POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
                for piece in (b"ab", b"cd", b"ef"):
                    time.sleep(0.5)
                    connection.sendall(piece)
                uploads[0] += connection.recv(64).startswith(b"HTTP/1.1 405")
        except OSError:
            pass
        time.sleep(0.2)


def established(port):
    out = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return len(out.splitlines())


results = []
with Server("--timeout", str(TIMEOUT), "--header-timeout", str(HEADER_TIMEOUT),
            "--request-timeout", str(REQUEST_TIMEOUT), "--max-connections", str(connections + 100)) as server:
    watcher = threading.Thread(target=normal_client, args=(server.port,))
    uploader = threading.Thread(target=steady_uploader, args=(server.port,))
    watcher.start()
    uploader.start()
    for mode, flag, interval in [("stalled slowloris", "-H", 10), ("trickling slowloris", "-H", 2), ("slow body", "-B", 2)]:
        length = 20  # the attack outlasts the check below, so only the server can close them
        attack = subprocess.Popen(
            ["slowhttptest", flag, "-c", str(connections), "-i", str(interval), "-r", "500", "-s", "8192",
             "-l", str(length), "-t", "POST" if flag == "-B" else "GET",
             "-u", f"http://127.0.0.1:{server.port}/", "-x", "10", "-p", "3"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        peak = established(server.port)
        time.sleep(CHECK_AFTER)
        later = established(server.port)
        attack.wait(timeout=length + 30)
        results.append((mode, peak, later))
    stop.set()
    watcher.join()
    uploader.join()
    alive = server.process.poll() is None
for mode, peak, later in results:
    print(f"{mode}: {peak} connections open after 2 s, {later} still open {CHECK_AFTER} s later")
print(f"normal requests: worst {worst * 1000:.0f} ms, {failures} slower than 1 s or failed")
print(f"steady uploads: {uploads[0]} of {uploads[1]} answered")
checks = [failures == 0, uploads[1] > 0 and uploads[0] == uploads[1], alive]
checks += [peak >= connections * 0.9 for _, peak, _ in results]
checks += [later <= connections * 0.05 for _, _, later in results]
print(f"{sum(checks)} passed, {len(checks) - sum(checks)} failed")
sys.exit(0 if all(checks) else 1)
