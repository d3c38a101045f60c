#!/usr/bin/env python3
"""Rolling maintenance behind a real load balancer, under steady load.

    python3 -m Fleet.check_fleet haproxy|haproxy-proxy|nginx [--short]

Starts three eventserver instances (each with its own pid and state file) and the balancer on
loopback, with the configuration from deploy/ (ports rewritten), drives a steady keep-alive
load from four clients, and performs a rolling maintenance: instance 1 into maintenance, wait
until the balancer stops using it (HAProxy: its stats socket reports the server down; nginx,
which has only passive checks: a fixed pause), back to service, wait until up; then 2, then 3;
then all three into maintenance, hold, all back. Asserts:

- no failed or non-200 reply to a request made entirely while at least one instance served;
- only eventserver's maintenance page (503 with Retry-After) while all three were in maintenance;
- HAProxy saw each transition within two check intervals (2 x 300 ms).

`haproxy-proxy` is the same with HAProxy sending the PROXY protocol (`send-proxy-v2`, its health
checks too: `check-send-proxy`) and the instances run with `--proxy-protocol-from 127.0.0.1
--maintenance-allow 127.0.0.2/32`: a fifth client connects to HAProxy from 127.0.0.2 and must be
served (200) throughout, all-maintenance included, while the others get the page; the check's own
/status requests to the instances begin with a v2 LOCAL header, as HAProxy's checks do.

Everything it starts is stopped by PID; all traffic stays on 127.0.0.1; bounded in time.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import Server

ROOT = Path(__file__).resolve().parent.parent
CHECK_INTERVAL = 0.3
balancer_kind = sys.argv[1] if len(sys.argv) > 1 else "haproxy"
proxy_protocol = balancer_kind == "haproxy-proxy"
short = "--short" in sys.argv
# What HAProxy sends before a health check of its own: PROXY v2, command LOCAL, no addresses.
PROXY_V2_LOCAL = b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x20, 0x00, 0x00, 0x00])
ALLOWED_CLIENT = "127.0.0.2"
HOLD = 0.6 if short else 2.0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Load:
    """Clients sending keep-alive GETs back to back, recording (start, end, status, retry, page)."""

    def __init__(self, port, clients=4, source=None):
        self.port, self.results, self.stop, self.source = port, [], threading.Event(), source
        self.threads = [threading.Thread(target=self.run) for _ in range(clients)]

    def connect(self):
        source = (self.source, 0) if self.source else None
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=5, source_address=source)

    def run(self):
        connection = self.connect()
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                connection.request("GET", "/")
                response = connection.getresponse()
                body = response.read()
                record = (started, time.monotonic(), response.status, response.getheader("Retry-After"),
                          b"down for maintenance" in body)
            except (OSError, http.client.HTTPException) as error:
                record = (started, time.monotonic(), f"error: {error}", None, False)
                connection.close()
                connection = self.connect()
            self.results.append(record)
            time.sleep(0.002)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)


def haproxy_states(socket_path):
    """{server name: up?} from `show servers state` on the stats socket."""
    with socket.socket(socket.AF_UNIX) as control:
        control.connect(socket_path)
        control.sendall(b"show servers state eventservers\n")
        text = b""
        while chunk := control.recv(65536):
            text += chunk
    states = {}
    for line in text.decode().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[0].isdigit():
            states[fields[3]] = fields[5] == "2"
    return states


def start_haproxy(work, ports, front):
    config = (ROOT / "deploy/haproxy/haproxy.cfg").read_text()
    config = config.replace("127.0.0.1:8080", f"127.0.0.1:{front}")
    for index, port in enumerate(ports, start=1):
        config = config.replace(f"127.0.0.1:808{index}", f"127.0.0.1:{port}")
    stats = os.path.join(work, "haproxy.sock")
    config = config.replace("/tmp/eventserver-haproxy.sock", stats)
    config = config.replace("deploy/haproxy/maintenance.http", str(ROOT / "deploy/haproxy/maintenance.http"))
    if proxy_protocol:
        check_line = "default-server inter 300ms fall 1 rise 1 check"
        assert check_line in config, "deploy/haproxy/haproxy.cfg changed: update the PROXY variant"
        config = config.replace(check_line, check_line + " send-proxy-v2 check-send-proxy")
    path = os.path.join(work, "haproxy.cfg")
    Path(path).write_text(config)
    process = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, stats


def start_nginx(work, ports, front):
    upstream = (ROOT / "deploy/nginx/eventserver-upstream.conf").read_text()
    upstream = upstream.replace("127.0.0.1:8080", f"127.0.0.1:{front}")
    for index, port in enumerate(ports, start=1):
        upstream = upstream.replace(f"127.0.0.1:808{index}", f"127.0.0.1:{port}")
    Path(work, "upstream.conf").write_text(upstream)
    Path(work, "nginx.conf").write_text(f"""
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    include {work}/upstream.conf;
}}
""")
    process = subprocess.Popen(["nginx", "-p", work, "-c", f"{work}/nginx.conf", "-g", "daemon off; master_process off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, None


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.02)
    return None


def main():
    work = tempfile.mkdtemp(prefix="fleet-")
    behind_proxy = ["--proxy-protocol-from", "127.0.0.1", "--maintenance-allow", f"{ALLOWED_CLIENT}/32"] if proxy_protocol else []
    servers = [Server("--pid-file", f"{work}/es{i}.pid", "--state-file", f"{work}/es{i}.state", *behind_proxy)
               for i in (1, 2, 3)]
    front = free_port()
    starter = start_nginx if balancer_kind == "nginx" else start_haproxy
    balancer, stats = starter(work, [s.port for s in servers], front)
    # (time, state): "some" while at least one instance serves, "all" while all are in
    # maintenance, "uncertain" from a signal until every instance it went to confirms it.
    timeline = [(0.0, "some")]
    in_maintenance = [False, False, False]
    detections = []
    failures = []
    try:
        if not wait_until(lambda: _answers(front), 10):
            raise RuntimeError(f"{balancer_kind} did not answer on port {front}")
        names = ["es1", "es2", "es3"]

        def flip(indices, enter):
            # Between sending the signals and every instance confirming the new state on its own
            # /status, the fleet's state is uncertain; requests overlapping that are not judged.
            timeline.append((time.monotonic(), "uncertain"))
            wanted = b'"state":"maintenance"' if enter else b'"state":"serving"'
            for index in indices:
                servers[index].signal(signal.SIGUSR1 if enter else signal.SIGUSR2)
            for index in indices:
                wait_until(lambda: wanted in _status(servers[index].port), 2)
                in_maintenance[index] = enter
            timeline.append((time.monotonic(), "all" if all(in_maintenance) else "some"))

        def settle(indices, up):
            sent = time.monotonic()
            if stats is None:
                time.sleep(1.2)  # nginx: passive failover; fail_timeout is 1 s
                return
            seen = wait_until(lambda: all(haproxy_states(stats).get(names[i]) == up for i in indices), 5)
            delay = (seen or time.monotonic()) - sent
            detections.append((",".join(names[i] for i in indices), "up" if up else "down", delay, seen is not None))

        allowed = Load(front, clients=1, source=ALLOWED_CLIENT) if proxy_protocol else None
        with Load(front) as load, (allowed or Load(front, clients=0)):
            time.sleep(HOLD)
            for index in range(3):
                flip([index], True)
                settle([index], False)
                time.sleep(HOLD)
                flip([index], False)
                settle([index], True)
                time.sleep(HOLD)
            flip([0, 1, 2], True)
            settle([0, 1, 2], False)
            time.sleep(HOLD * 2)
            flip([0, 1, 2], False)
            settle([0, 1, 2], True)
            time.sleep(HOLD)
        results = load.results
    finally:
        error_log = Path(work, "error.log")
        if error_log.exists():
            lines = error_log.read_text().splitlines()
            print(f"nginx error log: {len(lines)} lines; last: " + " | ".join(lines[-3:]))
        balancer.send_signal(signal.SIGTERM)
        try:
            balancer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            balancer.kill()
        for server in servers:
            server.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)

    def state_at(moment):
        state = "some"
        for changed, value in timeline:
            if changed <= moment:
                state = value
        return state

    serving = maintenance = straddling = 0
    for started, ended, status, retry_after, page in results:
        at_start, at_end = state_at(started), state_at(ended)
        changes_inside = any(started < changed < ended for changed, _ in timeline)
        if at_start != at_end or changes_inside or at_start == "uncertain":
            straddling += 1
        elif at_start == "some":
            serving += 1
            if status != 200:
                failures.append(f"{status} while an instance served")
        else:
            maintenance += 1
            if status != 503 or not retry_after or not page:
                failures.append(f"{status} (Retry-After {retry_after}, page {page}) while all were in maintenance")
    print(f"{balancer_kind}: {len(results)} requests: {serving} while at least one instance served, "
          f"{maintenance} while all were in maintenance, {straddling} across a transition")
    if proxy_protocol:
        # The allowed client is served whatever the fleet's state; its requests during the
        # all-maintenance window prove the allow-list saw the address from HAProxy's header.
        allowed_in_maintenance = 0
        for started, ended, status, retry_after, page in allowed.results:
            if status != 200:
                failures.append(f"{status} for the allowed client ({ALLOWED_CLIENT})")
            if state_at(started) == "all" and state_at(ended) == "all":
                allowed_in_maintenance += 1
        print(f"  allowed client {ALLOWED_CLIENT}: {len(allowed.results)} requests, "
              f"{allowed_in_maintenance} while all were in maintenance")
    for name, direction, delay, seen in detections:
        print(f"  {balancer_kind} saw {name} {direction} after {delay * 1000:.0f} ms" + ("" if seen else " (NOT within 5 s)"))
    late = [d for d in detections if not d[3] or d[2] > 2 * CHECK_INTERVAL]
    checks = {
        "no failed request while an instance served": not failures,
        "requests in both kinds of window": serving > 0 and maintenance > 0,
    }
    if proxy_protocol:
        checks["the allowed client served while all were in maintenance"] = allowed_in_maintenance > 0
    if stats is not None:  # nginx's open-source build has no active checks to time
        checks["each transition seen within two check intervals"] = not late
    for failure in failures[:10]:
        print("  FAIL " + failure)
    passed = sum(checks.values())
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    print(f"{passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


def _status(port):
    try:
        if proxy_protocol:  # the instances trust 127.0.0.1 as a balancer: it must say LOCAL first
            with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
                raw.sendall(PROXY_V2_LOCAL + b"GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                reply = b""
                while chunk := raw.recv(65536):
                    reply += chunk
                return reply
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/status")
        return connection.getresponse().read()
    except OSError:
        return b""


def _answers(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/")
        return connection.getresponse().status == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
