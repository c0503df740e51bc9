"""Python `websockets` client against a WebSocket echo server.

usage: py_client.py URL [--protocol NAME]... [--expect-protocol NAME] [--no-deflate]

Opens URL offering the given subprotocols (and permessage-deflate unless --no-deflate),
checks the chosen subprotocol and that no extension was negotiated, echoes a text message
and a 64 KiB random binary message, then closes with 1000 and checks the server's close.
Exits 0 when every check holds.
"""

import argparse
import asyncio
import os
import sys

from websockets.asyncio.client import connect

TIMEOUT = 10  # seconds for the whole exchange; the server is local


async def run(args):
    async with connect(
        args.url,
        subprotocols=args.protocol or None,
        compression=None if args.no_deflate else "deflate",
        open_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
    ) as ws:
        offered = ws.request.headers.get("Sec-WebSocket-Extensions")
        # Make sure the deflate variant really offered it, so "declined" below means something.
        if args.no_deflate:
            assert offered is None, f"offered extensions: {offered}"
        else:
            assert offered and "permessage-deflate" in offered, f"offered: {offered}"
        accepted = ws.response.headers.get("Sec-WebSocket-Extensions")
        assert accepted is None, f"server accepted an extension: {accepted}"
        assert ws.subprotocol == args.expect_protocol, (
            f"subprotocol {ws.subprotocol!r}, expected {args.expect_protocol!r}"
        )

        await ws.send("hello")
        assert (got := await ws.recv()) == "hello", f"text echo {got!r}"
        payload = os.urandom(64 * 1024)
        await ws.send(payload)
        got = await ws.recv()
        assert got == payload, f"binary echo: {len(got)} bytes, differs"
        await ws.close()
    # The server answered our close frame with its own 1000.
    assert ws.close_code == 1000, f"close code {ws.close_code}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--protocol", action="append", default=[])
    parser.add_argument("--expect-protocol")
    parser.add_argument("--no-deflate", action="store_true")
    args = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(run(args), TIMEOUT * 2))
    except Exception as e:  # any failure, including timeouts and refusals, is a failed check
        print(f"python websockets client: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
