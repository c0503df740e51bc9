"""An echo server on 127.0.0.1 for the client interop test, using Python `websockets`.

usage: python3 py_echo_server.py [SUBPROTOCOL]...

Listens on an ephemeral port, prints it on the first line of stdout, and echoes every
message back until it is killed or its stdin closes. With SUBPROTOCOL arguments it
negotiates one of them (and refuses clients that offer none, as websockets does).
"""

import asyncio
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosedError


async def echo(websocket):
    try:
        async for message in websocket:
            await websocket.send(message)
    except ConnectionClosedError:
        # Expected when a client fails the connection (e.g. a subprotocol it refuses).
        print("py_echo_server: client dropped the connection", file=sys.stderr)


async def main():
    subprotocols = sys.argv[1:] or None
    async with serve(echo, "127.0.0.1", 0, subprotocols=subprotocols) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        # Stop when the test closes our stdin (or kills us).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
