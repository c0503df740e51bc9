"""Headless Chromium loads the echo server's page and reports what its WebSocket did.

usage: chromium.py PAGE_URL (--expect-protocol NAME | --expect-refused)

The page opens `new WebSocket(ws://<host>/echo, ["chat", "superchat"])`, sends a text message
and sets document.title to "echoed" or "error". We drive Chromium over the DevTools protocol
(spoken with Python websockets): wait for the title, read ws.protocol, then echo a 64 KiB
binary message and close from the page. --expect-refused passes only if the socket never opened.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from websockets.asyncio.client import connect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background/component/sync switches Chromium stalls here trying to reach Google.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--remote-debugging-port=0",
]
DEADLINE = 25  # seconds for the whole run, Chromium start included

# Evaluated in the page until it has a verdict; `ws` is the page script's global.
STATE = """(() => {
  if (typeof ws === "undefined" || !["echoed", "error"].includes(document.title)) return null;
  return {title: document.title, protocol: ws.protocol, readyState: ws.readyState,
          status: document.getElementById("status").textContent};
})()"""

# Echo 64 KiB of random bytes, then close with 1000 and report how the close went.
BINARY_AND_CLOSE = """(async () => {
  const sent = crypto.getRandomValues(new Uint8Array(64 * 1024));
  ws.binaryType = "arraybuffer";
  const reply = new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
  ws.send(sent);
  const got = new Uint8Array(await reply);
  const same = got.length === sent.length && got.every((b, i) => b === sent[i]);
  const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
  ws.close(1000);
  const e = await closed;
  return {binaryEcho: same, closeCode: e.code, wasClean: e.wasClean};
})()"""


def wait_for(what, predicate, deadline):
    """Polls predicate() until it returns something truthy or the deadline passes."""
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


class Cdp:
    """The smallest DevTools-protocol client: one command at a time, events ignored."""

    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    async def call(self, method, **params):
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression,
                                 returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page threw: {result['exceptionDetails']}")
        return result["result"].get("value")


async def drive(page_ws_url, args, deadline):
    async with connect(page_ws_url, max_size=None) as ws:
        cdp = Cdp(ws)
        while (state := await cdp.evaluate(STATE)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the page reached no verdict")
            await asyncio.sleep(0.05)
        print(f"chromium: page says {state}")
        if args.expect_refused:
            # readyState 3 = CLOSED; the page only sets "error" from onerror.
            assert state["title"] == "error" and state["readyState"] == 3, state
            return
        assert state["title"] == "echoed", state
        assert state["protocol"] == args.expect_protocol, state
        result = await cdp.evaluate(BINARY_AND_CLOSE)
        print(f"chromium: {result}")
        assert result == {"binaryEcho": True, "closeCode": 1000, "wasClean": True}, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--expect-protocol")
    mode.add_argument("--expect-refused", action="store_true")
    args = parser.parse_args()

    # On `timeout`'s SIGTERM still run the finally below, which kills Chromium.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    deadline = time.monotonic() + DEADLINE
    profile = tempfile.mkdtemp(prefix="interop-chromium-")
    log = open(os.path.join(profile, "chromium.log"), "w+")
    # Own session, so the whole tree (zygote, renderers, GPU process) dies with one killpg.
    browser = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", args.url],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               start_new_session=True)
    try:
        # Chromium writes the port it bound (and the browser's path) here once DevTools listens.
        port_file = os.path.join(profile, "DevToolsActivePort")

        def port():
            if browser.poll() is not None:
                raise RuntimeError(f"chromium exited with {browser.returncode}")
            if os.path.exists(port_file):
                lines = open(port_file).read().split("\n")
                return lines[0] if len(lines) > 1 else None  # wait until fully written
        devtools = wait_for("DevToolsActivePort", port, deadline)

        def page_target():
            with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            return pages[0]["webSocketDebuggerUrl"] if pages else None
        target = wait_for("the page target", page_target, deadline)

        asyncio.run(asyncio.wait_for(drive(target, args, deadline),
                                     max(1, deadline - time.monotonic())))
    except Exception as e:  # any failure, including timeouts, is a failed check
        log.seek(0)
        # Chromium logs D-Bus noise on machines without a system bus; leave it out.
        tail = "".join(line for line in log if "dbus" not in line)[-2000:]
        print(f"chromium: {type(e).__name__}: {e}\n--- chromium log tail ---\n{tail}",
              file=sys.stderr)
        sys.exit(1)
    finally:
        # Nothing in the throwaway profile is worth a graceful shutdown.
        try:
            os.killpg(browser.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
