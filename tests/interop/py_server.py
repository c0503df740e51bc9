"""Python `websockets` echo server for the client example.

usage: py_server.py [--protocol NAME]...

Listens on an ephemeral port of 127.0.0.1, prints `listening on ADDR`, echoes every message.
Compression stays at websockets' default (permessage-deflate offered to clients that ask).
"""

import argparse
import asyncio

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", action="append", default=[])
    args = parser.parse_args()
    async with serve(echo, "127.0.0.1", 0, subprotocols=args.protocol or None) as server:
        host, port = server.sockets[0].getsockname()[:2]
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


asyncio.run(main())
