"""Shared helpers for the load scripts in tests/load (measurements, not timed tests).

Everything talks to 127.0.0.1 only. The server is one of the examples, started with
`--listen 127.0.0.1:0`; its memory, descriptors and CPU time are read from /proc.
"""
import os
import resource
import socket
import subprocess
import sys
import time

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def raise_nofile(wanted):
    """Raises this process's descriptor limit (soft) towards `wanted`, up to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def build(example):
    """Builds the example in release mode (the features come from the dev-dependency)."""
    cmd = ["cargo", "build", "--release", "--example", example]
    if example == "hyper_server":
        cmd += ["--features", "http"]
    subprocess.run(cmd, cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "examples", example)


class Server:
    """An example server process on 127.0.0.1:0; `nofile` sets its descriptor limit."""

    def __init__(self, exe, args=(), nofile=None, stderr_path=None):
        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.exe_name = os.path.basename(exe)
        self.stderr = open(stderr_path or os.devnull, "wb")
        self.proc = subprocess.Popen(
            [exe, "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            preexec_fn=limit,
        )
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on "):
            raise SystemExit(f"server did not start: {line!r}")
        host, port = line.split()[-1].rsplit(":", 1)
        self.addr = (host, int(port))

    def status(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    def rss_kib(self):
        return self.status("VmRSS")

    def threads(self):
        return self.status("Threads")

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.stderr.close()


def upgrade_request(host="127.0.0.1"):
    return (
        f"GET /echo HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def legit_handshake(addr, timeout=30.0):
    """A complete handshake; returns seconds from connect to the end of the 101 head."""
    start = time.monotonic()
    with socket.create_connection(addr, timeout=timeout) as s:
        s.sendall(upgrade_request())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError(f"closed after {head!r}")
            head += chunk
        elapsed = time.monotonic() - start
        if not head.startswith(b"HTTP/1.1 101 ") or ACCEPT.encode() not in head:
            raise RuntimeError(f"not a 101: {head!r}")
        # Close politely: a masked close frame (code 1000).
        s.sendall(b"\x88\x82abcd" + bytes(a ^ b for a, b in zip(b"\x03\xe8", b"ab")))
    return elapsed


def report(checks):
    """Prints each (name, ok, detail) and exits non-zero if any failed."""
    failed = 0
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        failed += not ok
    sys.exit(1 if failed else 0)
