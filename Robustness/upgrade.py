#!/usr/bin/env python3
"""Hitless upgrades under load: wrk keeps 50 connections busy while the server is replaced.

    python3 -m Robustness.upgrade [DURATION] [UPGRADES]    # defaults: 16 s, 5 upgrades

Three runs, each DURATION seconds of `wrk -c50` with UPGRADES replacements spread over it:
- single: `eventserver --pid-file F`, replaced by `eventserver ctl upgrade` (the new process takes
  over the open listening socket; the old one drains);
- group: `eventserver --pid-file F --workers 2`, replaced by `ctl upgrade` (the new master takes
  over every worker's socket; the old workers drain);
- workers: `eventserver --workers 2` started the way systemd's socket activation does (the
  listening socket as fd 3, LISTEN_FDS/LISTEN_PID), restarted by SIGTERM and a new start while
  this script holds the socket, as `systemctl restart` does with eventserver.socket.
Each run must end with 0 socket errors and 0 non-2xx replies; prints requests, errors and the
time each replacement took. Loopback only; bounded by DURATION and a 30 s deadline per step.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import binary

duration = int(sys.argv[1]) if len(sys.argv) > 1 else 16
upgrades = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def wait_for(predicate, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise RuntimeError(f"timed out waiting for {what}")


def run_wrk(port, into):
    into["output"] = subprocess.run(
        ["wrk", "-t1", "-c50", f"-d{duration}s", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=duration + 30).stdout


def wrk_figures(output):
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = sum(int(n) for n in errors.groups()) if errors else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return requests, socket_errors, int(non2xx.group(1)) if non2xx else 0


def pid_in(path):
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and ") Z " in stat.read_text()


def under_load(port, replace):
    """Runs wrk, calls replace() UPGRADES times spread over the run; returns the figures."""
    result = {}
    load = threading.Thread(target=run_wrk, args=(port, result))
    load.start()
    times = []
    for index in range(upgrades):
        time.sleep(duration / (upgrades + 1) if index == 0 else max(0.0, duration / (upgrades + 1) - times[-1]))
        started = time.monotonic()
        replace()
        times.append(time.monotonic() - started)
    load.join()
    requests, socket_errors, non2xx = wrk_figures(result["output"])
    return requests, socket_errors, non2xx, times


def ctl_upgrades(*extra):
    folder = tempfile.mkdtemp(prefix="upgrade-")
    pid_file = os.path.join(folder, "eventserver.pid")
    log = open(os.path.join(folder, "server.log"), "w")
    first = subprocess.Popen([binary(), "--port", "0", "--pid-file", pid_file, *extra], stderr=log, stdout=subprocess.DEVNULL)
    wait_for(lambda: re.search(r"listening on (http://127\.0\.0\.1:|port )\d+", Path(log.name).read_text()), "the server to listen")
    port = int(re.search(r"listening on (?:http://127\.0\.0\.1:|port )(\d+)", Path(log.name).read_text()).group(1))
    replaced = []

    def upgrade():
        old = pid_in(pid_file)
        done = subprocess.run([binary(), "ctl", "upgrade", "--pid-file", pid_file], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError("ctl upgrade failed: " + done.stderr)
        replaced.append(old)

    try:
        figures = under_load(port, upgrade)
        for pid in replaced:
            wait_for(lambda: gone(pid), f"pid {pid} to drain and exit")
    finally:
        last = pid_in(pid_file)
        if last:
            os.kill(last, signal.SIGTERM)
            wait_for(lambda: gone(last), "the last server to stop")
        first.wait(timeout=30)
    return figures


def workers():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    port = listener.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="upgrade-workers-", suffix=".log", delete=False)

    def start():
        def as_systemd_does():
            os.dup2(listener.fileno(), 3)
        script = 'export LISTEN_PID=$$ LISTEN_FDS=1; exec "$0" "$@"'
        return subprocess.Popen(["/bin/sh", "-c", script, binary(), "--workers", "2"],
                                stderr=log, stdout=subprocess.DEVNULL, pass_fds=(listener.fileno(),),
                                preexec_fn=as_systemd_does)

    current = [start()]
    wait_for(lambda: "all 2 workers listening" in Path(log.name).read_text(), "the workers to listen")

    def restart():
        old = current[0]
        old.send_signal(signal.SIGTERM)
        old.wait(timeout=30)
        current[0] = start()
        marker = f"master pid {current[0].pid} starting"
        wait_for(lambda: marker in Path(log.name).read_text(), "the new master")

    try:
        return under_load(port, restart)
    finally:
        current[0].send_signal(signal.SIGTERM)
        current[0].wait(timeout=30)
        listener.close()
        os.unlink(log.name)


failed = False
runs = (
    ("single process, ctl upgrade", ctl_upgrades),
    ("--workers 2, ctl upgrade", lambda: ctl_upgrades("--workers", "2")),
    ("--workers 2, socket activation restart", workers),
)
for name, run in runs:
    requests, socket_errors, non2xx, times = run()
    ok = socket_errors == 0 and non2xx == 0 and requests > 0
    failed |= not ok
    spread = ", ".join(f"{t * 1000:.0f}" for t in times)
    print(f"{name}: {requests} requests in {duration} s, {len(times)} replacements, "
          f"{socket_errors} socket errors, {non2xx} non-2xx; ms per replacement: {spread} "
          f"[{'ok' if ok else 'FAILED'}]")
sys.exit(1 if failed else 0)
