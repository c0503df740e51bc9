#!/usr/bin/env python3
"""Flood measurement (not a timed test): 20,000 malformed requests at 64 concurrent on
127.0.0.1 against an example server. Every request must get its 4xx (read in full,
not lost to a reset), the server must stay up, hold no more descriptors afterwards
than before (from /proc/<pid>/fd) and keep its log rate-limited.

    python3 tests/load/flood.py [--example echo_server] [--total 20000] [--concurrency 64]

Kinds, in turn: a 100 KiB head (431), a broken header line (400), version 8 (426),
a POST upgrade (405). Stops by itself.
"""
import argparse
import os
import socket
import tempfile
import threading
import time
from collections import Counter

import loadlib

HOST = "127.0.0.1"


def requests():
    big = b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n"
    upgrade = loadlib.upgrade_request().decode()
    return [
        (431, big),
        (400, b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n"),
        (426, upgrade.replace("Version: 13", "Version: 8").encode()),
        (405, upgrade.replace("GET", "POST", 1).encode()),
    ]


def one(addr, payload):
    """Sends `payload` (ignoring write errors) and returns the status read, or an error."""
    try:
        with socket.create_connection(addr, timeout=15) as s:
            try:
                s.sendall(payload)
            except OSError:
                pass  # the server may refuse before reading it all: the read counts
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError as e:
        return f"error {e.__class__.__name__}"
    if not data.startswith(b"HTTP/1.1 "):
        return f"no response ({len(data)} bytes)"
    return int(data[9:12])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--example", default="echo_server")
    p.add_argument("--exe")
    p.add_argument("--total", type=int, default=20000)
    p.add_argument("--concurrency", type=int, default=64)
    a = p.parse_args()
    loadlib.raise_nofile(4096)
    exe = a.exe or loadlib.build(a.example)
    log_path = tempfile.mktemp(prefix="flood-stderr-")
    server = loadlib.Server(exe, nofile=4096, stderr_path=log_path)
    try:
        loadlib.legit_handshake(server.addr)
        time.sleep(0.5)
        fds_before, rss_before = server.fds(), server.rss_kib()
        kinds = requests()
        results = Counter()
        mismatches = Counter()
        lock = threading.Lock()
        counter = iter(range(a.total))

        def worker():
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                expected, payload = kinds[i % len(kinds)]
                got = one(server.addr, payload)
                with lock:
                    results[got] += 1
                    if got != expected:
                        mismatches[(expected, got)] += 1

        start = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - start
        time.sleep(2.5)  # lingering closes end
        fds_after, rss_after = server.fds(), server.rss_kib()
        legit_ms = loadlib.legit_handshake(server.addr) * 1000
        alive = server.alive()
    finally:
        server.stop()
    with open(log_path, "rb") as f:
        log_lines = f.read().count(b"\n")
    os.unlink(log_path)

    print(f"server: {os.path.basename(exe)}; {a.total} requests at {a.concurrency} concurrent in {took:.1f} s")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(results.items(), key=str)))
    print(f"fds {fds_before} -> {fds_after}; RSS {rss_before} -> {rss_after} KiB; "
          f"log lines {log_lines}; legitimate handshake after: {legit_ms:.1f} ms")
    loadlib.report([
        ("server alive", alive, ""),
        ("every request got its status", not mismatches, dict(mismatches)),
        ("no descriptor leak", fds_after <= fds_before, f"{fds_before} -> {fds_after}"),
        ("log rate-limited (<= 10 lines/s)", log_lines <= 10 * (took + 2), f"{log_lines} lines"),
    ])


if __name__ == "__main__":
    main()
