"""Python `websockets` echo server for the client example.

usage: py_server.py [--protocol NAME]... [--tls CERT KEY] [--host HOST] [--port PORT]

With --tls it speaks wss (TLS with the PEM certificate chain CERT and key KEY). Listens on an ephemeral port of 127.0.0.1 (or PORT on every address of HOST, e.g.
127.0.0.1 and ::1 for localhost), prints `listening on ADDR`, echoes every message.
Compression stays at websockets' default (permessage-deflate offered to clients that ask).
"""

import argparse
import asyncio
import ssl

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", action="append", default=[])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*args.tls)
    async with serve(echo, args.host, args.port, subprotocols=args.protocol or None, ssl=tls) as server:
        host, port = server.sockets[0].getsockname()[:2]
        print(f"listening on {host}:{port}", flush=True)
        await server.serve_forever()


asyncio.run(main())
