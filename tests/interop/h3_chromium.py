"""Headless Chromium opens a WebSocket over HTTP/3 (RFC 9220) to h3_server, proven by its netlog.

usage: h3_chromium.py HOST:PORT SPKI_SHA256 SERVER_LOG

Chromium loads https://HOST:PORT/ over HTTP/3 (forced QUIC, the certificate pinned by its SPKI
hash), and the page opens wss://HOST:PORT/echo on that QUIC connection: Chromium never opens a
new QUIC connection for a WebSocket, it reuses one whose SETTINGS enabled extended CONNECT. The
page echoes a text and a 64 KiB binary message, then closes (the browser's close frame comes
with the end of the stream), reporting each step to the server, which prints it in SERVER_LOG.
The server has no TCP listener, so a silent fallback to HTTP/1.1 cannot succeed; the netlog is
the proof of what went over HTTP/3: the extended CONNECT with `:protocol: websocket`, its
`:status: 200`, and Chromium's own WebSocket-over-HTTP/3 events.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from websockets.asyncio.client import connect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEADLINE = 40  # seconds for the whole run, Chromium start included
# What the page reports, in order, once all went well.
EXPECTED = ["echoed-text/chat", "echoed-binary", "closed/1000/clean"]


def flags(host_port, spki, profile, netlog):
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        f"--user-data-dir={profile}", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--remote-debugging-port=0",
        # Exactly this spelling: a misspelt feature name is ignored without a word.
        "--enable-features=EnableWebsocketsOverHttp3",
        f"--origin-to-force-quic-on={host_port}",
        # Over QUIC only a pinned SPKI lets a self-signed certificate through.
        f"--ignore-certificate-errors-spki-list={spki}",
        f"--log-net-log={netlog}", "--net-log-capture-mode=Everything",
    ]


def wait_for(what, predicate, deadline):
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def reports(server_log):
    with open(server_log) as f:
        return [line.split(": ", 1)[1].strip() for line in f if line.startswith("browser: ")]


async def close_browser(devtools_port_file):
    """Browser.close over DevTools: a graceful exit, which completes the netlog file."""
    port, path = open(devtools_port_file).read().split("\n")[:2]
    async with connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as ws:
        await ws.send(json.dumps({"id": 1, "method": "Browser.close"}))
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except Exception:
            pass  # the browser may go before it answers


def read_netlog(path):
    """The netlog's events with type names. A netlog cut short (Chromium killed) lacks its
    closing brackets; its events are still one per line."""
    text = open(path).read()
    try:
        log = json.loads(text)
        constants, events = log["constants"], log["events"]
    except json.JSONDecodeError:
        lines = text.splitlines()
        constants = json.loads(lines[0].removeprefix('{"constants":').rstrip(","))
        events = []
        for line in lines[1:]:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    names = {v: k for k, v in constants["logEventTypes"].items()}
    return [(names.get(e["type"], str(e["type"])), e.get("params", {})) for e in events]


def proof(events):
    """The netlog lines that show the WebSocket went over HTTP/3; raises if any is missing."""
    def headers_of(params):
        return [h.lower() for h in params.get("headers", []) if isinstance(h, str)]

    ws_h3 = [(n, p) for n, p in events if "WS_OVER_H3" in n or "WEBSOCKET_HTTP3" in n
             or "WEBSOCKET_QUIC" in n]
    connect_sent = [(n, p) for n, p in events if n.startswith("HTTP3_HEADERS_SENT")
                    and ":method: connect" in headers_of(p)
                    and ":protocol: websocket" in headers_of(p)]
    answered = []
    for _, sent in connect_sent:
        answered += [(n, p) for n, p in events if n.startswith("HTTP3_HEADERS_DECODED")
                     and p.get("stream_id") == sent.get("stream_id")
                     and ":status: 200" in headers_of(p)]
    lines = [f"{n} {json.dumps(p)[:300]}" for n, p in ws_h3 + connect_sent + answered]
    missing = []
    if not any("CREATED" in n for n, _ in ws_h3):
        missing.append("a WS_OVER_H3 ...CREATED event")
    if not connect_sent:
        missing.append("HTTP3_HEADERS_SENT with :method CONNECT, :protocol websocket")
    if not answered:
        missing.append("HTTP3_HEADERS_DECODED with :status 200 on the CONNECT's stream")
    skipped = [f"{n} {json.dumps(p)[:300]}" for n, p in events if "SKIPPED" in n or "FALLBACK" in n]
    return lines, missing, skipped


def main():
    host_port, spki, server_log = sys.argv[1:4]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    deadline = time.monotonic() + DEADLINE
    profile = tempfile.mkdtemp(prefix="interop-chromium-h3-")
    netlog = os.path.join(profile, "netlog.json")
    log = open(os.path.join(profile, "chromium.log"), "w+")
    browser = subprocess.Popen(
        [CHROMIUM, *flags(host_port, spki, profile, netlog), f"https://{host_port}/"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    failed = None
    try:
        wait_for("the page's last report",
                 lambda: browser.poll() is not None
                 or any(r.startswith("closed/") or r == "error" for r in reports(server_log)),
                 deadline)
    except TimeoutError as e:
        failed = str(e)
    all_reports = reports(server_log)
    # A report may arrive twice (Chromium may retry a fetch); the order is what counts.
    got = list(dict.fromkeys(all_reports))
    print(f"chromium: page reported {all_reports}")
    try:
        if os.path.exists(port_file):
            asyncio.run(close_browser(port_file))
        browser.wait(timeout=10)
    except Exception:
        pass
    finally:
        try:
            os.killpg(browser.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        browser.wait()
    try:
        lines, missing, skipped = proof(read_netlog(netlog))
        for line in lines:
            print(f"netlog: {line}")
        for line in skipped:
            print(f"netlog (fallback): {line}")
        if got != EXPECTED:
            failed = failed or f"page reported {got}, expected {EXPECTED}"
        if missing:
            failed = failed or f"netlog lacks {missing}"
    except Exception as e:
        failed = failed or f"netlog unreadable: {type(e).__name__}: {e}"
    if failed:
        log.seek(0)
        tail = "".join(line for line in log if "dbus" not in line)[-2000:]
        print(f"chromium: {failed}\n--- chromium log tail ---\n{tail}", file=sys.stderr)
        keep = os.environ.get("H3_KEEP_NETLOG")
        if keep:
            shutil.copy(netlog, keep)
    shutil.rmtree(profile, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
